//! `entrepot cluster`: run the nodes of an Apache Ballista cluster that executes
//! Entrepôt's queries (`--engine ballista://HOST:PORT` on `sql` and `brief`).
//!
//! ```text
//! Usage: entrepot cluster scheduler [--bind IP:PORT] [--external-host HOST]
//!                                   [--executor-timeout SECONDS]
//!        entrepot cluster executor --scheduler HOST:PORT [--bind IP:PORT]
//!                                  [--grpc-port PORT] [--external-host HOST]
//!                                  [--work-dir DIR] [--concurrent-tasks N]
//!                                  [--heartbeat SECONDS]
//!
//! Start one scheduler, then executors (on this machine or others) pointing at it;
//! every node must see the store at the same path. Each runs until stopped (Ctrl-C,
//! SIGTERM). See the README's "Running on a cluster".
//! ```

use clap::{Args, Subcommand};

use crate::cmd::{cluster_executor, cluster_scheduler};

/// Arguments of `entrepot cluster`.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// The node to run.
    #[command(subcommand)]
    pub command: ClusterCommand,
}

/// The nodes of `entrepot cluster`.
#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Run the scheduler: it plans the queries clients send and hands tasks to executors.
    Scheduler(cluster_scheduler::SchedulerArgs),
    /// Run an executor: it registers with the scheduler and runs the tasks it is given.
    Executor(cluster_executor::ExecutorArgs),
}

/// Runs the command.
pub fn run(args: &ClusterArgs) -> anyhow::Result<()> {
    match &args.command {
        ClusterCommand::Scheduler(a) => cluster_scheduler::run(a),
        ClusterCommand::Executor(a) => cluster_executor::run(a),
    }
}
