//! `entrepot serve`: the HTTP API and web dashboard over the store.
//!
//! ```text
//! Usage: entrepot serve [--addr 127.0.0.1:8080] [--token-file FILE]
//!                       [--workers N] [--queue N] [--job-timeout SECONDS]
//!                       [--memory-limit SIZE]
//!
//! Serves the store (--store, ENTREPOT_STORE, or the per-user default; the embedded
//! sample answers briefs when it holds nothing for a country): JSON endpoints under
//! /api/v1/ (datasets, countries, products, groups, brief, diversification, gravity,
//! SQL), documented at /api/v1/openapi.json, and a dashboard at / (country pages with
//! the brief and the diversification indices, charts as inline SVG, no JavaScript).
//!
//! Read-only by default: endpoints that change the store (DELETE
//! /api/v1/datasets/{name}) answer 403 unless a token is configured with --token-file
//! (its first line) or ENTREPOT_TOKEN, and then 401 without `Authorization: Bearer
//! TOKEN`. No CORS headers; bodies, query strings and parameters are bounded. Heavy
//! requests (brief, diversification, gravity, SQL) run on --workers threads with a
//! queue of --queue places (503 with Retry-After when full) and a limit of
//! --job-timeout seconds; SQL runs under --memory-limit (or ENTREPOT_MEMORY_LIMIT;
//! default 1GiB). Listening on another address than loopback exposes the store to
//! the network: use a token and a proxy with TLS.
//! ```

use crate::output::{exit, exit_error};
use crate::Ctx;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `entrepot serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0: a free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A file whose first line is the token that endpoints changing the store require.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// Heavy requests computed at once (default: the number of CPUs, at least 2).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Heavy requests that may wait for a worker before the server answers 503.
    #[arg(long, default_value_t = 64)]
    pub queue: usize,
    /// Seconds a request waits for its heavy job before 503.
    #[arg(long, default_value_t = 60)]
    pub job_timeout: u64,
    /// Memory limit of an SQL query, e.g. 512MiB or 2GiB.
    #[arg(long, env = "ENTREPOT_MEMORY_LIMIT", value_name = "SIZE", default_value = "1GiB", value_parser = crate::cmd::sql::parse_memory_limit)]
    pub memory_limit: u64,
}

/// Runs the command: serves until the process is stopped.
pub fn run(args: &ServeArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let mut config = entrepot_server::ServerConfig::new(ctx.store.clone());
    config.addr = args.addr;
    config.queue = args.queue;
    config.job_timeout = std::time::Duration::from_secs(args.job_timeout.max(1));
    if let Some(w) = args.workers {
        config.workers = w.max(1);
    }
    config.sql_memory_limit = Some(args.memory_limit);
    config.token = match (&args.token_file, std::env::var("ENTREPOT_TOKEN")) {
        (Some(f), _) => Some(
            entrepot_server::read_token_file(f)
                .map_err(|e| exit_error(exit::USAGE, e.to_string()))?,
        ),
        (None, Ok(t)) if !t.is_empty() => Some(
            entrepot_server::check_token(t.trim())
                .map_err(|e| exit_error(exit::USAGE, format!("ENTREPOT_TOKEN: {e}")))?,
        ),
        _ => None,
    };
    let writes = if config.token.is_some() {
        "endpoints that change the store need the token"
    } else {
        "read-only"
    };
    let store = ctx.store.dir().display().to_string();
    entrepot_server::serve_blocking(config, |addr| {
        // Printed even with --quiet: a caller that asked for port 0 reads the port here.
        // A closed stderr does not stop the server.
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "listening on http://{addr} (store {store}; {writes})\ndashboard: http://{addr}/  API: http://{addr}/api/v1/openapi.json"
        );
    })
    .map_err(|e| exit_error(exit::FAILURE, e.to_string()))
}
