//! Resource limits of a query: memory, stack, query size and nesting.
//!
//! A query is untrusted input: it can ask for more memory than the machine has (a cross
//! join, `repeat('x', 2000000000)`) or nest expressions so deeply that a recursive planner
//! overflows its stack (`SELECT 1 + 1 + … + 1` with thousands of terms). This module turns
//! each of those into a clean [`QueryError`]:
//!
//! * **memory**: every session runs under a memory pool ([`FairSpillPool`] inside a
//!   [`TrackConsumersPool`], so that the error names the largest consumers) of
//!   [`QueryOptions::memory_limit`] bytes; by default half the physical memory (the
//!   smaller of `/proc/meminfo`'s `MemTotal` and the cgroup limit, or
//!   [`FALLBACK_PHYSICAL_MEMORY`] where neither can be read). Sorts, aggregations and
//!   joins spill to a temporary directory (at most [`SPILL_FACTOR`] times the limit) before
//!   they fail. The collected result counts against the same pool, and so does each batch
//!   of output of the functions that make values of a size the query chooses (see
//!   [`crate::capped`]).
//! * **stack**: queries are parsed, planned and executed on the engine's own threads, with
//!   [`QUERY_STACK_BYTES`] of stack each (see [`crate::QueryEngine::sql_blocking`]).
//! * **size and nesting**: the query text may hold at most [`MAX_QUERY_BYTES`], and its
//!   expressions and subqueries may nest at most [`MAX_EXPR_DEPTH`] deep (also the SQL
//!   parser's recursion limit); chains such as `a + b + c` count one level per operator,
//!   as the planner recurses over them. DuckDB's `max_expression_depth` has the same
//!   default.

use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::error::DataFusionError;
use datafusion::execution::disk_manager::DiskManagerBuilder;
use datafusion::execution::memory_pool::{FairSpillPool, MemoryPool, TrackConsumersPool};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::sql::parser::{CopyToSource, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, Query, Visit, Visitor};
use datafusion::sql::sqlparser::parser::ParserError;

use crate::capped::ValueTooLarge;
use crate::QueryError;

/// The longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1 << 20;

/// The deepest nesting of expressions and subqueries accepted.
pub const MAX_EXPR_DEPTH: usize = 1000;

/// Stack size of the threads that plan and run queries. It is reserved address space;
/// only the pages a query touches take memory.
pub const QUERY_STACK_BYTES: usize = 256 << 20;

/// The largest single value (a string, a list) a size-making function may produce.
pub const MAX_VALUE_BYTES: usize = 16 << 20;

/// Spill files may take at most this many times the memory limit on disk.
pub const SPILL_FACTOR: u64 = 4;

/// Assumed physical memory where it cannot be read (so the default limit is 2 GiB).
pub const FALLBACK_PHYSICAL_MEMORY: u64 = 4 << 30;

/// The smallest memory limit accepted.
pub const MIN_MEMORY_LIMIT: u64 = 1 << 20;

/// Settings of a [`crate::QueryEngine`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// Memory limit in bytes; `None`: [`default_memory_limit`].
    pub memory_limit: Option<u64>,
    /// Where the queries run (see [`crate::engine`]).
    pub engine: crate::Engine,
}

impl QueryOptions {
    /// The memory limit in force.
    pub fn effective_memory_limit(&self) -> u64 {
        self.memory_limit.unwrap_or_else(default_memory_limit)
    }
}

/// Half the physical memory (see the module docs).
pub fn default_memory_limit() -> u64 {
    physical_memory().unwrap_or(FALLBACK_PHYSICAL_MEMORY) / 2
}

/// The machine's memory, or the cgroup's limit when that is smaller (Linux).
pub fn physical_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| meminfo_total(&s));
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())
    .and_then(|s| s.trim().parse::<u64>().ok());
    match (total, cgroup) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }
}

/// `MemTotal` of a `/proc/meminfo` text, in bytes.
fn meminfo_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut parts = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | Some("KB") => n.checked_mul(1024),
        None => Some(n),
        Some(_) => None,
    }
}

/// Parses a size: a number with an optional unit, `B`, `K`/`KiB`, `M`/`MiB`, `G`/`GiB`,
/// `T`/`TiB` (powers of 1024) or `KB`, `MB`, `GB`, `TB` (powers of 1000); case is
/// ignored and a fraction is allowed (`1.5GiB`). The result must be at least
/// [`MIN_MEMORY_LIMIT`].
pub fn parse_size(text: &str) -> Result<u64, QueryError> {
    let bad = |why: &str| QueryError::InvalidSize {
        text: entrepot_core::text::display_value(text),
        reason: why.to_string(),
    };
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| bad("expected a number with an optional unit, e.g. 2GiB or 512MB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(bad(
                "unknown unit (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)",
            ))
        }
    };
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(bad("too large"));
    }
    let bytes = bytes as u64;
    if bytes < MIN_MEMORY_LIMIT {
        return Err(bad("a memory limit must be at least 1MiB"));
    }
    Ok(bytes)
}

/// A size for messages: `64.0 MiB`, `11.5 GiB`, `512 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// The runtime of a session: the memory pool of `limit` bytes, a spilling disk manager
/// and the object stores of [`crate::objects`].
pub(crate) fn runtime_env(limit: u64) -> Result<Arc<RuntimeEnv>, QueryError> {
    let pool_size = usize::try_from(limit).unwrap_or(usize::MAX);
    let top = NonZeroUsize::new(3).unwrap_or(NonZeroUsize::MIN);
    let pool: Arc<dyn MemoryPool> =
        Arc::new(TrackConsumersPool::new(FairSpillPool::new(pool_size), top));
    let disk = DiskManagerBuilder::default()
        .with_max_temp_directory_size(limit.saturating_mul(SPILL_FACTOR));
    Ok(RuntimeEnvBuilder::new()
        .with_memory_pool(pool)
        .with_disk_manager_builder(disk)
        .with_object_store_registry(Arc::new(crate::objects::ObjectStores::new()))
        .build_arc()?)
}

/// Refuses query texts longer than [`MAX_QUERY_BYTES`].
pub(crate) fn check_length(query: &str) -> Result<(), QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong {
            bytes: query.len(),
            limit: MAX_QUERY_BYTES,
        });
    }
    Ok(())
}

/// Refuses statements whose expressions and subqueries nest deeper than
/// [`MAX_EXPR_DEPTH`]. The walk stops at the limit, so it is itself bounded.
pub(crate) fn check_depth(statement: &DfStatement) -> Result<(), QueryError> {
    let mut depth = DepthVisitor { depth: 0 };
    let flow = match statement {
        DfStatement::Statement(s) => s.visit(&mut depth),
        DfStatement::Explain(e) => return check_depth(&e.statement),
        DfStatement::CopyTo(c) => match &c.source {
            CopyToSource::Query(q) => q.visit(&mut depth),
            CopyToSource::Relation(_) => ControlFlow::Continue(()),
        },
        DfStatement::CreateExternalTable(_) | DfStatement::Reset(_) => ControlFlow::Continue(()),
    };
    match flow {
        ControlFlow::Break(()) => Err(QueryError::TooDeep {
            limit: MAX_EXPR_DEPTH,
        }),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Counts the expressions and queries enclosing the node being visited.
struct DepthVisitor {
    depth: usize,
}

impl DepthVisitor {
    fn enter(&mut self) -> ControlFlow<()> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn leave(&mut self) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }
}

impl Visitor for DepthVisitor {
    type Break = ();

    fn pre_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
        self.enter()
    }

    fn post_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
        self.leave()
    }

    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.enter()
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.leave()
    }
}

/// The largest table [`crate::try_render`] lays out, in bytes.
pub const MAX_TABLE_BYTES: u64 = 256 << 20;

/// Refuses results whose table layout would pass [`MAX_TABLE_BYTES`]: every row of a
/// table is as wide as the widest cell of each column, so one long value in a million
/// rows makes a layout a million times its size.
pub(crate) fn check_table_size(batches: &[arrow::array::RecordBatch]) -> Result<(), QueryError> {
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    use std::fmt::Write as _;
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let columns = first.num_columns();
    let mut widths: Vec<u64> = first
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().len() as u64)
        .collect();
    let mut rows = 0u64;
    let options = FormatOptions::default().with_null("NULL");
    for batch in batches {
        rows += batch.num_rows() as u64;
        for (c, width) in widths.iter_mut().enumerate().take(columns) {
            let formatter = ArrayFormatter::try_new(batch.column(c).as_ref(), &options)?;
            for r in 0..batch.num_rows() {
                let mut counter = ByteCounter(0);
                let _ = write!(counter, "{}", formatter.value(r));
                *width = (*width).max(counter.0);
            }
        }
    }
    let row_bytes: u64 = widths.iter().map(|w| w + 3).sum::<u64>() + 2;
    let total = row_bytes.saturating_mul(rows + 4);
    if total > MAX_TABLE_BYTES {
        return Err(QueryError::TooLargeForTable(total));
    }
    Ok(())
}

/// Counts the bytes written to it.
struct ByteCounter(u64);

impl std::fmt::Write for ByteCounter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len() as u64;
        Ok(())
    }
}

/// How DataFusion's disk manager says the spill space ran out. It reaches us turned into
/// text inside an Arrow I/O error, so the text is the only mark left.
const SPILL_EXCEEDED: &str = "disk space during the spilling process has exceeded";

/// Maps a DataFusion error to the crate's error: running out of the memory pool (or of
/// spill space), a value over [`MAX_VALUE_BYTES`], the parser's recursion limit and an
/// unreadable Parquet file whose name the error lacks get their own variants; the rest
/// stays [`QueryError::DataFusion`].
pub(crate) fn map_error(e: DataFusionError, memory_limit: u64) -> QueryError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = cause {
        if let Some(v) = err.downcast_ref::<ValueTooLarge>() {
            return QueryError::ValueTooLarge(v.clone());
        }
        if let Some(ParserError::RecursionLimitExceeded) = err.downcast_ref::<ParserError>() {
            return QueryError::TooDeep {
                limit: MAX_EXPR_DEPTH,
            };
        }
        if let Some(DataFusionError::ResourcesExhausted(detail)) =
            err.downcast_ref::<DataFusionError>()
        {
            return QueryError::MemoryLimit {
                limit: memory_limit,
                detail: one_line(detail),
            };
        }
        if err.is::<datafusion::parquet::errors::ParquetError>() {
            let detail = one_line(&e.to_string());
            if !detail.contains(".parquet") {
                return QueryError::StoredData { detail };
            }
        }
        if err.to_string().contains(SPILL_EXCEEDED) {
            return QueryError::MemoryLimit {
                limit: memory_limit,
                detail: format!(
                    "spill files passed the {} allowed on disk",
                    format_size(memory_limit.saturating_mul(SPILL_FACTOR))
                ),
            };
        }
        cause = err.source();
    }
    QueryError::DataFusion(e)
}

/// A multi-line DataFusion message on one line, cut to a readable length.
fn one_line(s: &str) -> String {
    let joined: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    entrepot_core::text::truncate_value(&joined.join(" "), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("512MB").unwrap(), 512_000_000);
        assert_eq!(parse_size("64 MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("1048576").unwrap(), 1 << 20);
        for bad in [
            "",
            "GiB",
            "12 parsecs",
            "-1GiB",
            "100",
            "1e99TB",
            "\u{1b}[31m",
        ] {
            let e = parse_size(bad).unwrap_err();
            assert!(e.to_string().starts_with("invalid size"), "{bad:?}: {e}");
            assert!(!e.to_string().contains('\u{1b}'));
        }
    }

    #[test]
    fn sizes_format_for_people() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(64 << 20), "64.0 MiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
    }

    #[test]
    fn meminfo_is_read_in_bytes() {
        let text = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n";
        assert_eq!(meminfo_total(text), Some(24_576_000 * 1024));
        assert_eq!(meminfo_total("nothing"), None);
        assert!(default_memory_limit() >= MIN_MEMORY_LIMIT);
    }
}
