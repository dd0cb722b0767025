//! One module per command, each with its usage text at the top.

pub mod brief;
pub mod countries;
pub mod datasets;
pub mod gravity;
pub mod groups;
pub mod ingest;
pub mod products;
pub mod remove;
pub mod sql;
pub mod verify;

use crate::output::{exit, exit_error};
use crate::Ctx;
use entrepot_store::{Store, StoreError};

/// Opens the store for a read command: creates nothing, collects nothing. A store
/// named with `--store` (or `ENTREPOT_STORE`) must exist; the default store may be
/// absent (then it has no datasets). A store that exists but cannot be used is an
/// error, never a silent fallback.
pub fn open_store_read(ctx: &Ctx) -> anyhow::Result<Store> {
    match Store::open_read(&ctx.store) {
        Ok(s) => Ok(s),
        Err(StoreError::NoStore { .. }) if !ctx.store_explicit => Ok(Store::empty(&ctx.store)),
        Err(e @ StoreError::NoStore { .. }) => Err(exit_error(exit::NOT_FOUND, e.to_string())),
        Err(e) => Err(exit_error(exit::FAILURE, e.to_string())),
    }
}
