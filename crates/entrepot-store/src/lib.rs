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
//!
//! ## Modules
//!
//! `lib.rs` holds the [`Store`] handle (opening, the writer lock, staging, commit,
//! garbage collection); `ingest` the ingest pipeline (reading thread, source
//! checksums, duplicate keys via `keys`, quarantine, flows and facts writes);
//! `writer` and `sorted` the Parquet files (row routing, sorted flushes, writer
//! properties); `read` loading flows and facts back with pruning; `verify` the checks
//! of stored files; `manifest` the manifest format and its versions; `lock`, `fsutil`
//! and `time` the file-system plumbing.

#![warn(missing_docs)]

mod error;
mod facts;
mod fsutil;
mod ingest;
mod keys;
mod lock;
mod manifest;
pub mod object;
mod read;
mod sorted;
mod time;
mod verify;
mod writer;

pub use error::StoreError;
pub use facts::{facts_schema, unit_from_str, unit_to_str};
pub use fsutil::{sha256_bytes, sha256_file};
pub use manifest::{
    DatasetInfo, DatasetKind, FileLayout, FlowsContent, Manifest, PartitionFile, ReporterRange,
    SourceFile, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, OLDEST_MANIFEST_SCHEMA_VERSION,
};
pub use time::format_rfc3339;
pub use verify::check_stored_file;
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
/// What writing a flows dataset gave: files, reporters, rows stored and rejected, and
/// the currency of the values.
type WrittenFlows = (writer::SinkOutput, u64, u64, String);

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
    /// Where the files are when the store is on an object store (a read view made by
    /// [`Store::open_object_read`]); `dir` is then its URL.
    object: Option<object::ObjectLocation>,
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
            object: None,
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
            object: None,
        })
    }

    /// Opens the store on an object store at `location` for reading: fetches its
    /// manifest (creates, locks and removes nothing). No manifest there is
    /// [`StoreError::NoStore`]. The view's [`Store::dir`] is the store's URL, and its
    /// dataset and file paths are URLs (`s3://BUCKET/PREFIX/datasets/…`), which
    /// `entrepot-query` reads through the object store; see [`object`].
    pub fn open_object_read(location: &object::ObjectLocation) -> Result<Store, StoreError> {
        let client = location.client()?;
        let loc = location.clone();
        let fetched =
            object::block_on(async move { object::fetch_manifest(client.as_ref(), &loc).await })?;
        let Some((manifest, _version)) = fetched else {
            return Err(StoreError::NoStore {
                dir: location.as_dir(),
            });
        };
        Ok(Store {
            dir: location.as_dir(),
            manifest,
            limits: SinkLimits::default(),
            _readers: lock::ReadGuard::none(),
            object: Some(location.clone()),
        })
    }

    /// The staging store of an object-store write ([`object::ObjectWrite::dir`]): a
    /// local store whose datasets, but those it writes itself, have their files on the
    /// object store at `location`. Checks of those files (`verify`, an ingest deciding
    /// whether a dataset is unchanged or must be repaired) read them there.
    pub fn with_object_files(mut self, location: object::ObjectLocation) -> Store {
        self.object = Some(location);
        self
    }

    /// The object-store location of a view made by [`Store::open_object_read`].
    pub fn object_location(&self) -> Option<&object::ObjectLocation> {
        self.object.as_ref()
    }

    /// A read view of a store that does not exist yet (no datasets); touches nothing.
    pub fn empty(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            manifest: Manifest::default(),
            limits: SinkLimits::default(),
            _readers: lock::ReadGuard::none(),
            object: None,
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
