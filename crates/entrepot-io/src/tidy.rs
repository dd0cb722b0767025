//! Tidy CSV files: the generic reader driven by a [`ColumnMapping`], and UN Comtrade
//! bulk/API CSV files (a built-in mapping plus Comtrade's own checks).

use crate::csvsrc::CsvSource;
use crate::error::{show_names, IoError, RowError};
use crate::mapping::{
    find_column, BreakdownPolicy, ColumnMapping, ComtradeChecks, CountrySource, Mapper,
    PeriodSource, Source, ValueColumns,
};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::Core;
use arrow::record_batch::RecordBatch;
use entrepot_core::{Declarant, HsRevision};
use std::io::Read;
use std::path::Path;

/// A streaming reader of a tidy CSV file (generic or UN Comtrade).
pub struct CsvFlowReader {
    src: CsvSource,
    mapper: Mapper,
    core: Core,
    kind: &'static str,
    done: bool,
}

impl CsvFlowReader {
    /// Opens a generic tidy CSV file with a column mapping. `hs_revision` is the
    /// revision of the product codes when the mapping does not give one. A
    /// gzip-compressed file is decompressed transparently; binary input is refused.
    pub fn open(
        path: &Path,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::open_delimited(path, options.max_record_bytes, options.delimiter)?;
        Self::new(src, mapping, hs_revision, options, None, "CSV")
    }

    /// A generic tidy CSV reader over any byte stream (plain or gzip-compressed);
    /// `name` is used in messages.
    pub fn from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::from_reader_delimited(
            name.to_string(),
            Box::new(reader),
            None,
            options.max_record_bytes,
            options.delimiter,
        )?;
        Self::new(src, mapping, hs_revision, options, None, "CSV")
    }

    /// Opens a UN Comtrade bulk or API CSV file (see [`comtrade_mapping`] for the
    /// columns used). Rows that are a breakdown by second partner (`partner2Code` ≠ 0),
    /// mode of transport (`motCode` ≠ 0) or customs procedure (`customsCode` ≠ `C00`)
    /// are handled by `breakdowns` (rejected by default).
    pub fn open_comtrade(
        path: &Path,
        hs_revision: Option<HsRevision>,
        breakdowns: BreakdownPolicy,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::open_delimited(path, options.max_record_bytes, options.delimiter)?;
        let mapping = comtrade_mapping(&src.file, &src.header)?;
        Self::new(
            src,
            &mapping,
            hs_revision,
            options,
            Some(breakdowns),
            "UN Comtrade CSV",
        )
    }

    /// A UN Comtrade CSV reader over any byte stream.
    pub fn comtrade_from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        hs_revision: Option<HsRevision>,
        breakdowns: BreakdownPolicy,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::from_reader_delimited(
            name.to_string(),
            Box::new(reader),
            None,
            options.max_record_bytes,
            options.delimiter,
        )?;
        let mapping = comtrade_mapping(&src.file, &src.header)?;
        Self::new(
            src,
            &mapping,
            hs_revision,
            options,
            Some(breakdowns),
            "UN Comtrade CSV",
        )
    }

    fn new(
        src: CsvSource,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
        comtrade: Option<BreakdownPolicy>,
        kind: &'static str,
    ) -> Result<Self, IoError> {
        let mut mapper = Mapper::new(&src.file, &src.header, mapping, hs_revision)?;
        mapper.decimal = options.decimal;
        if let Some(policy) = comtrade {
            mapper.comtrade = Some(comtrade_checks(&src.header, policy));
        }
        let core = Core::new(src.file.clone(), Some(src.file.clone()), options);
        Ok(CsvFlowReader {
            src,
            mapper,
            core,
            kind,
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

    /// Number of Comtrade breakdown rows skipped (with [`BreakdownPolicy::Skip`]).
    pub fn skipped(&self) -> u64 {
        self.mapper.skipped
    }
}

impl FlowReader for CsvFlowReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.done && !self.core.batch_full() {
            match self.src.next()? {
                None => self.done = true,
                Some(Err(e)) => self.core.reject(e)?,
                Some(Ok(line)) => {
                    let before = self.core.rejected.len();
                    let row = self.src.row();
                    self.mapper.process(&mut self.core, &row, line)?;
                    if self.core.rejected.len() > before {
                        let raw = self.src.raw_text();
                        if let Some(e) = self.core.rejected.last_mut() {
                            e.raw = Some(raw);
                        }
                    }
                }
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
        let mut s = format!("{} {}{}", self.kind, self.src.file, self.mapper.fx_note());
        if self.mapper.skipped > 0 {
            s.push_str(&format!(
                " ({} breakdown rows skipped)",
                self.mapper.skipped
            ));
        }
        s
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }

    fn currency(&self) -> Option<crate::fx::CurrencyCode> {
        self.mapper.currency()
    }
}

/// The mapping of a UN Comtrade (API v1 / bulk) table with the given header:
/// `reporterCode` (else `reporterISO`), `partnerCode` (else `partnerISO`; 0 = world),
/// `flowCode`, `period` (else `refYear` + `refMonth`), `cmdCode` (`TOTAL` = all
/// products), `classificationCode` (`H0`…`H6`) when present, `primaryValue` in US
/// dollars, `qty` with `qtyUnitAbbr` when present. `declared_by` = reporter.
pub fn comtrade_mapping(file: &str, header: &[String]) -> Result<ColumnMapping, IoError> {
    let has = |c: &str| find_column(header, c).is_some();
    let pick = |a: &str, b: &str| -> Result<String, IoError> {
        if has(a) {
            Ok(a.to_string())
        } else if has(b) {
            Ok(b.to_string())
        } else {
            Err(IoError::Format {
                path: file.to_string(),
                message: format!(
                    "not a UN Comtrade table: neither '{a}' nor '{b}' is in the header ({})",
                    show_names(header, ", ")
                ),
            })
        }
    };
    let period = if has("period") {
        PeriodSource::Column("period".into())
    } else if has("refYear") {
        PeriodSource::YearMonth {
            year: "refYear".into(),
            month: has("refMonth").then(|| "refMonth".to_string()),
        }
    } else {
        return Err(IoError::Format {
            path: file.to_string(),
            message: "not a UN Comtrade table: no 'period' or 'refYear' column".into(),
        });
    };
    Ok(ColumnMapping {
        reporter: CountrySource::Column(pick("reporterCode", "reporterISO")?),
        partner: CountrySource::Column(pick("partnerCode", "partnerISO")?),
        values: ValueColumns::Long {
            flow: Source::Column(pick("flowCode", "flowCode")?),
            value: pick("primaryValue", "primaryValue")?,
        },
        period,
        product: Some(pick("cmdCode", "cmdCode")?),
        hs_revision: has("classificationCode").then(|| Source::Column("classificationCode".into())),
        value_scale: 1.0,
        quantity: (has("qty") && has("qtyUnitAbbr")).then(|| "qty".to_string()),
        quantity_unit: (has("qty") && has("qtyUnitAbbr"))
            .then(|| Source::Column("qtyUnitAbbr".into())),
        declared_by: Source::Const(Declarant::Reporter),
        // UN Comtrade's primaryValue is in US dollars.
        currency: None,
        fx: None,
    })
}

pub(crate) fn comtrade_checks(header: &[String], policy: BreakdownPolicy) -> ComtradeChecks {
    let mut checks = Vec::new();
    const ZERO: &[&str] = &["0"];
    const C00: &[&str] = &["C00"];
    for (name, totals) in [
        ("partner2Code", ZERO),
        ("motCode", ZERO),
        ("customsCode", C00),
    ] {
        if let Some(i) = find_column(header, name) {
            checks.push((i, name.to_string(), totals));
        }
    }
    ComtradeChecks { checks, policy }
}
