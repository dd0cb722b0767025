//! `entrepot sql`: SQL over the store with Apache DataFusion.
//!
//! ```text
//! Usage: entrepot sql QUERY [--format table|json|csv] [--memory-limit SIZE]
//!        entrepot sql --tables
//!
//! Tables: one per flows dataset (named after the dataset), `flows` (all flows datasets,
//! with a `dataset` column), `facts` (all published figures) and `datasets` (the
//! manifest). Flow columns: reporter, partner, flow, period, year, month, hs_revision,
//! product, product_level, value_usd, quantity, quantity_unit, declared_by, source_file,
//! source_line. Example:
//!
//!   entrepot sql "SELECT partner, SUM(value_usd)/1e9 AS bn FROM flows
//!                 WHERE reporter='CHN' AND year=2016 GROUP BY partner ORDER BY bn DESC LIMIT 10"
//!
//! Limits: --memory-limit SIZE (or ENTREPOT_MEMORY_LIMIT; e.g. 2GiB, 512MB; default half
//! the physical memory) bounds the query's memory, spilling included; a function value
//! (repeat, lpad, concat, …) may hold at most 16 MiB; the query text at most 1 MiB, and
//! its expressions may nest at most 1,000 deep. Exceeding the memory limit exits 1, an
//! over-long or over-nested query 2.
//! ```

use crate::output::{exit, exit_error, Format};
use crate::Ctx;
use clap::Args;
use entrepot_query::QueryError;
use std::io::Write;

/// Arguments of `entrepot sql`.
#[derive(Args, Debug)]
pub struct SqlArgs {
    /// The SQL query.
    #[arg(required_unless_present = "tables")]
    pub query: Option<String>,
    /// List the tables and their columns.
    #[arg(long)]
    pub tables: bool,
    /// Memory limit of the query, e.g. 2GiB or 512MB (default: half the physical memory).
    #[arg(long, env = "ENTREPOT_MEMORY_LIMIT", value_name = "SIZE", value_parser = parse_memory_limit)]
    pub memory_limit: Option<u64>,
}

/// Parses `--memory-limit` (clap reports a failure as a usage error).
pub fn parse_memory_limit(text: &str) -> Result<u64, String> {
    entrepot_query::parse_size(text).map_err(|e| e.to_string())
}

/// The exit code and message of a query error: an over-long or over-nested query is a
/// usage error (2), everything else a runtime failure (1).
pub fn query_failure(e: QueryError) -> anyhow::Error {
    let code = match e {
        QueryError::TooDeep { .. }
        | QueryError::TooLong { .. }
        | QueryError::InvalidSize { .. } => exit::USAGE,
        _ => exit::FAILURE,
    };
    exit_error(code, e.to_string())
}

/// Runs the command.
pub fn run(args: &SqlArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let store = super::open_store_read(ctx)?;
    let options = entrepot_query::QueryOptions {
        memory_limit: args.memory_limit,
    };
    let engine =
        entrepot_query::QueryEngine::with_options(&store, &options).map_err(query_failure)?;
    let q = if args.tables {
        "SELECT table_name, column_name, data_type FROM information_schema.columns \
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
            .to_string()
    } else {
        args.query.clone().unwrap_or_default()
    };
    let batches = engine.sql_blocking(&q).map_err(query_failure)?;
    let fmt = match ctx.format {
        Format::Table => entrepot_query::Format::Table,
        Format::Json => entrepot_query::Format::Json,
        Format::Csv => entrepot_query::Format::Csv,
    };
    let text = entrepot_query::try_render(&batches, fmt).map_err(query_failure)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
