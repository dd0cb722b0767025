//! CEPII BACI CSV files (`t,i,j,k,v,q`).
//!
//! * `t` year; `i` exporter and `j` importer as BACI numeric country codes; `k` HS6
//!   code in the dataset's HS revision; `v` value in **thousands** of US dollars
//!   (multiplied by 1000); `q` quantity in metric tons.
//! * Every flow is an export of `i` to `j`, `declared_by` = reconciled.
//! * Country codes go through the BACI country table when one is given (both the
//!   V202201 layout `country_code,country_name_abbreviation,country_name_full,
//!   iso_2digit_alpha,iso_3digit_alpha` and the V202401 layout `country_code,
//!   country_name,country_iso2,country_iso3`), else through the built-in registry.
//!   Table rows whose ISO3 is `N/A`, empty or unknown to the registry (490 "Other
//!   Asia, nes") map to the registry's entry for the numeric code (490 → `S19`);
//!   rows of codes known to neither (849 "US Misc. Pacific Isds" in V202201) make
//!   the flows that use them bad rows. Codes missing from the table fall back to the
//!   registry (tables and data drift: the V202201 table lists Italy as 381 while
//!   V202301 data use 380).
//! * Quantities: `q` in metric tons (unit `t`); an empty `q` or `NA` is no quantity.
//! * The HS revision is an option; when absent it is inferred from the file name
//!   (`BACI_HS17_…` → HS 2017).

use crate::csvsrc::{csv_err, field_offset, CsvSource};
use crate::error::{IoError, RowError};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::{
    check_year, country_id, lossy, parse_amount, trim_bytes, Core, CountryTable, FastMap, Prod,
    Resolved,
};
use arrow::record_batch::RecordBatch;
use entrepot_core::{
    CountryRegistry, Declarant, FlowKind, HsRevision, Period, Quantity, QuantityUnit,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Infers the HS revision from a BACI file name (`BACI_HS17_Y2020_V202301.csv` →
/// HS 2017): the first `HS` followed by two digits.
pub fn infer_revision(file_name: &str) -> Option<HsRevision> {
    let up = file_name.to_ascii_uppercase();
    let b = up.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        if &b[i..i + 2] == b"HS" && b[i + 2].is_ascii_digit() && b[i + 3].is_ascii_digit() {
            let yy = &up[i + 2..i + 4];
            if b.get(i + 4).is_some_and(u8::is_ascii_digit) {
                // HS2017 style
                return up
                    .get(i + 2..i + 6)
                    .and_then(|y| y.parse::<HsRevision>().ok());
            }
            match yy {
                "92" => Some(HsRevision::Hs1992),
                "96" => Some(HsRevision::Hs1996),
                "02" => Some(HsRevision::Hs2002),
                "07" => Some(HsRevision::Hs2007),
                "12" => Some(HsRevision::Hs2012),
                "17" => Some(HsRevision::Hs2017),
                "22" => Some(HsRevision::Hs2022),
                _ => None,
            }
        } else {
            None
        }
    })
}

impl CountryTable {
    /// Reads a BACI country-code table (V202201 or V202401 layout) from a file.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        let (f, _) = crate::csvsrc::open_file(path)?;
        Self::from_reader(&path.display().to_string(), f)
    }

    /// Reads a BACI country-code table from any reader; `name` is used in messages.
    /// A code whose ISO3 is missing, `N/A` or unknown maps to the registry's entry for
    /// the numeric code; rows using a code known to neither (849 "US Misc. Pacific
    /// Isds") are rejected with a message naming the table.
    pub fn from_reader(name: &str, r: impl Read) -> Result<Self, IoError> {
        let fmt = |m: String| IoError::Format {
            path: name.to_string(),
            message: m,
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
        let header: Vec<String> = rdr
            .byte_headers()
            .map_err(|e| csv_err(name, e))?
            .iter()
            .map(|h| {
                lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect();
        let code_i = header.iter().position(|h| h == "country_code");
        let iso_i = header
            .iter()
            .position(|h| h == "iso_3digit_alpha" || h == "country_iso3");
        let (Some(code_i), Some(iso_i)) = (code_i, iso_i) else {
            return Err(fmt(format!(
                "not a BACI country table: expected columns country_code and iso_3digit_alpha (V202201) or country_iso3 (V202401), found {}",
                header.join(",")
            )));
        };
        let reg = CountryRegistry::builtin();
        let mut map = HashMap::new();
        // Names may be Latin-1 (V202201 has "C\xf4te d'Ivoire"); only the ASCII code
        // columns are read.
        for (n, rec) in rdr.byte_records().enumerate() {
            let rec = rec.map_err(|e| csv_err(name, e))?;
            let line = n + 2;
            let code_s = lossy(rec.get(code_i).unwrap_or(b""));
            let code = code_s.trim();
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fmt(format!(
                    "line {line}: country_code '{code}' is not a number"
                )));
            }
            let iso_s = lossy(rec.get(iso_i).unwrap_or(b""));
            let iso = iso_s.trim();
            let by_iso = if iso.is_empty() || iso.eq_ignore_ascii_case("N/A") {
                None
            } else {
                reg.get(iso)
            };
            let entry = match by_iso.or_else(|| reg.get(code)) {
                Some(c) => country_id(&c.iso3)
                    .ok_or_else(|| Arc::<str>::from(format!("no registry index for {}", c.iso3))),
                None => {
                    let label = rec.get(1).map(lossy).unwrap_or_default();
                    Err(Arc::from(format!(
                        "country code {code} ('{}') of the country table {name} has no ISO3 code known to the registry",
                        label.trim()
                    )))
                }
            };
            let k = code.trim_start_matches('0');
            map.insert(
                if k.is_empty() {
                    "0".to_string()
                } else {
                    k.to_string()
                },
                entry,
            );
        }
        Ok(CountryTable {
            name: name.to_string(),
            map,
        })
    }

    /// Number of codes in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The ISO3 code a numeric code maps to.
    pub fn iso3(&self, code: &str) -> Option<&'static str> {
        let k = code.trim().trim_start_matches('0');
        let k = if k.is_empty() { "0" } else { k };
        match self.map.get(k) {
            Some(Ok(id)) => Some(crate::validate::iso3_of(*id)),
            _ => None,
        }
    }
}

/// A streaming reader of a CEPII BACI CSV file.
pub struct BaciReader {
    src: CsvSource,
    core: Core,
    revision: HsRevision,
    years: FastMap<Box<[u8]>, Result<Period, String>>,
    done: bool,
}

const COLS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

impl BaciReader {
    /// Opens a BACI CSV file. `revision` defaults to the one in the file name;
    /// `table` is an optional BACI country-code table.
    pub fn open(
        path: &Path,
        revision: Option<HsRevision>,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let revision = revision.or_else(|| infer_revision(&name)).ok_or_else(|| IoError::Format {
            path: path.display().to_string(),
            message: "cannot infer the HS revision from the file name (expected e.g. BACI_HS17_…): pass hs_revision".into(),
        })?;
        let src = CsvSource::open(path)?;
        Self::new(src, revision, table, options)
    }

    /// A BACI reader over any byte stream; `name` is used in messages.
    pub fn from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        revision: HsRevision,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::from_reader(name.to_string(), Box::new(reader), None)?;
        Self::new(src, revision, table, options)
    }

    fn new(
        src: CsvSource,
        revision: HsRevision,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let h: Vec<String> = src.header.iter().map(|h| h.to_ascii_lowercase()).collect();
        if h != COLS {
            return Err(IoError::Format {
                path: src.file.clone(),
                message: format!(
                    "not a BACI file: expected the header t,i,j,k,v,q, found {}",
                    src.header.join(",")
                ),
            });
        }
        let mut core = Core::new(src.file.clone(), Some(src.file.clone()), options);
        core.country_table = table;
        Ok(BaciReader {
            src,
            core,
            revision,
            years: FastMap::default(),
            done: false,
        })
    }

    /// Accepts these country codes as they are although the registry does not know
    /// them (e.g. UN Comtrade's legacy areas `BUN`, `KN1`, `SVU` in old panels); every
    /// other unknown code is still rejected. Call before reading.
    pub fn with_extra_country_codes(mut self, codes: &[String]) -> Result<Self, IoError> {
        self.core.set_extra_codes(codes)?;
        Ok(self)
    }

    /// The HS revision of the product codes.
    pub fn revision(&self) -> HsRevision {
        self.revision
    }

    fn row(&mut self, line: u64) -> Result<Resolved, Box<RowError>> {
        let rec = &self.src.rec;
        let core = &mut self.core;
        let f = |i: usize| rec.get(i).unwrap_or(b"");
        let err = |core: &Core, i: usize, m: String| {
            core.err(line, COLS[i], Some(lossy(trim_bytes(f(i)))), m)
        };
        let utf8 = |core: &Core, i: usize| -> Result<(), Box<RowError>> {
            match std::str::from_utf8(f(i)) {
                Ok(_) => Ok(()),
                Err(e) => {
                    let off = field_offset(rec, i)
                        .map(|o| o + e.valid_up_to() as u64)
                        .unwrap_or(0);
                    Err(err(
                        core,
                        i,
                        format!("invalid UTF-8 at byte offset {off} (line {line})"),
                    ))
                }
            }
        };
        // t
        let t = trim_bytes(f(0));
        let period = match self.years.get(t) {
            Some(p) => p.clone(),
            None => {
                utf8(core, 0)?;
                let r = std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                    .ok_or_else(|| format!("expected a year, found '{}'", lossy(t)))
                    .and_then(check_year)
                    .map(Period::Year);
                if self.years.len() < 1000 {
                    self.years.insert(t.into(), r.clone());
                }
                r
            }
        }
        .map_err(|m| err(core, 0, m))?;
        // i, j
        let country = |core: &mut Core, i: usize| -> Result<u16, Box<RowError>> {
            core.country(f(i)).map_err(|m| {
                if std::str::from_utf8(f(i)).is_err() {
                    match utf8(core, i) {
                        Err(e) => e,
                        Ok(()) => err(core, i, m.to_string()),
                    }
                } else {
                    err(core, i, m.to_string())
                }
            })
        };
        let reporter = country(core, 1)?;
        let partner = country(core, 2)?;
        // k
        let code = core.product(self.revision, f(3)).map_err(|m| {
            if std::str::from_utf8(f(3)).is_err() {
                utf8(core, 3)
                    .err()
                    .unwrap_or_else(|| err(core, 3, m.to_string()))
            } else {
                err(core, 3, m.to_string())
            }
        })?;
        // v
        utf8(core, 4)?;
        let v = parse_amount(f(4)).map_err(|m| err(core, 4, m))? * 1000.0;
        // q
        let q = trim_bytes(f(5));
        let quantity = if q.is_empty() || q == b"NA" {
            None
        } else {
            utf8(core, 5)?;
            Some(Quantity {
                value: parse_amount(q).map_err(|m| err(core, 5, m))?,
                unit: QuantityUnit::Tonnes,
            })
        };
        Ok(Resolved {
            reporter,
            partner,
            flow: FlowKind::Export,
            period,
            product: Prod::Hs(self.revision, code),
            value_usd: v,
            quantity,
            declared_by: Declarant::Reconciled,
        })
    }
}

impl FlowReader for BaciReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.done && !self.core.batch_full() {
            match self.src.next()? {
                None => self.done = true,
                Some(Err(e)) => self.core.reject(e)?,
                Some(Ok(line)) => match self.row(line) {
                    Ok(r) => self.core.accept(&r, line)?,
                    Err(mut e) => {
                        if self.core.opts.on_error == crate::OnError::Quarantine {
                            e.raw = Some(self.src.raw_text());
                        }
                        self.core.reject(e)?
                    }
                },
            }
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        std::mem::take(&mut self.core.rejected)
    }

    fn progress(&self) -> (u64, Option<u64>) {
        (self.src.consumed(), self.src.total)
    }

    fn describe(&self) -> String {
        format!("BACI CSV {} ({})", self.src.file, self.revision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_from_name() {
        assert_eq!(
            infer_revision("BACI_HS17_Y2020_V202301.csv"),
            Some(HsRevision::Hs2017)
        );
        assert_eq!(
            infer_revision("baci_hs92_y1995.csv"),
            Some(HsRevision::Hs1992)
        );
        assert_eq!(infer_revision("x_HS2022.csv"), Some(HsRevision::Hs2022));
        assert_eq!(infer_revision("trade.csv"), None);
    }
}
