//! `entrepot remove`: remove a dataset from the store.
//!
//! ```text
//! Usage: entrepot remove NAME
//!
//! Removes the dataset NAME: its manifest entry first (atomically), then its files
//! (at once, or by the next writer if a read command is using them). Exit code 4 when
//! the store has no such dataset.
//! ```

use crate::output::{exit, exit_error, print_rows};
use crate::Ctx;
use clap::Args;
use entrepot_store::{Store, StoreError};

/// Arguments of `entrepot remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The dataset to remove.
    pub name: String,
}

/// Runs the command.
pub fn run(args: &RemoveArgs, ctx: &Ctx) -> anyhow::Result<()> {
    // Removing needs an existing store: check before the write-capable open, which
    // would create the directory.
    let view = super::open_store_read(ctx)?;
    if view.dataset(&args.name).is_none() {
        return Err(exit_error(
            exit::NOT_FOUND,
            format!(
                "no dataset '{}' in {}",
                entrepot_core::text::display_value(&args.name),
                ctx.store.display()
            ),
        ));
    }
    drop(view);
    let mut store = Store::open(&ctx.store).map_err(super::ingest::store_exit)?;
    let info = store.remove(&args.name).map_err(|e| match e {
        StoreError::NotFound(_) => exit_error(exit::NOT_FOUND, e.to_string()),
        other => super::ingest::store_exit(other),
    })?;
    print_rows(
        ctx.format,
        &["dataset", "kind", "version", "rows", "status"],
        &[vec![
            info.name,
            info.kind.to_string(),
            info.version.to_string(),
            info.rows.to_string(),
            "removed".into(),
        ]],
    )
}
