//! The executor of `entrepot cluster executor`: Ballista's executor with Entrepôt's
//! functions (the size caps) in its registry.
//!
//! An executor listens on two ports: Arrow Flight (the results and shuffle files it
//! serves, [`ExecutorOptions::bind`]) and gRPC (the tasks the scheduler pushes,
//! [`ExecutorOptions::grpc_port`]). It registers with the scheduler, beats every
//! [`ExecutorOptions::heartbeat`], and keeps its shuffle files in
//! [`ExecutorOptions::work_dir`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use datafusion::execution::memory_pool::UnboundedMemoryPool;

use crate::ClusterError;

/// Settings of [`run_executor`].
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// The address the executor's Arrow Flight service listens on.
    pub bind: SocketAddr,
    /// The port of the executor's gRPC service (on the IP of `bind`).
    pub grpc_port: u16,
    /// The host name the scheduler and the other executors reach this one by
    /// (default: the IP of `bind`).
    pub external_host: Option<String>,
    /// Where shuffle files go (default: a new temporary directory).
    pub work_dir: Option<PathBuf>,
    /// How many tasks run at once (0: one per core).
    pub concurrent_tasks: usize,
    /// How often the executor tells the scheduler it is alive.
    pub heartbeat: Duration,
}

impl ExecutorOptions {
    /// An executor of the scheduler at `scheduler_host:scheduler_port`, with Flight on
    /// `bind` and gRPC on the next port.
    pub fn new(scheduler_host: String, scheduler_port: u16, bind: SocketAddr) -> Self {
        ExecutorOptions {
            scheduler_host,
            scheduler_port,
            bind,
            grpc_port: bind.port().wrapping_add(1),
            external_host: None,
            work_dir: None,
            concurrent_tasks: 0,
            heartbeat: Duration::from_secs(5),
        }
    }
}

/// The Ballista configuration of an executor with `options`.
pub fn executor_config(options: &ExecutorOptions) -> Result<ExecutorProcessConfig, ClusterError> {
    // The work directory is named here (a new one under the system's temporary
    // directory when none is given) because the runtime below spills into it.
    let dir = match &options.work_dir {
        Some(dir) => dir.clone(),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "entrepot-executor-{}-{}",
                std::process::id(),
                options.bind.port()
            ));
            std::fs::create_dir_all(&dir).map_err(|e| ClusterError::InvalidAddress {
                text: dir.display().to_string(),
                reason: format!("cannot create the work directory: {e}"),
            })?;
            dir
        }
    };
    let work_dir = dir
        .to_str()
        .ok_or_else(|| ClusterError::InvalidAddress {
            text: dir.display().to_string(),
            reason: "the work directory's path must be UTF-8".into(),
        })?
        .to_string();
    // Each task's runtime: spills in the work directory, and reads files through
    // Entrepôt's object stores (local files, `s3://` buckets configured from this
    // executor's environment).
    let spill_dir = work_dir.clone();
    let runtime_producer: ballista_core::RuntimeProducer = Arc::new(move |_| {
        datafusion::execution::runtime_env::RuntimeEnvBuilder::new()
            .with_temp_file_path(spill_dir.clone())
            .with_object_store_registry(Arc::new(entrepot_query::objects::ObjectStores::new()))
            .build_arc()
    });
    let work_dir = Some(work_dir);
    let mut registry = BallistaFunctionRegistry::default();
    // The executor's task pools are made per task, after the registry: the functions
    // reserve in a pool of their own, so only their per-value cap applies here.
    for udf in crate::functions(
        &registry.scalar_functions,
        Arc::new(UnboundedMemoryPool::default()),
    ) {
        registry
            .scalar_functions
            .insert(udf.name().to_string(), udf);
    }
    Ok(ExecutorProcessConfig {
        bind_host: options.bind.ip().to_string(),
        port: options.bind.port(),
        grpc_port: options.grpc_port,
        external_host: Some(
            options
                .external_host
                .clone()
                .unwrap_or_else(|| options.bind.ip().to_string()),
        ),
        scheduler_host: options.scheduler_host.clone(),
        scheduler_port: options.scheduler_port,
        scheduler_connect_timeout_seconds: entrepot_query::engine::CONNECT_TIMEOUT.as_secs() as u16,
        vcores: options.concurrent_tasks,
        work_dir,
        print_thread_info: false,
        executor_heartbeat_interval_seconds: options.heartbeat.as_secs().max(1),
        override_function_registry: Some(Arc::new(registry)),
        override_logical_codec: Some(Arc::new(entrepot_query::codec::EntrepotCodec::default())),
        override_runtime_producer: Some(runtime_producer),
        ..ExecutorProcessConfig::default()
    })
}

/// Runs an executor until it is stopped (a signal, or the scheduler's request), or
/// fails (a port in use, a scheduler that does not answer).
pub async fn run_executor(options: &ExecutorOptions) -> Result<(), ClusterError> {
    let config = executor_config(options)?;
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| ClusterError::Ballista {
            role: "executor",
            address: options.bind,
            message: e.to_string(),
        })
}
