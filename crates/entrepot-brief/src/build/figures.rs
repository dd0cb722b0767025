//! Computed figures: a value from `entrepot_core::formulas` with its rounding tolerance
//! and provenance propagated from the figures it was computed from.
//!
//! The tolerance of a computed figure is the first-order propagation of the half-unit
//! rounding of its published inputs (0 for exact sums of stored flows).

use crate::model::{Alternative, Basis, Figure, FigureUnit, Provenance};
use entrepot_core::PublishedFigure;

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

pub(super) fn half_unit(d: u8) -> f64 {
    0.5 * 10f64.powi(-(d as i32))
}

pub(super) fn unit_label(u: FigureUnit) -> String {
    match u {
        FigureUnit::UsdBn => "USD bn".into(),
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

/// Growth of `a` over `b` in percent.
pub(super) fn growth_fig(a: &Figure, b: &Figure) -> Option<Figure> {
    if b.value <= 0.0 || a.value < 0.0 {
        return None;
    }
    let r = a.value / b.value;
    let tol = 100.0 * r * (rel(a) + rel(b));
    computed(
        (r - 1.0) * 100.0,
        FigureUnit::Percent,
        1,
        tol,
        "growth = (value / comparison value - 1) x 100".into(),
        &[a, b],
    )
}

pub(super) fn rel(f: &Figure) -> f64 {
    if f.value == 0.0 {
        0.0
    } else {
        f.tolerance / f.value.abs()
    }
}

pub(super) fn diff_fig(a: &Figure, b: &Figure, method: &str) -> Option<Figure> {
    computed(
        a.value - b.value,
        a.unit,
        a.decimals.max(b.decimals),
        a.tolerance + b.tolerance,
        method.to_string(),
        &[a, b],
    )
}

pub(super) fn share(v: &Figure, t: &Figure) -> Option<Figure> {
    if t.value <= 0.0 {
        return None;
    }
    let s = v.value / t.value * 100.0;
    computed(
        s,
        FigureUnit::Percent,
        2,
        s.abs() * (rel(v) + rel(t)),
        "share = value / total x 100".into(),
        &[v, t],
    )
}
