//! # entrepot-query
//!
//! SQL over an Entrepôt store with [Apache DataFusion](https://datafusion.apache.org).
//! [`QueryEngine::new`] registers, from the store's manifest:
//!
//! | table | content |
//! |---|---|
//! | one per dataset | the dataset, named after it (see [`sql_identifier`]) |
//! | `flows` | all flows datasets, with leading `dataset`, `currency` and `value` columns |
//! | `facts` | all facts datasets, with a leading `dataset` column |
//! | `datasets` | the manifest, one row per dataset |
//!
//! Values are in each dataset's currency (`datasets.currency`): a dataset's table
//! names its value column after it (`value_usd`, or `value_jpy` for a dataset kept in
//! yen). In `flows`, `value` is the value in `currency` and `value_usd` is null for
//! rows in another currency than US dollars, so that `SUM(value_usd)` never adds yen
//! to dollars; `GROUP BY currency` sums `value` per currency.
//!
//! Flow tables read exactly the Parquet files the manifest lists for the current
//! version (the `table` module's provider, never a directory listing), with `year`
//! (Int32) a partition column in both layouts and `reporter` (Utf8) a partition column
//! in the old per-reporter layout and a sorted column of the files in the year layout.
//! A filter such as `WHERE reporter = 'CHN' AND year = 2016` opens only the files of
//! that year whose reporter range holds `CHN`, and inside them only the row groups and
//! pages whose statistics can match. Queries are read-only: DDL, DML (`COPY`,
//! `INSERT`) and `SET` statements are refused.
//!
//! Queries run in this process or on an Apache Ballista cluster
//! ([`QueryOptions::engine`], see [`engine`]): the same tables and logical plans on
//! either; the store's tables reach the cluster through [`codec`].
//!
//! Queries run under limits ([`limits`]): a memory pool (half the physical memory by
//! default, [`QueryOptions::memory_limit`]) with spilling to disk, a cap on the values
//! that functions such as `repeat` or `lpad` make ([`capped`]), a large stack for
//! planning, and bounds on the query's length and nesting. Exceeding one gives a
//! [`QueryError`] that says which limit and how to get past it.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = entrepot_store::Store::open_default()?;
//! let engine = entrepot_query::QueryEngine::new(&store)?;
//! let batches = engine.sql_blocking(
//!     "SELECT SUM(value_usd) FROM flows WHERE reporter = 'CHN' AND year = 2016",
//! )?;
//! println!("{}", entrepot_query::render(&batches, entrepot_query::Format::Table));
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod capped;
pub mod codec;
pub mod engine;
pub mod limits;
pub mod objects;

pub use engine::Engine;
pub use limits::{parse_size, QueryOptions};

mod table;

use arrow::array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::{provider_as_source, MemTable, ViewTable};
use datafusion::execution::context::SQLOptions;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryPool};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::{lit, SessionConfig, SessionContext};
use entrepot_io::schema::with_value_currency;
use entrepot_store::{facts_schema, flows_file_schema, DatasetInfo, DatasetKind, Store};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use thiserror::Error;

/// Errors of the `entrepot-query` crate.
#[derive(Debug, Error)]
pub enum QueryError {
    /// A DataFusion error (bad SQL, unknown column, …).
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// An Arrow error while rendering.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A store error.
    #[error(transparent)]
    Store(#[from] entrepot_store::StoreError),
    /// The tokio runtime of the blocking wrapper could not start.
    #[error("cannot start the query runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The query needed more memory (or spill space) than the limit.
    #[error("the query needs more memory than the limit ({}); raise --memory-limit or narrow the query ({detail})", limits::format_size(*.limit))]
    MemoryLimit {
        /// The memory limit in bytes.
        limit: u64,
        /// DataFusion's account of the failed allocation (on one line, cut).
        detail: String,
    },
    /// A function would have made a value larger than [`limits::MAX_VALUE_BYTES`].
    #[error("{0}")]
    ValueTooLarge(capped::ValueTooLarge),
    /// The query's expressions or subqueries nest too deeply.
    #[error("query too deeply nested (limit {limit})")]
    TooDeep {
        /// The limit ([`limits::MAX_EXPR_DEPTH`]).
        limit: usize,
    },
    /// The query text is too long.
    #[error("the query is {bytes} bytes long, more than the limit of {limit}")]
    TooLong {
        /// Its length in bytes.
        bytes: usize,
        /// The limit ([`limits::MAX_QUERY_BYTES`]).
        limit: usize,
    },
    /// A memory size (`--memory-limit`) could not be read.
    #[error("invalid size `{text}`: {reason}")]
    InvalidSize {
        /// The text given (escaped and cut).
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// The result is too large to lay out as a table.
    #[error("the result is too large to show as a table (about {}); use --format csv or json, or add a LIMIT", limits::format_size(*.0))]
    TooLargeForTable(u64),
    /// A stored Parquet file could not be read, and the error does not say which.
    #[error("cannot read the store's data ({detail}); a stored file may be damaged: run `entrepot verify` to find it")]
    StoredData {
        /// The reader's message (on one line, cut).
        detail: String,
    },
    /// The query task panicked (a bug in the engine).
    #[error("the query failed unexpectedly: {0}")]
    Panicked(String),
    /// Rendered output is not UTF-8.
    #[error("rendered output is not UTF-8")]
    Utf8,
    /// An engine (`--engine`, `ENTREPOT_ENGINE`) could not be read.
    #[error("invalid engine `{text}`: {reason}")]
    InvalidEngine {
        /// The text given (cut).
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A query on a cluster gave no answer within its time limit
    /// ([`Engine::query_timeout`]); it was abandoned whole.
    #[error("the Ballista cluster at {address} gave no answer within {seconds} s (ENTREPOT_CLUSTER_TIMEOUT); the query was abandoned and nothing was printed. An executor lost in the middle of a query can leave the cluster waiting for work it never schedules again: run it again, or with --engine local")]
    ClusterTimeout {
        /// The scheduler's `host:port`.
        address: String,
        /// The limit, in seconds.
        seconds: u64,
    },
    /// The Ballista scheduler of the engine does not answer.
    #[error("the Ballista scheduler at {address} is unreachable ({reason}); start it with `entrepot cluster scheduler --bind {address}`, or run with --engine local")]
    Unreachable {
        /// The scheduler's `host:port`.
        address: String,
        /// Why the connection failed.
        reason: String,
    },
}

impl QueryError {
    /// Whether the query itself is at fault, not the engine or the store: it does not
    /// parse, names a table, column or function that does not exist, mixes types the
    /// planner refuses, uses SQL the engine does not support, or computes what cannot
    /// be computed (a division by zero, an overflow, a failed cast or parse). Callers
    /// report these as usage errors (exit code 2, HTTP 400).
    pub fn is_query_mistake(&self) -> bool {
        use arrow::error::ArrowError as A;
        use datafusion::error::DataFusionError as D;
        match self {
            QueryError::DataFusion(e) => match e.find_root() {
                D::SQL(..) | D::Plan(_) | D::SchemaError(..) | D::NotImplemented(_) => true,
                // Not InvalidArgumentError or the I/O kinds: a damaged file can raise
                // those, and it is a failure.
                D::ArrowError(a, _) => matches!(
                    **a,
                    A::DivideByZero | A::ArithmeticOverflow(_) | A::CastError(_) | A::ParseError(_)
                ),
                _ => false,
            },
            _ => false,
        }
    }
}

/// Output format of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// An ASCII table.
    #[default]
    Table,
    /// A JSON array of objects.
    Json,
    /// CSV with a header line.
    Csv,
}

/// Names reserved for the engine's own tables.
const RESERVED: [&str; 3] = ["flows", "facts", "datasets"];

/// Turns a dataset name into a lower-case SQL identifier: characters other than ASCII
/// letters, digits and `_` become `_`, a leading digit gets a `_` prefix, and the names
/// of the engine's own tables (`flows`, `facts`, `datasets`) get a `ds_` prefix.
pub fn sql_identifier(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if RESERVED.contains(&s.as_str()) {
        s.insert_str(0, "ds_");
    }
    s
}

/// A registered dataset table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// SQL table name.
    pub table: String,
    /// Dataset name in the store.
    pub dataset: String,
    /// Dataset kind.
    pub kind: DatasetKind,
    /// Flows: the ISO 4217 currency of the values (`USD` for facts).
    pub currency: String,
    /// Flows: the value column of the table (`value_usd`, `value_jpy`, …).
    pub value_column: String,
    /// The distinct reporters the manifest records for the dataset, sorted (a
    /// planner may filter on the few it does not want instead of the many it does).
    pub reporters: Vec<String>,
    /// Flows: what the rows hold, when the manifest records it (a planner may take a
    /// column of one value for a constant).
    pub content: Option<entrepot_store::FlowsContent>,
}

/// A DataFusion session over one store's current manifest.
pub struct QueryEngine {
    ctx: SessionContext,
    tables: Vec<TableInfo>,
    runtime: OnceLock<tokio::runtime::Runtime>,
    memory_limit: u64,
    engine: Engine,
}

impl std::fmt::Debug for QueryEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryEngine")
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

impl QueryEngine {
    /// Registers the datasets of `store` (as its manifest was last read), with the default
    /// [`QueryOptions`].
    pub fn new(store: &Store) -> Result<Self, QueryError> {
        Self::with_options(store, &QueryOptions::default())
    }

    /// Registers the datasets of `store` (as its manifest was last read).
    pub fn with_options(store: &Store, options: &QueryOptions) -> Result<Self, QueryError> {
        let memory_limit = options.effective_memory_limit();
        options.engine.check_reachable()?;
        let ctx = session_context(memory_limit, &options.engine)?;
        let mut tables = Vec::new();
        let mut used: BTreeSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        let mut flow_plans = Vec::new();
        let mut fact_plans = Vec::new();
        for d in store.datasets() {
            let mut table = sql_identifier(&d.name);
            let base = table.clone();
            let mut n = 2;
            while used.contains(&table) {
                table = format!("{base}_{n}");
                n += 1;
            }
            used.insert(table.clone());
            // Exactly the manifest's files, never a directory listing.
            let provider: Arc<dyn TableProvider> = Arc::new(match d.kind {
                DatasetKind::Flows => table::ManifestTable::new(
                    store,
                    &d,
                    with_value_currency(&flows_file_schema(), d.value_currency()),
                    true,
                ),
                DatasetKind::Facts => table::ManifestTable::new(store, &d, facts_schema(), false),
            });
            ctx.register_table(TableReference::bare(table.clone()), provider.clone())?;
            let plan = match d.kind {
                DatasetKind::Flows => flows_plan(&table, &d, provider)?,
                DatasetKind::Facts => with_dataset_column(&table, &d.name, provider)?,
            };
            match d.kind {
                DatasetKind::Flows => flow_plans.push(plan),
                DatasetKind::Facts => fact_plans.push(plan),
            }
            tables.push(TableInfo {
                table,
                dataset: d.name.clone(),
                kind: d.kind,
                currency: d.value_currency().to_string(),
                value_column: d.value_column(),
                reporters: d.reporters.clone(),
                content: d.content.clone(),
            });
        }
        register_union(&ctx, "flows", flow_plans, flows_union_schema())?;
        register_union(
            &ctx,
            "facts",
            fact_plans,
            with_dataset_field(&facts_schema()),
        )?;
        let datasets = Arc::new(MemTable::try_new(
            datasets_schema(),
            vec![vec![datasets_batch(&store.datasets(), &tables)?]],
        )?);
        ctx.register_table("datasets", datasets)?;
        Ok(QueryEngine {
            ctx,
            tables,
            runtime: OnceLock::new(),
            memory_limit,
            engine: options.engine.clone(),
        })
    }

    /// The memory limit of the engine's queries, in bytes.
    pub fn memory_limit(&self) -> u64 {
        self.memory_limit
    }

    /// The registered dataset tables.
    pub fn tables(&self) -> &[TableInfo] {
        &self.tables
    }

    /// The SQL table name of a dataset.
    pub fn table_of(&self, dataset: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|t| t.dataset == dataset)
            .map(|t| t.table.as_str())
    }

    /// The underlying DataFusion session (for callers that build plans directly).
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Runs a read-only SQL query and collects the result (under the limits of
    /// [`limits`]). Planning recurses over the query, so callers on small-stack threads
    /// should prefer [`QueryEngine::sql_blocking`], which runs on threads with
    /// [`limits::QUERY_STACK_BYTES`] of stack.
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>, QueryError> {
        self.engine
            .bounded(run_query(
                self.ctx.clone(),
                query.to_string(),
                self.memory_limit,
            ))
            .await
    }

    /// Where the engine's queries run.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// [`QueryEngine::sql`] on the engine's own tokio runtime, whose threads have
    /// [`limits::QUERY_STACK_BYTES`] of stack: the query is parsed, planned and executed
    /// there, not on the calling thread. Must not be called from inside an async context.
    pub fn sql_blocking(&self, query: &str) -> Result<Vec<RecordBatch>, QueryError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(QueryError::Runtime(std::io::Error::other(
                "sql_blocking was called inside an async runtime; use `sql(..).await`",
            )));
        }
        let rt = self.runtime()?;
        let engine = self.engine.clone();
        let (ctx, query, limit) = (self.ctx.clone(), query.to_string(), self.memory_limit);
        let task = rt.spawn(async move { engine.bounded(run_query(ctx, query, limit)).await });
        match rt.block_on(task) {
            Ok(result) => result,
            Err(e) => Err(QueryError::Panicked(e.to_string())),
        }
    }

    /// The engine's runtime, started on first use.
    fn runtime(&self) -> Result<&tokio::runtime::Runtime, QueryError> {
        if let Some(rt) = self.runtime.get() {
            return Ok(rt);
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_stack_size(limits::QUERY_STACK_BYTES)
            .thread_name("entrepot-query")
            .enable_all()
            .build()
            .map_err(QueryError::Runtime)?;
        let _ = self.runtime.set(rt);
        self.runtime
            .get()
            .ok_or_else(|| QueryError::Runtime(std::io::Error::other("runtime not initialised")))
    }
}

/// A DataFusion session under a memory pool of `memory_limit` bytes, with the SQL
/// parser's recursion limit and the size-capped functions of [`capped`], planning
/// its queries for `engine`.
fn session_context(memory_limit: u64, engine: &Engine) -> Result<SessionContext, QueryError> {
    let mut config = SessionConfig::new()
        .with_information_schema(true)
        .with_target_partitions(target_partitions());
    config.options_mut().sql_parser.recursion_limit =
        datafusion::common::config::ConfigNonZeroUsize::try_new(limits::MAX_EXPR_DEPTH)?;
    let runtime = limits::runtime_env(memory_limit)?;
    let ctx = match engine.scheduler_url() {
        None => SessionContext::new_with_config_rt(config, runtime),
        Some(url) => ballista_context(config, runtime, url)?,
    };
    capped::install(&ctx, limits::MAX_VALUE_BYTES as u64);
    Ok(ctx)
}

/// How many partitions each stage of a plan has: `ENTREPOT_PARTITIONS` when set (1 to
/// 4096), else this machine's cores up to 8, on either engine. A stage's partitions
/// are the most tasks it runs at once, so a cluster whose executors hold more task
/// slots than that is given its slot count; the default stays the same on both
/// engines so that their floating-point sums add in the same grouping.
fn target_partitions() -> usize {
    if let Some(n) = std::env::var("ENTREPOT_PARTITIONS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=4096).contains(n))
    {
        return n;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8)
}

/// A session whose query planner sends each plan to the Ballista scheduler at `url`,
/// with the store's tables carried by [`codec::EntrepotCodec`] and the gRPC client's
/// connect timeout set to [`engine::CONNECT_TIMEOUT`].
fn ballista_context(
    config: SessionConfig,
    runtime: Arc<datafusion::execution::runtime_env::RuntimeEnv>,
    url: String,
) -> Result<SessionContext, QueryError> {
    use ballista_core::extension::{SessionConfigExt, SessionStateExt};
    // The static distributed planner, not the adaptive one (Ballista 55's default):
    // when an executor was lost in the middle of a join, the adaptive planner rolled
    // its stages back and then never ran them again, and the query hung (seen with
    // ci/ballista.sh's killed executor); the static planner runs the lost work again.
    let mut config = config
        .upgrade_for_ballista()
        .with_ballista_logical_extension_codec(Arc::new(codec::EntrepotCodec::default()))
        .with_ballista_adaptive_query_planner(false);
    config.options_mut().set(
        ballista_core::config::BALLISTA_CLIENT_GRPC_CONNECT_TIMEOUT_SECONDS,
        &engine::CONNECT_TIMEOUT.as_secs().to_string(),
    )?;
    let state = datafusion::execution::SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .build()
        .upgrade_for_ballista(url)?;
    Ok(SessionContext::new_with_state(state))
}

/// Parses (checking length and nesting), plans (read-only), runs and collects a query;
/// the collected batches count against the memory pool.
async fn run_query(
    ctx: SessionContext,
    query: String,
    memory_limit: u64,
) -> Result<Vec<RecordBatch>, QueryError> {
    let fail = |e| limits::map_error(e, memory_limit);
    limits::check_length(&query)?;
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(&query, &dialect).map_err(fail)?;
    limits::check_depth(&statement)?;
    let plan = state.statement_to_plan(statement).await.map_err(fail)?;
    let opts = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    opts.verify_plan(&plan).map_err(fail)?;
    // A query with parameters (`?`, `$1`) cannot run: nothing supplies their values.
    let parameters = plan.get_parameter_types().map_err(fail)?;
    if !parameters.is_empty() {
        let names: Vec<&str> = parameters.keys().map(String::as_str).collect();
        return Err(fail(datafusion::error::DataFusionError::Plan(format!(
            "the query has parameters ({}); write their values into the query",
            names.join(", ")
        ))));
    }
    let df = ctx.execute_logical_plan(plan).await.map_err(fail)?;
    let pool = Arc::clone(&ctx.runtime_env().memory_pool);
    collect_within(df, &pool).await.map_err(fail)
}

/// Collects a query's batches, reserving their memory in `pool` as they arrive.
async fn collect_within(
    df: datafusion::dataframe::DataFrame,
    pool: &Arc<dyn MemoryPool>,
) -> datafusion::error::Result<Vec<RecordBatch>> {
    use futures::StreamExt;
    let reservation = MemoryConsumer::new("query result").register(pool);
    let mut stream = df.execute_stream().await?;
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        reservation.try_grow(batch.get_array_memory_size())?;
        batches.push(batch);
    }
    Ok(batches)
}

/// `SELECT '<dataset>' AS dataset, <all columns> FROM <table>` as a logical plan.
fn with_dataset_column(
    table: &str,
    dataset: &str,
    provider: Arc<dyn TableProvider>,
) -> Result<LogicalPlan, QueryError> {
    let schema = provider.schema();
    let mut exprs: Vec<Expr> = vec![lit(dataset.to_string()).alias("dataset")];
    exprs.extend(schema.fields().iter().map(|f| {
        Expr::Column(datafusion::common::Column::new(
            Some(TableReference::bare(table.to_string())),
            f.name(),
        ))
    }));
    Ok(
        LogicalPlanBuilder::scan(table.to_string(), provider_as_source(provider), None)?
            .project(exprs)?
            .build()?,
    )
}

/// A flows dataset as a part of the `flows` union: `SELECT '<dataset>' AS dataset,
/// '<currency>' AS currency, <value column> AS value, <all columns> FROM <table>`,
/// with `value_usd` null when the currency is not US dollars.
fn flows_plan(
    table: &str,
    d: &DatasetInfo,
    provider: Arc<dyn TableProvider>,
) -> Result<LogicalPlan, QueryError> {
    let schema = provider.schema();
    let column = |name: &str| {
        Expr::Column(datafusion::common::Column::new(
            Some(TableReference::bare(table.to_string())),
            name,
        ))
    };
    let value = d.value_column();
    let usd = d.value_currency() == "USD";
    let mut exprs: Vec<Expr> = vec![
        lit(d.name.clone()).alias("dataset"),
        lit(d.value_currency().to_string()).alias("currency"),
        column(&value).alias("value"),
    ];
    exprs.extend(schema.fields().iter().map(|f| {
        if f.name() == &value && !usd {
            lit(datafusion::common::ScalarValue::Float64(None))
                .alias(entrepot_io::schema::col::VALUE_USD)
        } else {
            column(f.name())
        }
    }));
    Ok(
        LogicalPlanBuilder::scan(table.to_string(), provider_as_source(provider), None)?
            .project(exprs)?
            .build()?,
    )
}

/// Registers `name` as the UNION ALL of `plans`, or as an empty table of `schema`.
fn register_union(
    ctx: &SessionContext,
    name: &str,
    plans: Vec<LogicalPlan>,
    schema: SchemaRef,
) -> Result<(), QueryError> {
    let mut it = plans.into_iter();
    match it.next() {
        None => {
            ctx.register_table(name, Arc::new(MemTable::try_new(schema, vec![vec![]])?))?;
        }
        Some(first) => {
            let mut b = LogicalPlanBuilder::from(first);
            for p in it {
                b = b.union(p)?;
            }
            let view = ViewTable::new(b.build()?, None);
            ctx.register_table(name, Arc::new(view))?;
        }
    }
    Ok(())
}

fn with_dataset_field(schema: &Schema) -> SchemaRef {
    let mut fields = vec![Arc::new(Field::new("dataset", DataType::Utf8, false))];
    fields.extend(schema.fields().iter().cloned());
    Arc::new(Schema::new(fields))
}

/// The schema of the `flows` table: `dataset`, the file columns, `reporter`, `year`.
fn flows_union_schema() -> SchemaRef {
    let mut fields: Vec<Field> = vec![
        Field::new("dataset", DataType::Utf8, false),
        Field::new("currency", DataType::Utf8, false),
        Field::new("value", DataType::Float64, false),
    ];
    fields.extend(
        flows_file_schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone()),
    );
    fields.push(Field::new("reporter", DataType::Utf8, false));
    fields.push(Field::new("year", DataType::Int32, false));
    Arc::new(Schema::new(fields))
}

fn datasets_schema() -> SchemaRef {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    let i = |n: &str| Field::new(n, DataType::Int64, false);
    Arc::new(Schema::new(vec![
        s("name"),
        s("table_name"),
        s("kind"),
        i("version"),
        s("path"),
        s("created_at"),
        s("entrepot_version"),
        i("rows"),
        i("rejected"),
        i("files"),
        s("reporters"),
        Field::new("first_year", DataType::Int32, true),
        Field::new("last_year", DataType::Int32, true),
        s("sources"),
        s("checksum"),
        s("currency"),
    ]))
}

fn datasets_batch(infos: &[DatasetInfo], tables: &[TableInfo]) -> Result<RecordBatch, QueryError> {
    let strs = |f: &dyn Fn(&DatasetInfo) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(infos.iter().map(f)))
    };
    let ints = |f: &dyn Fn(&DatasetInfo) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(infos.iter().map(f)))
    };
    let table_of = |d: &DatasetInfo| {
        tables
            .iter()
            .find(|t| t.dataset == d.name)
            .map(|t| t.table.clone())
            .unwrap_or_default()
    };
    let cols: Vec<ArrayRef> = vec![
        strs(&|d| d.name.clone()),
        strs(&table_of),
        strs(&|d| d.kind.to_string()),
        ints(&|d| d.version as i64),
        strs(&|d| d.path.clone()),
        strs(&|d| d.created_at.clone()),
        strs(&|d| d.entrepot_version.clone()),
        ints(&|d| d.rows as i64),
        ints(&|d| d.rejected as i64),
        ints(&|d| d.partitions.len() as i64),
        strs(&|d| d.reporters.join(",")),
        Arc::new(Int32Array::from_iter(
            infos.iter().map(|d| d.years.first().copied()),
        )),
        Arc::new(Int32Array::from_iter(
            infos.iter().map(|d| d.years.last().copied()),
        )),
        strs(&|d| {
            d.sources
                .iter()
                .map(|s| s.path.as_str())
                .collect::<Vec<_>>()
                .join(",")
        }),
        strs(&|d| d.checksum.clone()),
        strs(&|d| d.value_currency().to_string()),
    ];
    Ok(RecordBatch::try_new(datasets_schema(), cols)?)
}

/// Renders query results; on a rendering error returns the error text.
pub fn render(batches: &[RecordBatch], format: Format) -> String {
    try_render(batches, format).unwrap_or_else(|e| format!("error: {e}"))
}

/// Renders query results as a table, JSON (an array of objects) or CSV (with header).
pub fn try_render(batches: &[RecordBatch], format: Format) -> Result<String, QueryError> {
    match format {
        Format::Table => {
            limits::check_table_size(batches)?;
            Ok(arrow::util::pretty::pretty_format_batches(batches)?.to_string())
        }
        Format::Json => {
            let mut w = arrow::json::ArrayWriter::new(Vec::new());
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
            let mut bytes = w.into_inner();
            if bytes.is_empty() {
                bytes.extend_from_slice(b"[]");
            }
            String::from_utf8(bytes).map_err(|_| QueryError::Utf8)
        }
        Format::Csv => {
            let mut buf = Vec::new();
            {
                let mut w = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buf);
                for b in batches {
                    w.write(b)?;
                }
            }
            String::from_utf8(buf).map_err(|_| QueryError::Utf8)
        }
    }
}
