//! `fetch comtrade`: UN Comtrade API v1, the preview endpoint without a key or the
//! data endpoint with one (read from `ENTREPOT_COMTRADE_KEY` or the `[comtrade] key`
//! of the configuration file, never from the command line).

use super::{
    base_url, dry_run_listing, list, session, store_fetched, with_origin, FetchOptions,
    FetchOutcome, Progress,
};
use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use entrepot_core::CountryRegistry;
use entrepot_fetch::comtrade::{self as api, Endpoint, Freq, Query};
use entrepot_fetch::http::ClientConfig;
use entrepot_fetch::session::Session;
use entrepot_io::comtrade::ComtradeJsonReader;
use entrepot_io::mapping::BreakdownPolicy;
use entrepot_io::ReadOptions;
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable of the subscription key.
pub const KEY_ENV: &str = "ENTREPOT_COMTRADE_KEY";
/// The environment variable of the base URL.
pub const URL_ENV: &str = "ENTREPOT_COMTRADE_URL";
/// How long a cached answer stays fresh by default: 7 days (Comtrade revises data).
pub const DEFAULT_MAX_AGE_S: u64 = 7 * 86_400;

/// What to fetch from UN Comtrade.
#[derive(Debug, Clone)]
pub struct ComtradeRequest {
    /// Reporters (ISO3, ISO2, M49 or Comtrade codes, names), comma-separated allowed.
    pub reporters: Vec<String>,
    /// Partners, or `all` for every partner (`WLD` for the World total).
    pub partners: Vec<String>,
    /// Flows: `X` (exports), `M` (imports), `RX`, `RM`.
    pub flows: Vec<String>,
    /// `A` (annual) or `M` (monthly).
    pub freq: String,
    /// `2018..2023` (annual) or `2024-01..2025-11` (monthly), or one period.
    pub period: String,
    /// HS codes, or `total` for all products together.
    pub hs: Vec<String>,
    /// The records one answer holds at most (default: the endpoint's documented cap,
    /// 500 for the preview and 100,000 with a key); set it when a subscription's cap
    /// differs. Requests are planned below it and an answer that reaches it is split.
    pub max_records: Option<u64>,
    /// Where the subscription key comes from.
    pub key: KeySource,
}

/// Where the Comtrade subscription key comes from: never the command line.
#[derive(Clone, Default)]
pub enum KeySource {
    /// `ENTREPOT_COMTRADE_KEY`, else the configuration file ([`subscription_key`]).
    #[default]
    Environment,
    /// No key: the preview endpoint.
    None,
    /// This key (for callers that hold it, such as a server's configuration).
    Given(String),
}

impl std::fmt::Debug for KeySource {
    /// Never shows the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeySource::Environment => "Environment",
            KeySource::None => "None",
            KeySource::Given(_) => "Given(<key>)",
        })
    }
}

/// The Comtrade client's default pacing: at most one request a second, and patience
/// with `429` (up to 6 attempts, waits from 2 s doubling, `Retry-After` up to 10 min).
pub fn default_client() -> ClientConfig {
    ClientConfig {
        min_interval: Duration::from_secs(1),
        max_attempts: 6,
        ..ClientConfig::default()
    }
}

/// The subscription key: `ENTREPOT_COMTRADE_KEY`, else `key` in the `[comtrade]`
/// table of the configuration file (`ENTREPOT_CONFIG`, else
/// `~/.config/entrepot/config.toml`); `None` uses the keyless preview.
pub fn subscription_key() -> AppResult<Option<String>> {
    if let Ok(k) = std::env::var(KEY_ENV) {
        if !k.trim().is_empty() {
            return Ok(Some(k.trim().to_string()));
        }
    }
    let path = match std::env::var_os("ENTREPOT_CONFIG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => match entrepot_fetch::default_config_file() {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(AppError::failure(format!("{}: {e}", path.display()))),
    };
    let doc: toml::Table = toml::from_str(&text)
        .map_err(|e| AppError::usage(format!("{}: not valid TOML: {e}", path.display())))?;
    match doc.get("comtrade").and_then(|t| t.get("key")) {
        None => Ok(None),
        Some(toml::Value::String(k)) if !k.trim().is_empty() => Ok(Some(k.trim().to_string())),
        Some(_) => Err(AppError::usage(format!(
            "{}: [comtrade] key must be a non-empty string",
            path.display()
        ))),
    }
}

/// The Comtrade code of a country the user names (842 for `USA`, 0 for `WLD`).
fn comtrade_code(code: &str) -> AppResult<u16> {
    let c = CountryRegistry::builtin()
        .resolve(code)
        .map_err(|e| AppError::usage(e.to_string()))?;
    Ok(api::reporter_code(c.m49))
}

/// The API query of a request.
fn query(req: &ComtradeRequest) -> AppResult<Query> {
    let freq = match req.freq.trim().to_ascii_uppercase().as_str() {
        "A" | "ANNUAL" => Freq::Annual,
        "M" | "MONTHLY" => Freq::Monthly,
        other => {
            return Err(AppError::usage(format!(
                "--freq {other}: expected A (annual) or M (monthly)"
            )))
        }
    };
    let reporters = list(&req.reporters)
        .iter()
        .map(|r| comtrade_code(r))
        .collect::<AppResult<Vec<_>>>()?;
    if reporters.is_empty() {
        return Err(AppError::usage("--reporter: give at least one reporter"));
    }
    let partners_in = list(&req.partners);
    let partners =
        if partners_in.is_empty() || partners_in.iter().any(|p| p.eq_ignore_ascii_case("all")) {
            Vec::new()
        } else {
            partners_in
                .iter()
                .map(|p| comtrade_code(p))
                .collect::<AppResult<Vec<_>>>()?
        };
    let mut flows = Vec::new();
    for f in list(&req.flows) {
        let f = f.to_ascii_uppercase();
        if !matches!(f.as_str(), "X" | "M" | "RX" | "RM") {
            return Err(AppError::usage(format!(
                "--flow {f}: expected X (exports), M (imports), RX or RM"
            )));
        }
        if !flows.contains(&f) {
            flows.push(f);
        }
    }
    if flows.is_empty() {
        flows = vec!["X".into(), "M".into()];
    }
    let mut commodities = Vec::new();
    for h in list(&req.hs) {
        if h.eq_ignore_ascii_case("total") {
            commodities.push("TOTAL".to_string());
        } else if h.len() % 2 == 0
            && (2..=6).contains(&h.len())
            && h.bytes().all(|b| b.is_ascii_digit())
        {
            commodities.push(h);
        } else {
            return Err(AppError::usage(format!(
                "--hs {h}: expected HS codes of 2, 4 or 6 digits, or 'total'"
            )));
        }
    }
    if commodities.is_empty() {
        commodities.push("TOTAL".into());
    }
    let periods = api::periods(freq, &req.period)?;
    Ok(Query {
        freq,
        reporters,
        partners,
        flows,
        periods,
        commodities,
    })
}

/// Fetches a Comtrade request into the store (see the module docs of
/// [`crate::fetch`] for the steps and guarantees).
pub fn fetch_comtrade(
    location: &StoreLocation,
    req: &ComtradeRequest,
    opts: &FetchOptions,
    progress: &dyn Fn(&Progress),
) -> AppResult<FetchOutcome> {
    let q = query(req)?;
    let key = match &req.key {
        KeySource::Environment => subscription_key()?,
        KeySource::None => None,
        KeySource::Given(k) => Some(k.clone()),
    };
    let endpoint = Endpoint {
        base_url: base_url(opts.base_url.as_ref(), URL_ENV, api::DEFAULT_BASE_URL),
        key,
        max_records: req.max_records,
    };
    let chunks = api::plan(&q, endpoint.cap());
    let session = session(opts, default_client(), DEFAULT_MAX_AGE_S);
    if opts.dry_run {
        let urls: Vec<(String, bool)> = chunks
            .iter()
            .map(|c| {
                let url = c.url(&endpoint);
                let cached = session.is_cached(&Session::key("comtrade", &url, "json"));
                (url, cached)
            })
            .collect();
        return Ok(dry_run_listing(&urls));
    }
    let fetched = api::fetch(&session, &endpoint, chunks, progress)?;
    let read_options = ReadOptions {
        on_error: opts.on_error,
        ..ReadOptions::default()
    };
    let mut readers = Vec::new();
    let mut sources = Vec::new();
    for f in &fetched {
        let r = ComtradeJsonReader::open(
            &f.entry.body,
            None,
            BreakdownPolicy::Reject,
            read_options.clone(),
        )?;
        readers.push(with_origin(Box::new(r), &f.entry, "UN Comtrade API"));
        sources.push(f.entry.body.clone());
    }
    let cached = fetched.iter().filter(|f| f.from_cache).count();
    let name = opts.dataset.clone().unwrap_or_else(|| "comtrade".into());
    store_fetched(
        location,
        &name,
        readers,
        sources,
        opts,
        fetched.len(),
        cached,
    )
}
