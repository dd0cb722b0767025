//! `entrepot cluster scheduler`: the scheduler of a Ballista cluster.
//!
//! ```text
//! Usage: entrepot cluster scheduler [--bind IP:PORT] [--external-host HOST]
//!                                   [--executor-timeout SECONDS]
//!
//! Listens on --bind (default 127.0.0.1:50050; 0.0.0.0:50050 for executors and
//! clients on other machines, which reach it as --external-host, default the bind IP).
//! An executor silent for --executor-timeout seconds (default 30) is declared lost and
//! its work runs again on the others.
//! ```

use clap::Args;
use entrepot_cluster::scheduler::{run_scheduler, SchedulerOptions};
use std::time::Duration;

use crate::output::{exit, exit_error};

/// Arguments of `entrepot cluster scheduler`.
#[derive(Args, Debug)]
pub struct SchedulerArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:50050", value_parser = parse_bind)]
    pub bind: std::net::SocketAddr,
    /// The host name executors and clients reach the scheduler by (default: the bind IP).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor is declared lost.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub executor_timeout: u64,
}

/// Parses `--bind` (clap reports a failure as a usage error).
pub fn parse_bind(text: &str) -> Result<std::net::SocketAddr, String> {
    entrepot_cluster::parse_bind(text).map_err(|e| e.to_string())
}

/// Runs the command: serves until the process is stopped.
pub fn run(args: &SchedulerArgs) -> anyhow::Result<()> {
    let options = SchedulerOptions {
        bind: args.bind,
        external_host: args.external_host.clone(),
        executor_timeout: Duration::from_secs(args.executor_timeout),
    };
    eprintln!(
        "entrepot cluster scheduler: listening on {} (clients: --engine ballista://{}:{})",
        args.bind,
        args.external_host
            .clone()
            .unwrap_or_else(|| args.bind.ip().to_string()),
        args.bind.port()
    );
    entrepot_cluster::init_logging();
    entrepot_cluster::serve_blocking(run_scheduler(&options))
        .map_err(|e| exit_error(exit::FAILURE, e.to_string()))
}
