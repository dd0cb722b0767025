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
use crate::fsutil::{sha256_file, sync_dir};
use crate::manifest::PartitionFile;
use arrow::array::{Array, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow::compute::take_record_batch;
use arrow::datatypes::{Schema, SchemaRef};
use entrepot_io::schema::{col, flows_schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
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
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()))
        .set_max_row_group_row_count(Some(1 << 20))
        .build()
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

#[derive(Default)]
struct Part {
    buf: Vec<RecordBatch>,
    buf_rows: usize,
    buf_bytes: usize,
    writer: Option<ArrowWriter<File>>,
    writer_rows: u64,
    next_part: u32,
    last_used: u64,
    files: Vec<(String, u64)>,
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
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let reporter = string_col(batch, col::REPORTER)?;
        let year = batch
            .column_by_name(col::YEAR)
            .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
            .ok_or_else(|| {
                StoreError::Corrupt("batch column 'year' missing or not Int32".into())
            })?;
        // Group row indices by partition, keeping first-seen order of partitions.
        let mut groups: Vec<(Key, Vec<u32>)> = Vec::new();
        let mut index: HashMap<(&str, i32), usize> = HashMap::new();
        for i in 0..batch.num_rows() {
            if reporter.is_null(i) || year.is_null(i) {
                return Err(StoreError::Corrupt(format!(
                    "batch row {i}: null reporter or year"
                )));
            }
            let k = (reporter.value(i), year.value(i));
            let g = match index.get(&k) {
                Some(&g) => g,
                None => {
                    check_reporter(k.0)?;
                    check_year(k.1)?;
                    groups.push(((k.0.to_string(), k.1), Vec::new()));
                    index.insert(k, groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[g].1.push(i as u32);
        }
        let projected = batch.project(file_projection())?;
        let single = groups.len() == 1;
        for (key, rows) in groups {
            let part_batch = if single {
                projected.clone()
            } else {
                take_record_batch(&projected, &UInt32Array::from(rows))?
            };
            let bytes = part_batch.get_array_memory_size();
            let n = part_batch.num_rows();
            let full = {
                let p = self.parts.entry(key.clone()).or_default();
                p.buf.push(part_batch);
                p.buf_rows += n;
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
        let root = self.root.clone();
        let props = self.props.clone();
        let Some(p) = self.parts.get_mut(key) else {
            return Ok(());
        };
        if p.writer.is_none() {
            let rel = format!(
                "{}/part-{}.parquet",
                partition_dir(&key.0, key.1),
                p.next_part
            );
            let path = root.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).at(parent)?;
            }
            let file = File::create(&path).at(&path)?;
            let w = ArrowWriter::try_new(file, flows_file_schema(), Some(props))?;
            p.writer = Some(w);
            p.writer_rows = 0;
            p.next_part += 1;
            p.files.push((rel, 0));
            self.open += 1;
        }
        p.last_used = clock;
        if let Some(w) = p.writer.as_mut() {
            for b in p.buf.drain(..) {
                w.write(&b)?;
            }
            w.flush()?;
        }
        p.writer_rows += p.buf_rows as u64;
        if let Some(f) = p.files.last_mut() {
            f.1 = p.writer_rows;
        }
        self.buffered -= p.buf_bytes;
        p.buf_rows = 0;
        p.buf_bytes = 0;
        Ok(())
    }

    fn close_writer(&mut self, key: &Key) -> Result<(), StoreError> {
        let root = self.root.clone();
        if let Some(p) = self.parts.get_mut(key) {
            if let Some(w) = p.writer.take() {
                self.open -= 1;
                let rel = p.files.last().map(|f| f.0.clone()).unwrap_or_default();
                let path = root.join(rel);
                let file = w.into_inner()?;
                file.sync_all().at(&path)?;
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
        let mut dirs: BTreeMap<PathBuf, ()> = BTreeMap::new();
        for k in &keys {
            let Some(p) = self.parts.get(k) else { continue };
            for (rel, rows) in &p.files {
                let path = self.root.join(rel);
                let (sha256, bytes) = sha256_file(&path)?;
                if let Some(parent) = path.parent() {
                    dirs.insert(parent.to_path_buf(), ());
                    if let Some(pp) = parent.parent() {
                        dirs.insert(pp.to_path_buf(), ());
                    }
                }
                out.push(PartitionFile {
                    path: rel.clone(),
                    reporter: Some(k.0.clone()),
                    year: Some(k.1),
                    rows: *rows,
                    bytes,
                    sha256,
                });
            }
        }
        for d in dirs.keys() {
            sync_dir(d)?;
        }
        sync_dir(&self.root)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
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
