//! Test helpers: a scripted `FlowReader`, batch builders and store snapshots.
#![allow(dead_code)]

use arrow::record_batch::RecordBatch;
use entrepot_core::{Declarant, FlowKind, HsRevision, Period};
use entrepot_io::schema::{FlowBatchBuilder, FlowRow};
use entrepot_io::{FlowReader, IoError, RowError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One test row: reporter, partner, year, product (`TOTAL` or HS code), value.
pub type Row<'a> = (&'a str, &'a str, i32, &'a str, f64);

/// Builds a canonical batch of export flows.
pub fn batch(file: &str, rows: &[Row<'_>]) -> RecordBatch {
    let mut b = FlowBatchBuilder::with_capacity(rows.len());
    for (i, (r, p, y, prod, v)) in rows.iter().enumerate() {
        b.push(&FlowRow {
            reporter: r,
            partner: p,
            flow: FlowKind::Export,
            period: Period::Year(*y),
            hs_revision: if *prod == "TOTAL" {
                None
            } else {
                Some(HsRevision::Hs2017)
            },
            product: prod,
            value_usd: *v,
            quantity: None,
            declared_by: Declarant::Reporter,
            source_file: Some(file),
            source_line: Some(i as u64 + 2),
        });
    }
    b.finish().expect("batch")
}

/// A scripted reader: yields its batches in order, optionally fails at batch `k`,
/// optionally hands out rejected rows with a batch, optionally sleeps between batches.
pub struct VecReader {
    pub name: String,
    pub batches: Vec<RecordBatch>,
    pub fail_at: Option<usize>,
    pub rejected_at: BTreeMap<usize, Vec<RowError>>,
    pub sleep: Duration,
    pub next: usize,
    pending: Vec<RowError>,
}

impl VecReader {
    pub fn new(name: &str, batches: Vec<RecordBatch>) -> Self {
        VecReader {
            name: name.to_string(),
            batches,
            fail_at: None,
            rejected_at: BTreeMap::new(),
            sleep: Duration::ZERO,
            next: 0,
            pending: Vec::new(),
        }
    }
    pub fn failing_at(mut self, k: usize) -> Self {
        self.fail_at = Some(k);
        self
    }
    pub fn rejecting(mut self, k: usize, rows: Vec<RowError>) -> Self {
        self.rejected_at.insert(k, rows);
        self
    }
    pub fn sleeping(mut self, d: Duration) -> Self {
        self.sleep = d;
        self
    }
    pub fn boxed(self) -> Box<dyn FlowReader> {
        Box::new(self)
    }
}

impl FlowReader for VecReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        if !self.sleep.is_zero() {
            std::thread::sleep(self.sleep);
        }
        let k = self.next;
        if self.fail_at == Some(k) {
            return Err(IoError::Format {
                path: self.name.clone(),
                message: format!("injected failure at batch {k}"),
            });
        }
        if let Some(r) = self.rejected_at.remove(&k) {
            self.pending.extend(r);
        }
        self.next += 1;
        Ok(self.batches.get(k).cloned())
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        std::mem::take(&mut self.pending)
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (self.next as u64, Some(self.batches.len() as u64))
    }
    fn describe(&self) -> String {
        format!("test reader {}", self.name)
    }
}

/// A rejected row.
pub fn bad_row(file: &str, line: u64) -> RowError {
    RowError::new(file, line, Some("value"), Some("abc"), "expected a number")
}

/// Recursive listing of a directory: relative path -> sha256 (files) or "dir".
/// The lock file is left out: it holds the pid of the last writer, not data.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(d).expect("read_dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            if rel == ".lock" {
                continue;
            }
            if p.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                let h = Sha256::digest(&bytes);
                out.insert(rel, h.iter().map(|b| format!("{b:02x}")).collect());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A few batches over several reporters and years.
pub fn sample_batches(file: &str) -> Vec<RecordBatch> {
    vec![
        batch(
            file,
            &[
                ("CHN", "USA", 2016, "TOTAL", 100.0),
                ("CHN", "DEU", 2016, "TOTAL", 50.0),
                ("USA", "CHN", 2016, "TOTAL", 30.0),
                ("CHN", "USA", 2016, "8517", 10.0),
            ],
        ),
        batch(
            file,
            &[
                ("CHN", "USA", 2017, "TOTAL", 110.0),
                ("DEU", "FRA", 2017, "TOTAL", 70.0),
                ("CHN", "USA", 2016, "851712", 4.0),
            ],
        ),
        batch(file, &[("USA", "MEX", 2017, "TOTAL", 20.0)]),
    ]
}
