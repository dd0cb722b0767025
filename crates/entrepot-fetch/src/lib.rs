//! # entrepot-fetch
//!
//! The network side of Entrepôt: clients of UN Comtrade, CEPII BACI and the IMF that
//! get current data onto disk, checked and cached, for the application layer to read
//! with the readers of `entrepot-io` and store atomically. Readers stay free of
//! networking; this crate knows HTTP, the providers' URLs, caps and formats, and
//! nothing of the store.
//!
//! ## Guarantees
//!
//! * Nothing partial leaves this crate: an answer is checked (status, HTML pages,
//!   announced length, the provider's format, truncation, the row cap) before it is
//!   cached, and cached atomically ([`cache`]); downloads grow in a `.part` file and
//!   enter the cache only when complete (and matching a checksum when one is given).
//! * Rate limits are respected: a minimum interval between requests, `429`/`503`
//!   answered by waiting as `Retry-After` says, exponential backoff otherwise
//!   ([`http::ClientConfig`]).
//! * An interrupted fetch resumes: every complete answer is in the cache, so running
//!   the same fetch again asks only for what is missing, and a download resumes from
//!   the bytes received (`Range`, `If-Range`).
//! * Keys never appear in URLs, cache keys, messages or `Debug` output.
//!
//! ## Modules
//!
//! | module | what |
//! |---|---|
//! | [`http`] | [`http::Client`]: timeouts, pacing, retries, body checks, resumable downloads |
//! | [`cache`] | [`cache::Cache`]: one folder per request with the body and its provenance |
//! | [`session`] | [`session::Session`]: client + cache + expiry/refresh policy |
//! | [`comtrade`] | UN Comtrade API v1: planning under the cap, splitting, answer checks |
//! | [`baci`] | CEPII BACI bulk archives: URLs, the archive's members |
//! | [`zip`] | a streaming ZIP reader (members read one by one, CRC-32 checked) |
//! | [`imf`] | IMF International Trade in Goods (IMTS, formerly DOTS) over SDMX REST |

#![warn(missing_docs)]

pub mod baci;
pub mod cache;
pub mod comtrade;
mod error;
pub mod http;
pub mod imf;
#[doc(hidden)]
pub mod replay;
pub mod session;
pub mod zip;

pub use error::{FetchError, FetchResult};

/// Where a fetch stands: requests done of the total known so far (a request split at
/// the cap adds one), and what just happened.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Requests answered.
    pub done: usize,
    /// Requests in all, as known now.
    pub total: usize,
    /// What just happened (`fetched`, `cached`, a wait, a retry).
    pub message: String,
}

/// The per-user cache folder of fetched answers (`~/.cache/entrepot/fetch` on Linux).
pub fn default_cache_dir() -> std::path::PathBuf {
    dirs::cache_dir()
        .map(|d| d.join("entrepot").join("fetch"))
        .unwrap_or_else(|| std::path::PathBuf::from(".entrepot-cache"))
}

/// The per-user configuration file (`~/.config/entrepot/config.toml` on Linux), which
/// may hold the Comtrade key (`[comtrade] key = "…"`).
pub fn default_config_file() -> Option<std::path::PathBuf> {
    dirs::config_dir().map(|d| d.join("entrepot").join("config.toml"))
}
