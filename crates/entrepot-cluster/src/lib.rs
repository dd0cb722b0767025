//! # entrepot-cluster
//!
//! Entrepôt on an [Apache Ballista](https://datafusion.apache.org/ballista/) cluster:
//! the scheduler and the executor of `entrepot cluster scheduler|executor`, embedded
//! from the `ballista-scheduler` and `ballista-executor` crates (the same code as
//! Ballista's own binaries), set up to run Entrepôt's plans.
//!
//! A client (`entrepot sql --engine ballista://HOST:PORT`, see
//! `entrepot_query::engine`) sends each optimised logical plan to the scheduler. The
//! scheduler ([`scheduler::run_scheduler`]) decodes it with Entrepôt's codec
//! (`entrepot_query::codec`: the store's tables travel as the manifest entries of their
//! files), plans it physically (the store's pruning runs there, and checks each file
//! it keeps), cuts it into stages at its exchanges and hands the stages' tasks to the
//! executors ([`executor::run_executor`]), which read the Parquet files, shuffle
//! through their work directories and serve the results over Arrow Flight.
//!
//! What every node needs:
//!
//! * **the store at the same path**: the plans name the files by the absolute paths
//!   the client's manifest gives. On one machine that is the store's directory; on
//!   several, a shared file system mounted at the same path.
//! * **the same functions**: plans name functions, and each node resolves the names
//!   in its own registry; both servers here register the size-capped wrappers and the
//!   `||` function of `entrepot_query::capped` ([`functions`]), so a plan that uses
//!   `repeat` or `||` runs, with the same 16 MiB cap per value, on the cluster.
//! * **the same Ballista version** (the client refuses a scheduler of another
//!   version).
//!
//! Failures: an executor that stops heart-beating for [`scheduler::SchedulerOptions::executor_timeout`]
//! is declared lost and its tasks, and the map stages whose output it held, run again
//! elsewhere (up to Ballista's four attempts per task and per stage); a job that still
//! fails is reported whole to the client as an error. A client never receives part of
//! a result: it collects every partition before it renders anything.

#![warn(missing_docs)]

pub mod executor;
pub mod scheduler;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use datafusion::execution::memory_pool::MemoryPool;
use datafusion::logical_expr::ScalarUDF;
use thiserror::Error;

/// Errors of the `entrepot-cluster` crate.
#[derive(Debug, Error)]
pub enum ClusterError {
    /// An address (`--bind`, `--scheduler`) could not be read.
    #[error("invalid address `{text}`: {reason}")]
    InvalidAddress {
        /// The text given (cut).
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// The server's runtime could not start.
    #[error("cannot start the server's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Ballista failed (a port in use, an unreachable scheduler, …).
    #[error("{role} at {address}: {message}")]
    Ballista {
        /// `scheduler` or `executor`.
        role: &'static str,
        /// The address it serves on.
        address: SocketAddr,
        /// Ballista's message.
        message: String,
    },
}

/// Sends Ballista's log to stderr: warnings and errors by default (a lost executor, a
/// failed task, a stage run again), more with `RUST_LOG` (e.g. `RUST_LOG=info`, or
/// `RUST_LOG=ballista_scheduler=debug`). Call once, before starting a server.
pub fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .format_timestamp_millis()
        .try_init();
}

/// Stack size of the servers' threads: planning recurses over a plan, as on the
/// client (Ballista's own binaries use 32 MiB).
pub const SERVER_STACK_BYTES: usize = 32 << 20;

/// Runs `server` (a scheduler or an executor) on a multi-threaded runtime of its own,
/// until it ends; for callers outside an async context (the `entrepot` command).
pub fn serve_blocking<F>(server: F) -> Result<(), ClusterError>
where
    F: std::future::Future<Output = Result<(), ClusterError>>,
{
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(SERVER_STACK_BYTES)
        .thread_name("entrepot-cluster")
        .build()
        .map_err(ClusterError::Runtime)?
        .block_on(server)
}

/// Splits `HOST:PORT` (an IPv6 host in brackets) into its host and port.
pub fn parse_host_port(text: &str) -> Result<(String, u16), ClusterError> {
    let invalid = |reason: &str| ClusterError::InvalidAddress {
        text: text.chars().take(200).collect(),
        reason: reason.to_string(),
    };
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| invalid("expected HOST:PORT"))?;
    if host.is_empty() {
        return Err(invalid("the host is missing"));
    }
    let port = match port.parse::<u16>() {
        Ok(0) | Err(_) => return Err(invalid("the port must be a number from 1 to 65535")),
        Ok(p) => p,
    };
    Ok((host.to_string(), port))
}

/// Reads `IP:PORT` (a socket address to listen on).
pub fn parse_bind(text: &str) -> Result<SocketAddr, ClusterError> {
    text.parse().map_err(|e| ClusterError::InvalidAddress {
        text: text.chars().take(200).collect(),
        reason: format!("expected IP:PORT, such as 0.0.0.0:50050 ({e})"),
    })
}

/// The functions a node registers beyond DataFusion's built-ins, whose names the
/// client's plans may use (see the crate docs): the size-capped wrappers and `||`,
/// reserving their output in `pool`.
pub fn functions(
    builtins: &HashMap<String, Arc<ScalarUDF>>,
    pool: Arc<dyn MemoryPool>,
) -> Vec<Arc<ScalarUDF>> {
    entrepot_query::capped::cluster_functions(
        builtins,
        pool,
        entrepot_query::limits::MAX_VALUE_BYTES as u64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_and_bind_addresses() {
        assert_eq!(
            parse_host_port("sched.example:50050").unwrap(),
            ("sched.example".to_string(), 50050)
        );
        assert_eq!(
            parse_host_port("[::1]:7").unwrap(),
            ("[::1]".to_string(), 7)
        );
        for bad in ["sched", ":1", "h:0", "h:x", "h:70000"] {
            assert!(parse_host_port(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_bind("127.0.0.1:50050").unwrap(),
            "127.0.0.1:50050".parse::<SocketAddr>().unwrap()
        );
        assert!(parse_bind("localhost:50050").is_err());
    }

    #[test]
    fn nodes_know_the_capped_functions_and_the_concat_operator() {
        let builtins: HashMap<String, Arc<ScalarUDF>> =
            datafusion::functions::all_default_functions()
                .into_iter()
                .map(|f| (f.name().to_string(), f))
                .collect();
        let pool: Arc<dyn MemoryPool> =
            Arc::new(datafusion::execution::memory_pool::UnboundedMemoryPool::default());
        let names: Vec<String> = functions(&builtins, pool)
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        for expected in ["repeat", "lpad", "concat", "||"] {
            assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
        }
    }
}
