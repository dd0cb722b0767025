//! What the analyses of a pair of countries share ([`crate::dependence`],
//! [`crate::mirror`]): resolving the two countries, choosing the flows dataset, the
//! span of years, and the cells of money and shares.

use crate::error::{AppError, AppResult};
use entrepot_cube::PeriodRange;
use entrepot_doc::{Cell, Currency, Scale, Unit};
use entrepot_store::{DatasetKind, Store};

/// Partner codes that are the world, not a country.
pub(crate) fn is_world(code: &str) -> bool {
    matches!(code, "WLD" | "WORLD" | "W00")
}

/// The ISO3 code of a country given as any code the registry knows (not found
/// otherwise).
pub(crate) fn resolve_country(code: &str, what: &str) -> AppResult<String> {
    entrepot_core::CountryRegistry::builtin()
        .resolve(code)
        .map(|c| c.iso3.clone())
        .map_err(|e| AppError::not_found(format!("{what}: {e}")))
}

/// The two countries of a pair request, resolved and distinct.
pub(crate) fn resolve_pair(reporter: &str, partner: &str) -> AppResult<(String, String)> {
    let r = resolve_country(reporter, "reporter")?;
    let p = resolve_country(partner, "partner")?;
    if r == p {
        return Err(AppError::usage(format!(
            "the reporter and the partner are both {r}: give two different countries"
        )));
    }
    Ok((r, p))
}

/// The flows dataset named (it must exist and hold flows), or the one flows dataset
/// that holds either country as a reporter, or the only flows dataset.
pub(crate) fn choose_dataset(
    store: &Store,
    named: Option<&str>,
    countries: &[&str],
    option: &str,
) -> AppResult<String> {
    if let Some(d) = named {
        return match store.dataset(d) {
            Some(info) if info.kind == DatasetKind::Flows => Ok(d.to_string()),
            Some(_) => Err(AppError::usage(format!(
                "{option} {d}: the dataset holds published figures, not trade flows"
            ))),
            None => Err(AppError::not_found(format!(
                "no dataset '{d}' in the store"
            ))),
        };
    }
    let all = store.datasets();
    let flows: Vec<&entrepot_store::DatasetInfo> = all
        .iter()
        .filter(|d| d.kind == DatasetKind::Flows)
        .collect();
    let own: Vec<&str> = flows
        .iter()
        .filter(|d| d.reporters.iter().any(|r| countries.contains(&r.as_str())))
        .map(|d| d.name.as_str())
        .collect();
    let who = countries.join(" or ");
    match (own.as_slice(), flows.as_slice()) {
        ([one], _) => Ok(one.to_string()),
        ([], [one]) => Ok(one.name.clone()),
        ([], []) => Err(AppError::not_found("the store holds no flows dataset")),
        ([], many) => Err(AppError::usage(format!(
            "no dataset holds {who} as a reporter; choose one of {} with {option}",
            many.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        (many, _) => Err(AppError::usage(format!(
            "several datasets hold flows of {who}: {}; choose one with {option}",
            many.join(", ")
        ))),
    }
}

/// The years asked for: `--from`, `--to` and `--period` (a year that must lie between
/// them). `None` when every year held is wanted.
pub(crate) fn year_range(
    from: Option<i32>,
    to: Option<i32>,
    period: Option<i32>,
) -> AppResult<Option<PeriodRange>> {
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            return Err(AppError::usage(format!("years {a}..{b} are not in order")));
        }
    }
    if let Some(p) = period {
        if from.is_some_and(|a| p < a) || to.is_some_and(|b| p > b) {
            return Err(AppError::usage(format!(
                "--period {p} is outside the years asked for ({}..{})",
                from.map(|y| y.to_string()).unwrap_or_default(),
                to.map(|y| y.to_string()).unwrap_or_default()
            )));
        }
    }
    Ok((from.is_some() || to.is_some())
        .then(|| PeriodRange::years(from.unwrap_or(1000), to.unwrap_or(9999))))
}

/// ` in 2019..2020`, or nothing when every year is read.
pub(crate) fn years_text(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        (a, b) => format!(
            " in {}..{}",
            a.map(|y| y.to_string()).unwrap_or_default(),
            b.map(|y| y.to_string()).unwrap_or_default()
        ),
    }
}

/// The unit of money in the reports of a pair (the values are US dollars as stored;
/// the one place to change when datasets carry their own currency).
pub(crate) fn money_unit() -> Unit {
    Unit::money(Currency::USD, Scale::Billions)
}

/// The value of an amount of US dollars in [`money_unit`].
pub(crate) fn money_value(usd: f64) -> f64 {
    match money_unit() {
        Unit::Money { scale, .. } => usd / scale.factor(),
        _ => usd,
    }
}

/// Decimals for an amount in [`money_unit`] so that it keeps three significant digits
/// (small amounts print in millions, see `entrepot_doc::format::quantity`).
pub(crate) fn money_decimals(value: f64) -> u8 {
    let v = value.abs();
    if v == 0.0 {
        return 0;
    }
    if !v.is_finite() || v >= 0.9995 {
        return 2;
    }
    // printed in millions with one decimal fewer
    let millions = v * 1e3;
    let digits = millions.log10().floor() as i32 + 1;
    let d = (3 - digits).clamp(1, 6) as u8;
    d + 1
}

/// A cell of an amount of US dollars.
pub(crate) fn money_cell(usd: f64, signed: bool) -> Cell {
    let value = money_value(usd);
    Cell::Number {
        value,
        unit: money_unit(),
        decimals: money_decimals(value),
        signed,
    }
}

/// Decimals for a percentage: 2, or enough for two significant digits when it is
/// under 0.01% (so that a small share does not read as zero).
pub(crate) fn percent_decimals(pct: f64) -> u8 {
    let p = pct.abs();
    if p == 0.0 || !p.is_finite() || p >= 0.01 {
        return 2;
    }
    ((-p.log10()).ceil() as i64 + 1).clamp(2, 9) as u8
}

/// A percentage with [`percent_decimals`] (`0.00054%`, `12.34%`).
pub(crate) fn percent_text(pct: f64) -> String {
    format!(
        "{}%",
        entrepot_doc::format::number(pct, percent_decimals(pct))
    )
}

/// A cell of a share (a fraction, shown in percent), or why it is absent.
pub(crate) fn share_cell(share: &Result<f64, String>) -> Cell {
    let decimals = share.as_ref().map_or(2, |s| percent_decimals(100.0 * s));
    number_cell(share, Unit::Percent, 100.0, decimals, false)
}

/// A cell of a number scaled by `scale`, or why it is absent.
pub(crate) fn number_cell(
    v: &Result<f64, String>,
    unit: Unit,
    scale: f64,
    decimals: u8,
    signed: bool,
) -> Cell {
    match v {
        Ok(v) if (v * scale).is_finite() => Cell::Number {
            value: v * scale,
            unit,
            decimals,
            signed,
        },
        Ok(_) => Cell::missing("not finite"),
        Err(reason) => Cell::missing(reason.clone()),
    }
}

/// A count cell.
pub(crate) fn count_cell(n: usize) -> Cell {
    Cell::Number {
        value: n as f64,
        unit: Unit::Count,
        decimals: 0,
        signed: false,
    }
}

/// The description of an HS code (as stored: revision and digits), shortened to
/// `max` characters for a table.
pub(crate) fn product_name(product: entrepot_core::ProductId, max: usize) -> String {
    code_name(product.revision(), &product.code_string(), max)
}

/// The description of HS digits in a revision (empty when unknown), shortened to `max`
/// characters.
pub(crate) fn code_name(
    revision: Option<entrepot_core::HsRevision>,
    code: &str,
    max: usize,
) -> String {
    let full = revision
        .and_then(|rev| entrepot_core::ProductCatalog::builtin().get(rev, code))
        .map(|i| i.description.clone())
        .unwrap_or_default();
    if full.chars().count() <= max {
        full
    } else {
        let mut s: String = full.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `1 product`, `3 products`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `A, B and C`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `imports` for imports (and re-imports), `exports` otherwise.
pub(crate) fn flow_word(flow: entrepot_core::FlowKind) -> &'static str {
    use entrepot_core::FlowKind;
    match flow {
        FlowKind::Import | FlowKind::ReImport => "imports",
        _ => "exports",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_three_significant_digits() {
        assert_eq!(money_decimals(7.91), 2);
        // 461,724 USD = 0.000461724bn → 0.462m
        assert_eq!(money_decimals(0.000461724), 4);
        let text = entrepot_doc::format::quantity(
            0.000461724,
            &money_unit(),
            money_decimals(0.000461724),
            false,
            false,
            Some(Currency::USD),
        );
        assert_eq!(text, "0.462m");
        assert_eq!(money_decimals(0.0), 0);
        assert!(money_decimals(1e-12) <= 7);
    }

    #[test]
    fn small_percentages_keep_two_significant_digits() {
        assert_eq!(percent_text(12.345), "12.35%");
        assert_eq!(percent_text(0.0), "0.00%");
        assert_eq!(percent_text(0.000543), "0.00054%");
        assert_eq!(percent_text(0.01), "0.01%");
    }

    #[test]
    fn year_ranges_are_checked() {
        assert!(year_range(None, None, None).unwrap().is_none());
        assert!(year_range(Some(2020), Some(2019), None).is_err());
        assert!(year_range(Some(2010), Some(2012), Some(2013)).is_err());
        assert_eq!(
            year_range(Some(2010), None, Some(2012)).unwrap(),
            Some(PeriodRange::years(2010, 9999))
        );
    }

    #[test]
    fn a_pair_is_two_known_different_countries() {
        assert_eq!(
            resolve_pair("zaf", "4").unwrap(),
            ("ZAF".to_string(), "AFG".to_string())
        );
        let e = resolve_pair("ZAF", "QQQ").unwrap_err();
        assert_eq!(e.class, crate::ErrorClass::NotFound);
        assert!(e.message.starts_with("partner:"), "{e}");
        assert_eq!(
            resolve_pair("ZAF", "710").unwrap_err().class,
            crate::ErrorClass::Usage
        );
    }
}
