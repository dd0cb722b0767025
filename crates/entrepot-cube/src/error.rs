//! The error type of the crate.

use thiserror::Error;

/// Errors of `entrepot-cube`.
#[derive(Debug, Error)]
pub enum CubeError {
    /// A code in the request (country, product, period) is not valid.
    #[error(transparent)]
    Core(#[from] entrepot_core::CoreError),
    /// A dataset named in the request is not in the store.
    #[error("no dataset '{}' in the store", entrepot_core::text::display_value(.0))]
    UnknownDataset(String),
    /// A dataset named in the request holds published figures, not flows.
    #[error("dataset '{}' holds published figures, not flows", entrepot_core::text::display_value(.0))]
    NotFlows(String),
    /// A basket named in the request is not known.
    #[error("unknown basket '{name}' (known: {known})")]
    UnknownBasket {
        /// The name asked for (escaped for display).
        name: String,
        /// The known basket names.
        known: String,
    },
    /// The request is inconsistent (e.g. a basket grain without baskets).
    #[error("invalid cube request: {0}")]
    InvalidRequest(String),
    /// The store could not be read.
    #[error(transparent)]
    Query(#[from] entrepot_query::QueryError),
    /// The query engine failed while planning or running the aggregation.
    #[error("cube query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// The aggregation needed more memory than the engine's limit.
    #[error("the cube needs more memory than the limit ({}); narrow the request or raise the memory limit ({detail})", entrepot_query::limits::format_size(*.limit))]
    MemoryLimit {
        /// The memory limit in bytes.
        limit: u64,
        /// DataFusion's account of the failed allocation.
        detail: String,
    },
    /// The rows of a request come from datasets whose values are in different
    /// currencies: they are never summed or compared.
    #[error("the request reads datasets in different currencies ({detail}): values in two currencies are never summed or compared; choose one dataset, or convert the values to US dollars at ingest (--fx)")]
    MixedCurrencies {
        /// The datasets and their currencies (`'a' in USD, 'b' in JPY`).
        detail: String,
    },
    /// A result column did not have the expected type (a bug).
    #[error("unexpected cube result: {0}")]
    Internal(String),
    /// An Arrow error while building the result.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// The runtime of the blocking API could not start.
    #[error("cannot start the cube runtime: {0}")]
    Runtime(#[source] std::io::Error),
}
