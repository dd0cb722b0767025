//! Times reading a flow file with the format detected (or BACI's).
//!
//! ```text
//! cargo run --release -p entrepot-io --example ingest_bench -- FILE [BATCH_SIZE]
//! ```

use entrepot_io::{open_reader, FlowReader, ReaderSpec};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or("usage: ingest_bench FILE [BATCH_SIZE]")?);
    let mut spec = ReaderSpec::new("bench");
    if let Some(b) = args.next() {
        spec.options.batch_size = b.parse()?;
    }
    let t = Instant::now();
    let mut r: Box<dyn FlowReader> = open_reader(&path, &spec)?;
    let (mut rows, mut value) = (0usize, 0.0f64);
    while let Some(b) = r.next_batch()? {
        rows += b.num_rows();
        let v = b
            .column_by_name("value_usd")
            .and_then(|c| c.as_any().downcast_ref::<arrow::array::Float64Array>())
            .ok_or("no value_usd column")?;
        value += v.values().iter().sum::<f64>();
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "{}: {rows} rows in {s:.2}s ({:.2} M rows/s), total value {value:.6e} USD",
        r.describe(),
        rows as f64 / s / 1e6
    );
    Ok(())
}
