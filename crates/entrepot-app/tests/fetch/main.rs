//! The connectors against replay servers on loopback (no test reaches the internet):
//! each provider's documented answers, then its failures — `429` with `Retry-After`,
//! a truncated body, an answer at the row cap, a connection dropped mid-download, an
//! HTML error page, a changed schema — each asserting the outcome and the store.

mod baci;
mod comtrade;
mod imf;

use entrepot_app::fetch::FetchOptions;
use entrepot_app::ingest::OnError;
use entrepot_app::StoreLocation;
use entrepot_core::TradeFlow;
use entrepot_fetch::http::ClientConfig;
use std::path::Path;
use std::time::Duration;

/// A client that does not wait between requests and retries quickly.
pub fn fast_client() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        max_attempts: 3,
        backoff_base: Duration::from_millis(20),
        max_retry_wait: Duration::from_secs(5),
        min_interval: Duration::ZERO,
        ..ClientConfig::default()
    }
}

/// Options for a fetch against `url`, caching in `dir/cache`, rejected rows in
/// `dir/rejected.csv`.
pub fn options(url: &str, dir: &Path) -> FetchOptions {
    FetchOptions {
        cache_dir: Some(dir.join("cache")),
        base_url: Some(url.to_string()),
        client: Some(fast_client()),
        quarantine: Some(dir.join("rejected.csv")),
        on_error: OnError::Quarantine,
        ..FetchOptions::default()
    }
}

/// The store in `dir/store`.
pub fn store(dir: &Path) -> StoreLocation {
    StoreLocation::named(dir.join("store"))
}

/// The flows of a dataset, sorted by key (empty when the store or dataset does not
/// exist).
pub fn flows(dir: &Path, dataset: &str) -> Vec<TradeFlow> {
    let Ok(store) = entrepot_store::Store::open_read(dir.join("store")) else {
        return Vec::new();
    };
    if store.dataset(dataset).is_none() {
        return Vec::new();
    }
    let mut f = store
        .load_flows(&entrepot_store::FlowFilter {
            dataset: Some(dataset.to_string()),
            ..Default::default()
        })
        .expect("load flows");
    f.sort_by_key(|x| format!("{:?}", x.key()));
    f
}

/// Whether the store holds no dataset (it may not exist at all).
pub fn store_is_empty(dir: &Path) -> bool {
    match entrepot_store::Store::open_read(dir.join("store")) {
        Ok(s) => s.datasets().is_empty(),
        Err(_) => true,
    }
}

/// The summary cell of a column.
pub fn cell(outcome: &entrepot_app::fetch::FetchOutcome, column: &str) -> String {
    let i = outcome
        .summary
        .headers
        .iter()
        .position(|h| h == column)
        .expect("column");
    outcome.summary.rows[0][i].clone()
}
