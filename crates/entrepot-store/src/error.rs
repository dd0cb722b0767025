//! Errors of the store.

use entrepot_io::{IoError, RowError};
use std::path::PathBuf;
use thiserror::Error;

/// Errors of the `entrepot-store` crate.
#[derive(Debug, Error)]
pub enum StoreError {
    /// An operating-system error on a file or directory of the store.
    #[error("{path}: {source}")]
    Fs {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the writer lock of the store.
    #[error(
        "the store {dir} is locked by another writer{}; wait for it to finish \
         (the lock is {lock} and is released automatically when that process exits)",
        match pid { Some(p) => format!(" (pid {p})"), None => String::new() }
    )]
    Locked {
        /// The store directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The process id recorded in the lock file, if readable.
        pid: Option<u32>,
    },
    /// A dataset name that cannot be used.
    #[error(
        "invalid dataset name '{0}': use 1-64 ASCII letters, digits, '_', '-' or '.', \
         not starting with '.' or '-'"
    )]
    InvalidName(String),
    /// An object-store store (`s3://…`) could not be reached, read or written, or its
    /// URL cannot be used.
    #[error("{url}: {message}")]
    ObjectStore {
        /// The store's URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// No dataset of that name.
    #[error("dataset '{0}' not found in the store")]
    NotFound(String),
    /// The dataset exists and the ingest did not ask to replace it.
    #[error(
        "dataset '{name}' already exists (version {version}) with different sources; \
         pass --replace to write a new version (the old one is then removed), or \
         `entrepot remove {name}` first"
    )]
    Exists {
        /// Dataset name.
        name: String,
        /// Its current version.
        version: u64,
    },
    /// The dataset exists with another kind.
    #[error("dataset '{name}' holds {actual}, not {expected}; remove it first")]
    KindMismatch {
        /// Dataset name.
        name: String,
        /// Its kind in the manifest.
        actual: String,
        /// The kind the operation needs.
        expected: String,
    },
    /// A reader failed.
    #[error("{reader}: {error}")]
    Read {
        /// Description of the reader.
        reader: String,
        /// The reader's error.
        #[source]
        error: IoError,
    },
    /// A bad row, with the fail policy (including keys duplicated across source files).
    #[error("{0}")]
    Row(Box<RowError>),
    /// A partition value that cannot be used in a path.
    #[error("invalid value '{value}' for partition column '{column}'")]
    InvalidPartition {
        /// Partition column.
        column: &'static str,
        /// Offending value.
        value: String,
    },
    /// The manifest cannot be read or is of an unknown schema version.
    #[error("manifest {path}: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An explicitly named store directory does not exist.
    #[error("no store at {dir}: it does not exist (read commands create nothing)")]
    NoStore {
        /// The directory.
        dir: PathBuf,
    },
    /// A directory that is not a store (or whose manifest was lost) was refused.
    #[error("{dir} is not usable as a store: {message}; nothing was changed")]
    NotAStore {
        /// The directory.
        dir: PathBuf,
        /// Why.
        message: String,
    },
    /// An ingest that would store no rows (nothing is written).
    #[error(
        "dataset '{name}': no rows to store ({rejected} rejected); the ingest stores \
         nothing and the store is unchanged"
    )]
    Empty {
        /// Dataset name.
        name: String,
        /// Rows rejected.
        rejected: u64,
    },
    /// The sources of one ingest hold values in different currencies.
    #[error(
        "{second_source} holds values in {second}, but {first_source} holds values in {first}: \
         a dataset holds one currency and Entrepôt never sums or compares two; convert the \
         values to US dollars with an exchange-rate table (--fx FILE), or ingest each \
         currency as a dataset of its own. The store is unchanged"
    )]
    MixedCurrencies {
        /// The source read first.
        first_source: String,
        /// Its currency.
        first: String,
        /// The source in another currency.
        second_source: String,
        /// Its currency.
        second: String,
    },
    /// Flows in a currency other than US dollars asked for as [`entrepot_core::TradeFlow`]s,
    /// whose values are US dollars.
    #[error(
        "dataset '{name}' holds values in {currency}, not US dollars: read it through a flow \
         cube or SQL (its column is {column}), which keep the currency"
    )]
    NotUsd {
        /// Dataset name.
        name: String,
        /// Its currency.
        currency: String,
        /// Its value column.
        column: String,
    },
    /// A dataset name differing only in letter case from an existing one.
    #[error(
        "dataset name '{name}' differs only in letter case from the existing dataset \
         '{existing}'; SQL table names ignore case, so choose another name"
    )]
    NameCollision {
        /// The requested name.
        name: String,
        /// The existing name.
        existing: String,
    },
    /// The quarantine file would overwrite an input or write inside the store.
    #[error("quarantine file {quarantine}: {message}; choose another --quarantine path")]
    BadQuarantine {
        /// The quarantine path.
        quarantine: PathBuf,
        /// Why it is refused.
        message: String,
    },
    /// A source file changed while it was read.
    #[error(
        "{path}: the file changed while it was read (size, modification time or inode \
         differ); nothing was stored"
    )]
    SourceChanged {
        /// The source file.
        path: PathBuf,
    },
    /// A file of the store is missing or not what the manifest records.
    #[error("store integrity: {path}: {message}")]
    Integrity {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A path inside the store that the store refuses to follow (a symbolic link,
    /// or a file where a directory belongs).
    #[error("{path}: {message}; refusing to follow it")]
    Unsafe {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A Parquet or Arrow error while reading or writing one file.
    #[error("{path}: {message}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// The error.
        message: String,
    },
    /// A stored file does not have the expected content.
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// A Parquet error.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// An Arrow error.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A conversion error from `entrepot-io`.
    #[error(transparent)]
    Io(#[from] IoError),
}

impl StoreError {
    /// Wraps an I/O error with the path it happened on.
    pub(crate) fn fs(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Fs {
            path: path.into(),
            source,
        }
    }
}

impl StoreError {
    /// Names the file of a Parquet or Arrow error (other errors are returned as
    /// they are: they already say where they happened).
    pub(crate) fn in_file(self, path: &std::path::Path) -> StoreError {
        match self {
            StoreError::Parquet(e) => StoreError::InFile {
                path: path.to_path_buf(),
                message: format!("parquet: {e}"),
            },
            StoreError::Arrow(e) => StoreError::InFile {
                path: path.to_path_buf(),
                message: format!("arrow: {e}"),
            },
            other => other,
        }
    }
}

/// Extension to attach a path to `std::io::Result`.
pub(crate) trait FsContext<T> {
    /// Maps the error to [`StoreError::Fs`] with `path`.
    fn at(self, path: &std::path::Path) -> Result<T, StoreError>;
}

impl<T> FsContext<T> for std::io::Result<T> {
    fn at(self, path: &std::path::Path) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::fs(path, e))
    }
}
