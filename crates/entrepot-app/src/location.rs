//! Where the store is, and how each kind of request opens it.

use crate::error::{AppError, AppResult};
use entrepot_store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// The store a request runs against: its directory, and whether the user named it
/// (`--store`, `ENTREPOT_STORE`, a server option) or it is the per-user default.
#[derive(Debug, Clone)]
pub struct StoreLocation {
    dir: PathBuf,
    explicit: bool,
}

impl StoreLocation {
    /// A store the user named: it must exist for read requests.
    pub fn named(dir: impl Into<PathBuf>) -> Self {
        StoreLocation {
            dir: dir.into(),
            explicit: true,
        }
    }

    /// The per-user default store (e.g. `~/.local/share/entrepot`): it may be absent,
    /// and then holds no datasets.
    pub fn default_store() -> Self {
        StoreLocation {
            dir: entrepot_store::default_store_dir(),
            explicit: false,
        }
    }

    /// `named(dir)` when a directory is given, the default store otherwise.
    pub fn from_option(dir: Option<PathBuf>) -> Self {
        match dir {
            Some(d) => Self::named(d),
            None => Self::default_store(),
        }
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the user named the store.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// Opens the store for reading: creates nothing, collects nothing. A named store
    /// must exist; the default store may be absent (then it has no datasets). A store
    /// that exists but cannot be used is an error, never a silent fallback.
    pub fn open_read(&self) -> AppResult<Store> {
        match Store::open_read(&self.dir) {
            Ok(s) => Ok(s),
            Err(StoreError::NoStore { .. }) if !self.explicit => Ok(Store::empty(&self.dir)),
            Err(e @ StoreError::NoStore { .. }) => Err(AppError::not_found(e.to_string())),
            Err(e) => Err(AppError::failure(e.to_string())),
        }
    }

    /// Opens the store for writing (creating its directory when it does not exist).
    pub fn open_write(&self) -> AppResult<Store> {
        Ok(Store::open(&self.dir)?)
    }
}
