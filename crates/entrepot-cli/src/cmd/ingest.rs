//! `entrepot ingest`: read trade files into the store, atomically.
//!
//! ```text
//! Usage: entrepot ingest FILE... --dataset NAME [--from baci|comtrade|comtrade-json|csv|parquet|dta]
//!                        [--hs REVISION] [--map SPEC] [--countries FILE]
//!                        [--on-error fail|quarantine] [--quarantine FILE] [--facts customs|other]
//!                        [--replace]
//!
//! Reads every FILE (format detected from the extension and header unless --from is
//! given), validates every row (country and product codes, numbers, units, duplicate
//! keys) and writes the dataset NAME into the store as Parquet, partitioned by reporter
//! and year. The ingest is atomic: on any failure, or if interrupted, the store is left
//! exactly as it was; ingesting the same files again gives the same dataset.
//!
//! --map SPEC        column mapping for generic CSV/Parquet/Stata files, e.g.
//!                   reporter=exp,partner=imp,period=time,value=export,flow=export
//! --hs REVISION     HS revision of product codes (HS2017, H5, …); BACI file names imply it
//! --countries FILE  the country-code table shipped with a BACI release
//! --on-error        fail (default): stop at the first bad row with file, line, column and
//!                   value, exit code 3, store unchanged; quarantine: write bad rows with
//!                   their reasons to --quarantine FILE (default NAME.rejected.csv) and
//!                   ingest the rest
//! --replace         replace an existing dataset of that name by a new version (without
//!                   it, ingesting into an existing name is refused unless the sources
//!                   are the very same files, which is a no-op)
//! --facts KIND      the files are published-figure tables (China customs facts layout
//!                   `customs` or the indicators layout `other`) instead of flows
//! ```

use crate::output::{app_error, print_listing};
use crate::Ctx;
use clap::{Args, ValueEnum};
use entrepot_app::ingest::{FactsLayout, IngestRequest, InputFormat, OnError};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// CEPII BACI CSV (t,i,j,k,v,q; value in thousands of USD).
    Baci,
    /// UN Comtrade bulk or API CSV.
    Comtrade,
    /// UN Comtrade API JSON.
    ComtradeJson,
    /// A tidy CSV with --map.
    Csv,
    /// Parquet (canonical columns or --map).
    Parquet,
    /// Stata .dta with --map.
    Dta,
}

/// Published-figure layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FactsKind {
    /// `period,reporter,partner,flow,value_usd_bn,yoy_pct,source_url,note`.
    Customs,
    /// `period,indicator,reporter,partner,value,unit,yoy_pct,source_url,note`.
    Other,
}

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnErrorArg {
    /// Stop at the first bad row; the store is unchanged.
    Fail,
    /// Set bad rows aside in a quarantine file and ingest the rest.
    Quarantine,
}

/// Arguments of `entrepot ingest`.
#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Name of the dataset in the store (default: the first file's stem).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Input format (default: detected).
    #[arg(long, value_enum)]
    pub from: Option<From>,
    /// HS revision of the product codes.
    #[arg(long)]
    pub hs: Option<String>,
    /// Column mapping for generic files.
    #[arg(long)]
    pub map: Option<String>,
    /// BACI country-code table.
    #[arg(long)]
    pub countries: Option<PathBuf>,
    /// Bad-row policy.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Fail)]
    pub on_error: OnErrorArg,
    /// Where to write rejected rows in quarantine mode.
    #[arg(long)]
    pub quarantine: Option<PathBuf>,
    /// Read published-figure tables instead of flows.
    #[arg(long, value_enum)]
    pub facts: Option<FactsKind>,
    /// Replace an existing dataset of that name by a new version.
    #[arg(long)]
    pub replace: bool,
}

/// The request of the command line.
fn request(args: &IngestArgs) -> IngestRequest {
    let mut r = IngestRequest::new(args.files.clone());
    r.dataset = args.dataset.clone();
    r.format = args.from.map(|f| match f {
        From::Baci => InputFormat::Baci,
        From::Comtrade => InputFormat::Comtrade,
        From::ComtradeJson => InputFormat::ComtradeJson,
        From::Csv => InputFormat::Csv,
        From::Parquet => InputFormat::Parquet,
        From::Dta => InputFormat::Dta,
    });
    r.hs = args.hs.clone();
    r.map = args.map.clone();
    r.countries = args.countries.clone();
    r.on_error = match args.on_error {
        OnErrorArg::Fail => OnError::Fail,
        OnErrorArg::Quarantine => OnError::Quarantine,
    };
    r.quarantine = args.quarantine.clone();
    r.facts = args.facts.map(|k| match k {
        FactsKind::Customs => FactsLayout::Customs,
        FactsKind::Other => FactsLayout::Other,
    });
    r.replace = args.replace;
    r
}

/// Runs the command.
pub fn run(args: &IngestArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let req = request(args);
    let bar = if ctx.progress && req.facts.is_none() {
        let total: u64 = req.input_sizes().iter().sum();
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} ingest {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_message(args.dataset.clone().unwrap_or_default());
        b
    } else {
        ProgressBar::hidden()
    };
    let outcome =
        entrepot_app::ingest::ingest(&ctx.store, &req, &|done, _total| bar.set_position(done))
            .map_err(app_error)?;
    bar.finish_and_clear();
    for m in &outcome.messages {
        eprintln!("{m}");
    }
    print_listing(ctx.format, &outcome.summary)
}
