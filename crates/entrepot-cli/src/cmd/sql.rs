//! `entrepot sql`: SQL over the store with Apache DataFusion.
//!
//! ```text
//! Usage: entrepot sql QUERY [--format table|json|csv]
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
//! ```

use crate::output::{exit, exit_error, Format};
use crate::Ctx;
use clap::Args;
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
}

/// Runs the command.
pub fn run(args: &SqlArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let store = entrepot_store::Store::open(&ctx.store)?;
    let engine = entrepot_query::QueryEngine::new(&store)
        .map_err(|e| exit_error(exit::FAILURE, e.to_string()))?;
    let q = if args.tables {
        "SELECT table_name, column_name, data_type FROM information_schema.columns \
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
            .to_string()
    } else {
        args.query.clone().unwrap_or_default()
    };
    let batches = engine
        .sql_blocking(&q)
        .map_err(|e| exit_error(exit::FAILURE, e.to_string()))?;
    let fmt = match ctx.format {
        Format::Table => entrepot_query::Format::Table,
        Format::Json => entrepot_query::Format::Json,
        Format::Csv => entrepot_query::Format::Csv,
    };
    let text = entrepot_query::try_render(&batches, fmt)
        .map_err(|e| exit_error(exit::FAILURE, e.to_string()))?;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
