//! `entrepot mirror`: mirror statistics of two countries — each one's reported exports
//! to the other against the other's reported imports from it.
//!
//! ```text
//! Usage: entrepot mirror REPORTER PARTNER [--dataset NAME] [--against NAME]
//!                        [--from YYYY] [--to YYYY] [--period YYYY] [--level 2|4|6]
//!                        [--top N] [--markdown FILE] [--html FILE] [--json FILE]
//!                        [--format table|json|csv]
//!
//! For each direction (REPORTER's exports to PARTNER, then PARTNER's to REPORTER) and
//! year: the exporter's report X, the importer's report M, the gap M − X in value and
//! in percent of X, and the ratio M/X read against the usual CIF/FOB margin of
//! 1.05–1.10 (imports are valued CIF, exports FOB; the margin is noted, never taken
//! off). For the year of --period (default: the last held), the same per HS product at
//! --level (default 6), the --top (default 20) largest gaps of each direction.
//!
//! The exporters' reports come from --dataset (or the only flows dataset that holds
//! either country), the importers' from --against (default: the same dataset), so two
//! sources or two releases can be compared. Only reported figures are compared: a
//! dataset that holds each flow once, on the exporter's side (CEPII BACI), has no
//! importer's report, and the command says so (exit code 4).
//!
//! Output: a terminal report (default), --format json (the report document, schema:
//! crates/entrepot-doc/schema/document.schema.json), --format csv (the tables),
//! --markdown FILE, --html FILE (with charts), --json FILE; `-` = stdout.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::mirror::MirrorRequest;

/// Arguments of `entrepot mirror`.
#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// Partner.
    pub partner: String,
    /// The flows dataset of the exporters' reports.
    #[arg(long)]
    pub dataset: Option<String>,
    /// The flows dataset of the importers' reports (default: --dataset).
    #[arg(long, value_name = "DATASET")]
    pub against: Option<String>,
    /// First year.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year.
    #[arg(long)]
    pub to: Option<i32>,
    /// The year of the product tables (default: the last held).
    #[arg(long, value_name = "YYYY")]
    pub period: Option<i32>,
    /// HS level of the products: 2, 4 or 6 digits.
    #[arg(long, default_value_t = 6)]
    pub level: u8,
    /// Rows of each product table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &MirrorArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = MirrorRequest {
        reporter: args.reporter.clone(),
        partner: args.partner.clone(),
        dataset: args.dataset.clone(),
        against: args.against.clone(),
        from: args.from,
        to: args.to,
        period: args.period,
        level: args.level,
        top: args.top,
    };
    let out = entrepot_app::mirror::mirror(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "mirror", None)
}
