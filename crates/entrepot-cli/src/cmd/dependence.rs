//! `entrepot dependence`: dependence and leverage between two countries, both
//! directions, year by year.
//!
//! ```text
//! Usage: entrepot dependence REPORTER PARTNER [--dataset NAME] [--from YYYY] [--to YYYY]
//!                            [--period YYYY] [--level 2|4|6] [--threshold SHARE]
//!                            [--top N] [--markdown FILE] [--html FILE] [--json FILE]
//!                            [--format table|json|csv]
//!
//! For each direction (REPORTER supplying PARTNER, then PARTNER supplying REPORTER) and
//! year: the share of the buyer's imports supplied by the supplier (its dependence),
//! the share of the supplier's exports the buyer takes (absorption), their asymmetry
//! (the difference, in percentage points: positive when the buyer depends more on the
//! supplier than the supplier on the buyer), the trade intensity index
//! (x_ij/X_i)/(m_j/(M_w − M_i)) (Brown 1949, Kojima 1964), and the number of
//! chokepoints with their value at stake. For the year of --period (default: the last
//! held), per HS product at --level (default 6): the chokepoints, the products of which
//! the supplier provides more than --threshold (default 0.5) of the buyer's imports,
//! by value at stake, and the --top (default 20) largest products.
//!
//! The data is one flows dataset of the store (--dataset, or the only one that holds
//! either country), read as flow cubes. A country's totals are its own reports, else
//! its partners' (mirror figures: BACI holds only exports, so every import there is a
//! mirror); the data basis says which. Totals made of partners' reports and world
//! imports need a dataset that covers world trade: on an extract of a few exporters
//! they are absent, with the reason, and so are the shares that need them.
//!
//! Output: a terminal report (default), --format json (the report document, schema:
//! crates/entrepot-doc/schema/document.schema.json), --format csv (the tables),
//! --markdown FILE, --html FILE (with charts), --json FILE; `-` = stdout.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::dependence::{DependenceRequest, DEFAULT_THRESHOLD};

/// Arguments of `entrepot dependence`.
#[derive(Args, Debug)]
pub struct DependenceArgs {
    /// Reporter: the supplier of the first direction (ISO3 or any known code).
    pub reporter: String,
    /// Partner: the buyer of the first direction.
    pub partner: String,
    /// The flows dataset to use when several hold the countries.
    #[arg(long)]
    pub dataset: Option<String>,
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
    /// Chokepoint threshold: the share of the buyer's imports (0 to 1) the supplier
    /// must exceed.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// Rows of each product table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &DependenceArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = DependenceRequest {
        reporter: args.reporter.clone(),
        partner: args.partner.clone(),
        dataset: args.dataset.clone(),
        from: args.from,
        to: args.to,
        period: args.period,
        level: args.level,
        threshold: args.threshold,
        top: args.top,
    };
    let out = entrepot_app::dependence::dependence(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "dependence", None)
}
