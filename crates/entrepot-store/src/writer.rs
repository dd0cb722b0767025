//! Routing of canonical flow batches to per-(reporter, year) Parquet files.
//!
//! Rows are buffered per partition and encoded into the partition's row group in
//! progress when a partition has [`SinkLimits::row_group_rows`] rows buffered, or when
//! the buffers and the row groups in progress together exceed
//! [`SinkLimits::buffer_bytes`] (then the largest buffers are encoded first, and the
//! largest row groups in progress closed next). A row group is closed at 1,048,576
//! rows or with its file. The columns of a row group are encoded in parallel (rayon),
//! which gives the same bytes as a sequential encoding. At most
//! [`SinkLimits::max_open_writers`] files are open at once; the least recently used is
//! closed to make room, and the partition continues in a new `part-<k+1>.parquet`.
//! Memory is therefore bounded by the buffer budget plus small per-writer state,
//! whatever the input size or the number of partitions. Files are hashed (SHA-256) as
//! they are written and fsynced when closed.

use crate::error::{FsContext, StoreError};
use crate::fsutil::{hex, sync_dir};
use crate::manifest::PartitionFile;
use arrow::array::{Array, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow::compute::take_record_batch;
use arrow::datatypes::{Schema, SchemaRef};
use entrepot_io::schema::{col, flows_schema};
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
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
    /// Rows buffered per partition before they are encoded into the partition's row
    /// group in progress (row groups themselves hold up to 1,048,576 rows).
    pub row_group_rows: usize,
    /// Total bytes of buffered Arrow data and of row groups in progress before the
    /// largest buffers are encoded and the largest row groups closed.
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

/// Writer properties of every stored Parquet file (deterministic: the same rows give
/// the same bytes). Chosen for ingest speed on the 10M-row BACI benchmark
/// (`bench/ingest/run.sh`) without making the files larger:
///
/// * ZSTD level 1: as fast as Snappy here and files a third smaller; level 3 cost a
///   third more time for the same size.
/// * Dictionary encoding only for `value_usd`, `quantity` and `source_file`. The
///   other text columns are short and constant or nearly so over long runs of rows
///   (`flow`, `period`, `declared_by`…, `partner` within a reporter) or sorted
///   (`product` within a partner): plain values compressed by ZSTD take the same
///   space as dictionary indices, without hashing every value into a dictionary.
///   `source_file` values are long (a path on every row): hashing them is cheaper
///   than copying and compressing them.
/// * `source_line` (increasing line numbers): `DELTA_BINARY_PACKED`, a few bytes per
///   page instead of 8 bytes per row.
/// * No min/max statistics for the text columns that cannot prune row groups:
///   `partner`, `period` and `product` (every row group holds nearly all partners and
///   products, and the year is a partition), `hs_revision`, `quantity_unit`,
///   `declared_by` and `source_file` (constant over a file in practice). They cost two
///   string comparisons per row and column. `flow` and the numeric columns keep
///   theirs.
pub(crate) fn writer_properties() -> WriterProperties {
    let column = |c: &str| ColumnPath::from(c);
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .set_dictionary_enabled(false)
        .set_column_dictionary_enabled(column(col::VALUE_USD), true)
        .set_column_dictionary_enabled(column(col::QUANTITY), true)
        .set_column_dictionary_enabled(column(col::SOURCE_FILE), true)
        .set_column_encoding(column(col::SOURCE_LINE), Encoding::DELTA_BINARY_PACKED);
    for c in [
        col::PARTNER,
        col::PERIOD,
        col::PRODUCT,
        col::HS_REVISION,
        col::QUANTITY_UNIT,
        col::DECLARED_BY,
        col::SOURCE_FILE,
    ] {
        b = b.set_column_statistics_enabled(column(c), EnabledStatistics::None);
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

/// Rows routed to other partitions after which a partition's row group in progress
/// is closed (see [`PartitionSink::close_idle_groups`]).
const IDLE_ROWS: u64 = 1 << 18;

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

/// An open partition file: the Parquet file writer, the factory of its column
/// writers and the row group in progress.
struct OpenFile {
    writer: SerializedFileWriter<HashingFile>,
    factory: ArrowRowGroupWriterFactory,
    group: Option<RowGroup>,
}

/// A row group in progress: one encoder per column, fed batch after batch (in
/// parallel across columns) and closed at [`MAX_ROW_GROUP_ROWS`] rows, when memory
/// runs short or when the file is closed.
struct RowGroup {
    columns: Vec<ArrowColumnWriter>,
    rows: usize,
    /// Memory held by the encoders (encoded pages, dictionaries).
    bytes: usize,
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
    /// Rows routed by the sink when this partition last received rows.
    last_row: u64,
    files: Vec<FileRec>,
}

impl Part {
    /// Memory held by the row group in progress.
    fn group_bytes(&self) -> usize {
        self.writer
            .as_ref()
            .and_then(|w| w.group.as_ref())
            .map_or(0, |g| g.bytes)
    }
}

/// Routes canonical batches into per-partition Parquet files under a root directory.
pub(crate) struct PartitionSink {
    root: PathBuf,
    limits: SinkLimits,
    props: WriterProperties,
    parts: HashMap<Key, Part>,
    open: usize,
    /// Bytes of Arrow data buffered.
    buffered: usize,
    /// Bytes held by the row groups in progress.
    encoding: usize,
    clock: u64,
    /// Rows routed so far.
    routed: u64,
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
            encoding: 0,
            clock: 0,
            routed: 0,
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
        self.routed += n as u64;
        for (key, part_batch) in groups {
            let bytes = part_batch.get_array_memory_size();
            let rows = part_batch.num_rows();
            let full = {
                let p = self.parts.entry(key.clone()).or_default();
                p.last_row = self.routed;
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
        self.close_idle_groups()?;
        self.enforce_budget()
    }

    /// Encodes the buffered rows and closes the row group in progress of the
    /// partitions that received no rows for [`IDLE_ROWS`] rows (in sorted inputs,
    /// the partitions that are done), so that they are written while the input is
    /// still being read rather than all at the end. A partition that receives rows
    /// again starts a new row group.
    fn close_idle_groups(&mut self) -> Result<(), StoreError> {
        let idle: Vec<Key> = self
            .parts
            .iter()
            .filter(|(_, p)| {
                (p.buf_rows > 0 || p.group_bytes() > 0) && self.routed - p.last_row >= IDLE_ROWS
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in idle {
            if self.parts.get(&k).is_some_and(|p| p.buf_rows > 0) {
                self.flush_part(&k)?;
            }
            self.close_group(&k)?;
        }
        Ok(())
    }

    /// Keeps the buffered rows and the row groups in progress within
    /// [`SinkLimits::buffer_bytes`]: encodes the largest buffers first (encoded rows
    /// take far less memory), then closes the largest row groups, down to half the
    /// budget.
    fn enforce_budget(&mut self) -> Result<(), StoreError> {
        let budget = self.limits.buffer_bytes;
        if self.buffered + self.encoding <= budget {
            return Ok(());
        }
        while self.buffered + self.encoding > budget / 2 {
            let largest = self
                .parts
                .iter()
                .filter(|(_, p)| p.buf_rows > 0)
                .max_by(|a, b| a.1.buf_bytes.cmp(&b.1.buf_bytes).then_with(|| b.0.cmp(a.0)))
                .map(|(k, _)| k.clone());
            if let Some(k) = largest {
                self.flush_part(&k)?;
                continue;
            }
            let largest = self
                .parts
                .iter()
                .filter(|(_, p)| p.group_bytes() > 0)
                .max_by(|a, b| {
                    a.1.group_bytes()
                        .cmp(&b.1.group_bytes())
                        .then_with(|| b.0.cmp(a.0))
                })
                .map(|(k, _)| k.clone());
            match largest {
                Some(k) => self.close_group(&k)?,
                None => break,
            }
        }
        Ok(())
    }

    /// The file a partition is writing (or would write next), for error messages.
    fn current_file(&self, key: &Key) -> PathBuf {
        match self.parts.get(key).and_then(|p| p.files.last()) {
            Some(f) => self.root.join(&f.rel),
            None => self.root.join(partition_dir(&key.0, key.1)),
        }
    }

    /// [`Self::write_part`], with Parquet and Arrow errors naming the file.
    fn flush_part(&mut self, key: &Key) -> Result<(), StoreError> {
        self.write_part(key)
            .map_err(|e| e.in_file(&self.current_file(key)))
    }

    fn write_part(&mut self, key: &Key) -> Result<(), StoreError> {
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
            p.writer = Some(OpenFile {
                writer,
                factory,
                group: None,
            });
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
        if let Some(f) = p.files.last_mut() {
            f.rows += p.buf_rows as u64;
        }
        self.buffered -= p.buf_bytes;
        p.buf_rows = 0;
        p.buf_bytes = 0;
        let before = p.group_bytes();
        if let Some(w) = p.writer.as_mut() {
            let mut rest = batches;
            while !rest.is_empty() {
                let room = MAX_ROW_GROUP_ROWS - w.group.as_ref().map_or(0, |g| g.rows);
                let (now, later) = split_rows(rest, room);
                rest = later;
                write_to_group(w, &now)?;
                if w.group
                    .as_ref()
                    .is_some_and(|g| g.rows >= MAX_ROW_GROUP_ROWS)
                {
                    close_group(w)?;
                }
            }
        }
        self.encoding = self.encoding - before + p.group_bytes();
        Ok(())
    }

    /// Closes the row group in progress of a partition, if any.
    fn close_group(&mut self, key: &Key) -> Result<(), StoreError> {
        if let Some(w) = self.parts.get_mut(key).and_then(|p| p.writer.as_mut()) {
            self.encoding -= w.group.as_ref().map_or(0, |g| g.bytes);
            close_group(w)?;
        }
        Ok(())
    }

    /// [`Self::close_part`], with Parquet and Arrow errors naming the file.
    fn close_writer(&mut self, key: &Key) -> Result<(), StoreError> {
        self.close_part(key)
            .map_err(|e| e.in_file(&self.current_file(key)))
    }

    fn close_part(&mut self, key: &Key) -> Result<(), StoreError> {
        self.close_group(key)?;
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

/// Splits batches after their first `rows` rows (slicing the batch that straddles
/// the cut).
fn split_rows(batches: Vec<RecordBatch>, rows: usize) -> (Vec<RecordBatch>, Vec<RecordBatch>) {
    let mut now = Vec::new();
    let mut later = Vec::new();
    let mut left = rows;
    for b in batches {
        let n = b.num_rows();
        if left >= n {
            left -= n;
            now.push(b);
        } else if left > 0 {
            now.push(b.slice(0, left));
            later.push(b.slice(left, n - left));
            left = 0;
        } else {
            later.push(b);
        }
    }
    (now, later)
}

/// Encodes `batches` (in the file schema) into the row group in progress of a file,
/// starting one if needed, the columns in parallel. The bytes written are the same as
/// with a sequential encoding.
fn write_to_group(w: &mut OpenFile, batches: &[RecordBatch]) -> Result<(), StoreError> {
    let schema = flows_file_schema();
    if w.group.is_none() {
        let columns = w
            .factory
            .create_column_writers(w.writer.flushed_row_groups().len())?;
        if columns.len() != schema.fields().len() {
            return Err(StoreError::Corrupt(
                "the flows file schema is not flat".into(),
            ));
        }
        w.group = Some(RowGroup {
            columns,
            rows: 0,
            bytes: 0,
        });
    }
    let Some(g) = w.group.as_mut() else {
        return Ok(());
    };
    g.columns
        .par_iter_mut()
        .enumerate()
        .try_for_each(|(c, cw)| -> Result<(), StoreError> {
            let field = schema.field(c);
            for b in batches {
                for leaf in compute_leaves(field, b.column(c))? {
                    cw.write(&leaf)?;
                }
            }
            Ok(())
        })?;
    g.rows += batches.iter().map(RecordBatch::num_rows).sum::<usize>();
    g.bytes = g.columns.iter().map(ArrowColumnWriter::memory_size).sum();
    Ok(())
}

/// Closes the row group in progress of a file (the columns in parallel) and appends
/// it to the file.
fn close_group(w: &mut OpenFile) -> Result<(), StoreError> {
    let Some(g) = w.group.take() else {
        return Ok(());
    };
    let chunks = g
        .columns
        .into_par_iter()
        .map(|cw| cw.close().map_err(StoreError::from))
        .collect::<Result<Vec<ArrowColumnChunk>, StoreError>>()?;
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
