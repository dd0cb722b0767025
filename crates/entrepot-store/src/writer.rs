//! Routing of canonical flow batches to per-year Parquet files (layout 2).
//!
//! # Files
//!
//! Every file holds one year (`year=<YYYY>/part-<k>.parquet`, `k` numbered per year
//! in the order the files are opened) and keeps `reporter` as a column, so that a
//! long thin panel (many years, few rows each) is one file per year instead of one
//! per (reporter, year), and a wide world year is a handful of files:
//!
//! * A year starts as **one file**. Its rows are buffered until the year passes
//!   [`SinkLimits::year_file_rows`] rows (or memory runs short, see below), so that a
//!   small year is written once, sorted, into a single file.
//! * A year that passes [`SinkLimits::year_file_rows`] is **split by reporter**: its
//!   rows go to one file per reporter bucket ([`REPORTER_BUCKET_BOUNDS`]: contiguous
//!   ranges of reporter codes, about equal numbers of countries each), so each file
//!   covers a narrow range of reporters and the manifest's range per file lets a
//!   reporter filter skip the others. Rows already written to the year's single file
//!   stay there (the file's range is what it holds).
//!
//! # Row groups
//!
//! A flush takes the rows buffered for one file, sorts them by (reporter, partner,
//! product) (ties keep their input order; see [`crate::sorted`] for how this is kept
//! cheap) and writes them as row groups of at most
//! [`SinkLimits::row_group_rows`] rows, each closed at once. A bucket flushes when it
//! has [`SinkLimits::row_group_rows`] rows buffered, any stream when it received no
//! rows while a million others were routed (a year or bucket that is done, in sorted
//! inputs); when all buffers together exceed [`SinkLimits::buffer_bytes`], the
//! largest are flushed first (buckets before a year's single file), down to half the
//! budget. Memory is therefore bounded by the buffer budget plus small per-file
//! state, whatever the input size or the number of years.
//!
//! Min/max statistics and page indexes are written for `reporter`, `partner`,
//! `product`, `flow`, `period` and the numeric columns (see [`writer_properties`]);
//! with sorted row groups they let a reader skip row groups and pages of other
//! reporters, partners and products.
//!
//! The columns of a row group are gathered and encoded in parallel (rayon), which
//! gives the same bytes as a sequential encoding. At most
//! [`SinkLimits::max_open_writers`] files are open at once; the least recently used is
//! closed to make room, and its rows continue in a new file. Files are hashed
//! (SHA-256) as they are written and fsynced when closed. Every decision depends
//! only on the input and the limits, so the same rows give the same files.

use crate::error::{FsContext, StoreError};
use crate::fsutil::{hex, sync_dir};
use crate::manifest::{FlowsContent, PartitionFile, ReporterRange};
use crate::sorted::SortedRows;
use arrow::array::{Array, Int32Array, RecordBatch, StringArray, UInt32Array};
use arrow::compute::take_record_batch;
use arrow::datatypes::{Schema, SchemaRef};
use entrepot_io::schema::{col, flows_schema};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Memory, file-size and file-handle bounds of the flows writer.
#[derive(Debug, Clone, Copy)]
pub struct SinkLimits {
    /// Rows per row group at most, and rows buffered per reporter bucket before they
    /// are sorted and written as a row group.
    pub row_group_rows: usize,
    /// Total bytes of buffered Arrow data before the largest buffers are written.
    pub buffer_bytes: usize,
    /// Files open at once (default: a quarter of the open-files limit, 16 to 256).
    pub max_open_writers: usize,
    /// Rows of a year written as one file; a year with more rows is split into
    /// files by reporter bucket.
    pub year_file_rows: usize,
}

impl Default for SinkLimits {
    fn default() -> Self {
        SinkLimits {
            row_group_rows: 128 * 1024,
            buffer_bytes: 256 << 20,
            max_open_writers: default_max_open(),
            year_file_rows: 1 << 20,
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

/// The first reporter code of each reporter bucket but the first: a year split by
/// reporter has one file per bucket, `[..BOL)`, `[BOL..DNK)`, … `[TGO..)`. The bounds
/// cut the ISO 3166 alpha-3 codes into eight groups of about 31 countries; any code
/// (historical, special) falls in the bucket whose range holds it.
pub const REPORTER_BUCKET_BOUNDS: [&str; 7] = ["BOL", "DNK", "GUF", "LAO", "MUS", "QAT", "TGO"];

/// The reporter bucket (0-7) of a reporter code.
fn bucket_of(reporter: &str) -> u16 {
    REPORTER_BUCKET_BOUNDS.partition_point(|b| *b <= reporter) as u16
}

/// The columns of a flows table other than `reporter` and `year`, in canonical
/// order: the schema of the files of layout 1 (stores written before manifest
/// version 2), whose reporter and year are only in their path, and the columns that
/// come before `reporter` and `year` in query tables.
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

/// The schema of the flows files this build writes (layout 2): the canonical schema
/// without `year`, which is in the path (`year=<YYYY>/…`); `reporter` is the first
/// column.
pub fn flows_year_file_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        let full = flows_schema();
        let fields: Vec<_> = full
            .fields()
            .iter()
            .filter(|f| f.name() != col::YEAR)
            .cloned()
            .collect();
        Arc::new(Schema::new(fields))
    })
    .clone()
}

/// Indices of the columns of [`flows_year_file_schema`] in the canonical schema.
fn year_file_projection() -> &'static [usize] {
    static P: OnceLock<Vec<usize>> = OnceLock::new();
    P.get_or_init(|| {
        let full = flows_schema();
        full.fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() != col::YEAR)
            .map(|(i, _)| i)
            .collect()
    })
}

/// The columns with min/max statistics and page indexes: those a filter prunes on.
const INDEXED_TEXT_COLUMNS: [&str; 5] = [
    col::REPORTER,
    col::PARTNER,
    col::PRODUCT,
    col::FLOW,
    col::PERIOD,
];

/// Writer properties of every stored Parquet file (deterministic: the same rows give
/// the same bytes). Chosen for the speed of ingest and of the scans that analyses make
/// (`bench/ingest/run.sh`, `bench/world/run.sh`, `bench/world/analyses.sh`):
///
/// * LZ4 (raw): the analyses spend their time decompressing what they scan, and LZ4
///   decompresses several times faster than ZSTD. On the synthetic world BACI of
///   `bench/world/run.sh` (22 million rows) against ZSTD level 1: files 48% larger
///   (292 against 197 MB), the same CPU time to ingest, and 29% less CPU time for
///   `entrepot dependence` (which scans every exporter's rows to the partner), 17%
///   less for `entrepot edge`. (ZSTD level 1 had been as fast as Snappy to write with
///   files a third smaller; level 3 cost a third more time for the same size.)
/// * Dictionary encoding only for `source_file`, whose values are long (a path on
///   every row) and nearly constant: hashing them is cheaper than copying and
///   compressing them. The text columns are short and constant over long runs of
///   the sorted rows (`reporter`, `partner`, `flow`, `period`, `declared_by`…) or
///   sorted within them (`product`): plain values compressed take about the same
///   space as dictionary indices, without hashing every value. Values and
///   quantities are mostly distinct (half the values of the real BACI extract in
///   `../shared/data` are): plain, they are 5% (real extract) to 16% (synthetic
///   world year) smaller than with a dictionary per row group, and faster to write.
/// * `source_line` (increasing line numbers): `DELTA_BINARY_PACKED`, a few bytes per
///   page instead of 8 bytes per row.
/// * Min/max statistics at page level (hence a column index and an offset index)
///   for the columns filters prune on: `reporter`, `partner`, `product`, `flow`,
///   `period` and the numeric columns. Those of `partner`, `product` and `period`
///   cost about 0.3 s of CPU per 11 million rows, 2-3% of an ingest (world BACI
///   year of `bench/world/run.sh`, measured by turning them off). None for
///   `hs_revision`, `quantity_unit`, `declared_by` and `source_file`, which are
///   constant over a file in practice.
pub(crate) fn writer_properties() -> WriterProperties {
    let column = |c: &str| ColumnPath::from(c);
    let mut b = WriterProperties::builder()
        .set_compression(Compression::LZ4_RAW)
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_column_dictionary_enabled(column(col::SOURCE_FILE), true)
        .set_column_encoding(column(col::SOURCE_LINE), Encoding::DELTA_BINARY_PACKED);
    for c in [
        col::HS_REVISION,
        col::QUANTITY_UNIT,
        col::DECLARED_BY,
        col::SOURCE_FILE,
    ] {
        b = b.set_column_statistics_enabled(column(c), EnabledStatistics::None);
    }
    for c in INDEXED_TEXT_COLUMNS {
        b = b.set_column_statistics_enabled(column(c), EnabledStatistics::Page);
    }
    b.build()
}

/// Checks a reporter value (it is recorded in the manifest's reporter ranges).
pub(crate) fn check_reporter(r: &str) -> Result<(), StoreError> {
    if crate::manifest::is_reporter_code(r) {
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

/// The directory of a year, relative to the version directory.
pub(crate) fn year_dir(year: i32) -> String {
    format!("year={year:04}")
}

/// Rows of one row group at most, whatever the limits say.
const MAX_ROW_GROUP_ROWS: usize = 1 << 20;

/// Rows routed to other streams after which a stream's buffer is written (see
/// [`PartitionSink::flush_idle`]).
const IDLE_ROWS: u64 = 1 << 20;

/// Which file stream of a year rows go to: the year's single file, or a reporter
/// bucket once the year is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    /// The year's one file (before it passes [`SinkLimits::year_file_rows`]).
    Whole,
    /// The file of one reporter bucket (see [`bucket_of`]).
    Bucket(u16),
}

/// A stream of rows to files: one year, whole or one reporter bucket.
type Key = (i32, Slot);

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

/// An open file: the Parquet file writer and the factory of its column writers.
struct OpenFile {
    writer: SerializedFileWriter<HashingFile>,
    factory: ArrowRowGroupWriterFactory,
}

/// A written (or being written) file.
struct FileRec {
    rel: String,
    year: i32,
    rows: u64,
    bytes: u64,
    sha256: String,
    /// Smallest and largest reporter written so far.
    reporters: Option<(String, String)>,
}

/// The rows buffered for a stream and its open file.
#[derive(Default)]
struct Stream {
    buf: Vec<RecordBatch>,
    buf_rows: usize,
    buf_bytes: usize,
    writer: Option<OpenFile>,
    /// Index in [`PartitionSink::files`] of the open file.
    file: usize,
    last_used: u64,
    /// Rows routed by the sink when this stream last received rows.
    last_row: u64,
}

/// What the sink knows of a year.
#[derive(Default)]
struct Year {
    /// Whether the year is split by reporter bucket.
    split: bool,
    /// Rows routed to the year's single file so far (buffered or written).
    whole_rows: usize,
    /// The `k` of the next `part-<k>.parquet`.
    next_file: u32,
}

/// Routes canonical batches into per-year Parquet files under a root directory.
pub(crate) struct PartitionSink {
    root: PathBuf,
    /// The file schema: [`flows_year_file_schema`] with the value column named after
    /// the dataset's currency.
    schema: SchemaRef,
    limits: SinkLimits,
    props: WriterProperties,
    streams: BTreeMap<Key, Stream>,
    years: BTreeMap<i32, Year>,
    files: Vec<FileRec>,
    /// Every reporter seen.
    reporters: BTreeSet<String>,
    /// What the rows hold.
    content: ContentSeen,
    open: usize,
    /// Bytes of Arrow data buffered.
    buffered: usize,
    clock: u64,
    /// Rows routed so far.
    routed: u64,
}

/// Where the rows of a batch go: the runs of rows of each stream, in order.
struct Routed {
    key: Key,
    runs: Vec<(usize, usize)>,
}

impl PartitionSink {
    /// A sink writing under `root` (which must exist).
    pub(crate) fn new(root: &Path, limits: SinkLimits) -> Self {
        PartitionSink {
            root: root.to_path_buf(),
            schema: flows_year_file_schema(),
            limits,
            props: writer_properties(),
            streams: BTreeMap::new(),
            years: BTreeMap::new(),
            files: Vec::new(),
            reporters: BTreeSet::new(),
            content: ContentSeen::default(),
            open: 0,
            buffered: 0,
            clock: 0,
            routed: 0,
        }
    }

    /// Names the value column after the currency of the values (before the first
    /// row is pushed; US dollars by default).
    pub(crate) fn set_currency(&mut self, currency: &str) {
        self.schema = entrepot_io::schema::with_value_currency(&flows_year_file_schema(), currency);
    }

    /// Routes the rows of a batch in the canonical schema to their files.
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
        // Runs of rows of one (reporter, year): sorted inputs give long runs, and
        // each run is checked and routed once.
        let mut checked: HashSet<(&str, i32)> = HashSet::new();
        let mut runs: Vec<(usize, usize, &str, i32)> = Vec::new();
        let mut i = 0;
        while i < n {
            let (r, y) = (reporter.value(i), year.value(i));
            let mut j = i + 1;
            while j < n && year.value(j) == y && reporter.value(j) == r {
                j += 1;
            }
            if checked.insert((r, y)) {
                check_reporter(r)?;
                check_year(y)?;
                if !self.reporters.contains(r) {
                    self.reporters.insert(r.to_string());
                }
            }
            runs.push((i, j, r, y));
            i = j;
        }
        self.content.observe(batch)?;
        let projected = batch.project(year_file_projection())?;
        let routed = self.route(&runs);
        self.routed += n as u64;
        for part in split_batch(&projected, routed)? {
            self.add(part.0, part.1)?;
        }
        self.flush_idle()?;
        self.enforce_budget()
    }

    /// Groups runs of rows by the stream they go to (streams in first-seen order).
    fn route(&self, runs: &[(usize, usize, &str, i32)]) -> Vec<Routed> {
        let mut out: Vec<Routed> = Vec::new();
        for &(a, b, r, y) in runs {
            let split = self.years.get(&y).is_some_and(|s| s.split);
            let key = (
                y,
                if split {
                    Slot::Bucket(bucket_of(r))
                } else {
                    Slot::Whole
                },
            );
            match out.iter_mut().find(|g| g.key == key) {
                Some(g) => match g.runs.last_mut() {
                    Some(last) if last.1 == a => last.1 = b,
                    _ => g.runs.push((a, b)),
                },
                None => out.push(Routed {
                    key,
                    runs: vec![(a, b)],
                }),
            }
        }
        out
    }

    /// Buffers rows (in the file schema) for a stream; splits a year that passed
    /// [`SinkLimits::year_file_rows`] and flushes a full bucket.
    fn add(&mut self, key: Key, rows: RecordBatch) -> Result<(), StoreError> {
        let n = rows.num_rows();
        let bytes = rows.get_array_memory_size();
        let s = self.streams.entry(key).or_default();
        s.last_row = self.routed;
        s.buf.push(rows);
        s.buf_rows += n;
        s.buf_bytes += bytes;
        self.buffered += bytes;
        match key.1 {
            Slot::Whole => {
                let y = self.years.entry(key.0).or_default();
                y.whole_rows += n;
                if y.whole_rows > self.limits.year_file_rows {
                    self.split_year(key.0)?;
                }
            }
            Slot::Bucket(_) => {
                if self
                    .streams
                    .get(&key)
                    .is_some_and(|s| s.buf_rows >= self.limits.row_group_rows)
                {
                    self.flush(key)?;
                }
            }
        }
        Ok(())
    }

    /// Splits a year by reporter bucket: closes its single file (if written) and
    /// routes its buffered rows to the buckets.
    fn split_year(&mut self, year: i32) -> Result<(), StoreError> {
        self.years.entry(year).or_default().split = true;
        let key = (year, Slot::Whole);
        self.close_writer(key)?;
        let Some(s) = self.streams.get_mut(&key) else {
            return Ok(());
        };
        let batches = std::mem::take(&mut s.buf);
        self.buffered -= s.buf_bytes;
        s.buf_rows = 0;
        s.buf_bytes = 0;
        for b in batches {
            let reporter = string_col(&b, col::REPORTER)?;
            let mut runs = Vec::new();
            let mut i = 0;
            while i < b.num_rows() {
                let r = reporter.value(i);
                let mut j = i + 1;
                while j < b.num_rows() && reporter.value(j) == r {
                    j += 1;
                }
                runs.push((i, j, r, year));
                i = j;
            }
            let routed = self.route(&runs);
            for part in split_batch(&b, routed)? {
                self.add(part.0, part.1)?;
            }
        }
        Ok(())
    }

    /// Keeps the buffered rows within [`SinkLimits::buffer_bytes`]: writes the largest
    /// buffers first, down to half the budget.
    fn enforce_budget(&mut self) -> Result<(), StoreError> {
        let budget = self.limits.buffer_bytes;
        if self.buffered <= budget {
            return Ok(());
        }
        while self.buffered > budget / 2 {
            // Buckets first: writing a year's single file early widens its range.
            let largest = self
                .streams
                .iter()
                .filter(|(_, s)| s.buf_rows > 0)
                .max_by(|a, b| {
                    (matches!(a.0 .1, Slot::Bucket(_)), a.1.buf_bytes)
                        .cmp(&(matches!(b.0 .1, Slot::Bucket(_)), b.1.buf_bytes))
                        .then_with(|| b.0.cmp(a.0))
                })
                .map(|(k, _)| *k);
            match largest {
                Some(k) => self.flush(k)?,
                None => break,
            }
        }
        Ok(())
    }

    /// Writes the buffers of the streams that received no rows for [`IDLE_ROWS`] rows
    /// (in sorted inputs, the years or buckets that are done), so that their memory
    /// is freed while the input is still being read.
    fn flush_idle(&mut self) -> Result<(), StoreError> {
        let idle: Vec<Key> = self
            .streams
            .iter()
            .filter(|(_, s)| s.buf_rows > 0 && self.routed - s.last_row >= IDLE_ROWS)
            .map(|(k, _)| *k)
            .collect();
        for k in idle {
            self.flush(k)?;
        }
        Ok(())
    }

    /// The file a stream is writing (or would write next), for error messages.
    fn current_file(&self, key: Key) -> PathBuf {
        match self.streams.get(&key).filter(|s| s.writer.is_some()) {
            Some(s) => self.root.join(&self.files[s.file].rel),
            None => self.root.join(year_dir(key.0)),
        }
    }

    /// [`Self::write_buffer`], with Parquet and Arrow errors naming the file.
    fn flush(&mut self, key: Key) -> Result<(), StoreError> {
        self.write_buffer(key)
            .map_err(|e| e.in_file(&self.current_file(key)))
    }

    /// Sorts the rows buffered for a stream and writes them as row groups of its
    /// file, opening one if needed.
    fn write_buffer(&mut self, key: Key) -> Result<(), StoreError> {
        if self.streams.get(&key).is_none_or(|s| s.buf_rows == 0) {
            return Ok(());
        }
        if self.streams.get(&key).is_some_and(|s| s.writer.is_none()) {
            self.open_file(key)?;
        }
        self.clock += 1;
        let clock = self.clock;
        let row_group_rows = self.limits.row_group_rows.clamp(1, MAX_ROW_GROUP_ROWS);
        let schema = self.schema.clone();
        let Some(s) = self.streams.get_mut(&key) else {
            return Ok(());
        };
        s.last_used = clock;
        let batches = std::mem::take(&mut s.buf);
        let rows = s.buf_rows;
        self.buffered -= s.buf_bytes;
        s.buf_rows = 0;
        s.buf_bytes = 0;
        let file = &mut self.files[s.file];
        let Some(w) = s.writer.as_mut() else {
            return Ok(());
        };
        let sorted = SortedRows::new(batches)?;
        // Row groups of equal size, none above the limit.
        let groups = rows.div_ceil(row_group_rows);
        let per_group = rows.div_ceil(groups);
        let mut start = 0;
        while start < rows {
            let end = (start + per_group).min(rows);
            let (first, last) = sorted.reporter_bounds(start, end)?;
            write_row_group(w, &schema, &sorted, start, end)?;
            let range = file
                .reporters
                .get_or_insert_with(|| (first.clone(), last.clone()));
            if first < range.0 {
                range.0 = first;
            }
            if last > range.1 {
                range.1 = last;
            }
            start = end;
        }
        file.rows += rows as u64;
        Ok(())
    }

    /// Opens the next file of a stream, closing the least recently used open file
    /// if [`SinkLimits::max_open_writers`] are open.
    fn open_file(&mut self, key: Key) -> Result<(), StoreError> {
        while self.open >= self.limits.max_open_writers.max(1) {
            let lru = self
                .streams
                .iter()
                .filter(|(k, s)| s.writer.is_some() && **k != key)
                .min_by(|a, b| a.1.last_used.cmp(&b.1.last_used).then_with(|| a.0.cmp(b.0)))
                .map(|(k, _)| *k);
            match lru {
                Some(k) => self.close_writer(k)?,
                None => break,
            }
        }
        let y = self.years.entry(key.0).or_default();
        let rel = format!("{}/part-{}.parquet", year_dir(key.0), y.next_file);
        y.next_file += 1;
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
        let w = ArrowWriter::try_new(out, self.schema.clone(), Some(self.props.clone()))?;
        let (writer, factory) = w.into_serialized_writer()?;
        self.files.push(FileRec {
            rel,
            year: key.0,
            rows: 0,
            bytes: 0,
            sha256: String::new(),
            reporters: None,
        });
        let index = self.files.len() - 1;
        let s = self.streams.entry(key).or_default();
        s.writer = Some(OpenFile { writer, factory });
        s.file = index;
        self.open += 1;
        Ok(())
    }

    /// [`Self::close_file`], with Parquet and Arrow errors naming the file.
    fn close_writer(&mut self, key: Key) -> Result<(), StoreError> {
        self.close_file(key)
            .map_err(|e| e.in_file(&self.current_file(key)))
    }

    /// Finishes, fsyncs and hashes the open file of a stream, if any.
    fn close_file(&mut self, key: Key) -> Result<(), StoreError> {
        let Some(s) = self.streams.get_mut(&key) else {
            return Ok(());
        };
        let Some(w) = s.writer.take() else {
            return Ok(());
        };
        self.open -= 1;
        let rec = &mut self.files[s.file];
        let path = self.root.join(&rec.rel);
        let mut out = w.writer.into_inner()?;
        out.flush().at(&path)?;
        out.file.sync_all().at(&path)?;
        rec.bytes = out.bytes;
        rec.sha256 = hex(&out.hasher.finalize());
        Ok(())
    }

    /// Writes what is buffered, closes every file, fsyncs the directories and
    /// returns the files written (sorted by path) and the reporters seen.
    pub(crate) fn finish(mut self) -> Result<SinkOutput, StoreError> {
        let keys: Vec<Key> = self.streams.keys().copied().collect();
        for k in &keys {
            self.flush(*k)?;
            self.close_writer(*k)?;
        }
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        let mut out = Vec::with_capacity(self.files.len());
        for f in self.files {
            // A file is opened only to write rows, so every file has a range.
            let Some((min, max)) = f.reporters else {
                return Err(StoreError::Corrupt(format!("{} has no rows", f.rel)));
            };
            if let Some(parent) = self.root.join(&f.rel).parent() {
                dirs.insert(parent.to_path_buf());
            }
            out.push(PartitionFile {
                path: f.rel,
                reporter: None,
                reporter_range: Some(ReporterRange { min, max }),
                year: Some(f.year),
                rows: f.rows,
                bytes: f.bytes,
                sha256: f.sha256,
            });
        }
        for d in &dirs {
            sync_dir(d)?;
        }
        sync_dir(&self.root)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(SinkOutput {
            files: out,
            reporters: self.reporters,
            content: self.content.finish(),
        })
    }
}

/// What a [`PartitionSink`] wrote.
pub(crate) struct SinkOutput {
    /// The files, sorted by path.
    pub files: Vec<PartitionFile>,
    /// Every reporter.
    pub reporters: BTreeSet<String>,
    /// What the rows hold.
    pub content: FlowsContent,
}

/// What the rows pushed so far hold (see [`FlowsContent`]).
#[derive(Default)]
struct ContentSeen {
    /// `levels[l]`: a row of product level `l` (0 to 6) was seen.
    levels: [bool; 7],
    revisions: BTreeSet<String>,
    flows: BTreeSet<String>,
    declarants: BTreeSet<String>,
    unrevised_products: bool,
    annual: bool,
    monthly: bool,
}

impl ContentSeen {
    /// Records the product levels, revisions, periods, flows and declarants of a
    /// canonical batch.
    fn observe(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let int_col = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("batch column '{name}' missing or not Int32"))
                })
        };
        let level = int_col(col::PRODUCT_LEVEL)?;
        let month = int_col(col::MONTH)?;
        let revision = string_col(batch, col::HS_REVISION)?;
        distinct(string_col(batch, col::FLOW)?, &mut self.flows);
        distinct(string_col(batch, col::DECLARED_BY)?, &mut self.declarants);
        let n = batch.num_rows();
        let undated = month.null_count();
        self.annual |= undated > 0;
        self.monthly |= undated < n;
        let mut last: Option<&str> = None;
        for i in 0..n {
            let l = level.value(i);
            let Some(seen) = usize::try_from(l).ok().and_then(|l| self.levels.get_mut(l)) else {
                return Err(StoreError::Corrupt(format!(
                    "batch row {i}: product level {l} (expected 0 to 6)"
                )));
            };
            *seen = true;
            if l == 0 {
                continue;
            }
            if revision.is_null(i) {
                self.unrevised_products = true;
                continue;
            }
            let r = revision.value(i);
            if last != Some(r) {
                if !self.revisions.contains(r) {
                    self.revisions.insert(r.to_string());
                }
                last = Some(r);
            }
        }
        Ok(())
    }

    fn finish(self) -> FlowsContent {
        FlowsContent {
            product_levels: (0..7i32).filter(|l| self.levels[*l as usize]).collect(),
            hs_revisions: self.revisions.into_iter().collect(),
            unrevised_products: self.unrevised_products,
            annual: self.annual,
            monthly: self.monthly,
            flows: self.flows.into_iter().collect(),
            declarants: self.declarants.into_iter().collect(),
        }
    }
}

/// Adds the distinct non-null values of a text column (constant over long runs) to
/// `seen`.
fn distinct(a: &StringArray, seen: &mut BTreeSet<String>) {
    let mut last: Option<&str> = None;
    for v in a.iter().flatten() {
        if last != Some(v) {
            if !seen.contains(v) {
                seen.insert(v.to_string());
            }
            last = Some(v);
        }
    }
}

/// The rows of each routed stream as a batch: a zero-copy slice when they are one
/// run, a copy of the rows otherwise.
fn split_batch(
    batch: &RecordBatch,
    routed: Vec<Routed>,
) -> Result<Vec<(Key, RecordBatch)>, StoreError> {
    if let [one] = routed.as_slice() {
        if one.runs.len() == 1 && one.runs[0] == (0, batch.num_rows()) {
            return Ok(vec![(one.key, batch.clone())]);
        }
    }
    routed
        .into_iter()
        .map(|g| {
            let rows = if let [(a, b)] = g.runs.as_slice() {
                batch.slice(*a, b - a)
            } else {
                let idx: UInt32Array = g
                    .runs
                    .iter()
                    .flat_map(|&(a, b)| a as u32..b as u32)
                    .collect();
                take_record_batch(batch, &idx)?
            };
            Ok((g.key, rows))
        })
        .collect()
}

/// Writes the sorted rows `start..end` (in the file schema) as one row group of a
/// file: each column is gathered and encoded on its own rayon task, then the chunks
/// are appended in order. The bytes are the same as with a sequential encoding.
fn write_row_group(
    w: &mut OpenFile,
    schema: &SchemaRef,
    rows: &SortedRows,
    start: usize,
    end: usize,
) -> Result<(), StoreError> {
    if start >= end {
        return Ok(());
    }
    let columns = w
        .factory
        .create_column_writers(w.writer.flushed_row_groups().len())?;
    if columns.len() != schema.fields().len() {
        return Err(StoreError::Corrupt(
            "the flows file schema is not flat".into(),
        ));
    }
    let chunks = columns
        .into_par_iter()
        .enumerate()
        .map(|(c, mut cw)| -> Result<ArrowColumnChunk, StoreError> {
            let field = schema.field(c);
            for array in rows.column(c, start, end)? {
                for leaf in compute_leaves(field, &array)? {
                    cw.write(&leaf)?;
                }
            }
            Ok(cw.close()?)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_ranges_of_codes() {
        assert_eq!(bucket_of("AFG"), 0);
        assert_eq!(bucket_of("BOL"), 1);
        assert_eq!(bucket_of("CHN"), 1);
        assert_eq!(bucket_of("DNK"), 2);
        assert_eq!(bucket_of("USA"), 7);
        assert_eq!(bucket_of("ZWE"), 7);
        assert_eq!(bucket_of("S19"), 6);
        let codes = ["AAA", "BOK", "BOL", "DEU", "ZZZ", "A", "ZZZZZZ"];
        for a in codes {
            for b in codes {
                if a <= b {
                    assert!(bucket_of(a) <= bucket_of(b), "{a} {b}");
                }
            }
        }
    }
}
