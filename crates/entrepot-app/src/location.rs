//! Where the store is, how each kind of request opens it, and where its queries run.
//!
//! A [`StoreLocation`] carries the query engine ([`crate::Engine`]): embedded
//! DataFusion (the default) or an Apache Ballista cluster. Every analysis opens its
//! flow cubes through [`StoreLocation::cubes`] and SQL through
//! [`StoreLocation::query_options`], so the engine is chosen once, by whoever names
//! the store (the CLI's `--engine`, the server's, the Python `Store`), and no analysis
//! knows which one runs its plans.

use crate::error::{AppError, AppResult};
use entrepot_cube::CubeEngine;
use entrepot_query::{Engine, QueryOptions};
use entrepot_store::object::{ObjectLocation, ObjectWrite};
use entrepot_store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// The store a request runs against: its directory, and whether the user named it
/// (`--store`, `ENTREPOT_STORE`, a server option) or it is the per-user default.
#[derive(Debug, Clone)]
pub struct StoreLocation {
    dir: PathBuf,
    explicit: bool,
    engine: Engine,
    /// For the staging store of an object-store write: where the files of the
    /// datasets it already holds are.
    staging_for: Option<ObjectLocation>,
}

impl StoreLocation {
    /// A store the user named: it must exist for read requests.
    pub fn named(dir: impl Into<PathBuf>) -> Self {
        StoreLocation {
            dir: dir.into(),
            explicit: true,
            engine: Engine::Local,
            staging_for: None,
        }
    }

    /// The per-user default store (e.g. `~/.local/share/entrepot`): it may be absent,
    /// and then holds no datasets.
    pub fn default_store() -> Self {
        StoreLocation {
            dir: entrepot_store::default_store_dir(),
            explicit: false,
            engine: Engine::Local,
            staging_for: None,
        }
    }

    /// `named(dir)` when a directory is given, the default store otherwise.
    pub fn from_option(dir: Option<PathBuf>) -> Self {
        match dir {
            Some(d) => Self::named(d),
            None => Self::default_store(),
        }
    }

    /// The same store, its queries run by `engine`.
    pub fn with_engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// Where the store's queries run.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Query settings for this store: its engine, and `memory_limit` (`None`: half
    /// the physical memory).
    pub fn query_options(&self, memory_limit: Option<u64>) -> QueryOptions {
        QueryOptions {
            memory_limit,
            engine: self.engine.clone(),
        }
    }

    /// The flow cubes of `store` (opened from this location), on this location's
    /// engine under the default memory limit.
    pub fn cubes(&self, store: &Store) -> AppResult<CubeEngine> {
        Ok(CubeEngine::with_options(store, &self.query_options(None))?)
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the user named the store.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The object-store location when the store is named by URL (`s3://BUCKET/PREFIX`);
    /// a URL that cannot be used is a usage error.
    pub fn object_location(&self) -> AppResult<Option<ObjectLocation>> {
        match self.dir.to_str() {
            Some(text) => ObjectLocation::parse(text).map_err(|e| AppError::usage(e.to_string())),
            None => Ok(None),
        }
    }

    /// Opens the store for reading: creates nothing, collects nothing. A named store
    /// must exist; the default store may be absent (then it has no datasets). A store
    /// that exists but cannot be used is an error, never a silent fallback. A store
    /// named by URL is read from its object store (its manifest fetched once).
    pub fn open_read(&self) -> AppResult<Store> {
        if let Some(object) = self.object_location()? {
            return match Store::open_object_read(&object) {
                Ok(s) => Ok(s),
                Err(e @ StoreError::NoStore { .. }) => Err(AppError::not_found(e.to_string())),
                Err(e) => Err(AppError::failure(e.to_string())),
            };
        }
        match Store::open_read(&self.dir) {
            Ok(s) => Ok(s),
            Err(StoreError::NoStore { .. }) if !self.explicit => Ok(Store::empty(&self.dir)),
            Err(e @ StoreError::NoStore { .. }) => Err(AppError::not_found(e.to_string())),
            Err(e) => Err(AppError::failure(e.to_string())),
        }
    }

    /// Opens the store for writing (creating its directory when it does not exist).
    /// A store named by URL is written through [`StoreLocation::write_with`] only.
    pub fn open_write(&self) -> AppResult<Store> {
        if self.object_location()?.is_some() {
            return Err(AppError::usage(format!(
                "{}: this command cannot write to an object store",
                self.dir.display()
            )));
        }
        let store = Store::open(&self.dir)?;
        Ok(match &self.staging_for {
            Some(object) => store.with_object_files(object.clone()),
            None => store,
        })
    }

    /// Runs a write (an ingest, a removal) on this store. On a local store, `write`
    /// runs on it directly. On an object store, `write` runs on a local staging store
    /// holding a copy of the manifest, under the object store's writer lock; what it
    /// added is then uploaded and the manifest replaced only if nobody changed it
    /// meanwhile (see `entrepot_store::object`). Either way, a write that fails leaves
    /// the store as it was.
    pub fn write_with<T>(
        &self,
        write: impl FnOnce(&StoreLocation) -> AppResult<T>,
    ) -> AppResult<T> {
        let Some(object) = self.object_location()? else {
            return write(self);
        };
        let staged = ObjectWrite::begin(&object).map_err(|e| match e {
            StoreError::ObjectStore { .. } | StoreError::NotAStore { .. } => {
                AppError::failure(e.to_string())
            }
            other => AppError::from(other),
        })?;
        let mut staging = StoreLocation::named(staged.dir()).with_engine(self.engine.clone());
        staging.staging_for = Some(object);
        let out = write(&staging)?;
        staged
            .publish()
            .map_err(|e| AppError::failure(e.to_string()))?;
        Ok(out)
    }
}
