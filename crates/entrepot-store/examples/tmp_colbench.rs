//! TEMP: per-column encode cost.
use entrepot_io::{open_reader, ReaderSpec};
use entrepot_store::flows_file_schema;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("file")?;
    let spec = ReaderSpec::new("bench");
    let mut r = open_reader(std::path::Path::new(&path), &spec)?;
    let mut batches = Vec::new();
    let t = Instant::now();
    while let Some(b) = r.next_batch()? {
        let keep: Vec<usize> = b
            .schema()
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() != "reporter" && f.name() != "year")
            .map(|(i, _)| i)
            .collect();
        batches.push(b.project(&keep)?);
    }
    eprintln!("read {:.3}s", t.elapsed().as_secs_f64());
    let schema = flows_file_schema();
    for (label, stats, comp) in [
        (
            "page+zstd1",
            EnabledStatistics::Page,
            Compression::ZSTD(ZstdLevel::try_new(1)?),
        ),
        (
            "chunk+zstd1",
            EnabledStatistics::Chunk,
            Compression::ZSTD(ZstdLevel::try_new(1)?),
        ),
        (
            "none+none",
            EnabledStatistics::None,
            Compression::UNCOMPRESSED,
        ),
        ("page+snappy", EnabledStatistics::Page, Compression::SNAPPY),
    ] {
        let mut total = 0.0;
        let mut line = String::new();
        for (c, f) in schema.fields().iter().enumerate() {
            let s1 = std::sync::Arc::new(arrow::datatypes::Schema::new(vec![f.clone()]));
            for dict in [true, false] {
                let props = WriterProperties::builder()
                    .set_compression(comp)
                    .set_statistics_enabled(stats)
                    .set_dictionary_enabled(dict)
                    .build();
                let mut w = ArrowWriter::try_new(Vec::new(), s1.clone(), Some(props))?;
                let t = Instant::now();
                let mut n = 0;
                for b in &batches {
                    let bb = arrow::record_batch::RecordBatch::try_new(
                        s1.clone(),
                        vec![b.column(c).clone()],
                    )?;
                    w.write(&bb)?;
                    n += bb.num_rows();
                    if n >= 131072 {
                        w.flush()?;
                        n = 0;
                    }
                }
                let out = w.into_inner()?;
                let e = t.elapsed().as_secs_f64();
                if dict {
                    total += e;
                }
                line += &format!(
                    "{}{}={:.0}ms/{}KB ",
                    f.name(),
                    if dict { "" } else { "(nodict)" },
                    e * 1e3,
                    out.len() / 1024
                );
            }
        }
        println!("{label}: total(dict) {:.0}ms\n  {line}", total * 1e3);
    }
    Ok(())
}
