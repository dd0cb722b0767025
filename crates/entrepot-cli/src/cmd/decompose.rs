//! `entrepot decompose`: where a reporter's export growth between two periods came
//! from.
//!
//! ```text
//! Usage: entrepot decompose REPORTER --from PERIOD --to PERIOD [--dataset NAME]
//!                           [--flow export|import] [--by partners|products|both]
//!                           [--hs-level 2|4|6] [--top N]
//!                           [--markdown FILE] [--html FILE] [--json FILE]
//!                           [--format table|json|csv]
//!
//! PERIOD is a year (2016), a month (2018-04), a quarter (2018-Q2) or a range of months
//! (2018-04..2018-09); both periods span the same number of months, --from before --to,
//! and each must be held in full for REPORTER.
//!
//! The constant-market-share (shift-share) decomposition of the change in exports
//! (Leamer and Stern 1970, three-level form, base-period weights): world demand (the
//! growth of the other exporters of the dataset), product mix, market mix and
//! competitiveness, adding up to the change, in money and in points of growth, with a
//! check that they add up and a chart. Then the contributions to growth by partner (and
//! by product): each one's change, growth, contribution in percentage points (adding up
//! to the total growth), the growth without it, and for a loss how much of it the
//! others made up; the --top N largest changes by name (default 10), the rest in one
//! row. Method notes with references and the data basis.
//!
//! --by both (the default when the dataset holds HS products) takes product × partner
//! cells; --by partners (the default otherwise) has no product mix, --by products no
//! market mix. The reference group is every other exporter of the dataset (world
//! excluding REPORTER): a dataset that holds only REPORTER has no world demand, and
//! the effects are absent with the reason (never zero); the contributions are still
//! given. With --flow import only the contributions are computed.
//!
//! The data is one flows dataset of the store (the one named with --dataset, or the
//! only one that holds REPORTER), read as flow cubes; flows REPORTER does not report
//! are filled from its partners' reports (mirror figures, counted in the data basis).
//!
//! Output: a terminal report (default), --format json (the report document, schema:
//! crates/entrepot-doc/schema/document.schema.json), --format csv (the effects and
//! contribution tables), --markdown FILE, --html FILE (with charts), --json FILE;
//! `-` = stdout.
//! ```

use super::FlowArg;
use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_app::decompose::{By, DecomposeRequest};
use entrepot_core::FlowKind;

/// What the decomposition is taken over.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByArg {
    /// Partner markets.
    Partners,
    /// HS products (at --hs-level).
    Products,
    /// Product × partner cells.
    Both,
}

/// Arguments of `entrepot decompose`.
#[derive(Args, Debug)]
pub struct DecomposeArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// The base period: YYYY, YYYY-MM, YYYY-Qn or YYYY-MM..YYYY-MM.
    #[arg(long)]
    pub from: String,
    /// The end period, of the same length as --from.
    #[arg(long)]
    pub to: String,
    /// The flows dataset to use when several hold the reporter.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Exports or imports (imports: the partner contributions only).
    #[arg(long, value_enum, default_value_t = FlowArg::Export)]
    pub flow: FlowArg,
    /// Partners, products or both (default: both when the dataset holds products).
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// HS level of products (2, 4 or 6).
    #[arg(long, default_value_t = 6)]
    pub hs_level: u8,
    /// Partners (products) shown by name, the largest changes first.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &DecomposeArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = DecomposeRequest {
        reporter: args.reporter.clone(),
        dataset: args.dataset.clone(),
        flow: FlowKind::from(args.flow),
        by: args.by.map(|b| match b {
            ByArg::Partners => By::Partners,
            ByArg::Products => By::Products,
            ByArg::Both => By::Both,
        }),
        hs_level: args.hs_level,
        from: args.from.clone(),
        to: args.to.clone(),
        top: args.top,
    };
    let out = entrepot_app::decompose::decompose(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "decompose-", None)
}
