//! `entrepot remove`: remove a dataset from the store.
//!
//! ```text
//! Usage: entrepot remove NAME
//!
//! Removes the dataset NAME: its manifest entry first (atomically), then its files
//! (at once, or by the next writer if a read command is using them). Exit code 4 when
//! the store has no such dataset.
//! ```

use crate::output::{app_error, print_listing};
use crate::Ctx;
use clap::Args;

/// Arguments of `entrepot remove`.
#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The dataset to remove.
    pub name: String,
}

/// Runs the command.
pub fn run(args: &RemoveArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let removed = entrepot_app::maintenance::remove(&ctx.store, &args.name).map_err(app_error)?;
    print_listing(ctx.format, &removed)
}
