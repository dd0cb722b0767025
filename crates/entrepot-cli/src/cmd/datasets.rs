//! `entrepot datasets`: the datasets in the store, with provenance.
//!
//! ```text
//! Usage: entrepot datasets [NAME] [--format table|json|csv]
//!
//! Lists every dataset in the store: kind (flows or facts), version, rows, rejected rows,
//! reporters, years, source files and checksums; plus the embedded sample (the China
//! customs facts shipped inside the binary), which needs no ingest. With NAME, shows that
//! dataset's manifest entry in full (JSON).
//! ```

use crate::output::{app_error, print_json, print_listing, Format};
use crate::Ctx;
use clap::Args;

/// Arguments of `entrepot datasets`.
#[derive(Args, Debug)]
pub struct DatasetsArgs {
    /// Show one dataset in full.
    pub name: Option<String>,
}

/// Runs the command.
pub fn run(args: &DatasetsArgs, ctx: &Ctx) -> anyhow::Result<()> {
    if let Some(n) = &args.name {
        let d = entrepot_app::datasets::dataset(&ctx.store, n).map_err(app_error)?;
        return print_json(&d);
    }
    let listing = entrepot_app::datasets::datasets(&ctx.store).map_err(app_error)?;
    if ctx.format == Format::Table {
        eprintln!("store: {}", ctx.store.dir().display());
    }
    print_listing(ctx.format, &listing)
}
