//! UN Comtrade API JSON (`{"data":[{...}, ...]}`, or a bare array of records).
//!
//! Streaming JSON is not worth it here: API responses are capped at 100,000 records,
//! so the whole document is parsed with `serde_json::from_reader` and the records are
//! then validated one by one with the same rules as the Comtrade CSV reader (see
//! [`crate::tidy::comtrade_mapping`]). The `line` of a record in errors is its
//! 1-based position in the `data` array. The document may be gzip-compressed;
//! binary input and documents above [`crate::input::MAX_JSON_BYTES`] (decompressed)
//! are refused.

use crate::csvsrc::open_file;
use crate::error::kept_value;
use crate::error::{IoError, RowError};
use crate::input::{io_error, prepare, Capped, MAX_JSON_BYTES};
use crate::mapping::{BreakdownPolicy, Cell, Mapper, RowAccess};
use crate::reader::{FlowReader, ReadOptions};
use crate::tidy::{comtrade_checks, comtrade_mapping};
use crate::validate::Core;
use arrow::record_batch::RecordBatch;
use entrepot_core::text::display_value;
use entrepot_core::HsRevision;
use serde_json::{Map, Value};
use std::io::{BufReader, Read};
use std::path::Path;

/// A reader of UN Comtrade API JSON.
pub struct ComtradeJsonReader {
    file: String,
    header: Vec<String>,
    records: std::vec::IntoIter<Value>,
    index: u64,
    total: u64,
    size: Option<u64>,
    mapper: Mapper,
    core: Core,
}

struct JsonRow<'a> {
    header: &'a [String],
    obj: Option<&'a Map<String, Value>>,
}

impl RowAccess for JsonRow<'_> {
    fn cell(&self, idx: usize) -> Cell<'_> {
        let Some(obj) = self.obj else {
            return Cell::Null;
        };
        match self.header.get(idx).and_then(|k| obj.get(k)) {
            None | Some(Value::Null) => Cell::Null,
            Some(Value::String(s)) => Cell::Text(s.as_bytes()),
            Some(Value::Number(n)) => n.as_f64().map(Cell::Num).unwrap_or(Cell::Null),
            Some(Value::Bool(true)) => Cell::Text(b"true"),
            Some(Value::Bool(false)) => Cell::Text(b"false"),
            Some(_) => Cell::Text(b"[structured value]"),
        }
    }
}

impl ComtradeJsonReader {
    /// Opens a Comtrade JSON file.
    pub fn open(
        path: &Path,
        hs_revision: Option<HsRevision>,
        breakdowns: BreakdownPolicy,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let (f, size) = open_file(path)?;
        Self::from_reader(
            &path.display().to_string(),
            BufReader::new(f),
            size,
            hs_revision,
            breakdowns,
            options,
        )
    }

    /// Reads Comtrade JSON from any reader; `name` is used in messages.
    pub fn from_reader(
        name: &str,
        reader: impl Read,
        size: Option<u64>,
        hs_revision: Option<HsRevision>,
        breakdowns: BreakdownPolicy,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let fmt = |m: String| IoError::Format {
            path: name.to_string(),
            message: m,
        };
        let input = prepare(name, reader)?;
        let capped = Capped::new(
            input.reader,
            MAX_JSON_BYTES,
            "a UN Comtrade JSON document is",
        );
        let doc: Value = serde_json::from_reader(BufReader::new(capped)).map_err(|e| {
            if e.is_io() {
                io_error(name, std::io::Error::from(e))
            } else {
                fmt(format!("invalid JSON: {e}"))
            }
        })?;
        let data = match doc {
            Value::Array(a) => a,
            Value::Object(mut o) => match o.remove("data") {
                Some(Value::Array(a)) => a,
                Some(Value::Null) | None => {
                    let err = o
                        .get("error")
                        .map(|e| format!(" (error: {})", display_value(&e.to_string())))
                        .unwrap_or_default();
                    return Err(fmt(format!(
                        "no 'data' array in the Comtrade response{err}"
                    )));
                }
                Some(_) => return Err(fmt("'data' is not an array".into())),
            },
            _ => return Err(fmt("expected an object with a 'data' array".into())),
        };
        // The union of the records' keys, in order of appearance (a set keeps it
        // linear; Comtrade records have a few dozen keys).
        const MAX_KEYS: usize = 10_000;
        let mut header: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for r in &data {
            if let Value::Object(o) = r {
                for k in o.keys() {
                    if seen.insert(k.as_str()) {
                        header.push(k.clone());
                    }
                }
                if header.len() > MAX_KEYS {
                    return Err(fmt(format!(
                        "more than {MAX_KEYS} different keys in the records: not a UN Comtrade response"
                    )));
                }
            }
        }
        drop(seen);
        if data.is_empty() {
            header = [
                "reporterCode",
                "partnerCode",
                "flowCode",
                "period",
                "cmdCode",
                "primaryValue",
            ]
            .map(String::from)
            .to_vec();
        }
        let mapping = comtrade_mapping(name, &header)?;
        let mut mapper = Mapper::new(name, &header, &mapping, hs_revision)?;
        mapper.comtrade = Some(comtrade_checks(&header, breakdowns));
        let total = data.len() as u64;
        Ok(ComtradeJsonReader {
            file: name.to_string(),
            header,
            records: data.into_iter(),
            index: 0,
            total,
            size,
            mapper,
            core: Core::new(name.to_string(), Some(name.to_string()), options),
        })
    }

    /// See [`crate::tidy::CsvFlowReader::with_extra_country_codes`].
    pub fn with_extra_country_codes(mut self, codes: &[String]) -> Result<Self, IoError> {
        self.core.set_extra_codes(codes)?;
        Ok(self)
    }
}

impl FlowReader for ComtradeJsonReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.core.batch_full() {
            let Some(rec) = self.records.next() else {
                break;
            };
            self.index += 1;
            let line = self.index;
            match &rec {
                Value::Object(o) => {
                    let row = JsonRow {
                        header: &self.header,
                        obj: Some(o),
                    };
                    self.mapper.process(&mut self.core, &row, line)?;
                }
                other => {
                    let e = RowError::new(
                        self.file.clone(),
                        line,
                        None,
                        Some(&kept_value(&other.to_string())),
                        "expected a JSON object (one Comtrade record)",
                    );
                    self.core.reject(Box::new(e))?;
                }
            }
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        self.core.take_rejected()
    }

    fn progress(&self) -> (u64, Option<u64>) {
        match self.size {
            Some(s) if self.total > 0 => (
                (s as f64 * self.index as f64 / self.total as f64) as u64,
                Some(s),
            ),
            other => (other.unwrap_or(0), other),
        }
    }

    fn describe(&self) -> String {
        format!("UN Comtrade JSON {} ({} records)", self.file, self.total)
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }

    fn currency(&self) -> Option<crate::fx::CurrencyCode> {
        self.mapper.currency()
    }
}
