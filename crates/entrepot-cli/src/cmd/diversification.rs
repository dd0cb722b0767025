//! `entrepot diversification`: how concentrated a reporter's trade is across partners
//! or products, year by year.
//!
//! ```text
//! Usage: entrepot diversification REPORTER [--dataset NAME] [--flow export|import]
//!                                 [--across partners|products] [--hs-level 2|4|6]
//!                                 [--from YYYY] [--to YYYY] [--top K]
//!                                 [--markdown FILE] [--html FILE] [--json FILE]
//!                                 [--format table|json|csv]
//!
//! One row per year: the Herfindahl–Hirschman index (HHI) and its normalised form, the
//! effective number of partners (or products) 1/HHI, Shannon entropy, the top-1, top-3,
//! top-5 (and top-K) shares, the Theil index split into its between (extensive) and
//! within (intensive) parts (Cadot, Carrère and Strauss-Kahn 2011), the number of
//! partners or products, and the Hummels–Klenow (2005) extensive and intensive margins
//! against the dataset's world exports (absent, with the reason, when the dataset holds
//! no other exporter). A chart per index over time, the method notes with their
//! references and the data basis (dataset, rows summed, mirror cells).
//!
//! The data is one flows dataset of the store (the one named with --dataset, or the
//! only one that holds REPORTER), read as flow cubes: the reporter's flows by partner
//! (or HS product at --hs-level, default 6) and year, with flows the reporter does not
//! report filled from its partners' reports (mirror figures, counted in the data
//! basis). Trade of the reporter with itself and world rows are not partners.
//!
//! Output: a terminal report (default), --format json (the report document, schema:
//! crates/entrepot-doc/schema/document.schema.json), --format csv (the indices table),
//! --markdown FILE, --html FILE (with charts), --json FILE; `-` = stdout.
//! ```

use super::FlowArg;
use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_app::diversification::{Across, DiversificationRequest};
use entrepot_core::FlowKind;

/// What the indices are taken across.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AcrossArg {
    /// Partner countries.
    Partners,
    /// HS products (at --hs-level).
    Products,
}

/// Arguments of `entrepot diversification`.
#[derive(Args, Debug)]
pub struct DiversificationArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// The flows dataset to use when several hold the reporter.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Exports or imports.
    #[arg(long, value_enum, default_value_t = FlowArg::Export)]
    pub flow: FlowArg,
    /// Across partners or products.
    #[arg(long, value_enum, default_value_t = AcrossArg::Partners)]
    pub across: AcrossArg,
    /// HS level of products (2, 4 or 6) with --across products.
    #[arg(long, default_value_t = 6)]
    pub hs_level: u8,
    /// First year.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year.
    #[arg(long)]
    pub to: Option<i32>,
    /// An extra top-K share column (top-1, top-3 and top-5 are always shown).
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &DiversificationArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = DiversificationRequest {
        reporter: args.reporter.clone(),
        dataset: args.dataset.clone(),
        flow: FlowKind::from(args.flow),
        across: match args.across {
            AcrossArg::Partners => Across::Partners,
            AcrossArg::Products => Across::Products(args.hs_level),
        },
        from: args.from,
        to: args.to,
        top_k: args.top,
    };
    let out =
        entrepot_app::diversification::diversification(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "indices", None)
}
