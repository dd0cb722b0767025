//! Helpers shared by the integration tests.
#![allow(dead_code)]

use arrow::array::{Array, Float64Array, StringArray};
use arrow::record_batch::RecordBatch;
use entrepot_io::{FlowReader, IoError, RowError};
use std::path::PathBuf;

/// Path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Reads everything: batches and rejected rows.
pub fn read_all(r: &mut dyn FlowReader) -> Result<(Vec<RecordBatch>, Vec<RowError>), IoError> {
    let mut batches = Vec::new();
    let mut rejected = Vec::new();
    while let Some(b) = r.next_batch()? {
        batches.push(b);
        rejected.extend(r.take_rejected());
    }
    rejected.extend(r.take_rejected());
    Ok((batches, rejected))
}

/// Total rows.
pub fn rows(b: &[RecordBatch]) -> usize {
    b.iter().map(|b| b.num_rows()).sum()
}

/// A string column of a batch.
pub fn s<'a>(b: &'a RecordBatch, name: &str) -> &'a StringArray {
    b.column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap()
}

/// A float column of a batch.
pub fn f<'a>(b: &'a RecordBatch, name: &str) -> &'a Float64Array {
    b.column_by_name(name)
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap()
}

/// Sum of value_usd over rows matching a predicate on (reporter, partner, period).
pub fn sum_value(batches: &[RecordBatch], pred: impl Fn(&str, &str, &str) -> bool) -> f64 {
    let mut t = 0.0;
    for b in batches {
        let (r, p, per, v) = (
            s(b, "reporter"),
            s(b, "partner"),
            s(b, "period"),
            f(b, "value_usd"),
        );
        for i in 0..b.num_rows() {
            if pred(r.value(i), p.value(i), per.value(i)) {
                t += v.value(i);
            }
        }
    }
    t
}

/// Null count helper.
pub fn nulls(b: &RecordBatch, name: &str) -> usize {
    b.column_by_name(name).unwrap().null_count()
}
