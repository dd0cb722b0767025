//! Routing of canonical flow batches to per-(reporter, year) Parquet files.
//!
//! Rows are buffered per partition and written as row groups when a partition has
//! [`SinkLimits::row_group_rows`] rows buffered, or when all buffers together exceed
//! [`SinkLimits::buffer_bytes`] (then the largest buffers are flushed first). At most
//! [`SinkLimits::max_open_writers`] files are open at once; the least recently used is
//! closed to make room, and the partition continues in a new `part-<k+1>.parquet`.
//! Memory is therefore bounded by the buffer budget plus small per-writer state,
//! whatever the input size or the number of partitions.

use crate::error::{FsContext, StoreError};
use crate::fsutil::{hex, sync_dir};
use crate::manifest::PartitionFile;
use arrow::array::{Array, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow::compute::take_record_batch;
use arrow::datatypes::{Schema, SchemaRef};
use entrepot_io::schema::{col, flows_schema};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Memory and file-handle bounds of the partition writer.
#[derive(Debug, Clone, Copy)]
pub struct SinkLimits {
    /// Rows per row group (a partition buffer is flushed when it reaches this).
    pub row_group_rows: usize,
    /// Total bytes of buffered Arrow data before the largest buffers are flushed.
    pub buffer_bytes: usize,
    /// Files open at once (default: a quarter of the open-files limit, 16 to 256).
    pub max_open_writers: usize,
}

impl Default for SinkLimits {
    fn default() -> Self {
        SinkLimits {
            row_group_rows: 128 * 1024,
            buffer_bytes: 256 << 20,
            max_open_writers: default_max_open(),
        }
    }
}

/// A quarter of the soft open-files limit, between 16 and 256 (64 if unknown).
fn default_max_open() -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        if rc == 0 {
            let soft = usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX);
            return (soft / 4).clamp(16, 256);
        }
    }
    64
}

/// The schema of the stored flow files: the canonical schema without the partition
/// columns `reporter` and `year`, which live in the directory names.
pub fn flows_file_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        let full = flows_schema();
        let fields: Vec<_> = full
            .fields()
            .iter()
            .filter(|f| f.name() != col::REPORTER && f.name() != col::YEAR)
            .cloned()
            .collect();
        Arc::new(Schema::new(fields))
    })
    .clone()
}

/// Indices of the file-schema columns in the canonical schema.
fn file_projection() -> &'static [usize] {
    static P: OnceLock<Vec<usize>> = OnceLock::new();
    P.get_or_init(|| {
        let full = flows_schema();
        full.fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() != col::REPORTER && f.name() != col::YEAR)
            .map(|(i, _)| i)
            .collect()
    })
}

/// Writer properties of every stored Parquet file (ZSTD level 3, deterministic).
pub(crate) fn writer_properties() -> WriterProperties {
    let mut b = WriterProperties::builder().set_max_row_group_row_count(Some(1 << 20));
    // TEMP(bench): compression and dictionary experiments.
    b = match std::env::var("EXP_COMP").as_deref() {
        Ok("snappy") => b.set_compression(Compression::SNAPPY),
        Ok("zstd1") => {
            b.set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
        }
        Ok("none") => b.set_compression(Compression::UNCOMPRESSED),
        _ => b.set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default())),
    };
    if std::env::var("EXP_NODICT").is_ok() {
        for c in [col::VALUE_USD, col::QUANTITY, col::SOURCE_LINE] {
            b = b.set_column_dictionary_enabled(parquet::schema::types::ColumnPath::from(c), false);
        }
    }
    if std::env::var("EXP_CHUNKSTATS").is_ok() {
        b = b.set_statistics_enabled(parquet::file::properties::EnabledStatistics::Chunk);
    }
    b.build()
}

/// Checks a reporter value for use as a path component.
pub(crate) fn check_reporter(r: &str) -> Result<(), StoreError> {
    let ok = !r.is_empty()
        && r.len() <= 16
        && r.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidPartition {
            column: col::REPORTER,
            value: r.to_string(),
        })
    }
}

/// Checks a year value for use as a path component.
pub(crate) fn check_year(y: i32) -> Result<(), StoreError> {
    if (0..=9999).contains(&y) {
        Ok(())
    } else {
        Err(StoreError::InvalidPartition {
            column: col::YEAR,
            value: y.to_string(),
        })
    }
}

/// The directory of a partition, relative to the version directory.
pub(crate) fn partition_dir(reporter: &str, year: i32) -> String {
    format!("reporter={reporter}/year={year:04}")
}

type Key = (String, i32);

/// Rows of one row group at most (larger buffers are split).
const MAX_ROW_GROUP_ROWS: usize = 1 << 20;

/// A file being written that hashes its bytes on the way (the Parquet writer only
/// appends, so the digest is that of the finished file without reading it back).
struct HashingFile {
    file: File,
    hasher: Sha256,
    bytes: u64,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// An open partition file: the Parquet file writer and the factory of its column
/// writers (row groups are encoded column by column in parallel).
struct OpenFile {
    writer: SerializedFileWriter<HashingFile>,
    factory: ArrowRowGroupWriterFactory,
}

/// A written (or being written) partition file.
struct FileRec {
    rel: String,
    rows: u64,
    bytes: u64,
    sha256: String,
}

#[derive(Default)]
struct Part {
    buf: Vec<RecordBatch>,
    buf_rows: usize,
    buf_bytes: usize,
    writer: Option<OpenFile>,
    next_part: u32,
    last_used: u64,
    files: Vec<FileRec>,
}

/// Routes canonical batches into per-partition Parquet files under a root directory.
pub(crate) struct PartitionSink {
    root: PathBuf,
    limits: SinkLimits,
    props: WriterProperties,
    parts: HashMap<Key, Part>,
    open: usize,
    buffered: usize,
    clock: u64,
}

impl PartitionSink {
    /// A sink writing under `root` (which must exist).
    pub(crate) fn new(root: &Path, limits: SinkLimits) -> Self {
        PartitionSink {
            root: root.to_path_buf(),
            limits,
            props: writer_properties(),
            parts: HashMap::new(),
            open: 0,
            buffered: 0,
            clock: 0,
        }
    }

    /// Routes the rows of a batch in the canonical schema to their partitions.
    pub(crate) fn push(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        let reporter = string_col(batch, col::REPORTER)?;
        let year = batch
            .column_by_name(col::YEAR)
            .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
            .ok_or_else(|| {
                StoreError::Corrupt("batch column 'year' missing or not Int32".into())
            })?;
        if reporter.null_count() > 0 || year.null_count() > 0 {
            let i = (0..n)
                .find(|&i| reporter.is_null(i) || year.is_null(i))
                .unwrap_or(0);
            return Err(StoreError::Corrupt(format!(
                "batch row {i}: null reporter or year"
            )));
        }
        // Runs of rows of one partition (sorted inputs give long runs), and the
        // partitions in first-seen order.
        let mut keys: Vec<(&str, i32)> = Vec::new();
        let mut index: HashMap<(&str, i32), usize> = HashMap::new();
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        let mut i = 0;
        while i < n {
            let (r, y) = (reporter.value(i), year.value(i));
            let mut j = i + 1;
            while j < n && year.value(j) == y && reporter.value(j) == r {
                j += 1;
            }
            let g = match index.get(&(r, y)) {
                Some(&g) => g,
                None => {
                    check_reporter(r)?;
                    check_year(y)?;
                    keys.push((r, y));
                    index.insert((r, y), keys.len() - 1);
                    keys.len() - 1
                }
            };
            runs.push((i, j, g));
            i = j;
        }
        let projected = batch.project(file_projection())?;
        let groups: Vec<(Key, RecordBatch)> = if keys.len() == 1 {
            vec![((keys[0].0.to_string(), keys[0].1), projected)]
        } else {
            let mut rows: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
            for &(a, b, g) in &runs {
                rows[g].extend(a as u32..b as u32);
            }
            keys.iter()
                .zip(rows)
                .map(|(k, rows)| {
                    let b = take_record_batch(&projected, &UInt32Array::from(rows))?;
                    Ok(((k.0.to_string(), k.1), b))
                })
                .collect::<Result<_, StoreError>>()?
        };
        for (key, part_batch) in groups {
            let bytes = part_batch.get_array_memory_size();
            let rows = part_batch.num_rows();
            let full = {
                let p = self.parts.entry(key.clone()).or_default();
                p.buf.push(part_batch);
                p.buf_rows += rows;
                p.buf_bytes += bytes;
                p.buf_rows >= self.limits.row_group_rows
            };
            self.buffered += bytes;
            if full {
                self.flush_part(&key)?;
            }
        }
        while self.buffered > self.limits.buffer_bytes {
            let largest = self
                .parts
                .iter()
                .filter(|(_, p)| p.buf_rows > 0)
                .max_by(|a, b| a.1.buf_bytes.cmp(&b.1.buf_bytes).then_with(|| b.0.cmp(a.0)))
                .map(|(k, _)| k.clone());
            match largest {
                Some(k) => self.flush_part(&k)?,
                None => break,
            }
            if self.buffered <= self.limits.buffer_bytes / 2 {
                break;
            }
        }
        Ok(())
    }

    fn flush_part(&mut self, key: &Key) -> Result<(), StoreError> {
        let needs_writer = self.parts.get(key).is_some_and(|p| p.writer.is_none());
        if needs_writer {
            while self.open >= self.limits.max_open_writers.max(1) {
                let lru = self
                    .parts
                    .iter()
                    .filter(|(k, p)| p.writer.is_some() && *k != key)
                    .min_by(|a, b| a.1.last_used.cmp(&b.1.last_used).then_with(|| a.0.cmp(b.0)))
                    .map(|(k, _)| k.clone());
                match lru {
                    Some(k) => self.close_writer(&k)?,
                    None => break,
                }
            }
        }
        self.clock += 1;
        let clock = self.clock;
        let Some(p) = self.parts.get_mut(key) else {
            return Ok(());
        };
        if p.writer.is_none() {
            let rel = format!(
                "{}/part-{}.parquet",
                partition_dir(&key.0, key.1),
                p.next_part
            );
            let path = self.root.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).at(parent)?;
            }
            let file = File::create(&path).at(&path)?;
            let out = HashingFile {
                file,
                hasher: Sha256::new(),
                bytes: 0,
            };
            let w = ArrowWriter::try_new(out, flows_file_schema(), Some(self.props.clone()))?;
            let (writer, factory) = w.into_serialized_writer()?;
            p.writer = Some(OpenFile { writer, factory });
            p.next_part += 1;
            p.files.push(FileRec {
                rel,
                rows: 0,
                bytes: 0,
                sha256: String::new(),
            });
            self.open += 1;
        }
        p.last_used = clock;
        let batches = std::mem::take(&mut p.buf);
        if let Some(w) = p.writer.as_mut() {
            for group in row_groups(batches, MAX_ROW_GROUP_ROWS) {
                write_row_group(w, &group)?;
            }
        }
        if let Some(f) = p.files.last_mut() {
            f.rows += p.buf_rows as u64;
        }
        self.buffered -= p.buf_bytes;
        p.buf_rows = 0;
        p.buf_bytes = 0;
        Ok(())
    }

    fn close_writer(&mut self, key: &Key) -> Result<(), StoreError> {
        if let Some(p) = self.parts.get_mut(key) {
            if let Some(w) = p.writer.take() {
                self.open -= 1;
                let rec = p.files.last_mut().ok_or_else(|| {
                    StoreError::Corrupt("open partition writer without a file".into())
                })?;
                let path = self.root.join(&rec.rel);
                let mut out = w.writer.into_inner()?;
                out.flush().at(&path)?;
                out.file.sync_all().at(&path)?;
                rec.bytes = out.bytes;
                rec.sha256 = hex(&out.hasher.finalize());
            }
        }
        Ok(())
    }

    /// Flushes and closes everything, fsyncs the directories and returns the files
    /// written, sorted by path.
    pub(crate) fn finish(mut self) -> Result<Vec<PartitionFile>, StoreError> {
        let mut keys: Vec<Key> = self.parts.keys().cloned().collect();
        keys.sort();
        for k in &keys {
            if self.parts.get(k).is_some_and(|p| p.buf_rows > 0) {
                self.flush_part(k)?;
            }
            self.close_writer(k)?;
        }
        let mut out = Vec::new();
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        for k in &keys {
            let Some(p) = self.parts.get(k) else { continue };
            for f in &p.files {
                let path = self.root.join(&f.rel);
                if let Some(parent) = path.parent() {
                    dirs.insert(parent.to_path_buf());
                    if let Some(pp) = parent.parent() {
                        dirs.insert(pp.to_path_buf());
                    }
                }
                out.push(PartitionFile {
                    path: f.rel.clone(),
                    reporter: Some(k.0.clone()),
                    year: Some(k.1),
                    rows: f.rows,
                    bytes: f.bytes,
                    sha256: f.sha256.clone(),
                });
            }
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        sync_dir(&self.root)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

/// Splits buffered batches into groups of at most `max` rows (slicing where needed).
fn row_groups(batches: Vec<RecordBatch>, max: usize) -> Vec<Vec<RecordBatch>> {
    let mut out: Vec<Vec<RecordBatch>> = Vec::new();
    let mut cur: Vec<RecordBatch> = Vec::new();
    let mut rows = 0;
    for b in batches {
        let mut off = 0;
        while off < b.num_rows() {
            let take = (b.num_rows() - off).min(max - rows);
            cur.push(if off == 0 && take == b.num_rows() {
                b.clone()
            } else {
                b.slice(off, take)
            });
            off += take;
            rows += take;
            if rows == max {
                out.push(std::mem::take(&mut cur));
                rows = 0;
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Encodes `batches` (in the file schema) as one row group, the columns in parallel,
/// and appends it to the file. The bytes are the same as a sequential encoding.
fn write_row_group(w: &mut OpenFile, batches: &[RecordBatch]) -> Result<(), StoreError> {
    let schema = flows_file_schema();
    let writers = w
        .factory
        .create_column_writers(w.writer.flushed_row_groups().len())?;
    if writers.len() != schema.fields().len() {
        return Err(StoreError::Corrupt(
            "the flows file schema is not flat".into(),
        ));
    }
    let chunks = writers
        .into_par_iter()
        .enumerate()
        .map(|(c, mut cw)| -> Result<ArrowColumnChunk, StoreError> {
            let field = schema.field(c);
            for b in batches {
                for leaf in compute_leaves(field, b.column(c))? {
                    cw.write(&leaf)?;
                }
            }
            Ok(cw.close()?)
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut rg = w.writer.next_row_group()?;
    for chunk in chunks {
        chunk.append_to_row_group(&mut rg)?;
    }
    rg.close()?;
    Ok(())
}

/// A Utf8 column of a batch by name.
pub(crate) fn string_col<'a>(
    b: &'a RecordBatch,
    name: &str,
) -> Result<&'a StringArray, StoreError> {
    b.column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| StoreError::Corrupt(format!("column '{name}' missing or not Utf8")))
}
