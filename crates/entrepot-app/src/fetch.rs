//! Fetch: current data from UN Comtrade, CEPII BACI and the IMF into the store, in
//! one request per provider ([`comtrade::fetch_comtrade`], [`baci::fetch_baci`],
//! [`imf::fetch_imf`]).
//!
//! Each fetch has two steps. First every request of the provider is answered through
//! the disk cache of `entrepot-fetch` (fresh entries are reused, the rest asked of the
//! server, checked and cached one by one), so an interrupted fetch resumes where it
//! stopped when run again. Then, only when every answer is there, the cached bodies
//! are read with the readers of `entrepot-io` and ingested into the store in one
//! atomic write ([`entrepot_store::Store::ingest`]): a failure at any point leaves the
//! store as it was, and nothing partial enters it. The manifest records each cached
//! body as a source (path, SHA-256, size) and each reader's description names the URL,
//! the retrieval time and the ETag, so `entrepot datasets NAME` says where and when
//! the data came from. Provider codes go through the registry of `entrepot-core`
//! (Comtrade 842 → USA, BACI 699 → IND, IMF ISO and aggregate codes); rows with codes
//! it does not know are set aside and reported (quarantine), never dropped silently.
//!
//! The base URL of each provider is configurable ([`FetchOptions::base_url`], else
//! `ENTREPOT_COMTRADE_URL`, `ENTREPOT_BACI_URL`, `ENTREPOT_IMF_URL`), so tests point
//! at a server on loopback. With [`FetchOptions::dry_run`] nothing is asked: the
//! requests are listed with whether each is cached.

pub mod baci;
pub mod comtrade;
pub mod imf;

use crate::error::{AppError, AppResult};
use crate::listing::Listing;
use crate::location::StoreLocation;
use entrepot_fetch::cache::{Cache, CacheEntry};
use entrepot_fetch::http::{Client, ClientConfig};
use entrepot_fetch::session::Session;
use entrepot_fetch::FetchError;
use entrepot_io::{FlowReader, IoError, OnError, RowError};
use entrepot_store::IngestOptions;
use std::path::PathBuf;

pub use entrepot_fetch::Progress;

/// Options every fetch shares.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The dataset to write (default: one per provider, see each request).
    pub dataset: Option<String>,
    /// The cache folder (default: `ENTREPOT_CACHE_DIR`, else the user's cache folder,
    /// `~/.cache/entrepot/fetch`).
    pub cache_dir: Option<PathBuf>,
    /// Ask the server again even for requests whose cached answer is fresh.
    pub refresh: bool,
    /// How long a cached answer stays fresh, in seconds (default: the provider's).
    pub max_age_s: Option<u64>,
    /// List the requests without making them.
    pub dry_run: bool,
    /// Replace an existing dataset of that name by a new version.
    pub replace: bool,
    /// What to do with rows the readers refuse (unknown codes, bad values): set them
    /// aside in the quarantine file and report them (the default), or fail.
    pub on_error: OnError,
    /// Where rejected rows go (default `NAME.rejected.csv`).
    pub quarantine: Option<PathBuf>,
    /// The provider's base URL (default: its environment variable, else production).
    pub base_url: Option<String>,
    /// The HTTP client's timeouts, retries and pacing (default: the provider's).
    pub client: Option<ClientConfig>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            dataset: None,
            cache_dir: None,
            refresh: false,
            max_age_s: None,
            dry_run: false,
            replace: false,
            on_error: OnError::Quarantine,
            quarantine: None,
            base_url: None,
            client: None,
        }
    }
}

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct FetchOutcome {
    /// With `dry_run`: the requests (`#`, `url`, `cached`); otherwise the ingest's
    /// one-row summary (dataset, version, rows, rejected, requests, cached, status).
    pub summary: Listing,
    /// Messages for the user (rows set aside and their codes, resumed downloads).
    pub messages: Vec<String>,
}

/// The cache folder: the option, `ENTREPOT_CACHE_DIR`, or the user's cache folder.
pub fn cache_dir(opt: Option<&PathBuf>) -> PathBuf {
    if let Some(d) = opt {
        return d.clone();
    }
    match std::env::var_os("ENTREPOT_CACHE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => entrepot_fetch::default_cache_dir(),
    }
}

/// The base URL: the option, the environment variable, or the production URL.
fn base_url(opt: Option<&String>, env: &str, default: &str) -> String {
    opt.cloned()
        .or_else(|| std::env::var(env).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| default.to_string())
}

fn session(opts: &FetchOptions, client: ClientConfig, default_max_age_s: u64) -> Session {
    Session {
        client: Client::new(opts.client.clone().unwrap_or(client)),
        cache: Cache::new(cache_dir(opts.cache_dir.as_ref())),
        refresh: opts.refresh,
        max_age_s: opts.max_age_s.unwrap_or(default_max_age_s),
    }
}

impl From<FetchError> for AppError {
    fn from(e: FetchError) -> Self {
        let msg = format!("{e} (the store is unchanged)");
        match e {
            FetchError::Usage(m) => AppError::usage(m),
            FetchError::Status { status: 404, .. } => AppError::not_found(msg),
            FetchError::HtmlPage { .. }
            | FetchError::Malformed { .. }
            | FetchError::Truncated { .. }
            | FetchError::AtCap { .. }
            | FetchError::Checksum { .. }
            | FetchError::Zip { .. } => AppError::bad_input(msg),
            _ => AppError::failure(msg),
        }
    }
}

/// A reader whose description names where its body came from (recorded in the
/// manifest's `readers`).
struct Provenanced {
    inner: Box<dyn FlowReader>,
    origin: String,
}

impl FlowReader for Provenanced {
    fn next_batch(&mut self) -> Result<Option<arrow::record_batch::RecordBatch>, IoError> {
        self.inner.next_batch()
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        self.inner.take_rejected()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        self.inner.progress()
    }
    fn describe(&self) -> String {
        format!("{}; {}", self.inner.describe(), self.origin)
    }
    fn keys_unique(&self) -> bool {
        self.inner.keys_unique()
    }
    fn currency(&self) -> Option<entrepot_io::fx::CurrencyCode> {
        self.inner.currency()
    }
}

/// `from URL retrieved TIME, ETag E, sha256 S` of a cached body.
fn origin(entry: &CacheEntry, what: &str) -> String {
    let m = &entry.meta;
    format!(
        "{what} from {} retrieved {}{}, sha256 {}",
        m.url,
        m.retrieved_at,
        m.etag
            .as_deref()
            .map(|e| format!(", ETag {e}"))
            .unwrap_or_default(),
        m.sha256
    )
}

/// Wraps a reader with the provenance of its cached body.
fn with_origin(inner: Box<dyn FlowReader>, entry: &CacheEntry, what: &str) -> Box<dyn FlowReader> {
    Box::new(Provenanced {
        inner,
        origin: origin(entry, what),
    })
}

/// Ingests the readers of a fetch into `name` atomically; `sources` are the cached
/// files they read (recorded with their checksums). `requests` and `cached` count the
/// requests and those answered from the cache.
fn store_fetched(
    location: &StoreLocation,
    name: &str,
    readers: Vec<Box<dyn FlowReader>>,
    sources: Vec<PathBuf>,
    opts: &FetchOptions,
    requests: usize,
    cached: usize,
) -> AppResult<FetchOutcome> {
    // On an object store, the write runs on a staging store (see
    // `StoreLocation::write_with`).
    location.write_with(move |location| {
        entrepot_store::validate_dataset_name(name).map_err(|e| AppError::usage(e.to_string()))?;
        let quarantine =
            crate::ingest::quarantine_path(opts.on_error, opts.quarantine.as_ref(), name);
        let mut store = location.open_write()?;
        let ingest_opts = IngestOptions {
            on_error: opts.on_error,
            quarantine_path: quarantine.clone(),
            replace: opts.replace,
            source_files: sources,
        };
        let report = store
            .ingest(name, readers, &ingest_opts, &|_| {})
            .map_err(|e| {
                let mut a = AppError::from(e);
                a.message.push_str(" (the fetched answers stay cached)");
                a
            })?;
        let mut summary = Listing::new(&[
            "dataset", "version", "rows", "rejected", "requests", "cached", "status",
        ]);
        summary.push(vec![
            report.dataset.clone(),
            report.version.to_string(),
            report.rows.to_string(),
            report.rejected.to_string(),
            requests.to_string(),
            cached.to_string(),
            if report.unchanged {
                "unchanged"
            } else {
                "written"
            }
            .to_string(),
        ]);
        let mut messages = Vec::new();
        if report.rejected > 0 {
            if let Some(q) = quarantine {
                messages.push(format!(
                    "{} row(s) set aside (codes unknown to the registry or bad values), listed with their reasons in {}{}",
                    report.rejected,
                    q.display(),
                    rejected_codes(&q)
                ));
            }
        }
        Ok(FetchOutcome { summary, messages })
    })
}

/// `: G110 (24 rows), …` — the values most often rejected in a quarantine file.
fn rejected_codes(q: &std::path::Path) -> String {
    let Ok(mut rdr) = csv::Reader::from_path(q) else {
        return String::new();
    };
    let Ok(headers) = rdr.headers().cloned() else {
        return String::new();
    };
    let Some(vi) = headers.iter().position(|h| h == "value") else {
        return String::new();
    };
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for rec in rdr.records().flatten() {
        if let Some(v) = rec.get(vi) {
            *counts.entry(v.to_string()).or_default() += 1;
        }
    }
    let mut top: Vec<(String, u64)> = counts.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let shown: Vec<String> = top
        .iter()
        .take(10)
        .map(|(v, n)| format!("{} ({n} row(s))", entrepot_core::text::display_value(v)))
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(": {}", shown.join(", "))
    }
}

/// The listing of a dry run: each request's URL and whether its answer is cached.
fn dry_run_listing(urls: &[(String, bool)]) -> FetchOutcome {
    let mut l = Listing::new(&["#", "url", "cached"]);
    for (i, (u, c)) in urls.iter().enumerate() {
        l.push(vec![
            (i + 1).to_string(),
            u.clone(),
            if *c { "yes" } else { "no" }.to_string(),
        ]);
    }
    FetchOutcome {
        summary: l,
        messages: Vec::new(),
    }
}

/// A list option: comma-separated values, trimmed, empty ones dropped.
fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
