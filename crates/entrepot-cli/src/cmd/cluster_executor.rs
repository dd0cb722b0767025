//! `entrepot cluster executor`: an executor of a Ballista cluster.
//!
//! ```text
//! Usage: entrepot cluster executor --scheduler HOST:PORT [--bind IP:PORT]
//!                                  [--grpc-port PORT] [--external-host HOST]
//!                                  [--work-dir DIR] [--concurrent-tasks N]
//!                                  [--heartbeat SECONDS]
//!
//! Registers with the scheduler at --scheduler and runs the tasks it sends. Serves
//! results and shuffle files over Arrow Flight on --bind (default 127.0.0.1:50051)
//! and takes tasks over gRPC on --grpc-port (default: the Flight port + 1); other
//! nodes reach it as --external-host (default: the bind IP). Shuffle files go to
//! --work-dir (default: a new temporary directory). The store must be readable at
//! the same path as on the client.
//! ```

use clap::Args;
use entrepot_cluster::executor::{run_executor, ExecutorOptions};
use std::path::PathBuf;
use std::time::Duration;

use crate::output::{exit, exit_error};

/// Arguments of `entrepot cluster executor`.
#[derive(Args, Debug)]
pub struct ExecutorArgs {
    /// The scheduler, as HOST:PORT.
    #[arg(long, value_parser = parse_scheduler)]
    pub scheduler: (String, u16),
    /// The address of the executor's Arrow Flight service.
    #[arg(long, default_value = "127.0.0.1:50051", value_parser = crate::cmd::cluster_scheduler::parse_bind)]
    pub bind: std::net::SocketAddr,
    /// The port of the executor's gRPC service (default: the Flight port + 1).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub grpc_port: Option<u16>,
    /// The host name other nodes reach this executor by (default: the bind IP).
    #[arg(long)]
    pub external_host: Option<String>,
    /// The directory of shuffle files (default: a new temporary directory).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Tasks run at once (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub concurrent_tasks: usize,
    /// Seconds between heartbeats to the scheduler.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub heartbeat: u64,
}

/// Parses `--scheduler` (clap reports a failure as a usage error).
fn parse_scheduler(text: &str) -> Result<(String, u16), String> {
    entrepot_cluster::parse_host_port(text).map_err(|e| e.to_string())
}

/// Runs the command: serves until the process is stopped.
pub fn run(args: &ExecutorArgs) -> anyhow::Result<()> {
    let (host, port) = args.scheduler.clone();
    let mut options = ExecutorOptions::new(host.clone(), port, args.bind);
    if let Some(p) = args.grpc_port {
        options.grpc_port = p;
    }
    options.external_host = args.external_host.clone();
    options.work_dir = args.work_dir.clone();
    options.concurrent_tasks = args.concurrent_tasks;
    options.heartbeat = Duration::from_secs(args.heartbeat);
    eprintln!(
        "entrepot cluster executor: flight on {}, grpc on port {}, scheduler {host}:{port}",
        args.bind, options.grpc_port
    );
    entrepot_cluster::init_logging();
    entrepot_cluster::serve_blocking(run_executor(&options))
        .map_err(|e| exit_error(exit::FAILURE, e.to_string()))
}
