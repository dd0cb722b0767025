//! SQL over the store (Apache DataFusion), with the query limits of
//! `entrepot-query`.

use crate::error::AppResult;
use crate::location::StoreLocation;
use arrow::record_batch::RecordBatch;

pub use entrepot_query::Format as SqlFormat;

/// A request for an SQL query over the store.
#[derive(Debug, Clone, Default)]
pub struct SqlRequest {
    /// The query; ignored when `tables` is set.
    pub query: String,
    /// List the tables and their columns instead.
    pub tables: bool,
    /// Memory limit of the query in bytes (default: half the physical memory).
    pub memory_limit: Option<u64>,
}

/// The result of a query: record batches, kept columnar until rendered.
#[derive(Debug, Clone)]
pub struct SqlResult {
    batches: Vec<RecordBatch>,
}

impl SqlResult {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    /// The record batches of the result (none for a result without rows may be
    /// returned by the engine).
    pub fn into_batches(self) -> Vec<RecordBatch> {
        self.batches
    }

    /// The result as text: an aligned table, JSON (an array of objects) or CSV with a
    /// header row. Values are escaped for the terminal by the table format.
    pub fn render(&self, format: SqlFormat) -> AppResult<String> {
        Ok(entrepot_query::try_render(&self.batches, format)?)
    }
}

/// The SQL query to list the tables and their columns.
const TABLES_QUERY: &str =
    "SELECT table_name, column_name, data_type FROM information_schema.columns \
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position";

/// Runs a query. An over-long or over-nested query, one that does not parse, or one
/// naming an unknown table or column is a usage error; exceeding the memory limit or
/// a failing file a failure.
pub fn sql(location: &StoreLocation, req: &SqlRequest) -> AppResult<SqlResult> {
    let store = location.open_read()?;
    let options = location.query_options(req.memory_limit);
    let engine = entrepot_query::QueryEngine::with_options(&store, &options)?;
    let q = if req.tables {
        TABLES_QUERY
    } else {
        req.query.as_str()
    };
    let batches = engine.sql_blocking(q)?;
    Ok(SqlResult { batches })
}

/// Parses an engine: `local` or `ballista://HOST:PORT` (`--engine`, `ENTREPOT_ENGINE`).
pub fn parse_engine(text: &str) -> AppResult<crate::Engine> {
    Ok(text.parse::<crate::Engine>()?)
}

/// Parses a size such as `2GiB` or `512MB` (`--memory-limit`).
pub fn parse_size(text: &str) -> AppResult<u64> {
    Ok(entrepot_query::parse_size(text)?)
}
