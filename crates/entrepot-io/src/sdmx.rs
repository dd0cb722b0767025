//! SDMX-CSV data messages (SDMX-CSV 1.0 of SDMX 2.1 services, 2.0 of SDMX 3.0
//! services) of bilateral trade in goods: the IMF's International Trade in Goods by
//! partner country (IMTS, formerly the Direction of Trade Statistics).
//!
//! One row is one observation: the first column names the dataflow (`DATAFLOW`, or
//! `STRUCTURE`, `STRUCTURE_ID` and an optional `ACTION` in 2.0), then come the
//! dimensions, `TIME_PERIOD`, `OBS_VALUE` and the attributes. Labels may follow codes
//! (`CHN: China`, with the `labels=both` option of SDMX-CSV): only the code is read.
//!
//! * reporter: `COUNTRY` or `REF_AREA`; partner: `COUNTERPART_COUNTRY` or
//!   `COUNTERPART_AREA`; both through the registry (ISO3 as IMTS codes countries,
//!   ISO2 as DOTS did), with the IMF's World aggregates `G001` and `W00` read as
//!   `WLD`. Other aggregates (`G110` advanced economies, …) are codes the registry does
//!   not know: their rows are bad rows, reported with file, line and code.
//! * flow: the `INDICATOR` code: goods exports FOB (`XG_FOB_USD`, DOTS `TXG_FOB_USD`)
//!   or goods imports CIF (`MG_CIF_USD`, DOTS `TMG_CIF_USD`); another indicator is a
//!   bad row.
//! * period: `TIME_PERIOD` as `2024`, `2024-01` or `2024-M01`.
//! * value: `OBS_VALUE` × 10^`UNIT_MULT` (or `SCALE`) in US dollars; a file with
//!   neither column is refused unless the caller gives the multiplier
//!   ([`SdmxReader::from_reader`]'s `unit_mult`). An observation without a value
//!   (empty or `NaN`) is no flow: it is skipped and counted ([`SdmxReader::skipped`]),
//!   never read as zero.
//! * the product is the total of all goods; `declared_by` is the reporter.

use crate::csvsrc::CsvSource;
use crate::error::{kept_value, IoError, RowError};
use crate::mapping::{Cell, ColumnMapping, Mapper, RowAccess};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::{lossy, Core};
use arrow::record_batch::RecordBatch;
use std::io::Read;

/// A reader of SDMX-CSV trade-in-goods observations.
pub struct SdmxReader {
    src: CsvSource,
    cols: Columns,
    mapper: Mapper,
    core: Core,
    unit_mult: Option<i32>,
    skipped: u64,
}

struct Columns {
    reporter: usize,
    partner: usize,
    indicator: usize,
    period: usize,
    value: usize,
    unit_mult: Option<usize>,
}

/// The synthetic row handed to the mapper: reporter, partner, flow, period (text)
/// and the value in US dollars.
struct Row {
    text: [String; 4],
    value: f64,
}

const HEADER: [&str; 5] = ["reporter", "partner", "flow", "period", "value"];

impl RowAccess for Row {
    fn cell(&self, idx: usize) -> Cell<'_> {
        match idx {
            0..=3 => Cell::Text(self.text[idx].as_bytes()),
            4 => Cell::Num(self.value),
            _ => Cell::Null,
        }
    }
}

/// The flow of an IMF trade indicator.
pub fn indicator_flow(code: &str) -> Option<&'static str> {
    match code {
        "XG_FOB_USD" | "TXG_FOB_USD" => Some("export"),
        "MG_CIF_USD" | "TMG_CIF_USD" => Some("import"),
        _ => None,
    }
}

/// The registry's code for an IMF country code: the World aggregates `G001` and
/// `W00` are `WLD`; every other code is looked up as it is.
pub fn imf_country(code: &str) -> &str {
    match code {
        "G001" | "W00" | "W0" => "WLD",
        other => other,
    }
}

/// The code of a cell (`CHN: China` → `CHN`).
fn code_of(cell: &[u8]) -> String {
    let s = lossy(cell);
    let s = s.trim();
    match s.split_once(": ") {
        Some((c, _)) => c.trim().to_string(),
        None => s.to_string(),
    }
}

/// `2024-M01` → `2024-01`; other spellings as they are.
fn period_of(p: &str) -> String {
    match p.split_once("-M") {
        Some((y, m)) if y.len() == 4 && m.len() == 2 => format!("{y}-{m}"),
        _ => p.to_string(),
    }
}

impl SdmxReader {
    /// Reads SDMX-CSV from any reader; `name` is used in messages. `unit_mult` is the
    /// power of ten of the values when the file has no `UNIT_MULT` or `SCALE`
    /// column (it is refused without one of the two).
    pub fn from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        size: Option<u64>,
        unit_mult: Option<i32>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::from_reader(
            name.to_string(),
            Box::new(reader),
            size,
            options.max_record_bytes,
        )?;
        let upper: Vec<String> = src
            .header
            .iter()
            .map(|h| code_of(h.as_bytes()).to_ascii_uppercase())
            .collect();
        let find = |names: &[&str]| names.iter().find_map(|n| upper.iter().position(|h| h == n));
        let fmt = |m: String| IoError::Format {
            path: name.to_string(),
            message: m,
        };
        if find(&["DATAFLOW", "STRUCTURE", "STRUCTURE_ID"]).is_none() {
            return Err(fmt(format!(
                "not SDMX-CSV: the first column should be DATAFLOW (1.0) or STRUCTURE (2.0), found {}",
                crate::error::show_names(&src.header, ",")
            )));
        }
        let need = |names: &[&str], what: &str| {
            find(names).ok_or_else(|| {
                fmt(format!(
                    "SDMX-CSV without {what} ({}): found {}",
                    names.join(" or "),
                    crate::error::show_names(&src.header, ",")
                ))
            })
        };
        let cols = Columns {
            reporter: need(&["COUNTRY", "REF_AREA"], "a reporter dimension")?,
            partner: need(
                &["COUNTERPART_COUNTRY", "COUNTERPART_AREA"],
                "a partner dimension",
            )?,
            indicator: need(&["INDICATOR"], "an indicator dimension")?,
            period: need(&["TIME_PERIOD"], "periods")?,
            value: need(&["OBS_VALUE"], "values")?,
            unit_mult: find(&["UNIT_MULT", "SCALE"]),
        };
        if cols.unit_mult.is_none() && unit_mult.is_none() {
            return Err(fmt(
                "SDMX-CSV without UNIT_MULT or SCALE: the unit of the values is unknown (ask for the attributes, or give the multiplier)".into(),
            ));
        }
        let header: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
        let mapping = ColumnMapping::parse(
            "reporter=col:reporter,partner=col:partner,flow=col:flow,period=period,value=value",
        )?;
        let mapper = Mapper::new(name, &header, &mapping, None)?;
        Ok(SdmxReader {
            core: Core::new(name.to_string(), Some(name.to_string()), options),
            src,
            cols,
            mapper,
            unit_mult,
            skipped: 0,
        })
    }

    /// Observations without a value (empty or `NaN`), skipped.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    fn bad(&self, line: u64, col: usize, value: &str, message: String) -> Box<RowError> {
        let mut e = RowError::new(
            self.src.file.clone(),
            line,
            self.src.header.get(col).map(String::as_str),
            Some(&kept_value(value)),
            message,
        );
        e.raw = Some(self.src.raw_text());
        Box::new(e)
    }

    /// The synthetic row of the current record, or the reason it is bad, or `None`
    /// for an observation without a value.
    fn row(&self, line: u64) -> Result<Option<Row>, Box<RowError>> {
        let rec = &self.src.rec;
        let get = |i: usize| rec.get(i).unwrap_or(b"");
        let raw_value = lossy(get(self.cols.value)).trim().to_string();
        if raw_value.is_empty() || raw_value.eq_ignore_ascii_case("nan") || raw_value == "NA" {
            return Ok(None);
        }
        let value: f64 = raw_value.parse().map_err(|_| {
            self.bad(
                line,
                self.cols.value,
                &raw_value,
                "OBS_VALUE is not a number".into(),
            )
        })?;
        let mult = match self.cols.unit_mult {
            Some(i) => {
                let m = code_of(get(i));
                m.parse::<i32>()
                    .ok()
                    .filter(|m| (-12..=15).contains(m))
                    .ok_or_else(|| {
                        self.bad(
                            line,
                            i,
                            &m,
                            "the unit multiplier is not a power of ten between -12 and 15".into(),
                        )
                    })?
            }
            None => self.unit_mult.unwrap_or(0),
        };
        let indicator = code_of(get(self.cols.indicator));
        let flow = indicator_flow(&indicator).ok_or_else(|| {
            self.bad(
                line,
                self.cols.indicator,
                &indicator,
                "not a goods trade indicator: expected XG_FOB_USD or TXG_FOB_USD (exports), MG_CIF_USD or TMG_CIF_USD (imports)".into(),
            )
        })?;
        Ok(Some(Row {
            text: [
                imf_country(&code_of(get(self.cols.reporter))).to_string(),
                imf_country(&code_of(get(self.cols.partner))).to_string(),
                flow.to_string(),
                period_of(&code_of(get(self.cols.period))),
            ],
            value: value * 10f64.powi(mult),
        }))
    }
}

impl FlowReader for SdmxReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.core.batch_full() {
            let line = match self.src.next()? {
                None => break,
                Some(Err(e)) => {
                    self.core.reject(e)?;
                    continue;
                }
                Some(Ok(line)) => line,
            };
            match self.row(line) {
                Ok(Some(row)) => self.mapper.process(&mut self.core, &row, line)?,
                Ok(None) => self.skipped += 1,
                Err(e) => self.core.reject(e)?,
            }
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        self.core.take_rejected()
    }

    fn progress(&self) -> (u64, Option<u64>) {
        (self.src.consumed(), self.src.total)
    }

    fn describe(&self) -> String {
        format!("SDMX-CSV {}", self.src.file)
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (u64, Vec<RowError>, Vec<entrepot_core::TradeFlow>) {
        let mut r = SdmxReader::from_reader(
            "imf.csv",
            std::io::Cursor::new(text.to_string().into_bytes()),
            None,
            None,
            ReadOptions {
                on_error: crate::OnError::Quarantine,
                ..ReadOptions::default()
            },
        )
        .unwrap();
        let mut flows = Vec::new();
        let mut rejected = Vec::new();
        while let Some(b) = r.next_batch().unwrap() {
            flows.extend(crate::schema::batch_to_flows(&b, "imf").unwrap());
            rejected.extend(r.take_rejected());
        }
        rejected.extend(r.take_rejected());
        (r.skipped(), rejected, flows)
    }

    #[test]
    fn observations_become_flows_in_us_dollars() {
        let text = "DATAFLOW,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,OBS_VALUE,UNIT_MULT\n\
IMF.STA:IMTS(1.0.0),CHN,XG_FOB_USD,USA,M,2024-01,41234.5,6\n\
IMF.STA:IMTS(1.0.0),CHN,MG_CIF_USD,G001,M,2024-M02,NaN,6\n\
IMF.STA:IMTS(1.0.0),CHN,MG_CIF_USD,G110,M,2024-01,12.5,6\n\
IMF.STA:IMTS(1.0.0),CHN: China,MG_CIF_USD: Imports,W00,M,2024-01,200000.25,6\n";
        let (skipped, rejected, flows) = read(text);
        assert_eq!(skipped, 1);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 4);
        assert_eq!(rejected[0].value.as_deref(), Some("G110"));
        assert_eq!(flows.len(), 2);
        assert_eq!(flows[0].reporter.as_str(), "CHN");
        assert_eq!(flows[0].partner.as_str(), "USA");
        assert!((flows[0].value_usd - 41_234.5e6).abs() < 1.0);
        assert_eq!(flows[1].partner.as_str(), "WLD");
        assert!((flows[1].value_usd - 200_000.25e6).abs() < 1.0);
    }

    #[test]
    fn a_file_without_unit_multiplier_or_dimensions_is_refused() {
        let e = SdmxReader::from_reader(
            "x.csv",
            std::io::Cursor::new(
                b"DATAFLOW,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,TIME_PERIOD,OBS_VALUE\n".to_vec(),
            ),
            None,
            None,
            ReadOptions::default(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("UNIT_MULT"), "{e}");
        let e = SdmxReader::from_reader(
            "x.csv",
            std::io::Cursor::new(b"t,i,j,k,v,q\n".to_vec()),
            None,
            Some(0),
            ReadOptions::default(),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("not SDMX-CSV"), "{e}");
    }
}
