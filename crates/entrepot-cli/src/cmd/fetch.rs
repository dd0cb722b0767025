//! `entrepot fetch`: current data from UN Comtrade, CEPII BACI or the IMF into the store.
//!
//! ```text
//! Usage: entrepot fetch comtrade --reporter CODES [--partner all|CODES] [--flow X,M]
//!                                --freq A|M --period FROM..TO [--hs total|CODES]
//!                                [--max-records N]
//!        entrepot fetch baci --revision HS17 --years FROM..TO [--release V202501]
//!                            [--sha256 HEX]
//!        entrepot fetch imf --reporter CODES [--partner all|CODES] --freq A|M
//!                           [--period FROM..TO] [--dataflow IMF.STA,IMTS]
//!        common: [--dataset NAME] [--cache DIR] [--refresh] [--max-age-days N]
//!                [--dry-run] [--replace] [--on-error quarantine|fail] [--quarantine FILE]
//!                [--base-url URL]
//!
//! Every answer is checked (status, HTML error pages, truncation, the provider's format
//! and row cap) and cached before anything is stored; the store is written once, at
//! the end, atomically: a failure leaves it unchanged, and running the same fetch
//! again resumes from the cache. --dry-run lists the requests and whether each is
//! cached. Rows with codes the registry does not know are set aside in the quarantine
//! file and reported (--on-error fail stops at the first instead).
//!
//! The Comtrade key is read from ENTREPOT_COMTRADE_KEY or from `[comtrade] key = "…"`
//! in ~/.config/entrepot/config.toml (ENTREPOT_CONFIG), never from the command line;
//! without one the keyless preview endpoint (500 records an answer) is used. Base URLs:
//! --base-url, else ENTREPOT_COMTRADE_URL, ENTREPOT_BACI_URL, ENTREPOT_IMF_URL.
//! ```

use crate::output::{app_error, print_listing};
use crate::Ctx;
use clap::{Args, Subcommand, ValueEnum};
use entrepot_app::fetch::baci::BaciRequest;
use entrepot_app::fetch::comtrade::{ComtradeRequest, KeySource};
use entrepot_app::fetch::imf::ImfRequest;
use entrepot_app::fetch::{FetchOptions, FetchOutcome, Progress};
use entrepot_app::ingest::OnError;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// Arguments of `entrepot fetch`.
#[derive(Args, Debug)]
pub struct FetchArgs {
    #[command(subcommand)]
    provider: Provider,
}

#[derive(Subcommand, Debug)]
enum Provider {
    /// UN Comtrade API v1 (preview without a key, data API with ENTREPOT_COMTRADE_KEY).
    Comtrade(ComtradeArgs),
    /// CEPII BACI release archive (yearly CSVs of one HS revision).
    Baci(BaciArgs),
    /// IMF International Trade in Goods by partner (IMTS, formerly DOTS), SDMX.
    Imf(ImfArgs),
}

/// Bad-row policy of a fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnErrorArg {
    /// Set rows with unknown codes or bad values aside and report them.
    Quarantine,
    /// Stop at the first such row; the store is unchanged.
    Fail,
}

#[derive(Args, Debug)]
struct Common {
    /// Dataset to write (default: comtrade, baci_hs17, imf_imts).
    #[arg(long)]
    dataset: Option<String>,
    /// Cache folder (default: ENTREPOT_CACHE_DIR, else ~/.cache/entrepot/fetch).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Ask the provider again even where a fresh answer is cached.
    #[arg(long)]
    refresh: bool,
    /// Days a cached answer stays fresh (default: 7 for Comtrade and the IMF, 365 for
    /// BACI archives).
    #[arg(long, value_name = "N")]
    max_age_days: Option<u64>,
    /// List the requests (and whether each is cached) without making them.
    #[arg(long)]
    dry_run: bool,
    /// Replace an existing dataset of that name by a new version.
    #[arg(long)]
    replace: bool,
    /// Rows with unknown codes or bad values: quarantine (default) or fail.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Quarantine)]
    on_error: OnErrorArg,
    /// Where rejected rows go (default NAME.rejected.csv).
    #[arg(long, value_name = "FILE")]
    quarantine: Option<PathBuf>,
    /// The provider's base URL (default: its ENTREPOT_*_URL variable, else production).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

#[derive(Args, Debug)]
struct ComtradeArgs {
    /// Reporters (ISO3, M49, names), comma-separated.
    #[arg(long, required = true, value_delimiter = ',')]
    reporter: Vec<String>,
    /// Partners, comma-separated, or `all`.
    #[arg(long, default_value = "all", value_delimiter = ',')]
    partner: Vec<String>,
    /// Flows: X (exports), M (imports), RX, RM.
    #[arg(long, default_value = "X,M", value_delimiter = ',')]
    flow: Vec<String>,
    /// A (annual) or M (monthly).
    #[arg(long)]
    freq: String,
    /// 2018..2023 (annual) or 2024-01..2025-11 (monthly).
    #[arg(long)]
    period: String,
    /// HS codes (2, 4 or 6 digits), comma-separated, or `total`.
    #[arg(long, default_value = "total", value_delimiter = ',')]
    hs: Vec<String>,
    /// Records one answer holds at most (default: 500 without a key, 100000 with).
    #[arg(long, value_name = "N")]
    max_records: Option<u64>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct BaciArgs {
    /// HS revision: HS92, HS96, HS02, HS07, HS12, HS17, HS22.
    #[arg(long)]
    revision: String,
    /// Years, 2018..2023 or one year.
    #[arg(long)]
    years: String,
    /// BACI release (default V202501).
    #[arg(long)]
    release: Option<String>,
    /// The archive's SHA-256 (hex), checked after the download.
    #[arg(long, value_name = "HEX")]
    sha256: Option<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct ImfArgs {
    /// Reporters, comma-separated.
    #[arg(long, required = true, value_delimiter = ',')]
    reporter: Vec<String>,
    /// Partners, comma-separated, or `all`.
    #[arg(long, default_value = "all", value_delimiter = ',')]
    partner: Vec<String>,
    /// A (annual) or M (monthly).
    #[arg(long)]
    freq: String,
    /// 2018..2023 or 2024-01..2025-06 (default: every period).
    #[arg(long)]
    period: Option<String>,
    /// SDMX dataflow (default IMF.STA,IMTS).
    #[arg(long)]
    dataflow: Option<String>,
    #[command(flatten)]
    common: Common,
}

fn options(c: &Common) -> FetchOptions {
    FetchOptions {
        dataset: c.dataset.clone(),
        cache_dir: c.cache.clone(),
        refresh: c.refresh,
        max_age_s: c.max_age_days.map(|d| d.saturating_mul(86_400)),
        dry_run: c.dry_run,
        replace: c.replace,
        on_error: match c.on_error {
            OnErrorArg::Quarantine => OnError::Quarantine,
            OnErrorArg::Fail => OnError::Fail,
        },
        quarantine: c.quarantine.clone(),
        base_url: c.base_url.clone(),
        client: None,
    }
}

/// Runs the command.
pub fn run(args: &FetchArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let bar = if ctx.progress {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{spinner} fetch [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let progress = |p: &Progress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(p.message.clone());
    };
    let outcome: FetchOutcome = match &args.provider {
        Provider::Comtrade(a) => entrepot_app::fetch::comtrade::fetch_comtrade(
            &ctx.store,
            &ComtradeRequest {
                reporters: a.reporter.clone(),
                partners: a.partner.clone(),
                flows: a.flow.clone(),
                freq: a.freq.clone(),
                period: a.period.clone(),
                hs: a.hs.clone(),
                max_records: a.max_records,
                key: KeySource::Environment,
            },
            &options(&a.common),
            &progress,
        ),
        Provider::Baci(a) => entrepot_app::fetch::baci::fetch_baci(
            &ctx.store,
            &BaciRequest {
                revision: a.revision.clone(),
                years: a.years.clone(),
                release: a.release.clone(),
                sha256: a.sha256.clone(),
            },
            &options(&a.common),
            &progress,
        ),
        Provider::Imf(a) => entrepot_app::fetch::imf::fetch_imf(
            &ctx.store,
            &ImfRequest {
                reporters: a.reporter.clone(),
                partners: a.partner.clone(),
                freq: a.freq.clone(),
                period: a.period.clone(),
                dataflow: a.dataflow.clone(),
            },
            &options(&a.common),
            &progress,
        ),
    }
    .map_err(app_error)?;
    bar.finish_and_clear();
    for m in &outcome.messages {
        eprintln!("{m}");
    }
    print_listing(ctx.format, &outcome.summary)
}
