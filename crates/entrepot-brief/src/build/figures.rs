//! Computed figures: the value comes from [`entrepot_core::formulas`]; this module adds
//! the unit, the decimals to print, the rounding tolerance and the provenance, all
//! carried over from the figures it was computed from.
//!
//! The tolerance of a computed figure is the first-order propagation of the half-unit
//! rounding of its inputs (0 for exact sums of stored flows): absolute tolerances add
//! up under sums and differences, relative tolerances ([`rel`]) under products and
//! ratios.

use crate::model::{Alternative, Basis, Figure, FigureUnit, Provenance};
use entrepot_core::formulas;
use entrepot_core::PublishedFigure;

/// US dollars in a billion, the unit of the brief's levels ([`FigureUnit::UsdBn`]).
pub(super) const USD_PER_BN: f64 = 1e9;

/// The number of decimals written in `x` (at most 6): the precision it was published
/// with.
pub(super) fn decimals_of(x: f64) -> u8 {
    let s = format!("{x}");
    match s.split_once('.') {
        Some((_, d)) => d.len().min(6) as u8,
        None => 0,
    }
}

/// Whether the compiler marked the figure as approximate. The facts files mark
/// approximations with `approx.` (or a leading `~` on the quoted value); notes that
/// merely quote how *other* outlets rounded the number ("dpa-AFX rounds to ~111.7bn",
/// "many outlets round to 'nearly 29%'") do not make the figure itself approximate,
/// which is why this is stricter than [`PublishedFigure::is_approximate`].
pub(super) fn is_approx(f: &PublishedFigure) -> bool {
    let n = f.note.trim().to_ascii_lowercase();
    n.contains("approx") || n.starts_with('~')
}

/// Half a unit of the `d`-th decimal: the rounding error of a number published with
/// `d` decimals.
pub(super) fn half_unit(d: u8) -> f64 {
    0.5 * 10f64.powi(-(d as i32))
}

/// The short label of a unit (`USD bn`, `%`, `pp`, `index`).
pub(super) fn unit_label(u: FigureUnit) -> String {
    match u {
        FigureUnit::Bn(c) => format!("{c} bn"),
        FigureUnit::Percent => "%".into(),
        FigureUnit::PercentagePoints => "pp".into(),
        FigureUnit::Index => "index".into(),
        FigureUnit::Other => String::new(),
    }
}

/// Adds `other` to `primary`'s alternatives; they agree when their rounding intervals
/// overlap.
pub(super) fn add_alt(primary: &mut Figure, other: Figure) {
    let difference = other.value - primary.value;
    let agrees = difference.abs() <= primary.tolerance + other.tolerance + 1e-9;
    primary.alternatives.push(Alternative {
        value: other.value,
        approximate: other.approximate,
        decimals: other.decimals,
        provenance: other.provenance,
        difference,
        agrees,
    });
}

/// A computed figure; `None` when the value is not finite.
pub(super) fn computed(
    value: f64,
    unit: FigureUnit,
    decimals: u8,
    tolerance: f64,
    method: String,
    parts: &[&Figure],
) -> Option<Figure> {
    if !value.is_finite() || !tolerance.is_finite() {
        return None;
    }
    let basis = parts
        .iter()
        .map(|f| f.provenance.basis())
        .reduce(Basis::combine)
        .unwrap_or(Basis::Published);
    let mut inputs: Vec<String> = Vec::new();
    for p in parts {
        for i in p.provenance.input_ids() {
            if !inputs.contains(&i) {
                inputs.push(i);
            }
        }
    }
    Some(Figure {
        value,
        unit,
        unit_label: unit_label(unit),
        decimals,
        approximate: parts.iter().any(|f| f.approximate),
        tolerance,
        provenance: Provenance::Computed {
            basis,
            method,
            inputs,
        },
        alternatives: Vec::new(),
    })
}

/// The relative tolerance of a figure: its tolerance over its magnitude (0 for a zero
/// value).
pub(super) fn rel(f: &Figure) -> f64 {
    if f.value == 0.0 {
        0.0
    } else {
        f.tolerance / f.value.abs()
    }
}

/// Growth of `a` over `b` in percent ([`formulas::growth_pct`]).
pub(super) fn growth_fig(a: &Figure, b: &Figure) -> Option<Figure> {
    let g = formulas::growth_pct(a.value, b.value)?;
    let factor = formulas::growth_factor(a.value, b.value)?;
    let tol = 100.0 * factor * (rel(a) + rel(b));
    computed(
        g,
        FigureUnit::Percent,
        1,
        tol,
        "growth = (value / comparison value - 1) x 100".into(),
        &[a, b],
    )
}

/// Share of `v` in the total `t` in percent ([`formulas::share_pct`]).
pub(super) fn share_fig(v: &Figure, t: &Figure) -> Option<Figure> {
    let s = formulas::share_pct(v.value, t.value)?;
    computed(
        s,
        FigureUnit::Percent,
        2,
        s.abs() * (rel(v) + rel(t)),
        "share = value / total x 100".into(),
        &[v, t],
    )
}

/// Change from the comparison share `b` to the share `a`, in percentage points
/// ([`formulas::share_change_pp`]).
pub(super) fn share_change_fig(a: &Figure, b: &Figure) -> Option<Figure> {
    computed(
        formulas::share_change_pp(a.value, b.value)?,
        FigureUnit::PercentagePoints,
        2,
        a.tolerance + b.tolerance,
        "change in share = share - comparison share".into(),
        &[a, b],
    )
}

/// Contribution of a partner (value `v`, comparison value `cv`) to the growth of a
/// total whose comparison level is `ct`, in percentage points
/// ([`formulas::contribution_pp`]).
pub(super) fn contribution_fig(v: &Figure, cv: &Figure, ct: &Figure) -> Option<Figure> {
    let c = formulas::contribution_pp(v.value, cv.value, ct.value)?;
    let tol = 100.0 * (v.tolerance + cv.tolerance) / ct.value + c.abs() * rel(ct);
    computed(
        c,
        FigureUnit::PercentagePoints,
        2,
        tol,
        "contribution = (value - comparison value) / comparison total x 100".into(),
        &[v, cv, ct],
    )
}

/// The comparison level implied by the level `l` and its growth rate `g` in percent
/// ([`formulas::implied_comparison_level`]).
pub(super) fn implied_level_fig(l: &Figure, g: &Figure) -> Option<Figure> {
    let v = formulas::implied_comparison_level(l.value, g.value)?;
    let tol = v.abs() * (rel(l) + g.tolerance / (100.0 + g.value));
    computed(
        v,
        l.unit,
        2,
        tol,
        "implied comparison level = value / (1 + y/y / 100)".into(),
        &[l, g],
    )
}

/// A figure computed as the difference of `a` and `b`, in `a`'s unit.
fn difference_fig(value: Option<f64>, a: &Figure, b: &Figure, method: String) -> Option<Figure> {
    computed(
        value?,
        a.unit,
        a.decimals.max(b.decimals),
        a.tolerance + b.tolerance,
        method,
        &[a, b],
    )
}

/// The balance `exports - imports` ([`formulas::balance`]).
pub(super) fn balance_fig(exports: &Figure, imports: &Figure) -> Option<Figure> {
    difference_fig(
        formulas::balance(exports.value, imports.value),
        exports,
        imports,
        "balance = exports - imports".into(),
    )
}

/// The change from `base` to `current` ([`formulas::change`]).
pub(super) fn change_fig(current: &Figure, base: &Figure) -> Option<Figure> {
    difference_fig(
        formulas::change(current.value, base.value),
        current,
        base,
        "change = value - comparison value".into(),
    )
}

/// The total excluding one part ([`formulas::excluding`]); `method` names them
/// (`total - USA`).
pub(super) fn excluding_fig(total: &Figure, part: &Figure, method: String) -> Option<Figure> {
    difference_fig(
        formulas::excluding(total.value, part.value),
        total,
        part,
        method,
    )
}

/// The share of the loss `partner_change` made up by the change `others_change` of
/// the other partners, in percent ([`formulas::made_up_pct`]); `partner` names the
/// partner.
pub(super) fn made_up_fig(
    others_change: &Figure,
    partner_change: &Figure,
    partner: &str,
) -> Option<Figure> {
    let m = formulas::made_up_pct(others_change.value, partner_change.value)?;
    computed(
        m,
        FigureUnit::Percent,
        0,
        m.abs() * (rel(others_change) + rel(partner_change)),
        format!("others' change / loss on {partner} x 100"),
        &[others_change, partner_change],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A published level (USD bn) with the given rounding tolerance, from source `id`.
    fn published(value: f64, tolerance: f64, id: &str) -> Figure {
        Figure {
            value,
            unit: FigureUnit::USD_BN,
            unit_label: unit_label(FigureUnit::USD_BN),
            decimals: 1,
            approximate: false,
            tolerance,
            provenance: Provenance::Published {
                source_id: id.into(),
                source_url: format!("https://example.org/{id}"),
                origin: "facts.csv:2".into(),
                note: String::new(),
            },
            alternatives: Vec::new(),
        }
    }

    /// An exact level summed from stored flows.
    fn from_flows(value: f64) -> Figure {
        Figure {
            decimals: 2,
            tolerance: 0.0,
            provenance: Provenance::Computed {
                basis: Basis::Flows,
                method: "sum of stored flows".into(),
                inputs: vec!["flows:test".into()],
            },
            ..published(value, 0.0, "P0")
        }
    }

    fn inputs(f: &Figure) -> Vec<String> {
        f.provenance.input_ids()
    }

    #[test]
    fn growth_propagates_the_relative_rounding_of_both_levels() {
        let g = growth_fig(&published(110.0, 0.05, "P1"), &published(100.0, 0.05, "P2")).unwrap();
        assert_eq!(g.value, (110.0 / 100.0 - 1.0) * 100.0);
        assert!((g.value - 10.0).abs() < 1e-12);
        let expected_tol = 100.0 * (110.0 / 100.0) * (0.05 / 110.0 + 0.05 / 100.0);
        assert_eq!(g.tolerance, expected_tol);
        assert_eq!(g.unit, FigureUnit::Percent);
        assert_eq!(g.decimals, 1);
        assert_eq!(g.provenance.basis(), Basis::Published);
        assert_eq!(inputs(&g), vec!["P1".to_string(), "P2".to_string()]);
    }

    #[test]
    fn growth_over_a_zero_base_is_no_figure() {
        assert_eq!(growth_fig(&from_flows(5.0), &from_flows(0.0)), None);
        assert_eq!(growth_fig(&from_flows(-5.0), &from_flows(2.0)), None);
    }

    #[test]
    fn share_of_flows_is_exact() {
        let s = share_fig(&from_flows(25.0), &from_flows(200.0)).unwrap();
        assert_eq!(s.value, 12.5);
        assert_eq!(s.tolerance, 0.0);
        assert!(s.provenance.is_from_flows());
        assert_eq!(share_fig(&from_flows(25.0), &from_flows(0.0)), None);
    }

    #[test]
    fn change_in_share_adds_the_tolerances() {
        let a = Figure {
            unit: FigureUnit::Percent,
            ..published(12.0, 0.05, "P1")
        };
        let b = Figure {
            unit: FigureUnit::Percent,
            ..published(10.0, 0.005, "P2")
        };
        let c = share_change_fig(&a, &b).unwrap();
        assert_eq!(c.value, 2.0);
        assert_eq!(c.tolerance, 0.055);
        assert_eq!(c.unit, FigureUnit::PercentagePoints);
    }

    #[test]
    fn contribution_is_over_the_comparison_total() {
        let c = contribution_fig(&from_flows(80.0), &from_flows(50.0), &from_flows(200.0)).unwrap();
        assert_eq!(c.value, 15.0);
        assert_eq!(c.tolerance, 0.0);
        assert_eq!(c.unit, FigureUnit::PercentagePoints);
        assert_eq!(
            contribution_fig(&from_flows(80.0), &from_flows(50.0), &from_flows(0.0)),
            None
        );
    }

    #[test]
    fn implied_level_inverts_a_published_growth_rate() {
        let g = Figure {
            unit: FigureUnit::Percent,
            ..published(10.0, 0.05, "P2")
        };
        let l = published(110.0, 0.05, "P1");
        let v = implied_level_fig(&l, &g).unwrap();
        assert_eq!(v.value, 110.0 / (1.0 + 10.0 / 100.0));
        assert!((v.value - 100.0).abs() < 1e-12);
        assert_eq!(v.unit, FigureUnit::USD_BN);
        let minus_100 = Figure {
            value: -100.0,
            ..g.clone()
        };
        assert_eq!(implied_level_fig(&l, &minus_100), None);
    }

    #[test]
    fn balance_of_flows_and_published_figures_is_mixed() {
        let b = balance_fig(&from_flows(300.0), &published(200.0, 0.05, "P1")).unwrap();
        assert_eq!(b.value, 100.0);
        assert_eq!(b.tolerance, 0.05);
        assert_eq!(b.decimals, 2);
        assert_eq!(b.provenance.basis(), Basis::Mixed);
        assert_eq!(inputs(&b), vec!["flows:test".to_string(), "P1".to_string()]);
    }

    #[test]
    fn diversion_figures_from_levels() {
        // total 1000 -> 1010, USA 200 -> 150
        let (t, ct) = (from_flows(1010.0), from_flows(1000.0));
        let (v, cv) = (from_flows(150.0), from_flows(200.0));
        let loss = change_fig(&v, &cv).unwrap();
        assert_eq!(loss.value, -50.0);
        let on = excluding_fig(&t, &v, "total - USA".into()).unwrap();
        let oc = excluding_fig(&ct, &cv, "comparison total - USA".into()).unwrap();
        assert_eq!((on.value, oc.value), (860.0, 800.0));
        let others = change_fig(&on, &oc).unwrap();
        let made_up = made_up_fig(&others, &loss, "USA").unwrap();
        assert_eq!(made_up.value, 120.0);
        assert_eq!(made_up.decimals, 0);
        // no loss, nothing to make up
        assert_eq!(made_up_fig(&others, &others, "USA"), None);
    }

    #[test]
    fn non_finite_values_make_no_figure() {
        assert_eq!(growth_fig(&from_flows(f64::NAN), &from_flows(1.0)), None);
        assert_eq!(share_fig(&from_flows(1.0), &from_flows(f64::NAN)), None);
        assert_eq!(
            balance_fig(&from_flows(f64::INFINITY), &from_flows(1.0)),
            None
        );
    }
}
