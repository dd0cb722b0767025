//! Ingests files into a store through the same path as `entrepot ingest` (format
//! detection, validation, atomic commit), without the query engine, so that the ingest
//! benchmark (`bench/ingest/run.sh`) can build it in release mode quickly.
//!
//! Usage: ingest_files STORE_DIR DATASET [--from baci|csv|comtrade|parquet|dta]
//!                     [--hs HS2017] [--map SPEC] FILE...

use entrepot_io::{open_reader, ColumnMapping, Format, ReaderSpec};
use entrepot_store::{IngestOptions, Store};
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let store_dir = args.next().ok_or("missing STORE_DIR")?;
    let dataset = args.next().ok_or("missing DATASET")?;
    let mut spec = ReaderSpec::new(dataset.clone());
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--from" => {
                spec.format = Some(match args.next().as_deref() {
                    Some("baci") => Format::Baci,
                    Some("csv") => Format::Csv,
                    Some("comtrade") => Format::Comtrade,
                    Some("parquet") => Format::Parquet,
                    Some("dta") => Format::Dta,
                    other => return Err(format!("unknown format {other:?}").into()),
                })
            }
            "--hs" => spec.hs_revision = Some(args.next().ok_or("missing --hs value")?.parse()?),
            "--map" => {
                spec.mapping = Some(ColumnMapping::parse(
                    &args.next().ok_or("missing --map value")?,
                )?)
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    let mut store = Store::open(&store_dir)?;
    let readers = files
        .iter()
        .map(|f| open_reader(f, &spec))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = IngestOptions {
        replace: true,
        source_files: files.clone(),
        ..IngestOptions::default()
    };
    let r = store.ingest(&dataset, readers, &opts, &|_| {})?;
    println!(
        "dataset {} v{}: {} rows, {} rejected, {} partitions, {} files in {:.2?}",
        r.dataset, r.version, r.rows, r.rejected, r.partitions, r.files, r.duration
    );
    Ok(())
}
