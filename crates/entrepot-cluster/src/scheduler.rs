//! The scheduler of `entrepot cluster scheduler`: Ballista's scheduler with
//! Entrepôt's logical codec (the store's tables) and functions (the size caps).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionConfig;

use crate::ClusterError;

/// Settings of [`run_scheduler`].
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// The address the scheduler's gRPC service (and Ballista's REST API) listens on.
    pub bind: SocketAddr,
    /// The host name the executors and clients reach the scheduler by (default: the
    /// bind address's IP).
    pub external_host: Option<String>,
    /// How long an executor may go without a heartbeat before the scheduler declares
    /// it lost and runs its tasks elsewhere. Executors beat every
    /// [`crate::executor::ExecutorOptions::heartbeat`]; keep this several beats long.
    pub executor_timeout: Duration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            bind: SocketAddr::from((
                [127, 0, 0, 1],
                entrepot_query::engine::DEFAULT_SCHEDULER_PORT,
            )),
            external_host: None,
            executor_timeout: Duration::from_secs(30),
        }
    }
}

/// The Ballista configuration of a scheduler with `options`.
pub fn scheduler_config(options: &SchedulerOptions) -> SchedulerConfig {
    let timeout = options.executor_timeout.as_secs().max(1);
    SchedulerConfig {
        bind_host: options.bind.ip().to_string(),
        bind_port: options.bind.port(),
        external_host: options
            .external_host
            .clone()
            .unwrap_or_else(|| options.bind.ip().to_string()),
        executor_timeout_seconds: timeout,
        // Look for lost executors a few times per timeout.
        expire_dead_executor_interval_seconds: (timeout / 3).max(1),
        no_executors_grace_period_seconds: timeout,
        override_logical_codec: Some(Arc::new(entrepot_query::codec::EntrepotCodec::default())),
        override_session_builder: Some(Arc::new(session_state)),
        ..SchedulerConfig::default()
    }
}

/// The scheduler's session for a client's session config: Ballista's default session
/// with Entrepôt's functions (see [`crate::functions`]), reserving in its pool, and
/// Entrepôt's object stores (local files and `s3://` buckets from the environment).
fn session_state(
    config: SessionConfig,
) -> datafusion::common::Result<datafusion::execution::SessionState> {
    let runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new()
        .with_object_store_registry(Arc::new(entrepot_query::objects::ObjectStores::new()))
        .build_arc()?;
    let mut state = datafusion::execution::SessionStateBuilder::new_from_existing(
        ballista_core::utils::default_session_builder(config)?,
    )
    .with_runtime_env(runtime)
    .build();
    let pool = Arc::clone(&state.runtime_env().memory_pool);
    for udf in crate::functions(state.scalar_functions(), pool) {
        state.register_udf(udf)?;
    }
    Ok(state)
}

/// Runs a scheduler until the process ends (or the server fails: a port in use).
pub async fn run_scheduler(options: &SchedulerOptions) -> Result<(), ClusterError> {
    let config = scheduler_config(options);
    let fail = |e: ballista_core::error::BallistaError| ClusterError::Ballista {
        role: "scheduler",
        address: options.bind,
        message: e.to_string(),
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(fail)?;
    ballista_scheduler::scheduler_process::start_server(cluster, options.bind, Arc::new(config))
        .await
        .map_err(fail)
}
