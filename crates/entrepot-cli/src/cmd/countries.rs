//! `entrepot countries`: list or look up countries and the codes trade data uses.
//!
//! ```text
//! Usage: entrepot countries [QUERY] [--kind country|historical|special|aggregate] [--format table|json|csv]
//!
//! With no QUERY, lists every known country, territory and reporting area. QUERY is any
//! code (ISO3 `CHN`, ISO2 `CN`, UN M49 `156`, trade-data codes such as BACI's `699`
//! for India, old codes such as `ROM`, sport codes such as `GER`), a name, official,
//! former or trade name (`Turkey`, `Swaziland`, `Rep. of Korea`), or a part of one
//! (`korea`). Results are ranked: an exact code, an exact name, another name or code,
//! names starting with QUERY, holding its words, containing it, then close to it
//! (typos); the columns `match` and `matched` say how each row matched. Nothing found
//! exits 4 with the closest names.
//! ```

use crate::output::{exit, exit_error, print_rows, Format};
use clap::Args;
use entrepot_core::{CountryKind, CountryRegistry};

/// Arguments of `entrepot countries`.
#[derive(Args, Debug)]
pub struct CountriesArgs {
    /// A code (ISO3, ISO2, M49, BACI/Comtrade numeric, sport code), a name (current,
    /// official or former) or part of one.
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
    let country_row = |c: &entrepot_core::Country| {
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
    };
    let mut header = vec![
        "iso3",
        "iso2",
        "m49",
        "name",
        "region",
        "subregion",
        "kind",
        "aliases",
    ];
    let rows: Vec<Vec<String>> = match &args.query {
        None => reg
            .all()
            .iter()
            .filter(|c| kind_ok(c.kind))
            .map(country_row)
            .collect(),
        Some(q) => {
            let hits: Vec<_> = reg
                .search(q)
                .into_iter()
                .filter(|m| kind_ok(m.country.kind))
                .collect();
            if hits.is_empty() {
                let e = match reg.resolve(q) {
                    Err(e) => e.to_string(),
                    Ok(c) => format!(
                        "no entry of kind {} matches '{}' ({} is {})",
                        args.kind.as_deref().unwrap_or(""),
                        entrepot_core::text::display_value(q),
                        c.iso3,
                        c.kind
                    ),
                };
                return Err(exit_error(exit::NOT_FOUND, e));
            }
            header.extend(["match", "matched"]);
            hits.iter()
                .map(|m| {
                    let mut row = country_row(m.country);
                    row.push(m.kind.to_string());
                    row.push(m.matched.clone());
                    row
                })
                .collect()
        }
    };
    print_rows(format, &header, &rows)
}
