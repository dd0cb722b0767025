//! `entrepot project`: a reporter's world market share projected to a target year,
//! by several methods, with prediction intervals and the error each made on
//! held-back years.
//!
//! ```text
//! Usage: entrepot project REPORTER --to YYYY [--dataset NAME] [--basket NAME]
//!                         [--baskets-file FILE] [--from YYYY] [--level 0.8]
//!                         [--markdown FILE] [--html FILE] [--json FILE]
//!                         [--format table|json|csv]
//!
//! The share of REPORTER in the exports of every exporter of the dataset (in total,
//! or of a basket's HS6 products with --basket, as `entrepot edge` computes it), year
//! by year, projected to --to by:
//!
//!   log-linear trend   OLS of the share's log-odds on the year, t prediction interval
//!   damped trend       exponential smoothing ETS(A,Ad,N) (Hyndman et al. 2008), fitted
//!                      by likelihood, state-space prediction interval
//!   no change          the last share (random walk), the benchmark
//!
//! A rolling-origin backtest refits each method on the years up to each origin and
//! measures its error on the years after (MAE, RMSE in percentage points, MAPE,
//! interval coverage); the method with the lowest mean MAE is chosen, and its
//! projection is printed beside that error, never alone. The series needs at least
//! 10 consecutive years with a share (8 to fit, 2 held back); fewer exits 3 with the
//! number of years found.
//!
//! --level L          the prediction interval level, 0 < L < 1 (default 0.8)
//! --from YYYY        the first year of data used
//!
//! Output: a terminal report (default), --format json (the report document),
//! --format csv (the projection table, then the backtest tables), --markdown FILE,
//! --html FILE (with the chart), --json FILE; `-` = stdout.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::project::ProjectRequest;
use std::path::PathBuf;

/// Arguments of `entrepot project`.
#[derive(Args, Debug)]
pub struct ProjectArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// The target year.
    #[arg(long)]
    pub to: i32,
    /// The flows dataset to use when several hold the reporter.
    #[arg(long)]
    pub dataset: Option<String>,
    /// A product basket by name (built-in or from --baskets-file), any case.
    #[arg(long)]
    pub basket: Option<String>,
    /// A baskets file (`basket,revision,code,description`) added to the built-in ones.
    #[arg(long, env = "ENTREPOT_BASKETS_FILE")]
    pub baskets_file: Option<PathBuf>,
    /// First year of data used.
    #[arg(long)]
    pub from: Option<i32>,
    /// Prediction interval level, between 0 and 1.
    #[arg(long, default_value_t = 0.8)]
    pub level: f64,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &ProjectArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let baskets =
        entrepot_app::reference::load_baskets(args.baskets_file.as_ref()).map_err(app_error)?;
    let request = ProjectRequest {
        reporter: args.reporter.clone(),
        dataset: args.dataset.clone(),
        basket: args.basket.clone(),
        baskets,
        from: args.from,
        target: args.to,
        level: Some(args.level),
    };
    let out = entrepot_app::project::project(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "", None)
}
