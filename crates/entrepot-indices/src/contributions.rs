//! Contributions to growth: how much each unit (partner, product) of a total added to
//! the total's growth between a base period (0) and an end period (1), the growth of
//! the total without it, and how much of a loss on it the other units made up.
//!
//! With `x⁰_j`, `x¹_j` the values of unit `j` and `X⁰ = Σ_j x⁰_j`, `X¹ = Σ_j x¹_j`:
//!
//! * **contribution** of `j`, in percentage points: `c_j = 100 · (x¹_j − x⁰_j) / X⁰`.
//!   The contributions add up to the growth of the total, `100 · (X¹ − X⁰) / X⁰`
//!   (the usual contribution to growth of additive aggregates, as in the national
//!   accounts and in customs releases).
//! * **growth without** `j`, in percent: `100 · ((X¹ − x¹_j) / (X⁰ − x⁰_j) − 1)`, the
//!   growth of the other units together.
//! * **offset** of a loss on `j` (`x¹_j < x⁰_j`), in percent:
//!   `100 · Δ_rest / |x¹_j − x⁰_j|` with `Δ_rest = (X¹ − x¹_j) − (X⁰ − x⁰_j)`, the net
//!   change of the other units. 100 % means the others made up the whole loss, more
//!   than 100 % that the total still grew, a negative value that the others fell too.
//!
//! A figure that is not defined is absent with its reason ([`Absent::ZeroBase`] when
//! its base is zero, [`Absent::NoLoss`] for the offset of a unit that did not lose),
//! never a zero. A unit may be new (`x⁰_j = 0`: its contribution is defined, its own
//! growth rate not) or vanish (`x¹_j = 0`).

use crate::{check, Absent, Index, IndexError};

/// One unit's contribution to the growth of a total.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contribution {
    /// The base-period value `x⁰_j`.
    pub base: f64,
    /// The end-period value `x¹_j`.
    pub end: f64,
    /// The change `x¹_j − x⁰_j`.
    pub change: f64,
    /// `100 · (x¹_j − x⁰_j) / X⁰`, percentage points of the total's growth.
    pub contribution_pp: Index<f64>,
    /// The unit's own growth, `100 · (x¹_j / x⁰_j − 1)` percent.
    pub growth_pct: Index<f64>,
    /// The growth of the total without the unit, percent.
    pub growth_without_pct: Index<f64>,
    /// For a loss: the net change of the other units as a percentage of the loss.
    pub offset_pct: Index<f64>,
}

/// The contributions of every unit to the growth of their total.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributions {
    /// `X⁰`.
    pub base: f64,
    /// `X¹`.
    pub end: f64,
    /// `X¹ − X⁰`.
    pub change: f64,
    /// The growth of the total, `100 · (X¹ − X⁰) / X⁰` percent (the sum of the
    /// contributions).
    pub growth_pct: Index<f64>,
    /// One entry per unit, in the order given.
    pub units: Vec<Contribution>,
}

/// `100 · (a / b − 1)`, absent when `b` is zero.
fn growth(a: f64, b: f64) -> Index<f64> {
    if b > 0.0 {
        Ok(100.0 * (a / b - 1.0))
    } else {
        Err(Absent::ZeroBase)
    }
}

/// The contributions to growth of units with base-period values `base` and
/// end-period values `end` (aligned: one entry per unit in each; see the [module
/// documentation](self) for the definitions).
///
/// Errors on slices of different lengths or a negative or non-finite value. Absent
/// when there are no units.
///
/// ```
/// let c = entrepot_indices::contributions::contributions(&[64.0, 64.0], &[48.0, 112.0])?
///     .expect("units");
/// assert_eq!(c.growth_pct, Ok(25.0));
/// assert_eq!(c.units[0].contribution_pp, Ok(-12.5));
/// assert_eq!(c.units[1].contribution_pp, Ok(37.5));
/// // the other unit made up three times the loss on the first
/// assert_eq!(c.units[0].offset_pct, Ok(300.0));
/// # Ok::<(), entrepot_indices::IndexError>(())
/// ```
pub fn contributions(base: &[f64], end: &[f64]) -> Result<Index<Contributions>, IndexError> {
    if base.len() != end.len() {
        return Err(IndexError::LengthMismatch {
            own: base.len(),
            reference: end.len(),
        });
    }
    check(base)?;
    check(end)?;
    if base.is_empty() {
        return Ok(Err(Absent::NoUnits));
    }
    let total_base: f64 = base.iter().sum();
    let total_end: f64 = end.iter().sum();
    let units = base
        .iter()
        .zip(end)
        .map(|(&x0, &x1)| {
            let change = x1 - x0;
            let (rest0, rest1) = (total_base - x0, total_end - x1);
            Contribution {
                base: x0,
                end: x1,
                change,
                contribution_pp: if total_base > 0.0 {
                    Ok(100.0 * change / total_base)
                } else {
                    Err(Absent::ZeroBase)
                },
                growth_pct: growth(x1, x0),
                // the rest's base is zero (up to rounding) when the unit is all of it
                growth_without_pct: if rest0 > 1e-12 * total_base {
                    growth(rest1, rest0)
                } else {
                    Err(Absent::ZeroBase)
                },
                offset_pct: if change < 0.0 {
                    Ok(100.0 * (rest1 - rest0) / -change)
                } else {
                    Err(Absent::NoLoss)
                },
            }
        })
        .collect();
    Ok(Ok(Contributions {
        base: total_base,
        end: total_end,
        change: total_end - total_base,
        growth_pct: growth(total_end, total_base),
        units,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_worked_example_with_a_loss_a_new_unit_and_a_vanished_one() {
        // A falls 50 → 30, B grows 30 → 45, C vanishes 20 → 0, D is new 0 → 25
        let c = contributions(&[50.0, 30.0, 20.0, 0.0], &[30.0, 45.0, 0.0, 25.0])
            .unwrap()
            .unwrap();
        assert_eq!((c.base, c.end, c.change), (100.0, 100.0, 0.0));
        assert_eq!(c.growth_pct, Ok(0.0));
        let pp: Vec<f64> = c.units.iter().map(|u| u.contribution_pp.unwrap()).collect();
        assert_eq!(pp, vec![-20.0, 15.0, -20.0, 25.0]);
        let close = |a: Index<f64>, b: f64| (a.expect("defined") - b).abs() < 1e-12;
        assert!(close(c.units[0].growth_pct, -40.0));
        assert!(close(c.units[2].growth_pct, -100.0));
        assert_eq!(c.units[3].growth_pct, Err(Absent::ZeroBase), "new unit");
        // without A: (70 / 50 − 1) = +40 %
        assert!(close(c.units[0].growth_without_pct, 40.0));
        // the others made up all of A's loss of 20 (+20)
        assert_eq!(c.units[0].offset_pct, Ok(100.0));
        assert_eq!(c.units[1].offset_pct, Err(Absent::NoLoss));
        assert_eq!(c.units[3].offset_pct, Err(Absent::NoLoss));
    }

    #[test]
    fn a_zero_base_total_has_no_growth_and_no_contributions() {
        let c = contributions(&[0.0, 0.0], &[3.0, 0.0]).unwrap().unwrap();
        assert_eq!(c.growth_pct, Err(Absent::ZeroBase));
        assert_eq!(c.units[0].contribution_pp, Err(Absent::ZeroBase));
        assert_eq!(c.units[0].growth_without_pct, Err(Absent::ZeroBase));
        assert_eq!(c.change, 3.0);
    }

    #[test]
    fn the_only_unit_of_the_base_has_no_growth_without_it() {
        let c = contributions(&[10.0, 0.0], &[5.0, 2.0]).unwrap().unwrap();
        assert_eq!(c.units[0].growth_without_pct, Err(Absent::ZeroBase));
        // the other unit made up 2 of the loss of 5
        assert_eq!(c.units[0].offset_pct, Ok(40.0));
        assert_eq!(c.units[1].growth_without_pct, Ok(-50.0));
    }

    #[test]
    fn empty_bad_and_misaligned_input() {
        assert_eq!(contributions(&[], &[]).unwrap(), Err(Absent::NoUnits));
        assert_eq!(
            contributions(&[1.0], &[1.0, 2.0]),
            Err(IndexError::LengthMismatch {
                own: 1,
                reference: 2
            })
        );
        assert!(matches!(
            contributions(&[1.0, 2.0], &[1.0, -2.0]),
            Err(IndexError::Negative { position: 1, .. })
        ));
        assert!(matches!(
            contributions(&[f64::INFINITY], &[1.0]),
            Err(IndexError::NotFinite { position: 0, .. })
        ));
    }

    fn pairs() -> impl Strategy<Value = Vec<(f64, f64)>> {
        let v = || prop_oneof![1 => Just(0.0), 4 => 1e-3f64..1e12];
        prop::collection::vec((v(), v()), 1..80)
    }

    proptest! {
        #[test]
        fn contributions_add_up_to_total_growth(p in pairs()) {
            let (b, e): (Vec<f64>, Vec<f64>) = p.iter().copied().unzip();
            let c = contributions(&b, &e).unwrap().unwrap();
            let Ok(g) = c.growth_pct else {
                prop_assert!(b.iter().all(|x| *x == 0.0));
                return Ok(());
            };
            let sum: f64 = c.units.iter().map(|u| u.contribution_pp.unwrap()).sum();
            // relative to the size of the terms, 100 · (X⁰ + X¹) / X⁰
            let scale = 100.0 * (c.base + c.end) / c.base;
            prop_assert!((sum - g).abs() <= 1e-9 * scale, "{sum} vs {g}");
            let changes: f64 = c.units.iter().map(|u| u.change).sum();
            prop_assert!((changes - c.change).abs() <= 1e-9 * (c.base + c.end));
        }

        #[test]
        fn growth_without_a_unit_and_its_offset_rebuild_the_total(p in pairs()) {
            let (b, e): (Vec<f64>, Vec<f64>) = p.iter().copied().unzip();
            let c = contributions(&b, &e).unwrap().unwrap();
            for u in &c.units {
                let (r0, r1) = (c.base - u.base, c.end - u.end);
                if let Ok(gw) = u.growth_without_pct {
                    // X¹ = x¹_j + (X⁰ − x⁰_j)(1 + g_without)
                    let rebuilt = u.end + r0 * (1.0 + gw / 100.0);
                    prop_assert!((rebuilt - c.end).abs() <= 1e-9 * (c.base + c.end));
                }
                match u.offset_pct {
                    Ok(o) => {
                        prop_assert!(u.change < 0.0);
                        // Δ_rest = offset · |loss|
                        prop_assert!((o / 100.0 * -u.change - (r1 - r0)).abs()
                            <= 1e-9 * (c.base + c.end));
                    }
                    Err(a) => prop_assert!(a == Absent::NoLoss && u.change >= 0.0),
                }
            }
        }
    }
}
