//! The inputs of a tariff scenario: the checks of its numbers, the elasticity table,
//! the baskets and the countries a request names.

use super::{Basis, TariffRequest};
use crate::error::{AppError, AppResult};
use entrepot_core::{GroupRegistry, Period, Product, ProductId};
use entrepot_pe::{ElasticityTable, PeError};
use std::collections::BTreeSet;
use std::path::Path;

/// Checks the numbers of a request and that it says where σ comes from.
pub(super) fn check_parameters(req: &TariffRequest) -> AppResult<()> {
    if req.importers.is_empty() || req.exporters.is_empty() {
        return Err(AppError::usage(
            "name the importer and the exporter(s) targeted (--on)",
        ));
    }
    match (&req.elasticities, req.sigma) {
        (None, None) => {
            return Err(AppError::usage(
                "no substitution elasticity: give the CEPII product-level elasticity table with --elasticities FILE (e.g. cepii_ptle/ptle_hs07.csv, columns HS6,zero,positive,sigma), or one elasticity for every product with --sigma X",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(AppError::usage(
                "--elasticities and --sigma both given: use the table (products without an estimate take --fallback-sigma) or one σ for every product, not both",
            ))
        }
        _ => {}
    }
    let positive = |what: &str, v: f64| -> AppResult<()> {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(AppError::usage(format!(
                "{what} {v}: a substitution elasticity must be a finite number > 0"
            )))
        }
    };
    if let Some(s) = req.sigma {
        positive("--sigma", s)?;
    }
    positive("--fallback-sigma", req.fallback_sigma)?;
    let e = req.import_demand_elasticity;
    if !e.is_finite() || e > 0.0 {
        return Err(AppError::usage(format!(
            "--import-demand-elasticity {e}: it must be a finite number ≤ 0 (imports fall when their price rises)"
        )));
    }
    let (t0, dt) = (req.baseline_tariff, req.points);
    if !t0.is_finite() || !dt.is_finite() {
        return Err(AppError::usage("the tariffs must be finite numbers"));
    }
    if t0 <= -100.0 || t0 + dt <= -100.0 {
        return Err(AppError::usage(format!(
            "a tariff of {t0}% changed by {dt} points gives {}%: a tariff must stay above −100%",
            t0 + dt
        )));
    }
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    Ok(())
}

/// Reads the elasticity table: a missing file is not found, an unreadable one bad
/// input naming the file and the line.
pub(super) fn read_table(path: &Path) -> AppResult<ElasticityTable> {
    if !path.is_file() {
        return Err(AppError::not_found(format!(
            "elasticity table {}: no such file",
            path.display()
        )));
    }
    ElasticityTable::from_path(path).map_err(|e| match e {
        PeError::ElasticityTable { line: 0, message } => {
            AppError::bad_input(format!("elasticity table {}: {message}", path.display()))
        }
        PeError::ElasticityTable { line, message } => AppError::bad_input(format!(
            "elasticity table {}, line {line}: {message}",
            path.display()
        )),
        other => AppError::bad_input(format!("elasticity table {}: {other}", path.display())),
    })
}

/// The baskets named (case-insensitive), or not found with the known names.
pub(super) fn resolve_baskets(
    names: &[String],
    known: &[entrepot_core::Basket],
) -> AppResult<Vec<entrepot_core::Basket>> {
    let mut out: Vec<entrepot_core::Basket> = Vec::new();
    for n in names {
        let n = n.trim();
        // A user's basket wins over a built-in one of the same name (last defined).
        match known.iter().rev().find(|b| b.name.eq_ignore_ascii_case(n)) {
            Some(b) if !out.iter().any(|o| o.name == b.name) => out.push(b.clone()),
            Some(_) => {}
            None => {
                let all: BTreeSet<&str> = known.iter().map(|b| b.name.as_str()).collect();
                return Err(AppError::not_found(format!(
                    "no basket `{}`; known baskets: {} (see `entrepot products --baskets`)",
                    entrepot_core::text::display_value(n),
                    all.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(out)
}

/// Whether a product of the data belongs to a basket.
pub(super) fn in_basket(basket: &entrepot_core::Basket, id: ProductId) -> bool {
    match (id.revision(), id.code()) {
        (Some(revision), Some(code)) => basket.contains(&Product::Hs { revision, code }),
        _ => false,
    }
}

/// Every country that ever belonged to a group, or the country a code names (empty
/// when it names neither: [`select`] says why).
pub(super) fn ever_members(name: &str, groups: &GroupRegistry) -> Vec<String> {
    if let Ok(c) = entrepot_core::CountryRegistry::builtin().resolve(name) {
        return vec![c.iso3.clone()];
    }
    groups
        .memberships(name)
        .map(|ms| ms.iter().map(|m| m.iso3.clone()).collect())
        .unwrap_or_default()
}

/// The countries a selection names in a period: country codes, or the members of
/// groups.
pub(super) fn select(
    names: &[String],
    groups: &GroupRegistry,
    period: &Period,
    what: &str,
    basis: &mut Basis,
) -> AppResult<Vec<String>> {
    let mut out = BTreeSet::new();
    for name in names {
        if let Ok(c) = entrepot_core::CountryRegistry::builtin().resolve(name) {
            out.insert(c.iso3.clone());
            continue;
        }
        match groups.members_at(name, period) {
            Ok(members) if !members.is_empty() => {
                basis.notes.push(format!(
                    "{} ({what}) in {period}: {} members ({}).",
                    name.to_ascii_uppercase(),
                    members.len(),
                    members.join(", ")
                ));
                out.extend(members);
            }
            Ok(_) => {
                return Err(AppError::not_found(format!(
                    "{what}: group {name} has no members in {period}"
                )))
            }
            Err(_) => {
                return Err(AppError::not_found(format!(
                    "{what}: `{}` is neither a known country nor a group (see `entrepot countries` and `entrepot groups`)",
                    entrepot_core::text::display_value(name)
                )))
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// `2016`, `2001-2019`.
pub(super) fn years_held(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "no year".into(),
    }
}
