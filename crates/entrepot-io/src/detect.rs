//! Choosing a reader: [`ReaderSpec`], [`Format`] detection and [`open_reader`].
//!
//! Detection, when the format is not given: the extension `.parquet`/`.pq` → Parquet,
//! `.dta` → Stata, `.json` → UN Comtrade JSON; otherwise the first bytes: Parquet's
//! magic `PAR1` → Parquet, a Stata header → Stata, gzip → the decompressed text;
//! then the first line of the text: the header `t,i,j,k,v,q` → BACI, a header with
//! `reporterCode` → UN Comtrade CSV, `{` or `[` → UN Comtrade JSON, anything else →
//! generic CSV (which needs a column mapping). Binary input is refused by the text
//! readers themselves (see [`crate::input`]).

use crate::baci::BaciReader;
use crate::comtrade::ComtradeJsonReader;
use crate::csvsrc::open_file;
use crate::dta::DtaFlowReader;
use crate::error::IoError;
use crate::mapping::{BreakdownPolicy, ColumnMapping};
use crate::parquet_reader::ParquetFlowReader;
use crate::reader::{FlowReader, ReadOptions};
use crate::tidy::CsvFlowReader;
use crate::validate::CountryTable;
use entrepot_core::HsRevision;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CEPII BACI CSV (`t,i,j,k,v,q`).
    Baci,
    /// UN Comtrade bulk/API CSV.
    Comtrade,
    /// UN Comtrade API JSON.
    ComtradeJson,
    /// Generic tidy CSV with a column mapping.
    Csv,
    /// Parquet (canonical schema or mapped).
    Parquet,
    /// Stata `.dta` with a column mapping.
    Dta,
}

impl Format {
    /// The lower-case name (`baci`, `comtrade`, `comtrade-json`, `csv`, `parquet`, `dta`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Baci => "baci",
            Format::Comtrade => "comtrade",
            Format::ComtradeJson => "comtrade-json",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Dta => "dta",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = IoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "baci" => Format::Baci,
            "comtrade" | "comtrade-csv" => Format::Comtrade,
            "comtrade-json" | "json" => Format::ComtradeJson,
            "csv" | "tidy" => Format::Csv,
            "parquet" | "pq" => Format::Parquet,
            "dta" | "stata" => Format::Dta,
            _ => {
                return Err(IoError::Format {
                    path: String::new(),
                    message: format!("unknown format '{}': expected baci, comtrade, comtrade-json, csv, parquet or dta", entrepot_core::text::display_value(s)),
                })
            }
        })
    }
}

/// Everything needed to open a flow file.
#[derive(Debug, Clone, Default)]
pub struct ReaderSpec {
    /// The format; detected from the file when `None`.
    pub format: Option<Format>,
    /// Column mapping (generic CSV, Stata; optional for Parquet).
    pub mapping: Option<ColumnMapping>,
    /// HS revision of the product codes (BACI: inferred from the file name when absent).
    pub hs_revision: Option<HsRevision>,
    /// A BACI country-code table (BACI only).
    pub country_table: Option<PathBuf>,
    /// The dataset name the flows will be stored under (for the caller; not used by
    /// the readers).
    pub dataset: String,
    /// Bad-row policy and batch size.
    pub options: ReadOptions,
    /// What to do with UN Comtrade breakdown rows (by second partner, mode of
    /// transport, customs procedure).
    pub breakdowns: BreakdownPolicy,
    /// Country codes to accept as they are although the registry does not know them
    /// (e.g. UN Comtrade legacy areas such as `BUN` or `SVU` in old panels).
    pub extra_country_codes: Vec<String>,
}

impl ReaderSpec {
    /// A spec with everything detected or defaulted, for `dataset`.
    pub fn new(dataset: impl Into<String>) -> Self {
        ReaderSpec {
            dataset: dataset.into(),
            ..Default::default()
        }
    }
}

/// Detects the format of a file from its extension and first line.
pub fn detect_format(path: &Path) -> Result<Format, IoError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" | "pq" => return Ok(Format::Parquet),
        "dta" => return Ok(Format::Dta),
        "json" => return Ok(Format::ComtradeJson),
        _ => {}
    }
    let (f, _) = open_file(path)?;
    let name = path.display().to_string();
    let mut head = Vec::new();
    f.take(16)
        .read_to_end(&mut head)
        .map_err(|source| IoError::File {
            path: name.clone(),
            source,
        })?;
    if head.starts_with(b"PAR1") {
        return Ok(Format::Parquet);
    }
    if head.starts_with(b"<stata_dta>")
        || (head.len() >= 3
            && (113..=115).contains(&head[0])
            && matches!(head[1], 1 | 2)
            && head[2] == 1)
    {
        return Ok(Format::Dta);
    }
    let (f, _) = open_file(path)?;
    let mut first = Vec::new();
    // At most 64 KiB: a longer first line is not a header we detect. Binary input
    // goes to the generic CSV reader, which refuses it with a clear message.
    let text_input = match crate::input::prepare(&name, f) {
        Ok(t) => t,
        Err(_) => return Ok(Format::Csv),
    };
    BufReader::new(text_input.reader.take(1 << 16))
        .read_until(b'\n', &mut first)
        .map_err(|e| crate::input::io_error(&name, e))?;
    let text = String::from_utf8_lossy(&first);
    let norm: String = text
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .collect::<String>()
        .to_ascii_lowercase();
    if norm == "t,i,j,k,v,q" {
        Ok(Format::Baci)
    } else if norm.split([',', ';', '\t']).any(|c| c == "reportercode") {
        Ok(Format::Comtrade)
    } else if norm.starts_with('{') || norm.starts_with('[') {
        Ok(Format::ComtradeJson)
    } else {
        Ok(Format::Csv)
    }
}

/// Opens the right reader for a file (see the module docs for detection).
pub fn open_reader(path: &Path, spec: &ReaderSpec) -> Result<Box<dyn FlowReader>, IoError> {
    let format = match spec.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    let opts = spec.options.clone();
    let extra = &spec.extra_country_codes;
    let need_mapping = |what: &str| {
        IoError::Format {
        path: path.display().to_string(),
        message: format!(
            "{what} needs a column mapping such as 'reporter=exp,partner=imp,period=year,value=trade,flow=export'"
        ),
    }
    };
    Ok(match format {
        Format::Baci => {
            let table = spec
                .country_table
                .as_deref()
                .map(CountryTable::from_path)
                .transpose()?
                .map(Arc::new);
            Box::new(
                BaciReader::open(path, spec.hs_revision, table, opts)?
                    .with_extra_country_codes(extra)?,
            )
        }
        Format::Comtrade => Box::new(
            CsvFlowReader::open_comtrade(path, spec.hs_revision, spec.breakdowns, opts)?
                .with_extra_country_codes(extra)?,
        ),
        Format::ComtradeJson => Box::new(
            ComtradeJsonReader::open(path, spec.hs_revision, spec.breakdowns, opts)?
                .with_extra_country_codes(extra)?,
        ),
        Format::Csv => {
            let m = spec
                .mapping
                .as_ref()
                .ok_or_else(|| need_mapping("a generic CSV file"))?;
            Box::new(
                CsvFlowReader::open(path, m, spec.hs_revision, opts)?
                    .with_extra_country_codes(extra)?,
            )
        }
        Format::Parquet => Box::new(
            ParquetFlowReader::open(path, spec.mapping.as_ref(), spec.hs_revision, opts)?
                .with_extra_country_codes(extra)?,
        ),
        Format::Dta => {
            let m = spec
                .mapping
                .as_ref()
                .ok_or_else(|| need_mapping("a Stata file"))?;
            Box::new(
                DtaFlowReader::open(path, m, spec.hs_revision, opts)?
                    .with_extra_country_codes(extra)?,
            )
        }
    })
}
