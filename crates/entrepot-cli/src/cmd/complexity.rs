//! `entrepot complexity`: economic complexity of one year (ECI, PCI, diversity,
//! ubiquity, proximity, density, COI, COG).
//!
//! ```text
//! Usage: entrepot complexity [--year YYYY] [--dataset NAME | --data FILE.csv]
//!                            [--columns COUNTRY,PRODUCT,YEAR,VALUE] [--reporter CODE]
//!                            [--rca-threshold X] [--asymmetric] [--top N]
//!                            [--tables DIR] [--markdown FILE] [--html FILE]
//!                            [--json FILE] [--format table|json|csv]
//!
//! The exporter × HS6 export matrix of one year, from a flows dataset of the store
//! (exporters' reports; --year needed) or from a long CSV (--data; columns country,
//! product, year, value unless --columns names others; the year column may be absent,
//! --year picks one year of several). Presence is RCA ≥ --rca-threshold (default 1);
//! countries and products with zero exports are dropped. ECI and PCI by the
//! eigenvector method, proximity, density, COI and COG as the ecomplexity package
//! (Harvard Growth Lab) computes them.
//!
//! Output: a report with the country ranking (ECI, diversity, COI), the product
//! ranking (highest --top PCI, with ubiquity), a chart, method notes and, with
//! --reporter, the reporter's best opportunities (products it does not export with
//! RCA ≥ the threshold, by COG, with density and PCI). --format json (the document),
//! --format csv (the country table); --markdown/--html/--json FILE (`-` = stdout).
//! --tables DIR writes every figure at full precision: countries.csv, products.csv,
//! cells.csv (country, product, rca, world_share, mcp, density, cog).
//! ```

use crate::output::{app_error, print_document, ReportFiles};
use crate::Ctx;
use clap::Args;
use entrepot_app::complexity::{ComplexityRequest, Source};
use entrepot_complexity::Options;
use std::path::PathBuf;

/// Arguments of `entrepot complexity`.
#[derive(Args, Debug)]
pub struct ComplexityArgs {
    /// The year (needed with the store, and with a CSV of several years).
    #[arg(long)]
    pub year: Option<i32>,
    /// The flows dataset of the store (default: the only one).
    #[arg(long, conflicts_with = "data")]
    pub dataset: Option<String>,
    /// A long CSV instead of the store.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The CSV's column names: country, product, year, value.
    #[arg(long, default_value = "country,product,year,value")]
    pub columns: String,
    /// A country whose opportunities are listed (code as in the data).
    #[arg(long)]
    pub reporter: Option<String>,
    /// Presence threshold on RCA (ecomplexity's rca_mcp_threshold).
    #[arg(long, default_value_t = 1.0)]
    pub rca_threshold: f64,
    /// Asymmetric proximity (co-occurrence over the row product's ubiquity).
    #[arg(long)]
    pub asymmetric: bool,
    /// Rows of the product ranking and the opportunity table.
    #[arg(long, default_value_t = 30)]
    pub top: usize,
    /// Write every figure as CSV files into this directory.
    #[arg(long)]
    pub tables: Option<PathBuf>,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &ComplexityArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let source = match &args.data {
        Some(path) => {
            let names: Vec<String> = args
                .columns
                .split(',')
                .map(|s| s.trim().to_string())
                .collect();
            let columns: [String; 4] = names.try_into().map_err(|_| {
                crate::output::exit_error(
                    crate::output::exit::USAGE,
                    "--columns needs four names: country,product,year,value",
                )
            })?;
            Source::Csv {
                path: path.clone(),
                columns,
            }
        }
        None => Source::Store {
            dataset: args.dataset.clone(),
        },
    };
    let request = ComplexityRequest {
        source,
        year: args.year,
        reporter: args.reporter.clone(),
        options: Options {
            rca_threshold: args.rca_threshold,
            asymmetric_proximity: args.asymmetric,
            ..Options::default()
        },
        top: args.top,
    };
    let out = entrepot_app::complexity::complexity(&ctx.store, &request).map_err(app_error)?;
    if let Some(dir) = &args.tables {
        entrepot_app::complexity::write_tables(&out, dir).map_err(app_error)?;
    }
    print_document(&out.document, &args.report, ctx, "countries", None)
}
