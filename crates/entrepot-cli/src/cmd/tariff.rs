//! `entrepot tariff`: a product-level tariff scenario in partial equilibrium (the logic
//! of WITS-SMART) on the flows in the store.
//!
//! ```text
//! Usage: entrepot tariff IMPORTER --on EXPORTER --points PP
//!                        (--elasticities FILE | --sigma X)
//!                        [--basket NAME[,NAME…] | --products HS6[,HS6…]]
//!                        [--year YYYY] [--dataset NAME] [--baseline-tariff PCT]
//!                        [--import-demand-elasticity E] [--fallback-sigma X]
//!                        [--not-significant use|fallback] [--top N]
//!                        [--groups-file FILE] [--baskets-file FILE]
//!                        [--markdown FILE] [--html FILE] [--json FILE]
//!                        [--format table|json|csv]
//!
//! IMPORTER raises (or, with a negative PP, cuts) its tariff on imports from EXPORTER
//! by PP percentage points, product by product (HS6). Both are country codes or groups
//! (EU27, ASEAN, …), or comma-separated lists of them. The imports of IMPORTER by
//! supplier and product in the year are read from a flows dataset (BACI: its partners'
//! exports to it, mirror); each (importer, product) is one SMART market: trade creation,
//! trade diversion to the other suppliers, the price index, tariff revenue before and
//! after, consumer surplus and welfare, summed per product, supplier and basket.
//!
//! Elasticities: --elasticities FILE reads the CEPII ProTEE table (HS6,zero,positive,
//! sigma; HS 2007 codes, looked up by their six digits) with σ = −sigma; products
//! without a usable estimate take --fallback-sigma (default 1.5, SMART's) and are
//! listed in the report. Or --sigma X gives one σ to every product. One of the two is
//! required. The import demand elasticity is −1 unless given; every supplier pays the
//! baseline tariff (default 0 %) before the change.
//!
//! Products: a built-in basket (electric_vehicles, lithium_ion_batteries,
//! solar_cells, industrial_robots) or one of --baskets-file, HS6 codes, or every HS6
//! product imported (the default). The year defaults to the last one held.
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_app::tariff::{ProductChoice, TariffRequest};
use std::path::PathBuf;

/// What to do with CEPII estimates not significant at 1 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotSignificant {
    /// Use the point estimate.
    Use,
    /// Use the fallback σ.
    Fallback,
}

/// Arguments of `entrepot tariff`.
#[derive(Args, Debug)]
pub struct TariffArgs {
    /// The importer imposing the change: a country (ISO3 or any known code) or a group,
    /// or a comma-separated list.
    pub importer: String,
    /// The exporter(s) targeted: a country or a group, or a comma-separated list.
    #[arg(long = "on", value_name = "EXPORTER")]
    pub on: String,
    /// The tariff change in percentage points (negative: a cut).
    #[arg(long, allow_hyphen_values = true, value_name = "PP")]
    pub points: f64,
    /// The baseline tariff every supplier pays, in percent.
    #[arg(
        long,
        default_value_t = 0.0,
        allow_hyphen_values = true,
        value_name = "PCT"
    )]
    pub baseline_tariff: f64,
    /// Product basket(s), comma-separated (see `entrepot products --baskets`).
    #[arg(long, value_delimiter = ',', conflicts_with = "products")]
    pub basket: Vec<String>,
    /// HS6 codes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub products: Vec<String>,
    /// The year (default: the last year the dataset holds).
    #[arg(long)]
    pub year: Option<i32>,
    /// The flows dataset to use when several hold the countries.
    #[arg(long)]
    pub dataset: Option<String>,
    /// The CEPII ProTEE elasticity table (CSV: HS6,zero,positive,sigma).
    #[arg(long, value_name = "FILE")]
    pub elasticities: Option<PathBuf>,
    /// One substitution elasticity σ for every product, instead of a table.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub sigma: Option<f64>,
    /// σ of the products the table gives no usable estimate.
    #[arg(
        long,
        default_value_t = 1.5,
        value_name = "X",
        allow_hyphen_values = true
    )]
    pub fallback_sigma: f64,
    /// Estimates not significant at 1 %: use them, or take the fallback.
    #[arg(long, value_enum, default_value_t = NotSignificant::Use)]
    pub not_significant: NotSignificant,
    /// The import demand elasticity of every product (≤ 0).
    #[arg(long, default_value_t = -1.0, allow_hyphen_values = true, value_name = "E")]
    pub import_demand_elasticity: f64,
    /// Rows of the product and supplier tables.
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    /// A groups file (`group,iso3,from,to,source`) added to the built-in groups.
    #[arg(long, env = "ENTREPOT_GROUPS_FILE")]
    pub groups_file: Option<PathBuf>,
    /// A baskets file (`basket,revision,code,description`) added to the built-in ones.
    #[arg(long, env = "ENTREPOT_BASKETS_FILE")]
    pub baskets_file: Option<PathBuf>,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Splits a comma-separated list of names.
fn names(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Runs the command.
pub fn run(args: &TariffArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let products = if !args.basket.is_empty() {
        ProductChoice::Baskets(args.basket.clone())
    } else if !args.products.is_empty() {
        ProductChoice::Codes(args.products.iter().map(|c| c.trim().to_string()).collect())
    } else {
        ProductChoice::All
    };
    let request = TariffRequest {
        importers: names(&args.importer),
        exporters: names(&args.on),
        points: args.points,
        baseline_tariff: args.baseline_tariff,
        products,
        year: args.year,
        dataset: args.dataset.clone(),
        elasticities: args.elasticities.clone(),
        sigma: args.sigma,
        fallback_sigma: args.fallback_sigma,
        not_significant: match args.not_significant {
            NotSignificant::Use => entrepot_app::tariff::NotSignificantPolicy::UseEstimate,
            NotSignificant::Fallback => entrepot_app::tariff::NotSignificantPolicy::Fallback,
        },
        import_demand_elasticity: args.import_demand_elasticity,
        groups_file: args.groups_file.clone(),
        baskets_file: args.baskets_file.clone(),
        top: args.top,
    };
    let out = entrepot_app::tariff::tariff(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "products", None)
}
