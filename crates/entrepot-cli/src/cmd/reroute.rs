//! `entrepot reroute`: did a reporter's exports to third countries rise together with
//! those countries' exports to a target market after a date?
//!
//! ```text
//! Usage: entrepot reroute ORIGIN TARGET --after YYYY [--to YYYY] [--dataset NAME]
//!                         [--level 2|4|6] [--top N]
//!                         [--markdown FILE] [--html FILE] [--json FILE]
//!                         [--format table|json|csv]
//!
//! For every third country T and product k: the change from the base year (--after,
//! the last year before the change) to the later year (--to, default the last year
//! held) of ORIGIN's exports to T and of T's exports to TARGET (TARGET's imports from
//! T, else T's reports: mirror), beside the direct flow ORIGIN→TARGET. Pairs where
//! both rose are listed by the value involved, min(ΔORIGIN→T, ΔT→TARGET), and summed
//! by third country.
//!
//! An indicator of possible re-routing (transshipment) through third countries, not
//! proof: production moving to the third country or demand growing everywhere looks
//! the same. Products are HS6 by default when the dataset holds product rows, else
//! the totals.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::reroute::RerouteRequest;

/// Arguments of `entrepot reroute`.
#[derive(Args, Debug)]
pub struct RerouteArgs {
    /// The origin (ISO3 or any known code), e.g. CHN.
    pub origin: String,
    /// The target market, e.g. USA.
    pub target: String,
    /// The base year: the last year before the change.
    #[arg(long)]
    pub after: i32,
    /// The later year (default: the last year the dataset holds).
    #[arg(long)]
    pub to: Option<i32>,
    /// The flows dataset to use when several hold the origin.
    #[arg(long)]
    pub dataset: Option<String>,
    /// HS level of products (2, 4 or 6; default 6 when the dataset holds products).
    #[arg(long)]
    pub level: Option<u8>,
    /// Number of (third country, product) pairs listed.
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &RerouteArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = RerouteRequest {
        reporter: args.origin.clone(),
        target: args.target.clone(),
        after: args.after,
        to: args.to,
        dataset: args.dataset.clone(),
        level: args.level,
        top: args.top,
    };
    let out = entrepot_app::reroute::reroute(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "pairs", None)
}
