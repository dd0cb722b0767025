//! `entrepot exposure`: a firm's own sales by destination (and product) over time,
//! measured with the indices of the other analyses.
//!
//! ```text
//! Usage: entrepot exposure FILE [--map SPEC] [--firm-country ISO3] [--fx FILE]
//!                          [--from csv|parquet|dta|…] [--hs REVISION]
//!                          [--delimiter D] [--decimal MARK]
//!                          [--dataset NAME] [--threshold 0.5] [--top N]
//!                          [--markdown FILE] [--html FILE] [--json FILE]
//!                          [--format table|json|csv]
//!
//! FILE is read as `entrepot ingest` reads it (same formats, --map keys, --fx
//! conversion), into memory: the store is not changed. The firm is the reporter
//! (reporter= in --map, or --firm-country), its destinations the partners, its sales
//! the values; flow=export is assumed when the mapping gives no flow. E.g.
//!
//!   entrepot exposure sales.csv --firm-country DEU \
//!     --map partner=country,year=year,product=hs6,value=sales,hs_revision=HS2017
//!
//! Per year: sales, destinations, HHI, effective number of markets (1/HHI), Shannon
//! entropy, top-1 and top-3 shares (and HHI across products). Growth markets: each
//! destination's contribution to the growth of sales from the first to the last year
//! (pp). Market shares: the firm's sales over each destination's imports of the same
//! products, from a flows dataset of the store (--dataset; the destination's reported
//! imports, else every exporter's exports to it, as on BACI), absent with the reason
//! when the store holds no such imports, when the sales are in another currency than
//! the dataset (convert them with currency= in --map and --fx), or for sales in the
//! firm's own country. One-market products: those whose largest destination took more
//! than --threshold of their sales in the last year.
//!
//! Output: a terminal report (default), --format json (the report document, schema:
//! crates/entrepot-doc/schema/document.schema.json), --format csv (the indices table),
//! --markdown FILE, --html FILE (with charts), --json FILE; `-` = stdout.
//! ```

use crate::cmd::ingest::{From, DECIMAL_HELP, MAP_HELP};
use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::exposure::ExposureRequest;
use entrepot_app::ingest::InputFormat;
use std::path::PathBuf;

/// Arguments of `entrepot exposure`.
#[derive(Args, Debug)]
pub struct ExposureArgs {
    /// The firm's sales file (CSV, Parquet or Stata).
    pub file: PathBuf,
    /// Column mapping, as for `entrepot ingest` (see --help for the keys); the firm is
    /// the reporter, its destinations the partners.
    #[arg(long, long_help = MAP_HELP)]
    pub map: Option<String>,
    /// The firm's country (the reporter of every row), when --map gives none.
    #[arg(long, value_name = "ISO3")]
    pub firm_country: Option<String>,
    /// Exchange-rate table (`currency,period,per_usd,source`) converting the values to
    /// US dollars (`currency=` in --map). Without it they stay in their own currency.
    #[arg(long, value_name = "FILE")]
    pub fx: Option<PathBuf>,
    /// Input format (default: detected).
    #[arg(long, value_enum)]
    pub from: Option<From>,
    /// HS revision of the product codes.
    #[arg(long)]
    pub hs: Option<String>,
    /// Field delimiter of text files: ',', ';', tab or '|' (default: detected).
    #[arg(long, value_name = "D")]
    pub delimiter: Option<String>,
    /// Decimal mark of numbers in text files: auto (default), '.' or ','.
    #[arg(long, value_name = "MARK", long_help = DECIMAL_HELP)]
    pub decimal: Option<String>,
    /// The flows dataset with the destinations' imports (default: the store's only
    /// flows dataset).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Share of a product's sales going to one destination above which the product is
    /// listed as depending on one market.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Number of destinations (and destination–product pairs) listed.
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &ExposureArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let mut request = ExposureRequest::new(args.file.clone());
    request.format = args.from.map(|f| match f {
        From::Baci => InputFormat::Baci,
        From::Comtrade => InputFormat::Comtrade,
        From::ComtradeJson => InputFormat::ComtradeJson,
        From::Csv => InputFormat::Csv,
        From::Parquet => InputFormat::Parquet,
        From::Dta => InputFormat::Dta,
    });
    request.map = args.map.clone();
    request.firm_country = args.firm_country.clone();
    request.fx = args.fx.clone();
    request.hs = args.hs.clone();
    request.delimiter = args.delimiter.clone();
    request.decimal = args.decimal.clone();
    request.dataset = args.dataset.clone();
    request.threshold = args.threshold;
    request.top = args.top;
    let out = entrepot_app::exposure::exposure(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &args.report, ctx, "indices", None)
}
