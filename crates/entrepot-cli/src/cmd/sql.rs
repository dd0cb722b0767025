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
//!
//! Engine: the global --engine (or ENTREPOT_ENGINE) `local` (default) runs the query in this
//! process; `ballista://HOST:PORT` runs it on the Apache Ballista cluster whose
//! scheduler listens there (see `entrepot cluster`), with the same result. A scheduler
//! that does not answer within 5 seconds exits 5.
//! ```

use crate::output::{app_error, Format};
use crate::Ctx;
use clap::Args;
use entrepot_app::sql::{SqlFormat, SqlRequest};
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
    entrepot_app::sql::parse_size(text).map_err(|e| e.to_string())
}

/// Runs the command.
pub fn run(args: &SqlArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let request = SqlRequest {
        query: args.query.clone().unwrap_or_default(),
        tables: args.tables,
        memory_limit: args.memory_limit,
    };
    let result = entrepot_app::sql::sql(&ctx.store, &request).map_err(app_error)?;
    let fmt = match ctx.format {
        Format::Table => SqlFormat::Table,
        Format::Json => SqlFormat::Json,
        Format::Csv => SqlFormat::Csv,
    };
    let text = result.render(fmt).map_err(app_error)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
