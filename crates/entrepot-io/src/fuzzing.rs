//! Fuzz harnesses: one per reader, each taking arbitrary bytes.
//!
//! A harness runs its reader over the bytes to the end (with [`OnError::Fail`] and
//! with [`OnError::Quarantine`]) and checks what every reader promises, whatever the
//! input:
//!
//! * it returns: no panic, no abort (the caller — proptest in `tests/fuzz.rs`, or
//!   libFuzzer in the cargo-fuzz targets of `fuzz/` — reports a panic as a failure);
//! * every error, and every rejected row, is a message that is not empty, has no
//!   control characters and is shorter than [`MAX_MESSAGE_BYTES`];
//! * every accepted flow has a finite, non-negative `value_usd` of at most
//!   [`entrepot_core::MAX_FLOW_VALUE_USD`] and a finite quantity; every published
//!   figure has finite numbers and a valid source URL.
//!
//! The harnesses panic (with the offending message) when a promise is broken. They
//! are public for the fuzz targets only and are not part of the supported API.

use crate::baci::BaciReader;
use crate::comtrade::ComtradeJsonReader;
use crate::dta::DtaFlowReader;
use crate::error::{IoError, RowError};
use crate::facts::{check_source_url, read_customs_facts, read_other_facts};
use crate::mapping::{BreakdownPolicy, ColumnMapping};
use crate::parquet_reader::ParquetFlowReader;
use crate::reader::{FlowReader, OnError, ReadOptions};
use crate::tidy::CsvFlowReader;
use arrow::array::{Array, Float64Array};
use arrow::record_batch::RecordBatch;
use entrepot_core::{HsRevision, PublishedFigure, MAX_FLOW_VALUE_USD};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest message a reader may produce for one error.
pub const MAX_MESSAGE_BYTES: usize = 8192;

/// The mapping of the tidy CSV fixture (`tests/fixtures/tidy_bad.csv`), with values in
/// millions so that scaling is exercised.
pub const TIDY_MAPPING: &str = "reporter=reporter,partner=partner,flow=col:flow,period=period,product=product,hs_revision=HS2022,value=value,value_scale=millions,quantity=qty,quantity_unit=col:unit";

/// The mapping of the mixed fixture (`tests/fixtures/mixed.csv`, `mixed_*.dta`).
pub const MIXED_MAPPING: &str =
    "reporter=exporter,partner=importer,year=year,value=trade,flow=export,value_scale=thousands";

/// The two bad-row policies, with small batches so that batch boundaries are crossed.
fn policies() -> [ReadOptions; 2] {
    [
        ReadOptions {
            on_error: OnError::Fail,
            batch_size: 3,
            ..ReadOptions::default()
        },
        ReadOptions {
            on_error: OnError::Quarantine,
            batch_size: 3,
            ..ReadOptions::default()
        },
    ]
}

fn mapping(spec: &str) -> ColumnMapping {
    match ColumnMapping::parse(spec) {
        Ok(m) => m,
        Err(e) => panic!("the harness mapping does not parse: {e}"),
    }
}

/// Checks one message (see the module docs).
pub fn check_message(what: &str, msg: &str) {
    assert!(!msg.is_empty(), "{what}: empty message");
    assert!(
        msg.len() < MAX_MESSAGE_BYTES,
        "{what}: message of {} bytes: {}…",
        msg.len(),
        msg.chars().take(300).collect::<String>()
    );
    assert!(
        !msg.chars().any(char::is_control),
        "{what}: control character in the message: {msg:?}"
    );
}

fn check_error(e: &IoError) {
    check_message("error", &e.to_string());
}

fn check_row(e: &RowError) {
    check_message("rejected row", &e.to_string());
}

fn check_batch(b: &RecordBatch) {
    let num = |name: &str| {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
            .cloned()
    };
    let Some(values) = num(crate::schema::col::VALUE_USD) else {
        panic!("a batch without a Float64 value_usd column");
    };
    for i in 0..values.len() {
        let v = values.value(i);
        assert!(
            !values.is_null(i) && v.is_finite() && (0.0..=MAX_FLOW_VALUE_USD).contains(&v),
            "accepted value_usd {v}"
        );
    }
    if let Some(q) = num(crate::schema::col::QUANTITY) {
        for i in 0..q.len() {
            assert!(
                q.is_null(i) || q.value(i).is_finite(),
                "accepted quantity {}",
                q.value(i)
            );
        }
    }
}

/// Reads everything a reader gives, checking batches, rejected rows and the error.
fn drain(r: &mut dyn FlowReader) {
    // A reader returns None at the end; the bound only stops a reader that would
    // loop forever on empty batches (which would itself be a bug).
    for _ in 0..1_000_000 {
        let _ = r.progress();
        match r.next_batch() {
            Ok(Some(b)) => check_batch(&b),
            Ok(None) => break,
            Err(e) => {
                check_error(&e);
                break;
            }
        }
        r.take_rejected().iter().for_each(check_row);
    }
    r.take_rejected().iter().for_each(check_row);
    let _ = r.describe();
}

/// Opens with `open` and drains the reader; an opening error is checked like any.
fn run<R: FlowReader>(open: impl FnOnce() -> Result<R, IoError>) {
    match open() {
        Ok(mut r) => drain(&mut r),
        Err(e) => check_error(&e),
    }
}

/// A file under the temporary directory holding `data`, removed on drop (the BACI
/// fast path reads files by path).
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, data: &[u8]) -> Option<TempFile> {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "entrepot-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).ok()?;
        let path = dir.join(name);
        std::fs::write(&path, data).ok()?;
        Some(TempFile { dir, path })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Generic CSV with a [`ColumnMapping`] ([`TIDY_MAPPING`] and [`MIXED_MAPPING`]).
pub fn csv_mapping(data: &[u8]) {
    for spec in [TIDY_MAPPING, MIXED_MAPPING] {
        let m = mapping(spec);
        for opts in policies() {
            run(|| CsvFlowReader::from_reader("fuzz.csv", owned(data), &m, None, opts));
        }
    }
}

/// CEPII BACI CSV, through the CSV parser and through the fast path of a file.
pub fn baci(data: &[u8]) {
    for opts in policies() {
        run(|| {
            BaciReader::from_reader(
                "BACI_HS17_fuzz.csv",
                owned(data),
                HsRevision::Hs2017,
                None,
                opts.clone(),
            )
        });
        if let Some(f) = TempFile::new("BACI_HS17_fuzz.csv", data) {
            run(|| BaciReader::open(&f.path, None, None, opts));
        }
    }
}

/// UN Comtrade CSV (breakdown rows rejected, then accepted).
pub fn comtrade_csv(data: &[u8]) {
    for (opts, breakdowns) in policies()
        .into_iter()
        .zip([BreakdownPolicy::Reject, BreakdownPolicy::Accept])
    {
        run(|| {
            CsvFlowReader::comtrade_from_reader(
                "fuzz_comtrade.csv",
                owned(data),
                None,
                breakdowns,
                opts,
            )
        });
    }
}

/// UN Comtrade API JSON.
pub fn comtrade_json(data: &[u8]) {
    for opts in policies() {
        run(|| {
            ComtradeJsonReader::from_reader(
                "fuzz.json",
                data,
                Some(data.len() as u64),
                None,
                BreakdownPolicy::Skip,
                opts,
            )
        });
    }
}

/// Parquet in the canonical schema, and with [`MIXED_MAPPING`].
pub fn parquet(data: &[u8]) {
    let m = mapping(MIXED_MAPPING);
    for opts in policies() {
        run(|| {
            ParquetFlowReader::from_bytes("fuzz.parquet", data.to_vec(), None, None, opts.clone())
        });
        run(|| ParquetFlowReader::from_bytes("fuzz.parquet", data.to_vec(), Some(&m), None, opts));
    }
}

/// Stata `.dta` with [`MIXED_MAPPING`].
pub fn dta(data: &[u8]) {
    let m = mapping(MIXED_MAPPING);
    for opts in policies() {
        run(|| {
            DtaFlowReader::from_reader(
                "fuzz.dta",
                Box::new(std::io::Cursor::new(data.to_vec())),
                &m,
                None,
                opts,
            )
        });
    }
}

fn check_figure(f: &PublishedFigure) {
    assert!(
        f.value.is_none_or(f64::is_finite),
        "figure value {:?}",
        f.value
    );
    assert!(
        f.yoy_pct.is_none_or(f64::is_finite),
        "figure y/y {:?}",
        f.yoy_pct
    );
    if let Err(m) = check_source_url(&f.source_url) {
        panic!("accepted source URL {:?}: {m}", f.source_url);
    }
    let _ = f.value_usd();
}

/// Release facts, in both layouts (customs and other).
pub fn facts(data: &[u8]) {
    for read in [read_customs_facts, read_other_facts] {
        match read("fuzz_facts.csv", data) {
            Ok((figures, rejected)) => {
                figures.iter().for_each(check_figure);
                rejected.iter().for_each(check_row);
            }
            Err(e) => check_error(&e),
        }
    }
}

/// Every harness, one after the other.
pub fn all(data: &[u8]) {
    csv_mapping(data);
    baci(data);
    comtrade_csv(data);
    comtrade_json(data);
    parquet(data);
    dta(data);
    facts(data);
}

/// An owned reader over a copy of the bytes (the readers take `'static` streams).
fn owned(data: &[u8]) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(data.to_vec())
}
