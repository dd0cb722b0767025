//! Memory check of the ingest: streams N synthetic rows (default 10 million) over 200
//! reporters and one year into a store in a temporary directory, and prints the time
//! and the partition/file counts. Run it under `/usr/bin/time -v` to see the peak RSS:
//!
//! ```text
//! cargo run --release -p entrepot-store --example store_synthetic -- 10000000
//! ```

use arrow::record_batch::RecordBatch;
use entrepot_core::{Declarant, FlowKind, HsRevision, Period};
use entrepot_io::schema::{FlowBatchBuilder, FlowRow};
use entrepot_io::{FlowReader, IoError, RowError};
use entrepot_store::{IngestOptions, Store};

struct Synthetic {
    total: u64,
    next: u64,
    codes: Vec<String>,
    products: Vec<String>,
}

impl FlowReader for Synthetic {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        if self.next >= self.total {
            return Ok(None);
        }
        let n = (self.total - self.next).min(65_536);
        let mut b = FlowBatchBuilder::with_capacity(n as usize);
        for i in self.next..self.next + n {
            let r = (i % 200) as usize;
            let p = ((i / 200) % 250) as usize;
            let k = (i / 50_000) as usize % self.products.len();
            b.push(&FlowRow {
                reporter: &self.codes[r],
                partner: &self.codes[p],
                flow: FlowKind::Export,
                period: Period::Year(2023),
                hs_revision: Some(HsRevision::Hs2017),
                product: &self.products[k],
                value_usd: (i % 1000) as f64 * 1.5,
                quantity: None,
                declared_by: Declarant::Reporter,
                source_file: Some("synthetic.csv"),
                source_line: Some(i + 2),
            });
        }
        self.next += n;
        Ok(Some(b.finish()?))
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (self.next, Some(self.total))
    }
    fn describe(&self) -> String {
        "synthetic".into()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: u64 = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 10_000_000,
    };
    let codes: Vec<String> = (0..26 * 26)
        .map(|i| {
            format!(
                "A{}{}",
                (b'A' + (i / 26) as u8) as char,
                (b'A' + (i % 26) as u8) as char
            )
        })
        .collect();
    let products: Vec<String> = (0..5000).map(|k| format!("{:06}", 100_000 + k)).collect();
    let tmp = std::env::temp_dir().join(format!("entrepot-bench-{}", std::process::id()));
    let mut store = Store::open(&tmp)?;
    let reader = Synthetic {
        total,
        next: 0,
        codes,
        products,
    };
    let rep = store.ingest(
        "bench",
        vec![Box::new(reader)],
        &IngestOptions::default(),
        &|_| {},
    )?;
    println!(
        "rows={} partitions={} files={} duration={:.1?}",
        rep.rows, rep.partitions, rep.files, rep.duration
    );
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}
