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

use crate::output::{app_error, exit, exit_error, print_listing};
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
    let v = entrepot_app::maintenance::verify(&ctx.store, args.name.as_deref(), args.repair)
        .map_err(app_error)?;
    print_listing(ctx.format, &v.listing)?;
    if v.problems > 0 {
        return Err(exit_error(
            exit::FAILURE,
            format!(
                "{} problem(s) found; re-ingest the damaged dataset(s) to repair them",
                v.problems
            ),
        ));
    }
    Ok(())
}
