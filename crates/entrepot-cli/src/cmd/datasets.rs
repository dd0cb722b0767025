//! `entrepot datasets`: the datasets in the store, with provenance.
//!
//! ```text
//! Usage: entrepot datasets [NAME] [--format table|json|csv]
//!
//! Lists every dataset in the store: kind (flows or facts), version, rows, rejected rows,
//! reporters, years, source files and checksums; plus the embedded sample (the China
//! customs facts shipped inside the binary), which needs no ingest. With NAME, shows that
//! dataset's manifest entry in full (JSON).
//! ```

use crate::output::{exit, exit_error, print_json, print_rows, Format};
use crate::Ctx;
use clap::Args;

/// Arguments of `entrepot datasets`.
#[derive(Args, Debug)]
pub struct DatasetsArgs {
    /// Show one dataset in full.
    pub name: Option<String>,
}

/// Runs the command.
pub fn run(args: &DatasetsArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let store = super::open_store_read(ctx)?;
    if let Some(n) = &args.name {
        let d = store.dataset(n).ok_or_else(|| {
            exit_error(
                exit::NOT_FOUND,
                format!("no dataset '{n}' in {}", ctx.store.display()),
            )
        })?;
        return print_json(&d);
    }
    let mut rows: Vec<Vec<String>> = store
        .datasets()
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.kind.to_string(),
                d.version.to_string(),
                d.rows.to_string(),
                d.rejected.to_string(),
                span(&d.years),
                d.reporters.len().to_string(),
                d.sources
                    .iter()
                    .map(|s| s.path.clone())
                    .collect::<Vec<_>>()
                    .join(";"),
            ]
        })
        .collect();
    let sample = entrepot_io::sample::sample_facts();
    rows.push(vec![
        "sample (embedded)".into(),
        "facts".into(),
        "-".into(),
        sample.len().to_string(),
        "0".into(),
        String::new(),
        "1".into(),
        "china_customs_facts.csv;china_other_facts.csv".into(),
    ]);
    if ctx.format == Format::Table {
        eprintln!("store: {}", ctx.store.display());
    }
    print_rows(
        ctx.format,
        &[
            "dataset",
            "kind",
            "version",
            "rows",
            "rejected",
            "years",
            "reporters",
            "sources",
        ],
        &rows,
    )
}

fn span(years: &[i32]) -> String {
    match (years.iter().min(), years.iter().max()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => String::new(),
    }
}
