//! `entrepot edge`: a reporter's world market shares and revealed comparative
//! advantage, by product, for a basket and in total, year by year.
//!
//! ```text
//! Usage: entrepot edge REPORTER [--dataset NAME] [--basket NAME | --products LIST]
//!                      [--baskets-file FILE] [--from YYYY] [--to YYYY] [--top N]
//!                      [--markdown FILE] [--html FILE] [--json FILE]
//!                      [--format table|json|csv]
//!
//! World market share s_rk = X_rk / X_wk and Balassa (1965) revealed comparative
//! advantage RCA_rk = (X_rk / X_r) / (X_wk / X_w) of REPORTER in each HS6 product k,
//! year by year, where the world is every exporter of the dataset (the report says
//! when the dataset does not cover world trade: an extract of a few exporters).
//!
//! --basket NAME      a built-in basket (electric_vehicles, lithium_ion_batteries,
//!                    solar_cells, industrial_robots; see `entrepot products --baskets`)
//!                    or one of --baskets-file, any case: the basket's share and RCA by
//!                    year, with its codes in the dataset's HS revision, and its products
//! --products LIST    HS6 codes, comma-separated: each product's share and RCA by year
//! (neither)          every product the reporter exports; the top N (--top, default 10)
//!                    gaining and losing products by change in share (pp), first to
//!                    last year
//!
//! Always: the reporter's total share of world exports by year, a line chart of the
//! shares, bars of the gainers and losers, method notes and the data basis. A figure
//! that cannot be computed (no world exports of a product) is absent with the reason.
//! An unknown basket exits 4 and names the known ones.
//!
//! The data is one flows dataset of the store (--dataset, or the only one holding
//! REPORTER), read as a flow cube of every exporter's own reported exports by HS6
//! product and year (no mirror figures, so shares add up to 100%).
//!
//! Output: a terminal report (default), --format json (the report document),
//! --format csv (the products table and the others), --markdown FILE, --html FILE
//! (with charts), --json FILE; `-` = stdout.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::edge::{EdgeRequest, Selection};
use std::path::PathBuf;

/// Arguments of `entrepot edge`.
#[derive(Args, Debug)]
pub struct EdgeArgs {
    /// Reporter (ISO3 or any known code).
    pub reporter: String,
    /// The flows dataset to use when several hold the reporter.
    #[arg(long)]
    pub dataset: Option<String>,
    /// A product basket by name (built-in or from --baskets-file), any case.
    #[arg(long, conflicts_with = "products")]
    pub basket: Option<String>,
    /// HS6 codes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub products: Option<Vec<String>>,
    /// A baskets file (`basket,revision,code,description`) added to the built-in ones.
    #[arg(long, env = "ENTREPOT_BASKETS_FILE")]
    pub baskets_file: Option<PathBuf>,
    /// First year.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year.
    #[arg(long)]
    pub to: Option<i32>,
    /// How many gaining and losing products to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// The products of `--basket` or `--products` (neither: every product).
pub(crate) fn selection(basket: &Option<String>, products: &Option<Vec<String>>) -> Selection {
    match (basket, products) {
        (Some(b), _) => Selection::Basket(b.clone()),
        (None, Some(p)) => Selection::Products(p.clone()),
        (None, None) => Selection::All,
    }
}

/// Runs the command.
pub fn run(args: &EdgeArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let baskets =
        entrepot_app::reference::load_baskets(args.baskets_file.as_ref()).map_err(app_error)?;
    let selection = selection(&args.basket, &args.products);
    let request = EdgeRequest {
        reporter: args.reporter.clone(),
        dataset: args.dataset.clone(),
        selection,
        baskets,
        from: args.from,
        to: args.to,
        top: args.top.max(1),
    };
    let out = entrepot_app::edge::edge(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "products", None)
}
