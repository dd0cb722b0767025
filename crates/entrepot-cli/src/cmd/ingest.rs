//! `entrepot ingest`: read trade files into the store, atomically.
//!
//! ```text
//! Usage: entrepot ingest FILE... --dataset NAME [--from baci|comtrade|comtrade-json|csv|parquet|dta]
//!                        [--hs REVISION] [--map SPEC] [--delimiter D] [--decimal MARK]
//!                        [--countries FILE]
//!                        [--on-error fail|quarantine] [--quarantine FILE] [--facts customs|other]
//!                        [--replace]
//!
//! Reads every FILE (format detected from the extension and header unless --from is
//! given), validates every row (country and product codes, numbers, units, duplicate
//! keys) and writes the dataset NAME into the store as Parquet, partitioned by reporter
//! and year. The ingest is atomic: on any failure, or if interrupted, the store is left
//! exactly as it was; ingesting the same files again gives the same dataset.
//!
//! --map SPEC        column mapping for generic CSV/Parquet/Stata files (keys below), e.g.
//!                   reporter=exp,partner=imp,period=time,value=export,flow=export
//!                   or, for an official monthly series of one reporter with export and
//!                   import columns (Partner;Period;Exports;Imports):
//!                   reporter=USA,partner=Partner,period=Period,export=Exports,import=Imports
//! --delimiter D     field delimiter of text files: ',', ';', tab or '|' (default: detected
//!                   from the header line; a header holding two of them is refused)
//! --decimal MARK    decimal mark of numbers: auto (default: '1,187.5' and '1,187,000'
//!                   read, '1,187' refused as ambiguous), '.' ('1,187' = 1187) or ','
//!                   ('1.187' = 1187, '1 187,5' = 1187.5)
//! --hs REVISION     HS revision of product codes (HS2017, H5, …); BACI file names imply it
//! --countries FILE  the country-code table shipped with a BACI release
//! --fx FILE         exchange rates (currency,period,per_usd,source; monthly or annual
//!                   averages) for values in another currency (`currency=` in --map):
//!                   each value is converted with the average of its own month or year;
//!                   without a rate the row is refused (the store holds US dollars and
//!                   a currency or rate is never assumed)
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

/// The long help of `--map`: every key, how a constant is told from a column, and
/// examples.
pub(crate) const MAP_HELP: &str = "\
Column mapping for generic CSV, Parquet and Stata files: comma-separated key=value pairs.

Keys:
  reporter, partner    a column of country codes (ISO3, ISO2, M49 numeric, aliases), or one
                       code for every row: a value that is a column of the header is that
                       column; a value not in the header that is a country code (USA, WLD,
                       842) is a constant; one that is both is refused as ambiguous.
                       col:NAME forces a column, const:CODE a constant.
  period               a column of periods: YYYY, YYYY-MM, YYYY/MM, YYYYMM, 2001M01, MM/YYYY,
                       January 2001, Jan 2001 (English month names)
  year, month          instead of period: a year column and an optional month column
                       (1-12 or a month name)
  value, flow          the value column, and the flow: a constant (export, import,
                       re_export, re_import, X, M) or a column (col:NAME)
  export, import       instead of value and flow (wide files): a column of export values
                       and/or one of import values; each row gives up to two flows and an
                       empty cell gives no flow (not a zero)
  value_scale (scale)  multiplier to US dollars: 1, 1000, thousands, millions, billions
  product              a column of HS codes or TOTAL (absent: every row is the total)
  hs_revision          a constant (HS2017, H5) or a column
  quantity, quantity_unit (unit)   a quantity column and its unit (constant or column)
  declared_by          reporter (default), mirror or reconciled
  currency             the currency of the values: a constant (JPY) or a column; values
                       not in USD are converted with --fx FILE (monthly or annual average
                       rates) and refused without it. A file with a currency column must
                       map it. Absent: the values are US dollars.

Examples:
  --map reporter=exp,partner=imp,period=time,value=export,flow=export
  --map reporter=USA,partner=Partner,period=Period,export=Exports,import=Imports,scale=millions";

/// The long help of `--decimal`.
pub(crate) const DECIMAL_HELP: &str = "\
Decimal mark of numbers in text files, which says which thousands separators are read:
  auto (default)  a decimal point; a comma separates thousands only where it cannot be a
                  decimal comma: '1,187.5' = 1187.5, '1,187,000' = 1187000, and '1,187'
                  is refused as ambiguous
  .               a decimal point, comma thousands: '1,187' = 1187
  ,               a decimal comma, thousands separated by '.', a space or an apostrophe:
                  '1.187' = 1187, '1 187,5' = 1187.5
Groups after the first have exactly three digits. With the comma delimiter a number holding
a comma must be quoted (\"1,187.5\").";

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
    /// Column mapping for generic files (see --help for the keys).
    #[arg(long, long_help = MAP_HELP)]
    pub map: Option<String>,
    /// Field delimiter of text files: ',', ';', tab or '|' (default: detected from the
    /// header line).
    #[arg(long, value_name = "D")]
    pub delimiter: Option<String>,
    /// Decimal mark of numbers in text files: auto (default), '.' or ','.
    #[arg(long, value_name = "MARK", long_help = DECIMAL_HELP)]
    pub decimal: Option<String>,
    /// BACI country-code table.
    #[arg(long)]
    pub countries: Option<PathBuf>,
    /// Exchange-rate table (`currency,period,per_usd,source`: monthly or annual
    /// averages, units per US dollar) for values not in US dollars (`currency=` in
    /// --map). Without it such values are refused.
    #[arg(long, value_name = "FILE")]
    pub fx: Option<PathBuf>,
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
    r.delimiter = args.delimiter.clone();
    r.decimal = args.decimal.clone();
    r.countries = args.countries.clone();
    r.fx = args.fx.clone();
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
