//! `entrepot countries`: list or look up countries and the codes trade data uses.
//!
//! ```text
//! Usage: entrepot countries [QUERY] [--kind country|historical|special|aggregate] [--format table|json|csv]
//!
//! With no QUERY, lists every known country, territory and reporting area. QUERY is any
//! code (ISO3 `CHN`, ISO2 `CN`, UN M49 `156`, trade-data codes such as BACI's `699`
//! for India, old codes such as `ROM`) or a part of a name (`korea`).
//! ```

use crate::output::{exit, exit_error, print_rows, Format};
use clap::Args;
use entrepot_core::{CountryKind, CountryRegistry};

/// Arguments of `entrepot countries`.
#[derive(Args, Debug)]
pub struct CountriesArgs {
    /// A code (ISO3, ISO2, M49, BACI/Comtrade numeric) or part of a name.
    pub query: Option<String>,
    /// Only entries of this kind.
    #[arg(long, value_parser = ["country", "historical", "special", "aggregate"])]
    pub kind: Option<String>,
}

/// Runs the command.
pub fn run(args: &CountriesArgs, format: Format) -> anyhow::Result<()> {
    let reg = CountryRegistry::builtin();
    let kind_ok = |k: CountryKind| match args.kind.as_deref() {
        None => true,
        Some("country") => k == CountryKind::Country,
        Some("historical") => k == CountryKind::Historical,
        Some("special") => k == CountryKind::Special,
        Some(_) => k == CountryKind::Aggregate,
    };
    let selected: Vec<_> = match &args.query {
        None => reg.all().iter().filter(|c| kind_ok(c.kind)).collect(),
        Some(q) => {
            if let Some(c) = reg.get(q) {
                vec![c]
            } else {
                let ql = q.to_lowercase();
                let v: Vec<_> = reg
                    .all()
                    .iter()
                    .filter(|c| kind_ok(c.kind) && c.name.to_lowercase().contains(&ql))
                    .collect();
                if v.is_empty() {
                    let e = reg
                        .resolve(q)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    return Err(exit_error(exit::NOT_FOUND, e));
                }
                v
            }
        }
    };
    let rows: Vec<Vec<String>> = selected
        .iter()
        .map(|c| {
            vec![
                c.iso3.clone(),
                c.iso2.clone(),
                c.m49.to_string(),
                c.name.clone(),
                c.region.clone(),
                c.subregion.clone(),
                c.kind.to_string(),
                c.aliases.join(";"),
            ]
        })
        .collect();
    print_rows(
        format,
        &[
            "iso3",
            "iso2",
            "m49",
            "name",
            "region",
            "subregion",
            "kind",
            "aliases",
        ],
        &rows,
    )
}
