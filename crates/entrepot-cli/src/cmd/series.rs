//! `entrepot series`: a reporter's product series lined up in one HS revision.
//!
//! ```text
//! Usage: entrepot series REPORTER --hs HS2022|HS2017|HS2012 [--partner CODE]
//!                        [--flow export|import] [--dataset NAME]...
//!                        [--basket NAME | --products LIST] [--baskets-file FILE]
//!                        [--weights own|world|equal] [--overlap-year YYYY]
//!                        [--from YYYY] [--to YYYY]
//!                        [--markdown FILE] [--html FILE] [--json FILE]
//!                        [--format table|json|csv]
//!
//! REPORTER's exports (or imports) by HS6 code and year, every year in the codes of
//! --hs. A year the data holds in --hs is read as reported; a year held only in another
//! revision is converted through the built-in concordance (`entrepot products
//! --concord CODE --to REV` shows the links), keeping its total: read = in --hs codes
//! + codes without a link (listed apart, never dropped). A year held in two revisions
//! is read in --hs (the other is shown as set aside).
//!
//! --weights own      (default) a code with several targets is split by the targets'
//!                    values in an overlap year held in --hs: REPORTER's own flows
//!                    (same partner and direction) (Pierce and Schott 2012)
//! --weights world    … by every reporter's flows of that direction in that year
//! --weights equal    … equally among its targets
//! --overlap-year Y   the overlap year (default: the --hs year nearest to the converted
//!                    years)
//! --basket NAME      the basket's codes in --hs (built-in or from --baskets-file)
//! --products LIST    HS6 codes, comma-separated, of --hs or of another revision (an
//!                    older code stands for the codes it becomes: 854140 → 854141,
//!                    854142, 854143, 854149)
//! (neither)          every code
//!
//! The data: every flows dataset of the store, or those named with --dataset
//! (repeatable); two datasets holding the same revision for the same year are refused
//! (they would count the trade twice). Imports missing from REPORTER's own reports are
//! filled from partners' reports (mirror).
//!
//! Output: what each year read (revision, datasets, value read, converted, without a
//! link), a chart, the values by code and year with what each is made of (source codes
//! and weights), the weights with their basis, the unmapped rows and the method.
//! --format json (the report document), --format csv (the values table and the
//! others), --markdown FILE, --html FILE, --json FILE; `-` = stdout.
//!
//! E.g. `entrepot series CHN --hs HS2022 --products 854140 --dataset baci17 --dataset baci22`
//! ```

use super::FlowArg;
use crate::output::{app_error, exit, exit_error, print_document, ReportFiles};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_app::series::{SeriesRequest, WeightSource};
use entrepot_core::FlowKind;
use std::path::PathBuf;

/// How codes with several targets are split.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightsArg {
    /// By the reporter's own flows of the targets in the overlap year.
    Own,
    /// By every reporter's flows of the targets in the overlap year.
    World,
    /// Equally.
    Equal,
}

/// Arguments of `entrepot series`.
#[derive(Args, Debug)]
pub struct SeriesArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// The HS revision of the series (HS2022, HS2017, HS2012).
    #[arg(long)]
    pub hs: String,
    /// A partner (default: every partner).
    #[arg(long)]
    pub partner: Option<String>,
    /// Exports or imports.
    #[arg(long, value_enum, default_value_t = FlowArg::Export)]
    pub flow: FlowArg,
    /// A flows dataset to read (repeatable; default: every flows dataset).
    #[arg(long)]
    pub dataset: Vec<String>,
    /// A product basket by name (built-in or from --baskets-file), any case.
    #[arg(long, conflicts_with = "products")]
    pub basket: Option<String>,
    /// HS6 codes, comma-separated, of --hs or another revision.
    #[arg(long, value_delimiter = ',')]
    pub products: Option<Vec<String>>,
    /// A baskets file (`basket,revision,code,description`) added to the built-in ones.
    #[arg(long, env = "ENTREPOT_BASKETS_FILE")]
    pub baskets_file: Option<PathBuf>,
    /// How a code with several targets is split.
    #[arg(long, value_enum, default_value_t = WeightsArg::Own)]
    pub weights: WeightsArg,
    /// The overlap year of the trade-value weights.
    #[arg(long)]
    pub overlap_year: Option<i32>,
    /// First year.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year.
    #[arg(long)]
    pub to: Option<i32>,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &SeriesArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let target = args
        .hs
        .parse()
        .map_err(|e: entrepot_core::CoreError| exit_error(exit::USAGE, format!("--hs: {e}")))?;
    let baskets =
        entrepot_app::reference::load_baskets(args.baskets_file.as_ref()).map_err(app_error)?;
    let selection = super::edge::selection(&args.basket, &args.products);
    let request = SeriesRequest {
        reporter: args.reporter.clone(),
        partner: args.partner.clone(),
        flow: Some(FlowKind::from(args.flow)),
        datasets: args.dataset.clone(),
        target: Some(target),
        selection,
        baskets,
        weights: match args.weights {
            WeightsArg::Own => WeightSource::Own,
            WeightsArg::World => WeightSource::World,
            WeightsArg::Equal => WeightSource::Equal,
        },
        overlap_year: args.overlap_year,
        from: args.from,
        to: args.to,
    };
    let out = entrepot_app::series::series(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "series", None)
}
