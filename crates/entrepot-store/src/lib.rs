//! # entrepot-store
//!
//! An embedded, crash-safe store of trade flows and published figures, laid out so
//! that DuckDB, polars or pandas can read it without Entrepôt:
//!
//! ```text
//! DIR/manifest.json                                   the single source of truth
//! DIR/datasets/<name>/v<N>/year=<YYYY>/part-<k>.parquet   flows
//! DIR/datasets/<name>/v<N>/facts.parquet              published figures
//! DIR/.lock                                           writer lock (flock)
//! DIR/.readers                                        readers' shared lock (flock)
//! DIR/.staging/<unique>/                              an ingest in progress
//! ```
//!
//! ## Layout
//!
//! Flows are partitioned by year only (hive style: the `year` column is in the path,
//! `read_parquet('DIR/datasets/x/v1/**/*.parquet', hive_partitioning=true)`), and
//! each file holds every other canonical column of
//! [`entrepot_io::schema::flows_schema`], `reporter` included
//! ([`flows_year_file_schema`]). The layout scales both ways: a long thin panel is
//! one file per year, however many reporters it has, and a wide world year is a few
//! files of tens of megabytes, each covering a contiguous range of reporter codes
//! (see [`SinkLimits`] and [`REPORTER_BUCKET_BOUNDS`] for how a year is split). Within a file, row groups are
//! sorted by (reporter, partner, product) and carry min/max statistics and page
//! indexes for `reporter`, `partner`, `product`, `flow` and `period`, so a reporter
//! filter still skips most of the data: by file from the manifest, then by row group
//! and page.
//!
//! The manifest (see [`Manifest`]) records, per dataset, its kind, current version,
//! path, creation time, source files with SHA-256, row and rejected counts, reporters,
//! years, every Parquet file with its year, its reporter range (min, max), rows and
//! SHA-256 ([`PartitionFile`]), and a content checksum.
//!
//! Stores written before manifest schema version 2 (layout 1) put one reporter and
//! one year in each file, `reporter=<ISO3>/year=<YYYY>/part-<k>.parquet`, with both
//! columns only in the path. They are still read: every reader goes by
//! [`PartitionFile::layout`] (the manifest says which files hold `reporter` as a
//! column), and the first write to such a store keeps its old datasets as they are
//! and saves the manifest as version 2. A dataset moves to layout 2 when it is
//! ingested again.
//!
//! ## Atomicity
//!
//! A writer takes the lock, writes the new version under `.staging/`, fsyncs it,
//! renames it to `datasets/<name>/v<N+1>`, atomically replaces `manifest.json`
//! (`manifest.json.tmp`, fsync, rename) and only then deletes the old version — at
//! once when no read view holds `.readers`, else by a later writer. Readers trust only
//! the manifest, and the next writer removes `.staging/*` and every version directory
//! the manifest does not reference, so an ingest that fails, or a process killed at any
//! point, leaves the store as it was before or as after one complete ingest.
//!
//! ## What is trusted
//!
//! Nothing on disk. [`Store::open_read`] (read commands) creates, locks for writing
//! and removes nothing; [`Store::open`] (writers) creates the directory only. A
//! directory that holds files but no manifest is refused by both, so a lost manifest
//! never turns into "no datasets" followed by a collection. The manifest is validated
//! on load ([`Manifest::validate`]): every path must stay inside the store and be a
//! name the store generates, with the year (and, in layout 1, the reporter) its entry
//! records. Collection never follows a symbolic link and removes only names the store
//! generates. Reads check each file's type and size against the manifest before
//! opening it ([`check_stored_file`]); [`Store::verify`] also checks SHA-256
//! checksums. See `SECURITY.md` at the repository root.
//!
//! ## Ingest
//!
//! [`Store::ingest`] streams the batches of one or more [`FlowReader`]s, routes rows to
//! per-year Parquet files with bounded memory (see [`SinkLimits`]), rejects keys
//! (reporter, partner, flow, period, hs_revision, product) repeated across sources,
//! and, with [`OnError::Quarantine`], writes rejected rows to a CSV
//! (`file,line,column,value,message,raw`). Re-ingesting identical content yields the
//! same content checksum and is reported as unchanged without a new version.
//!
//! The work is pipelined: the sources are read on a thread of their own (two batches
//! ahead), the columns of each row group are sorted and encoded in parallel, the
//! source files are hashed on another thread while they are read, and the Parquet
//! files are hashed as they are written. Repeated keys within one source are the
//! reader's to reject when it says so ([`FlowReader::keys_unique`], true of every
//! reader of `entrepot-io`); the store checks the other readers' rows and, with
//! several sources, every key across sources.
//!
//! ## Reading
//!
//! [`Store::load_flows`] skips the files whose year or reporter range cannot match
//! its filter (from the manifest, before opening anything), then the row groups whose
//! `reporter` statistics cannot, and filters the rows. `entrepot-query` serves the
//! same files to SQL with the same pruning.

#![warn(missing_docs)]

mod error;
mod facts;
mod fsutil;
mod keys;
mod lock;
mod manifest;
mod sorted;
mod time;
mod writer;

pub use error::StoreError;
pub use facts::{facts_schema, unit_from_str, unit_to_str};
pub use fsutil::{sha256_bytes, sha256_file};
pub use manifest::{
    DatasetInfo, DatasetKind, FileLayout, Manifest, PartitionFile, ReporterRange, SourceFile,
    MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, OLDEST_MANIFEST_SCHEMA_VERSION,
};
pub use time::format_rfc3339;
pub use writer::{flows_file_schema, flows_year_file_schema, SinkLimits, REPORTER_BUCKET_BOUNDS};

use arrow::array::{Array, ArrayRef, BooleanArray, Int32Array, RecordBatch, StringArray};
use arrow::compute::filter_record_batch;
use entrepot_core::{FlowKind, PublishedFigure, TradeFlow};
use entrepot_io::schema::{batch_to_flows, col, flows_schema};
use entrepot_io::{FlowReader, OnError, RowError};
use error::FsContext;
use fsutil::{remove_dir_if_empty, remove_tree, sync_dir};
use lock::StoreLock;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What [`Store::write_flows`] wrote: the files, the reporters, and the rows stored
/// and rejected.
type WrittenFlows = (Vec<PartitionFile>, BTreeSet<String>, u64, u64);

/// The version of Entrepôt recorded in manifests.
pub const ENTREPOT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Environment variable naming the store directory (overrides the default).
pub const ENV_STORE: &str = "ENTREPOT_STORE";

/// Directory of ingests in progress, relative to the store.
const STAGING_DIR: &str = ".staging";
/// Directory of datasets, relative to the store.
const DATASETS_DIR: &str = "datasets";

/// The store directory to use when the caller names none: `$ENTREPOT_STORE` if set
/// and non-empty, else `<per-user data dir>/entrepot` (`~/.local/share/entrepot` on
/// Linux), else `./.entrepot`.
pub fn default_store_dir() -> PathBuf {
    match std::env::var_os(ENV_STORE) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => dirs::data_dir()
            .map(|d| d.join("entrepot"))
            .unwrap_or_else(|| PathBuf::from(".entrepot")),
    }
}

/// Checks a dataset name: 1-64 ASCII letters, digits, `_`, `-`, `.`, not starting
/// with `.` or `-`.
pub fn validate_dataset_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidName(name.to_string()))
    }
}

/// Options of [`Store::ingest`].
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Bad-row policy. With [`OnError::Fail`] the first bad row (reported by a reader
    /// or a key duplicated across sources) aborts the ingest and the store is left
    /// unchanged; with [`OnError::Quarantine`] bad rows are set aside and counted.
    pub on_error: OnError,
    /// Where to write the rejected rows (CSV: `file,line,column,value,message`) in
    /// quarantine mode.
    pub quarantine_path: Option<PathBuf>,
    /// Whether an existing dataset may be replaced by a new version.
    pub replace: bool,
    /// The files the readers read, recorded with their SHA-256 and size. When the
    /// dataset already exists with exactly these checksums and `replace` is false the
    /// ingest is a no-op reported as unchanged.
    pub source_files: Vec<PathBuf>,
}

/// The stage an ingest is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestPhase {
    /// Reading sources and writing staged files.
    Reading,
    /// Closing files and committing the new version.
    Committing,
    /// Finished.
    Done,
}

/// Progress of an ingest, passed to the progress callback after every batch.
#[derive(Debug, Clone)]
pub struct IngestProgress {
    /// Stage.
    pub phase: IngestPhase,
    /// Index of the source being read (0-based).
    pub source_index: usize,
    /// Number of sources.
    pub source_count: usize,
    /// Description of the source being read.
    pub source: String,
    /// Bytes of the current source read so far.
    pub bytes_read: u64,
    /// Size of the current source, if known.
    pub bytes_total: Option<u64>,
    /// Rows stored so far (all sources).
    pub rows: u64,
    /// Rows rejected so far (all sources).
    pub rejected: u64,
}

/// The outcome of an ingest.
#[derive(Debug, Clone)]
pub struct IngestReport {
    /// Dataset name.
    pub dataset: String,
    /// The dataset's current version after the ingest.
    pub version: u64,
    /// Rows stored.
    pub rows: u64,
    /// Rows rejected (quarantined).
    pub rejected: u64,
    /// Number of hive partitions: years (or, for a dataset of layout 1 reported
    /// unchanged, (reporter, year) pairs).
    pub partitions: usize,
    /// Number of Parquet files.
    pub files: usize,
    /// Whether the store was left as it was because the content is unchanged.
    pub unchanged: bool,
    /// Content checksum of the dataset.
    pub checksum: String,
    /// Where rejected rows were written, if anywhere.
    pub quarantine_path: Option<PathBuf>,
    /// Wall time.
    pub duration: Duration,
}

/// Which flows [`Store::load_flows`] returns. `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct FlowFilter {
    /// Only this dataset (else every flows dataset).
    pub dataset: Option<String>,
    /// Reporter ISO3.
    pub reporter: Option<String>,
    /// Partner ISO3.
    pub partner: Option<String>,
    /// Flow direction.
    pub flow: Option<FlowKind>,
    /// Product level (0 = totals, 2, 4, 6).
    pub product_level: Option<u8>,
    /// Calendar years.
    pub years: Option<RangeInclusive<i32>>,
}

/// An open store: a write-capable handle ([`Store::open`]) or a read view
/// ([`Store::open_read`]).
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    limits: SinkLimits,
    /// The readers' shared lock, held by read views for their lifetime.
    _readers: lock::ReadGuard,
}

impl Store {
    /// Opens the store in `dir` for writing, creating the directory if needed. A
    /// directory that holds files but no `manifest.json` is refused (it is not a
    /// store, or its manifest was lost), and nothing is changed: in particular no
    /// garbage is collected here — only a writer holding the lock collects, and
    /// only under a valid manifest.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        let dir = dir.as_ref();
        let dir = std::path::absolute(dir).at(dir)?;
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not_a_directory(&dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(&dir).at(&dir)?;
            }
            Err(e) => return Err(StoreError::fs(&dir, e)),
        }
        let manifest = load_manifest(&dir)?;
        Ok(Store {
            dir,
            manifest,
            limits: SinkLimits::default(),
            _readers: lock::ReadGuard::none(),
        })
    }

    /// Opens the store in `dir` for reading. Creates nothing, removes nothing and
    /// takes no writer lock; a missing directory is [`StoreError::NoStore`], a
    /// directory with files but no manifest is [`StoreError::NotAStore`]. The view
    /// holds the readers' shared lock until dropped, so the files of the versions it
    /// sees stay on disk while it lives, even if an ingest replaces them.
    pub fn open_read(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        let dir = dir.as_ref();
        let dir = std::path::absolute(dir).at(dir)?;
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not_a_directory(&dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NoStore { dir })
            }
            Err(e) => return Err(StoreError::fs(&dir, e)),
        }
        // The shared lock first, then the manifest: a writer that commits between
        // the two cannot remove the version this view is about to read.
        let readers = lock::ReadGuard::acquire(&dir);
        let manifest = load_manifest(&dir)?;
        Ok(Store {
            dir,
            manifest,
            limits: SinkLimits::default(),
            _readers: readers,
        })
    }

    /// A read view of a store that does not exist yet (no datasets); touches nothing.
    pub fn empty(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            manifest: Manifest::default(),
            limits: SinkLimits::default(),
            _readers: lock::ReadGuard::none(),
        }
    }

    /// Removes the leftovers of interrupted writes (staging folders, a temporary
    /// manifest) and the dataset versions the manifest no longer references (once no
    /// reader holds them). Takes the writer lock; never follows a symbolic link and
    /// removes only names the store itself generates. Writers call it on their own;
    /// this is for `entrepot verify --repair` and tests.
    pub fn collect_garbage(&mut self) -> Result<(), StoreError> {
        let lock = self.lock()?;
        drop(lock);
        Ok(())
    }

    /// Opens the store in [`default_store_dir`].
    pub fn open_default() -> Result<Store, StoreError> {
        Store::open(default_store_dir())
    }

    /// The store directory (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest as last read.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Re-reads the manifest (to see another process's writes).
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        self.manifest = load_manifest(&self.dir)?;
        Ok(())
    }

    /// Sets the memory and file-handle bounds used by later ingests.
    pub fn set_limits(&mut self, limits: SinkLimits) {
        self.limits = limits;
    }

    /// All datasets, sorted by name.
    pub fn datasets(&self) -> Vec<DatasetInfo> {
        self.manifest.datasets.values().cloned().collect()
    }

    /// One dataset.
    pub fn dataset(&self, name: &str) -> Option<&DatasetInfo> {
        self.manifest.datasets.get(name)
    }

    /// The directory of a dataset's current version (absolute).
    pub fn dataset_dir(&self, name: &str) -> Option<PathBuf> {
        self.dataset(name).map(|d| self.dir.join(&d.path))
    }

    /// The Parquet files of a flows dataset (absolute paths, which carry the `year=`
    /// partition value, and in layout 1 the `reporter=` one too), sorted.
    pub fn flow_files(&self, name: &str) -> Result<Vec<PathBuf>, StoreError> {
        let d = self.flows_dataset(name)?;
        let base = self.dir.join(&d.path);
        Ok(d.partitions.iter().map(|p| base.join(&p.path)).collect())
    }

    fn flows_dataset(&self, name: &str) -> Result<&DatasetInfo, StoreError> {
        let d = self
            .dataset(name)
            .ok_or_else(|| StoreError::NotFound(name.to_string()))?;
        check_kind(d, DatasetKind::Flows)?;
        Ok(d)
    }

    /// Streams the batches of `sources` into a new version of the flows dataset
    /// `name` and commits it atomically. See the crate docs for the guarantees.
    pub fn ingest(
        &mut self,
        name: &str,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<IngestReport, StoreError> {
        let fresh = self.is_uninitialised();
        let result = self.ingest_flows(name, sources, opts, progress);
        if result.is_err() && fresh {
            self.undo_initialisation();
        }
        result
    }

    /// Whether the store has no manifest on disk yet (its first write initialises it).
    fn is_uninitialised(&self) -> bool {
        fs::symlink_metadata(self.dir.join(MANIFEST_FILE)).is_err()
    }

    /// After a failed first write: removes what initialising wrote (the empty
    /// manifest and the readers' lock file), so that the directory is as it was.
    fn undo_initialisation(&mut self) {
        if !self.manifest.datasets.is_empty() {
            return;
        }
        let _ = fs::remove_file(self.dir.join(MANIFEST_FILE));
        let _ = fs::remove_file(self.dir.join(lock::READERS_FILE));
        remove_dir_if_empty(&self.dir.join(STAGING_DIR));
        remove_dir_if_empty(&self.dir.join(DATASETS_DIR));
    }

    fn ingest_flows(
        &mut self,
        name: &str,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<IngestReport, StoreError> {
        let start = Instant::now();
        self.check_quarantine_path(opts)?;
        let (lock, existing) = self.begin_write(name, DatasetKind::Flows)?;
        let before = snapshot_sources(&opts.source_files)?;
        // The checksums of the sources decide whether an existing dataset is unchanged
        // (after checking that its stored files are intact: a damaged dataset is
        // written again); when they cannot (no dataset yet, or `replace`), they are
        // computed on a thread of their own while the sources are read.
        let mut existing_intact = false;
        let hashing = if let Some(e) = existing.as_ref().filter(|_| !opts.replace) {
            let source_files = hash_sources(&opts.source_files)?;
            if source_files.is_empty() || !same_sources(&e.sources, &source_files) {
                return Err(StoreError::Exists {
                    name: name.into(),
                    version: e.version,
                });
            }
            if self.verify_dataset(e, true).is_empty() {
                return Ok(unchanged_report(e, start));
            }
            std::thread::spawn(move || Ok(source_files))
        } else {
            existing_intact = existing
                .as_ref()
                .is_some_and(|e| self.verify_dataset(e, false).is_empty());
            let paths = opts.source_files.clone();
            std::thread::spawn(move || hash_sources(&paths))
        };
        let readers: Vec<String> = sources.iter().map(|r| r.describe()).collect();
        let staging = self.new_staging(name)?;
        let written = self.write_flows(&staging, sources, opts, progress);
        let hashed = hashing
            .join()
            .unwrap_or_else(|_| Err(StoreError::Corrupt("hashing the sources panicked".into())));
        let checked = written.and_then(|w| {
            let source_files = hashed?;
            // The recorded checksums are those of the bytes read only if no source
            // changed while it was read.
            check_sources_unchanged(&before, &source_files)?;
            if w.2 == 0 {
                return Err(StoreError::Empty {
                    name: name.to_string(),
                    rejected: w.3,
                });
            }
            Ok((w, source_files))
        });
        let ((files, reporters, rows, rejected), source_files) = match checked {
            Ok(x) => x,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        let checksum = content_checksum(&files);
        if let Some(e) = &existing {
            if e.checksum == checksum && existing_intact {
                self.discard_staging(&staging);
                return Ok(unchanged_report(e, start));
            }
        }
        progress(IngestProgress {
            phase: IngestPhase::Committing,
            source_index: readers.len().saturating_sub(1),
            source_count: readers.len(),
            source: String::new(),
            bytes_read: 0,
            bytes_total: None,
            rows,
            rejected,
        });
        let years: BTreeSet<i32> = files.iter().filter_map(|f| f.year).collect();
        let now = time::unix_now();
        let info = DatasetInfo {
            name: name.to_string(),
            kind: DatasetKind::Flows,
            version: 0,
            path: String::new(),
            created_at: format_rfc3339(now),
            created_at_unix: now,
            entrepot_version: ENTREPOT_VERSION.to_string(),
            sources: source_files,
            readers,
            rows,
            rejected,
            reporters: reporters.into_iter().collect(),
            years: years.into_iter().collect(),
            partition_columns: vec![col::YEAR.into()],
            partitions: files,
            checksum,
        };
        let info = match self.commit(&lock, &staging, info) {
            Ok(i) => i,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        drop(lock);
        let report = report_of(&info, false, start);
        progress(IngestProgress {
            phase: IngestPhase::Done,
            source_index: info.readers.len().saturating_sub(1),
            source_count: info.readers.len(),
            source: String::new(),
            bytes_read: 0,
            bytes_total: None,
            rows,
            rejected,
        });
        Ok(IngestReport {
            quarantine_path: match opts.on_error {
                OnError::Quarantine => opts.quarantine_path.clone(),
                OnError::Fail => None,
            },
            ..report
        })
    }

    /// Refuses a quarantine file that is one of the inputs (same path, a link to
    /// it, or the same inode) or that lies inside the store.
    fn check_quarantine_path(&self, opts: &IngestOptions) -> Result<(), StoreError> {
        let (OnError::Quarantine, Some(q)) = (opts.on_error, &opts.quarantine_path) else {
            return Ok(());
        };
        let refuse = |message: String| StoreError::BadQuarantine {
            quarantine: q.clone(),
            message,
        };
        let q_abs = std::path::absolute(q).at(q)?;
        let q_parent = q_abs
            .parent()
            .and_then(|p| fs::canonicalize(p).ok())
            .unwrap_or_else(|| q_abs.clone());
        let store = fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        if q_parent.starts_with(&store) {
            return Err(refuse(format!(
                "it is inside the store {}",
                self.dir.display()
            )));
        }
        let q_meta = fs::metadata(q).ok();
        for input in &opts.source_files {
            let same_path = fs::canonicalize(input)
                .ok()
                .zip(q_abs.file_name().map(|n| q_parent.join(n)))
                .is_some_and(|(a, b)| a == b);
            if same_path || q_meta.as_ref().is_some_and(|m| same_inode(m, input)) {
                return Err(refuse(format!(
                    "it is the input file {}, which it would overwrite",
                    input.display()
                )));
            }
        }
        Ok(())
    }

    /// Checks the files of a dataset against the manifest: each must be a regular
    /// file (not a symbolic link) of the recorded size and, with `checksums`, the
    /// recorded SHA-256. Returns the problems found (empty when intact).
    pub fn verify_dataset(&self, d: &DatasetInfo, checksums: bool) -> Vec<StoreError> {
        let base = self.dir.join(&d.path);
        let mut problems = Vec::new();
        for f in &d.partitions {
            let path = base.join(&f.path);
            if let Err(e) = check_file(&path, f) {
                problems.push(e);
                continue;
            }
            if checksums {
                match sha256_file(&path) {
                    Ok((sha, _)) if sha == f.sha256 => {}
                    Ok((sha, _)) => problems.push(StoreError::Integrity {
                        path,
                        message: format!("SHA-256 {sha} differs from the manifest's {}", f.sha256),
                    }),
                    Err(e) => problems.push(e),
                }
            }
        }
        if checksums && content_checksum(&d.partitions) != d.checksum {
            problems.push(StoreError::Integrity {
                path: base,
                message: "the content checksum differs from the manifest's".into(),
            });
        }
        problems
    }

    /// Checks every file of `name` (or of every dataset) against the manifest, with
    /// checksums: the problems found, by dataset.
    pub fn verify(&self, name: Option<&str>) -> Result<Vec<(String, Vec<StoreError>)>, StoreError> {
        let datasets: Vec<&DatasetInfo> = match name {
            Some(n) => vec![self
                .dataset(n)
                .ok_or_else(|| StoreError::NotFound(n.to_string()))?],
            None => self.manifest.datasets.values().collect(),
        };
        Ok(datasets
            .into_iter()
            .map(|d| (d.name.clone(), self.verify_dataset(d, true)))
            .collect())
    }

    /// Reads the sources on a thread of their own (parsing and validation overlap the
    /// encoding of the previous batches), checks keys across sources and routes the
    /// rows to the year files. Returns the files, the reporters, and the rows stored
    /// and rejected.
    fn write_flows(
        &self,
        staging: &Path,
        sources: Vec<Box<dyn FlowReader>>,
        opts: &IngestOptions,
        progress: &dyn Fn(IngestProgress),
    ) -> Result<WrittenFlows, StoreError> {
        let mut sink = writer::PartitionSink::new(staging, self.limits);
        let mut quarantine = Quarantine::new(opts)?;
        // A reader that rejects repeated keys itself needs no check when it is the
        // only source; otherwise every key is checked against the keys of the
        // sources read before it (and of its own rows, for readers that do not
        // check).
        let check_own: Vec<bool> = sources.iter().map(|r| !r.keys_unique()).collect();
        let check_keys = sources.len() > 1 || check_own.iter().any(|c| *c);
        let mut keys = keys::KeyCheck::new(sources.len());
        let mut rows = 0u64;
        let count = sources.len();
        let descs: Vec<String> = sources.iter().map(|r| r.describe()).collect();
        std::thread::scope(|scope| -> Result<(), StoreError> {
            // Two batches in flight bound the memory of the pipeline.
            let (tx, rx) = std::sync::mpsc::sync_channel::<ReadMsg>(2);
            let reading = scope.spawn(move || read_sources(sources, tx));
            // `rx` is dropped when this returns, which stops the reading thread early
            // if the ingest failed.
            let consume = || -> Result<(), StoreError> {
                let rx = rx;
                let mut finished = false;
                for msg in rx.iter() {
                    let ReadMsg::Batch {
                        index,
                        batch,
                        rejected,
                        bytes_read,
                        bytes_total,
                    } = msg
                    else {
                        finished = true;
                        break;
                    };
                    let desc = &descs[index];
                    let batch = batch.map_err(|error| StoreError::Read {
                        reader: desc.clone(),
                        error,
                    })?;
                    quarantine.add(rejected)?;
                    let Some(batch) = batch else { continue };
                    check_flow_schema(&batch, desc)?;
                    let batch = if check_keys {
                        let (batch, dups) = keys.filter(&batch, desc, index, check_own[index])?;
                        quarantine.add(dups)?;
                        batch
                    } else {
                        batch
                    };
                    rows += batch.num_rows() as u64;
                    sink.push(&batch)?;
                    crash_point("reading");
                    progress(IngestProgress {
                        phase: IngestPhase::Reading,
                        source_index: index,
                        source_count: count,
                        source: desc.clone(),
                        bytes_read,
                        bytes_total,
                        rows,
                        rejected: quarantine.count,
                    });
                }
                if finished {
                    Ok(())
                } else {
                    Err(reader_panicked())
                }
            };
            let consumed = consume();
            let joined = reading.join();
            consumed?;
            joined.map_err(|_| reader_panicked())
        })?;
        let rejected = quarantine.finish()?;
        let (files, reporters) = sink.finish()?;
        Ok((files, reporters, rows, rejected))
    }

    /// Stores published figures as a new version of the facts dataset `name`
    /// (replacing any previous version) with the same atomic commit as flows.
    /// `source_files` are `(path, sha256)` pairs recorded in the manifest.
    pub fn ingest_facts(
        &mut self,
        name: &str,
        figures: Vec<PublishedFigure>,
        source_files: &[(PathBuf, String)],
    ) -> Result<IngestReport, StoreError> {
        let fresh = self.is_uninitialised();
        let result = self.write_facts(name, figures, source_files);
        if result.is_err() && fresh {
            self.undo_initialisation();
        }
        result
    }

    fn write_facts(
        &mut self,
        name: &str,
        figures: Vec<PublishedFigure>,
        source_files: &[(PathBuf, String)],
    ) -> Result<IngestReport, StoreError> {
        let start = Instant::now();
        let (lock, existing) = self.begin_write(name, DatasetKind::Facts)?;
        if figures.is_empty() {
            return Err(StoreError::Empty {
                name: name.to_string(),
                rejected: 0,
            });
        }
        let staging = self.new_staging(name)?;
        let written = (|| -> Result<PartitionFile, StoreError> {
            let path = staging.join("facts.parquet");
            let batch = facts::figures_to_batch(&figures)?;
            let file = File::create(&path).at(&path)?;
            let named = |e: parquet::errors::ParquetError| StoreError::from(e).in_file(&path);
            let mut w =
                ArrowWriter::try_new(file, facts_schema(), Some(writer::writer_properties()))
                    .map_err(named)?;
            w.write(&batch).map_err(named)?;
            let file = w.into_inner().map_err(named)?;
            file.sync_all().at(&path)?;
            sync_dir(&staging)?;
            let (sha256, bytes) = sha256_file(&path)?;
            Ok(PartitionFile {
                path: "facts.parquet".into(),
                reporter: None,
                reporter_range: None,
                year: None,
                rows: figures.len() as u64,
                bytes,
                sha256,
            })
        })();
        let file = match written {
            Ok(f) => f,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        let files = vec![file];
        let checksum = content_checksum(&files);
        if let Some(e) = &existing {
            if e.checksum == checksum {
                self.discard_staging(&staging);
                return Ok(unchanged_report(e, start));
            }
        }
        let reporters: BTreeSet<String> = figures.iter().map(|f| f.reporter.clone()).collect();
        let years: BTreeSet<i32> = figures
            .iter()
            .flat_map(|f| [f.span.start.year(), f.span.end.year()])
            .collect();
        let now = time::unix_now();
        let info = DatasetInfo {
            name: name.to_string(),
            kind: DatasetKind::Facts,
            version: 0,
            path: String::new(),
            created_at: format_rfc3339(now),
            created_at_unix: now,
            entrepot_version: ENTREPOT_VERSION.to_string(),
            sources: source_files
                .iter()
                .map(|(p, sha)| SourceFile {
                    path: p.display().to_string(),
                    sha256: sha.clone(),
                    size: fs::metadata(p).ok().map(|m| m.len()),
                })
                .collect(),
            readers: Vec::new(),
            rows: figures.len() as u64,
            rejected: 0,
            reporters: reporters.into_iter().collect(),
            years: years.into_iter().collect(),
            partition_columns: Vec::new(),
            partitions: files,
            checksum,
        };
        let info = match self.commit(&lock, &staging, info) {
            Ok(i) => i,
            Err(e) => {
                self.discard_staging(&staging);
                return Err(e);
            }
        };
        Ok(report_of(&info, false, start))
    }

    /// Removes a dataset: the manifest entry first (atomically), then its files.
    pub fn remove(&mut self, name: &str) -> Result<DatasetInfo, StoreError> {
        let lock = self.lock()?;
        let mut manifest = self.manifest.clone();
        let info = manifest
            .datasets
            .remove(name)
            .ok_or_else(|| StoreError::NotFound(name.to_string()))?;
        manifest.updated_at = format_rfc3339(time::unix_now());
        manifest.entrepot_version = ENTREPOT_VERSION.to_string();
        manifest.save(&self.dir)?;
        self.manifest = manifest;
        crash_point("after_manifest");
        let ds = self.dir.join(DATASETS_DIR);
        let ds_dir = ds.join(name);
        if is_real_dir(&ds_dir) {
            if let Some(_no_readers) = lock::no_readers(&self.dir) {
                remove_tree(&ds_dir)?;
                sync_dir(&ds)?;
            }
        }
        drop(lock);
        Ok(info)
    }

    /// Loads the flows matching `filter`. Files are pruned by year and reporter range
    /// from the manifest before any is opened, row groups by their `reporter`
    /// statistics; then the rows are filtered. Reads both layouts.
    pub fn load_flows(&self, filter: &FlowFilter) -> Result<Vec<TradeFlow>, StoreError> {
        let datasets: Vec<&DatasetInfo> = match &filter.dataset {
            Some(n) => vec![self.flows_dataset(n)?],
            None => self
                .manifest
                .datasets
                .values()
                .filter(|d| d.kind == DatasetKind::Flows)
                .collect(),
        };
        let mut out = Vec::new();
        for d in datasets {
            let base = self.dir.join(&d.path);
            for p in &d.partitions {
                let Some(year) = p.year else { continue };
                if filter.years.as_ref().is_some_and(|y| !y.contains(&year))
                    || filter
                        .reporter
                        .as_ref()
                        .is_some_and(|r| !p.may_hold_reporter(r))
                {
                    continue;
                }
                // Layout 1 files hold one reporter, named only in the manifest.
                let path_reporter = match p.layout() {
                    FileLayout::ReporterYear => p.reporter.as_deref(),
                    FileLayout::Year => None,
                    FileLayout::Facts => continue,
                };
                let path = base.join(&p.path);
                let reporter = filter
                    .reporter
                    .as_deref()
                    .filter(|_| path_reporter.is_none());
                for batch in open_stored_pruned(&path, p, reporter)? {
                    let batch = batch.map_err(|e| StoreError::from(e).in_file(&path))?;
                    let batch = filter_rows(&batch, filter).map_err(|e| e.in_file(&path))?;
                    if batch.num_rows() == 0 {
                        continue;
                    }
                    let full =
                        to_canonical(&batch, path_reporter, year).map_err(|e| e.in_file(&path))?;
                    out.extend(batch_to_flows(&full, &d.name)?);
                }
            }
        }
        Ok(out)
    }

    /// Loads the published figures of one facts dataset, or of all of them.
    pub fn load_facts(&self, dataset: Option<&str>) -> Result<Vec<PublishedFigure>, StoreError> {
        let datasets: Vec<&DatasetInfo> = match dataset {
            Some(n) => {
                let d = self
                    .dataset(n)
                    .ok_or_else(|| StoreError::NotFound(n.to_string()))?;
                check_kind(d, DatasetKind::Facts)?;
                vec![d]
            }
            None => self
                .manifest
                .datasets
                .values()
                .filter(|d| d.kind == DatasetKind::Facts)
                .collect(),
        };
        let mut out = Vec::new();
        for d in datasets {
            for p in &d.partitions {
                let path = self.dir.join(&d.path).join(&p.path);
                for batch in open_stored(&path, p)? {
                    let batch = batch.map_err(|e| StoreError::from(e).in_file(&path))?;
                    out.extend(facts::batch_to_figures(&batch).map_err(|e| e.in_file(&path))?);
                }
            }
        }
        Ok(out)
    }

    /// Takes the writer lock, re-reads the manifest and removes leftovers.
    /// Validates the name, takes the writer lock and returns the dataset's current
    /// entry, which must be of `kind` if it exists.
    fn begin_write(
        &mut self,
        name: &str,
        kind: DatasetKind,
    ) -> Result<(StoreLock, Option<DatasetInfo>), StoreError> {
        validate_dataset_name(name)?;
        let lock = self.lock()?;
        if let Some(other) = self
            .manifest
            .datasets
            .keys()
            .find(|k| k.as_str() != name && k.eq_ignore_ascii_case(name))
        {
            return Err(StoreError::NameCollision {
                name: name.to_string(),
                existing: other.clone(),
            });
        }
        let existing = self.manifest.datasets.get(name).cloned();
        if let Some(e) = &existing {
            check_kind(e, kind)?;
        }
        Ok((lock, existing))
    }

    /// Takes the writer lock, (re-)reads the manifest — writing an empty one into an
    /// empty directory, so that a store always has a manifest before it has data —
    /// and collects garbage under it.
    fn lock(&mut self) -> Result<StoreLock, StoreError> {
        let lock = StoreLock::acquire(&self.dir)?;
        self.manifest = match Manifest::load_existing(&self.dir)? {
            Some(m) => m,
            None => {
                if !is_empty_store_dir(&self.dir)? {
                    return Err(manifest_lost(&self.dir));
                }
                let mut m = Manifest {
                    updated_at: format_rfc3339(time::unix_now()),
                    ..Manifest::default()
                };
                m.save(&self.dir)?;
                m
            }
        };
        lock::ensure_readers_file(&self.dir)?;
        gc(&self.dir, &self.manifest)?;
        Ok(lock)
    }

    fn new_staging(&self, name: &str) -> Result<PathBuf, StoreError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let unique = format!(
            "{name}-{}-{nanos}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let staging = self.dir.join(STAGING_DIR);
        ensure_real_dir(&staging)?;
        let path = staging.join(unique);
        fs::create_dir(&path).at(&path)?;
        Ok(path)
    }

    fn discard_staging(&self, staging: &Path) {
        let _ = remove_tree(staging);
        remove_dir_if_empty(&self.dir.join(STAGING_DIR));
    }

    /// Moves a staged version into place and publishes it in the manifest.
    fn commit(
        &mut self,
        _lock: &StoreLock,
        staging: &Path,
        mut info: DatasetInfo,
    ) -> Result<DatasetInfo, StoreError> {
        let old = self.manifest.datasets.get(&info.name).cloned();
        info.version = old.as_ref().map_or(0, |o| o.version) + 1;
        info.path = format!("{DATASETS_DIR}/{}/v{}", info.name, info.version);
        let ds_root = self.dir.join(DATASETS_DIR);
        let ds_dir = ds_root.join(&info.name);
        let target = self.dir.join(&info.path);
        ensure_real_dir(&ds_root)?;
        ensure_real_dir(&ds_dir)?;
        sync_dir(&ds_root)?;
        if fs::symlink_metadata(&target).is_ok() && !is_real_dir(&target) {
            return Err(StoreError::Unsafe {
                path: target,
                message: "expected a dataset version directory".into(),
            });
        }
        // Not referenced by the manifest, hence garbage.
        remove_tree(&target)?;
        crash_point("before_rename");
        fs::rename(staging, &target).at(&target)?;
        sync_dir(&ds_dir)?;
        sync_dir(&self.dir.join(STAGING_DIR))?;
        crash_point("after_rename");
        let mut manifest = self.manifest.clone();
        manifest.updated_at = info.created_at.clone();
        manifest.entrepot_version = ENTREPOT_VERSION.to_string();
        manifest.datasets.insert(info.name.clone(), info.clone());
        manifest.save(&self.dir)?;
        self.manifest = manifest;
        crash_point("after_manifest");
        if let Some(o) = old {
            let old_dir = self.dir.join(&o.path);
            // A read view may still be reading the old version: then it stays until a
            // later writer finds no reader (see `gc`).
            if old_dir != target && is_real_dir(&old_dir) {
                if let Some(_no_readers) = lock::no_readers(&self.dir) {
                    let _ = remove_tree(&old_dir);
                    let _ = sync_dir(&ds_dir);
                }
            }
        }
        remove_dir_if_empty(&self.dir.join(STAGING_DIR));
        Ok(info)
    }
}

/// A value from data or a manifest as shown in a message: control bytes escaped,
/// long values cut.
pub(crate) fn display(s: &str) -> String {
    entrepot_core::text::display_value(s)
}

fn not_a_directory(dir: &Path) -> StoreError {
    StoreError::NotAStore {
        dir: dir.to_path_buf(),
        message: "not a directory".into(),
    }
}

fn manifest_lost(dir: &Path) -> StoreError {
    StoreError::NotAStore {
        dir: dir.to_path_buf(),
        message: format!(
            "it holds files but no {MANIFEST_FILE} (it is not an Entrepôt store, or its \
             manifest was lost: restore {MANIFEST_FILE} from a backup; datasets are never \
             collected without a manifest)"
        ),
    }
}

/// The manifest of `dir`, or an empty one when the directory holds nothing but the
/// store's lock files; a directory with other files and no manifest is refused.
fn load_manifest(dir: &Path) -> Result<Manifest, StoreError> {
    match Manifest::load_existing(dir)? {
        Some(m) => Ok(m),
        None if is_empty_store_dir(dir)? => Ok(Manifest::default()),
        None => Err(manifest_lost(dir)),
    }
}

/// Whether `dir` holds nothing but the lock files of a store.
fn is_empty_store_dir(dir: &Path) -> Result<bool, StoreError> {
    for e in fs::read_dir(dir).at(dir)? {
        let name = e.at(dir)?.file_name();
        if name != lock::LOCK_FILE && name != lock::READERS_FILE {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `path` is a real directory (not a symbolic link to one).
fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_dir())
}

/// Makes sure `path` is a real directory inside the store, creating it if absent;
/// a symbolic link or a file in its place is refused.
fn ensure_real_dir(path: &Path) -> Result<(), StoreError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(_) => Err(StoreError::Unsafe {
            path: path.to_path_buf(),
            message: "expected a directory of the store, found a symbolic link or a file".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir(path).at(path)?;
            Ok(())
        }
        Err(e) => Err(StoreError::fs(path, e)),
    }
}

/// Whether `name` is a staging folder name the store generates
/// (`<dataset>-<pid>-<nanos>-<seq>`).
fn is_staging_name(name: &str) -> bool {
    let mut parts = name.rsplitn(4, '-');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next())
        && digits(parts.next())
        && digits(parts.next())
        && parts
            .next()
            .is_some_and(|n| validate_dataset_name(n).is_ok())
}

/// Whether `name` is a version folder name (`v<N>`).
fn is_version_name(name: &str) -> bool {
    name.len() > 1 && name.starts_with('v') && name[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Removes `.staging/*`, `manifest.json.tmp` and, when no reader is active, the
/// version directories that the manifest does not reference. The caller holds the
/// writer lock and a valid manifest. Only names the store generates are removed, and
/// a symbolic link is never followed: a symlinked `.staging`, dataset or version
/// folder is left alone (it is not the store's).
fn gc(dir: &Path, manifest: &Manifest) -> Result<(), StoreError> {
    let staging = dir.join(STAGING_DIR);
    if is_real_dir(&staging) {
        for e in fs::read_dir(&staging).at(&staging)? {
            let e = e.at(&staging)?;
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if is_staging_name(&name) && is_real_dir(&p) {
                remove_tree(&p)?;
            }
        }
        remove_dir_if_empty(&staging);
    }
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    if fs::symlink_metadata(&tmp).is_ok() {
        let _ = fs::remove_file(&tmp);
    }
    let ds_root = dir.join(DATASETS_DIR);
    if !is_real_dir(&ds_root) {
        return Ok(());
    }
    // Old versions only go when no read view holds the store.
    let Some(_no_readers) = lock::no_readers(dir) else {
        return Ok(());
    };
    for e in fs::read_dir(&ds_root).at(&ds_root)? {
        let e = e.at(&ds_root)?;
        let ds_dir = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if validate_dataset_name(&name).is_err() || !is_real_dir(&ds_dir) {
            continue;
        }
        let keep = manifest
            .datasets
            .get(&name)
            .map(|d| format!("v{}", d.version));
        for v in fs::read_dir(&ds_dir).at(&ds_dir)? {
            let v = v.at(&ds_dir)?;
            let vname = v.file_name().to_string_lossy().into_owned();
            if !is_version_name(&vname) || !is_real_dir(&v.path()) {
                continue;
            }
            if keep.as_deref() != Some(vname.as_str()) {
                remove_tree(&v.path())?;
            }
        }
        if keep.is_none() {
            remove_dir_if_empty(&ds_dir);
        }
    }
    Ok(())
}

/// Test hook: when `ENTREPOT_STORE_CRASH_AT` names this point, the process kills
/// itself with SIGKILL (used by the crash-safety tests).
fn crash_point(point: &str) {
    #[cfg(unix)]
    if std::env::var("ENTREPOT_STORE_CRASH_AT").is_ok_and(|v| v == point) {
        // SAFETY: sending a signal to our own process.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = point;
}

/// What identifies the content of a source file cheaply: size, modification time
/// and inode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceStamp {
    path: PathBuf,
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: (u64, u64),
}

fn stamp(path: &Path) -> Result<SourceStamp, StoreError> {
    let m = fs::metadata(path).at(path)?;
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    };
    #[cfg(not(unix))]
    let inode = (0, 0);
    Ok(SourceStamp {
        path: path.to_path_buf(),
        len: m.len(),
        modified: m.modified().ok(),
        inode,
    })
}

/// The stamps of the source files before they are read.
fn snapshot_sources(paths: &[PathBuf]) -> Result<Vec<SourceStamp>, StoreError> {
    paths.iter().map(|p| stamp(p)).collect()
}

/// Fails with [`StoreError::SourceChanged`] when a source's stamp moved while it was
/// read, or when the bytes hashed are not the file's size then.
fn check_sources_unchanged(
    before: &[SourceStamp],
    hashed: &[SourceFile],
) -> Result<(), StoreError> {
    for (i, b) in before.iter().enumerate() {
        let now = stamp(&b.path).ok();
        let size_hashed = hashed.get(i).and_then(|h| h.size);
        if now.as_ref() != Some(b) || size_hashed.is_some_and(|n| n != b.len) {
            return Err(StoreError::SourceChanged {
                path: b.path.clone(),
            });
        }
    }
    Ok(())
}

/// Whether `m` (the metadata of one file) is the same file as `other`.
fn same_inode(m: &fs::Metadata, other: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(other).is_ok_and(|o| o.dev() == m.dev() && o.ino() == m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (m, other);
        false
    }
}

/// Checks that a stored file is a regular file (not a symbolic link) of the size
/// the manifest records; every reader calls it before opening a file.
pub fn check_stored_file(path: &Path, f: &PartitionFile) -> Result<(), StoreError> {
    check_file(path, f)
}

fn check_file(path: &Path, f: &PartitionFile) -> Result<(), StoreError> {
    let m = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Integrity {
                path: path.to_path_buf(),
                message: "missing (the manifest lists it); run `entrepot verify` and \
                          re-ingest the dataset"
                    .into(),
            })
        }
        Err(e) => return Err(StoreError::fs(path, e)),
    };
    if !m.file_type().is_file() {
        return Err(StoreError::Unsafe {
            path: path.to_path_buf(),
            message: "a stored file that is not a regular file (a symbolic link?)".into(),
        });
    }
    if m.len() != f.bytes {
        return Err(StoreError::Integrity {
            path: path.to_path_buf(),
            message: format!(
                "{} bytes where the manifest records {}; the file was altered",
                m.len(),
                f.bytes
            ),
        });
    }
    Ok(())
}

/// Opens a stored Parquet file after checking it against the manifest; errors name
/// the file.
fn open_stored(
    path: &Path,
    f: &PartitionFile,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, StoreError> {
    open_stored_pruned(path, f, None)
}

/// [`open_stored`], reading only the row groups whose `reporter` statistics admit
/// `reporter` (all of them when `None` or when the file has no such statistics).
fn open_stored_pruned(
    path: &Path,
    f: &PartitionFile,
    reporter: Option<&str>,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, StoreError> {
    check_file(path, f)?;
    let file = File::open(path).at(path)?;
    let named = |e: parquet::errors::ParquetError| StoreError::from(e).in_file(path);
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(named)?;
    let builder = match reporter {
        Some(r) => {
            let groups = row_groups_admitting(builder.metadata(), col::REPORTER, r);
            builder.with_row_groups(groups)
        }
        None => builder,
    };
    builder.build().map_err(named)
}

/// The row groups whose min/max statistics of the text column `column` admit
/// `value` (a row group without them is kept).
fn row_groups_admitting(
    meta: &parquet::file::metadata::ParquetMetaData,
    column: &str,
    value: &str,
) -> Vec<usize> {
    use parquet::file::statistics::Statistics;
    let schema = meta.file_metadata().schema_descr();
    let Some(c) = (0..schema.num_columns()).find(|&i| schema.column(i).name() == column) else {
        return (0..meta.num_row_groups()).collect();
    };
    (0..meta.num_row_groups())
        .filter(|&g| {
            let Some(Statistics::ByteArray(s)) = meta.row_group(g).column(c).statistics() else {
                return true;
            };
            let v = value.as_bytes();
            // Truncated statistics are still bounds (a shorter minimum, a larger
            // maximum).
            let below = s.min_opt().is_some_and(|m| v < m.data());
            let above = s.max_opt().is_some_and(|m| v > m.data());
            !(below || above)
        })
        .collect()
}

/// The SHA-256 and size of every source file.
fn hash_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, StoreError> {
    paths
        .iter()
        .map(|p| {
            sha256_file(p).map(|(sha256, size)| SourceFile {
                path: p.display().to_string(),
                sha256,
                size: Some(size),
            })
        })
        .collect()
}

fn same_sources(a: &[SourceFile], b: &[SourceFile]) -> bool {
    let mut x: Vec<&str> = a.iter().map(|s| s.sha256.as_str()).collect();
    let mut y: Vec<&str> = b.iter().map(|s| s.sha256.as_str()).collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// SHA-256 over `path\tsha256\n` of every file, in path order.
fn content_checksum(files: &[PartitionFile]) -> String {
    let mut sorted: Vec<&PartitionFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut h = Sha256::new();
    for f in sorted {
        h.update(f.path.as_bytes());
        h.update(b"\t");
        h.update(f.sha256.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{}", fsutil::hex(&h.finalize()))
}

fn report_of(info: &DatasetInfo, unchanged: bool, start: Instant) -> IngestReport {
    let partitions: BTreeSet<(Option<&String>, Option<i32>)> = info
        .partitions
        .iter()
        .map(|p| (p.reporter.as_ref(), p.year))
        .collect();
    IngestReport {
        dataset: info.name.clone(),
        version: info.version,
        rows: info.rows,
        rejected: info.rejected,
        partitions: partitions.len(),
        files: info.partitions.len(),
        unchanged,
        checksum: info.checksum.clone(),
        quarantine_path: None,
        duration: start.elapsed(),
    }
}

fn unchanged_report(info: &DatasetInfo, start: Instant) -> IngestReport {
    report_of(info, true, start)
}

fn check_flow_schema(batch: &RecordBatch, desc: &str) -> Result<(), StoreError> {
    let want = flows_schema();
    let got = batch.schema();
    let same = got.fields().len() == want.fields().len()
        && got
            .fields()
            .iter()
            .zip(want.fields().iter())
            .all(|(g, w)| g.name() == w.name() && g.data_type() == w.data_type());
    if same {
        Ok(())
    } else {
        Err(StoreError::Read {
            reader: desc.to_string(),
            error: entrepot_io::IoError::Schema(format!(
                "batch does not have the canonical flows schema: {got:?}"
            )),
        })
    }
}

/// The error of an ingest whose reading thread stopped without finishing (a reader
/// panicked).
fn reader_panicked() -> StoreError {
    StoreError::Corrupt("a reader panicked before the end of its source".into())
}

/// A message from the reading thread of an ingest.
enum ReadMsg {
    /// The outcome of one `next_batch` call of source `index`: `Ok(None)` when the
    /// source is exhausted, an error stops the reading.
    Batch {
        index: usize,
        batch: Result<Option<RecordBatch>, entrepot_io::IoError>,
        rejected: Vec<RowError>,
        bytes_read: u64,
        bytes_total: Option<u64>,
    },
    /// Every source was read to its end.
    Done,
}

/// Reads the sources in order and sends their batches; stops at the first error or
/// when the receiver is gone (the ingest failed).
fn read_sources(sources: Vec<Box<dyn FlowReader>>, tx: std::sync::mpsc::SyncSender<ReadMsg>) {
    for (index, mut reader) in sources.into_iter().enumerate() {
        loop {
            let batch = reader.next_batch();
            let stop = batch.is_err();
            let end = matches!(batch, Ok(None));
            let rejected = if stop {
                Vec::new()
            } else {
                reader.take_rejected()
            };
            let (bytes_read, bytes_total) = reader.progress();
            let msg = ReadMsg::Batch {
                index,
                batch,
                rejected,
                bytes_read,
                bytes_total,
            };
            if tx.send(msg).is_err() || stop {
                return;
            }
            if end {
                break;
            }
        }
    }
    let _ = tx.send(ReadMsg::Done);
}

/// Rejected rows, counted and optionally written to a CSV file.
struct Quarantine {
    mode: OnError,
    writer: Option<(csv::Writer<File>, PathBuf)>,
    count: u64,
}

impl Quarantine {
    fn new(opts: &IngestOptions) -> Result<Self, StoreError> {
        let writer = match (&opts.on_error, &opts.quarantine_path) {
            (OnError::Quarantine, Some(p)) => {
                let f = File::create(p).at(p)?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(["file", "line", "column", "value", "message", "raw"])
                    .map_err(|e| csv_err(p, e))?;
                Some((w, p.clone()))
            }
            _ => None,
        };
        Ok(Quarantine {
            mode: opts.on_error,
            writer,
            count: 0,
        })
    }

    fn add(&mut self, rows: Vec<RowError>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        if self.mode == OnError::Fail {
            if let Some(first) = rows.into_iter().next() {
                return Err(StoreError::Row(Box::new(first)));
            }
            return Ok(());
        }
        self.count += rows.len() as u64;
        if let Some((w, p)) = self.writer.as_mut() {
            for r in rows {
                w.write_record([
                    r.file.as_str(),
                    &r.line.to_string(),
                    r.column.as_deref().unwrap_or(""),
                    r.value.as_deref().unwrap_or(""),
                    r.message.as_str(),
                    r.raw.as_deref().unwrap_or(""),
                ])
                .map_err(|e| csv_err(p, e))?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<u64, StoreError> {
        if let Some((mut w, p)) = self.writer {
            w.flush().at(&p)?;
        }
        Ok(self.count)
    }
}

fn csv_err(p: &Path, e: csv::Error) -> StoreError {
    StoreError::fs(p, std::io::Error::other(e.to_string()))
}

/// Keeps the rows of a stored-file batch that pass the filters on its columns (the
/// reporter too when the file holds it).
fn filter_rows(batch: &RecordBatch, f: &FlowFilter) -> Result<RecordBatch, StoreError> {
    let reporter = match (&f.reporter, batch.column_by_name(col::REPORTER)) {
        (Some(r), Some(_)) => Some((r.as_str(), writer::string_col(batch, col::REPORTER)?)),
        _ => None,
    };
    if reporter.is_none() && f.partner.is_none() && f.flow.is_none() && f.product_level.is_none() {
        return Ok(batch.clone());
    }
    let partner = writer::string_col(batch, col::PARTNER)?;
    let flow = writer::string_col(batch, col::FLOW)?;
    let level = batch
        .column_by_name(col::PRODUCT_LEVEL)
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
        .ok_or_else(|| StoreError::Corrupt("column 'product_level' missing or not Int32".into()))?;
    let mask: BooleanArray = (0..batch.num_rows())
        .map(|i| {
            Some(
                reporter.is_none_or(|(r, col)| col.value(i) == r)
                    && f.partner.as_deref().is_none_or(|p| partner.value(i) == p)
                    && f.flow.is_none_or(|k| flow.value(i) == k.as_str())
                    && f.product_level
                        .is_none_or(|l| level.value(i) == i32::from(l)),
            )
        })
        .collect();
    Ok(filter_record_batch(batch, &mask)?)
}

/// Rebuilds a canonical batch from a stored-file batch: `year` from the manifest,
/// `reporter` from the file (layout 2) or, for layout 1, from the manifest
/// (`path_reporter`).
fn to_canonical(
    batch: &RecordBatch,
    path_reporter: Option<&str>,
    year: i32,
) -> Result<RecordBatch, StoreError> {
    let n = batch.num_rows();
    let schema = flows_schema();
    let cols = schema
        .fields()
        .iter()
        .map(|f| -> Result<ArrayRef, StoreError> {
            Ok(match (f.name().as_str(), path_reporter) {
                (col::REPORTER, Some(reporter)) => Arc::new(StringArray::from_iter_values(
                    std::iter::repeat_n(reporter, n),
                )),
                (col::YEAR, _) => Arc::new(Int32Array::from(vec![year; n])),
                (name, _) => batch.column_by_name(name).cloned().ok_or_else(|| {
                    StoreError::Corrupt(format!("stored flows file lacks column '{name}'"))
                })?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema, cols)?)
}

/// Fails with [`StoreError::KindMismatch`] unless the dataset is of `kind`.
fn check_kind(d: &DatasetInfo, kind: DatasetKind) -> Result<(), StoreError> {
    if d.kind == kind {
        Ok(())
    } else {
        Err(StoreError::KindMismatch {
            name: d.name.clone(),
            actual: d.kind.to_string(),
            expected: kind.to_string(),
        })
    }
}
