//! `entrepot verify`: check the stored files against the manifest.
//!
//! ```text
//! Usage: entrepot verify [NAME] [--repair]
//!
//! Checks that every file the manifest lists for NAME (default: every dataset) is a
//! regular file inside the store with the recorded size and SHA-256, and that the
//! dataset's content checksum matches. Prints one row per dataset; exits 1 when any
//! file is missing or altered (re-ingest that dataset to repair it). With --repair,
//! first removes the leftovers of interrupted writes (staging folders, unreferenced
//! versions) under the writer lock.
//! ```

use crate::output::{exit, exit_error, print_rows};
use crate::Ctx;
use clap::Args;

/// Arguments of `entrepot verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Only this dataset.
    pub name: Option<String>,
    /// Also remove the leftovers of interrupted writes (takes the writer lock).
    #[arg(long)]
    pub repair: bool,
}

/// Runs the command.
pub fn run(args: &VerifyArgs, ctx: &Ctx) -> anyhow::Result<()> {
    if args.repair {
        // Refuses a directory that is not a store, like every open.
        super::open_store_read(ctx)?;
        let mut store =
            entrepot_store::Store::open(&ctx.store).map_err(super::ingest::store_exit)?;
        store.collect_garbage().map_err(super::ingest::store_exit)?;
    }
    let store = super::open_store_read(ctx)?;
    let results = store.verify(args.name.as_deref()).map_err(|e| match e {
        entrepot_store::StoreError::NotFound(_) => exit_error(exit::NOT_FOUND, e.to_string()),
        other => exit_error(exit::FAILURE, other.to_string()),
    })?;
    let mut bad = 0usize;
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|(name, problems)| {
            let files = store.dataset(name).map_or(0, |d| d.partitions.len());
            bad += problems.len();
            vec![
                name.clone(),
                files.to_string(),
                if problems.is_empty() {
                    "ok".into()
                } else {
                    "DAMAGED".into()
                },
                problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    print_rows(
        ctx.format,
        &["dataset", "files", "status", "problems"],
        &rows,
    )?;
    if bad > 0 {
        return Err(exit_error(
            exit::FAILURE,
            format!("{bad} problem(s) found; re-ingest the damaged dataset(s) to repair them"),
        ));
    }
    Ok(())
}
