//! [`CubeEngine`]: runs cube requests on the DataFusion session of an
//! [`entrepot_query::QueryEngine`], streaming each aggregation's result into the
//! cells of the cube.

use crate::cells::Candidates;
use crate::cube::{Cube, CubeParts};
use crate::error::CubeError;
use crate::plan::{side_frame, Resolved};
use crate::request::{CubeRequest, Mirror, ProductGrain, ProductSelection, Side};
use datafusion::common::TableReference;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use entrepot_query::{QueryEngine, QueryOptions, TableInfo};
use entrepot_store::{DatasetKind, Store};
use futures::StreamExt;
use std::sync::OnceLock;

/// Runs [`CubeRequest`]s over one store.
pub struct CubeEngine {
    query: QueryEngine,
    runtime: OnceLock<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for CubeEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CubeEngine")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl CubeEngine {
    /// An engine over the datasets of `store` (as its manifest was last read), under
    /// the default query limits.
    pub fn new(store: &Store) -> Result<CubeEngine, CubeError> {
        Self::with_options(store, &QueryOptions::default())
    }

    /// An engine over `store` under the given limits (memory).
    pub fn with_options(store: &Store, options: &QueryOptions) -> Result<CubeEngine, CubeError> {
        Ok(Self::from_query_engine(QueryEngine::with_options(
            store, options,
        )?))
    }

    /// An engine on an existing query engine (sharing its session and limits).
    pub fn from_query_engine(query: QueryEngine) -> CubeEngine {
        CubeEngine {
            query,
            runtime: OnceLock::new(),
        }
    }

    /// The query engine underneath (for SQL over the same store).
    pub fn query_engine(&self) -> &QueryEngine {
        &self.query
    }

    /// The flows datasets a request reads, in order.
    fn datasets(&self, request: &CubeRequest) -> Result<Vec<&TableInfo>, CubeError> {
        let tables = self.query.tables();
        if request.datasets.is_empty() {
            return Ok(tables
                .iter()
                .filter(|t| t.kind == DatasetKind::Flows)
                .collect());
        }
        let mut out: Vec<&TableInfo> = Vec::new();
        for name in &request.datasets {
            let t = tables
                .iter()
                .find(|t| &t.dataset == name)
                .ok_or_else(|| CubeError::UnknownDataset(name.clone()))?;
            if t.kind != DatasetKind::Flows {
                return Err(CubeError::NotFlows(name.clone()));
            }
            if !out.iter().any(|d| &d.dataset == name) {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Runs a request (async).
    pub async fn run_async(&self, request: &CubeRequest) -> Result<Cube, CubeError> {
        let resolved = Resolved::new(request)?;
        let datasets = self.datasets(request)?;
        if datasets.len() > usize::from(u16::MAX) {
            return Err(CubeError::InvalidRequest("too many datasets".into()));
        }
        let sides: &[Side] = match request.mirror {
            Mirror::Off => &[Side::Reported],
            Mirror::Fill | Mirror::Both => &[Side::Reported, Side::Mirror],
        };
        let totals_preferred =
            request.products.is_all() && request.grain.product == ProductGrain::None;
        let mut candidates = Candidates::new(request.grain, request.mirror, totals_preferred);
        let ctx = self.session();
        // The datasets that gave rows, with their currency: one currency per cube.
        let mut read: Vec<&TableInfo> = Vec::new();
        for (i, t) in datasets.iter().enumerate() {
            for &side in sides {
                let base = ctx.table(TableReference::bare(t.table.as_str())).await?;
                let Some(df) = side_frame(
                    base,
                    &t.value_column,
                    &t.reporters,
                    t.content.as_ref(),
                    &resolved,
                    side,
                )?
                else {
                    continue;
                };
                let mut stream = df.execute_stream().await.map_err(|e| self.fail(e))?;
                while let Some(batch) = stream.next().await {
                    let batch = batch.map_err(|e| self.fail(e))?;
                    if batch.num_rows() > 0 && !read.iter().any(|r| r.dataset == t.dataset) {
                        read.push(t);
                        if read.iter().any(|r| r.currency != t.currency) {
                            return Err(CubeError::MixedCurrencies {
                                detail: read
                                    .iter()
                                    .map(|r| format!("'{}' in {}", r.dataset, r.currency))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            });
                        }
                    }
                    candidates.add_batch(i as u16, side, &batch)?;
                }
            }
        }
        let currency = read
            .first()
            .map_or_else(|| "USD".to_string(), |t| t.currency.clone());
        let (cells, interner, grain) = candidates.choose();
        let baskets = match (&request.products, request.grain.product) {
            (ProductSelection::Baskets(b), ProductGrain::Basket) => {
                b.iter().map(|b| b.name.clone()).collect()
            }
            _ => Vec::new(),
        };
        Cube::build(
            cells,
            interner,
            grain,
            CubeParts {
                mirror: request.mirror,
                quantity: request.quantity,
                datasets: datasets.into_iter().map(|t| t.dataset.clone()).collect(),
                currency,
                baskets,
                reporters: resolved.reporters.clone(),
                partners_filtered: resolved.partners.is_some(),
                products_filtered: !request.products.is_all(),
            },
        )
    }

    /// Runs a request on the engine's own runtime. Must not be called from inside an
    /// async context (use [`CubeEngine::run_async`] there).
    pub fn run(&self, request: &CubeRequest) -> Result<Cube, CubeError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(CubeError::Runtime(std::io::Error::other(
                "CubeEngine::run was called inside an async runtime; use run_async",
            )));
        }
        // On a cluster, under the engine's time limit (a lost executor can leave a
        // job waiting for ever; the request then fails whole).
        self.runtime()?
            .block_on(self.query.engine().bounded(self.run_async(request)))
    }

    /// The query engine's session (its tables, memory pool and limits) with Parquet
    /// filter pushdown on (DataFusion applies it to a scan when the session asks for
    /// it): a cube's filters are selective — the mirror side keeps one reporter's rows
    /// among the world's — so the other columns are decoded only for the rows that
    /// pass them. On the 22M-row synthetic world store this halves the time of
    /// `entrepot brief` (bench/world/brief.sh).
    fn session(&self) -> SessionContext {
        let mut state = self.query.context().state();
        let parquet = &mut state.config_mut().options_mut().execution.parquet;
        parquet.pushdown_filters = true;
        parquet.reorder_filters = true;
        SessionContext::new_with_state(state)
    }

    /// A DataFusion error, or the memory limit's error when that is its cause.
    fn fail(&self, e: DataFusionError) -> CubeError {
        if let DataFusionError::ResourcesExhausted(detail) = e.find_root() {
            let detail: String = detail
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            return CubeError::MemoryLimit {
                limit: self.query.memory_limit(),
                detail,
            };
        }
        CubeError::DataFusion(e)
    }

    /// The engine's runtime, started on first use.
    fn runtime(&self) -> Result<&tokio::runtime::Runtime, CubeError> {
        if let Some(rt) = self.runtime.get() {
            return Ok(rt);
        }
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .min(8);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("entrepot-cube")
            .enable_all()
            .build()
            .map_err(CubeError::Runtime)?;
        let _ = self.runtime.set(rt);
        self.runtime
            .get()
            .ok_or_else(|| CubeError::Runtime(std::io::Error::other("runtime not initialised")))
    }
}
