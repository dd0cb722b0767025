//! # entrepot-server
//!
//! The HTTP API and web dashboard of Entrepôt (`entrepot serve`): an axum server over
//! the same store as the command line, with no external service. Every handler is a
//! thin call into the application layer (`entrepot-app`) or the reference registries
//! of `entrepot-core`; pages render report documents with `entrepot-report`.
//!
//! ## Map
//!
//! | module | what |
//! |---|---|
//! | [`routes`] | the route table (method, path, handler): the router and the OpenAPI test both read it |
//! | `api` | the JSON endpoints under `/api/v1/`: listings, brief, diversification, gravity, SQL |
//! | `analyses` | decomposition, dependence, mirror, re-routing (GET) and trade-policy scenarios (POST) |
//! | `dashboard` | the server-rendered HTML pages (`/`, `/country/{iso3}`, `/pair/{a}/{b}`, `/products/{reporter}`, `/scenario`) |
//! | `jobs` | heavy requests (every analysis, gravity, SQL) on a bounded worker pool with a bounded queue and a time limit; the result cache |
//! | `auth` | the token rule of the endpoints that change the store |
//! | `params` | bounds and checks of request parameters |
//! | [`ServerError`] | every failure as JSON `{"error": {"class", "message"}}` with its status |
//!
//! ## Security defaults
//!
//! Read-only unless a token is configured: an endpoint that changes the store answers
//! 403 without a configured token, 401 without the right `Authorization: Bearer`
//! token. Request bodies, query strings and parameters are bounded; no file path is
//! ever taken from a request; no CORS headers are sent (browsers keep other origins
//! out); SQL is read-only, under the query engine's memory limit and the job time
//! limit.

#![warn(missing_docs)]

mod analyses;
mod api;
mod auth;
mod dashboard;
mod error;
mod jobs;
mod params;
pub mod routes;

pub use error::{ServerError, ServerResult};

use entrepot_app::StoreLocation;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The OpenAPI 3 document of the server, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The most bytes a request body may hold (the SQL endpoint's JSON).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The most bytes of a request's query string.
pub const MAX_QUERY_BYTES: usize = 4 * 1024;

/// The most bytes of a token file.
const MAX_TOKEN_FILE_BYTES: u64 = 4096;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The address to listen on (default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// The store the requests read.
    pub store: StoreLocation,
    /// The token the endpoints that change the store require; `None`: they answer
    /// 403 (read-only server).
    pub token: Option<String>,
    /// Heavy requests computed at once (brief, diversification, gravity, SQL).
    pub workers: usize,
    /// Heavy requests that may wait for a worker; beyond, 503 with `Retry-After`.
    pub queue: usize,
    /// How long a request waits for its heavy job before 503 (the job still ends on
    /// its worker, which stays busy: the pool bounds the work).
    pub job_timeout: Duration,
    /// The memory limit of an SQL query in bytes (`None`: the query engine's default).
    pub sql_memory_limit: Option<u64>,
    /// Results (briefs, diversification reports, pages) kept in the cache.
    pub cache_entries: usize,
}

impl ServerConfig {
    /// The defaults for a store: `127.0.0.1:8080`, read-only, workers = the number of
    /// CPUs (at least 2), a queue of 64, a 60 s job limit, a 1 GiB SQL memory limit, a
    /// cache of 256 results.
    pub fn new(store: StoreLocation) -> Self {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            store,
            token: None,
            workers: cpus.max(2),
            queue: 64,
            job_timeout: Duration::from_secs(60),
            sql_memory_limit: Some(1 << 30),
            cache_entries: 256,
        }
    }
}

/// Reads a token file: its first line, trimmed; at most 4 KiB, at least 16
/// characters, printable ASCII only.
pub fn read_token_file(path: &Path) -> ServerResult<String> {
    let bad = |why: String| ServerError::Config(format!("{}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if !meta.is_file() || meta.len() > MAX_TOKEN_FILE_BYTES {
        return Err(bad("not a file of at most 4 KiB".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    check_token(text.lines().next().unwrap_or_default().trim()).map_err(bad)
}

/// Checks a token (from a file or `ENTREPOT_TOKEN`): at least 16 characters, printable
/// ASCII without spaces.
pub fn check_token(token: &str) -> Result<String, String> {
    if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("a token is at least 16 printable ASCII characters without spaces".into());
    }
    Ok(token.to_string())
}

/// The shared state of the handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: ServerConfig,
    pub(crate) jobs: jobs::Jobs,
    pub(crate) cache: jobs::Cache,
    pub(crate) fingerprint: jobs::StoreFingerprint,
}

/// The router of a configuration, with its state: what [`serve`] runs, and what
/// tests call with `tower::ServiceExt::oneshot` (no socket).
pub fn app(config: ServerConfig) -> axum::Router {
    let state = Arc::new(AppState {
        jobs: jobs::Jobs::new(config.workers, config.queue, config.job_timeout),
        cache: jobs::Cache::new(config.cache_entries),
        fingerprint: jobs::StoreFingerprint::default(),
        config,
    });
    routes::router(state)
}

/// Listens on `config.addr` and serves until the process ends; `ready` is called with
/// the bound address (the port is chosen by the system when `addr` has port 0).
pub async fn serve(config: ServerConfig, ready: impl FnOnce(SocketAddr)) -> ServerResult<()> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServerError::Config(format!("cannot listen on {}: {e}", config.addr)))?;
    let local = listener
        .local_addr()
        .map_err(|e| ServerError::Config(e.to_string()))?;
    ready(local);
    axum::serve(listener, app(config))
        .await
        .map_err(|e| ServerError::Config(format!("server stopped: {e}")))
}

/// [`serve`] on a runtime of its own, for a caller that has none (the CLI).
pub fn serve_blocking(config: ServerConfig, ready: impl FnOnce(SocketAddr)) -> ServerResult<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("entrepot-server")
        .build()
        .map_err(|e| ServerError::Config(format!("cannot start the runtime: {e}")))?;
    rt.block_on(serve(config, ready))
}
