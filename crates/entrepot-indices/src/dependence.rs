//! Dependence and leverage between a supplier `i` and a buyer `j`: the buyer's import
//! share (its dependence on the supplier), the supplier's export share (its dependence
//! on the buyer as a market), their asymmetry, the trade intensity index, and the
//! selection of chokepoint products.
//!
//! Notation, for one year (and, for the shares, one product or all of them):
//! `m_ji` the buyer's imports from the supplier, `M_j` the buyer's imports from
//! everyone, `x_ij` the supplier's exports to the buyer, `X_i` the supplier's exports
//! to everyone, `M_i` the supplier's own imports, `M_w` the world's imports.

use crate::{Absent, Index, IndexError};

/// How much a part may exceed its total, relative to the total, and still be taken as
/// equal to it: sums of the same values taken in different orders (a total and its
/// one part) differ in the last bits.
const PART_TOLERANCE: f64 = 1e-9;

/// Checks that every argument is finite and non-negative; `position` in an error is
/// the argument's place.
fn check_args(values: &[f64]) -> Result<(), IndexError> {
    crate::check(values)
}

/// `part / total`, in [0, 1]: absent when the total is zero; an error when the part
/// exceeds the total beyond [`PART_TOLERANCE`] (a part within it gives 1).
fn share_of(part: f64, total: f64) -> Result<Index<f64>, IndexError> {
    check_args(&[part, total])?;
    if total <= 0.0 {
        return Ok(Err(Absent::ZeroTotal));
    }
    if part > total * (1.0 + PART_TOLERANCE) {
        return Err(IndexError::PartExceedsTotal { part, total });
    }
    Ok(Ok((part / total).min(1.0)))
}

/// Import share — the buyer's dependence on a supplier: `d_ji = m_ji / M_j`, the share
/// of the buyer's imports (of a product, or of everything) that the supplier provides.
///
/// The partner-share measure of supply dependence: Hirschman (1945), *National Power
/// and the Structure of Foreign Trade* (a country's dependence on a partner
/// grows with the partner's share of its trade). In [0, 1]. Absent
/// ([`Absent::ZeroTotal`]) when the buyer imports nothing — a share that does not
/// exist, never a zero; an error when `m_ji > M_j` (beyond rounding).
///
/// ```
/// let d = entrepot_indices::import_share(30.0, 120.0)?.expect("defined");
/// assert_eq!(d, 0.25);
/// assert!(entrepot_indices::import_share(0.0, 0.0)?.is_err(), "no imports: absent");
/// # Ok::<(), entrepot_indices::IndexError>(())
/// ```
pub fn import_share(
    imports_from_supplier: f64,
    total_imports: f64,
) -> Result<Index<f64>, IndexError> {
    share_of(imports_from_supplier, total_imports)
}

/// Export share — the supplier's dependence on the buyer as a market (absorption):
/// `a_ij = x_ij / X_i`, the share of the supplier's exports (of a product, or of
/// everything) that the buyer takes.
///
/// Hirschman (1945), as [`import_share`], from the exporter's side. In [0, 1]. Absent
/// ([`Absent::ZeroTotal`]) when the supplier exports nothing; an error when
/// `x_ij > X_i` (beyond rounding).
pub fn export_share(exports_to_buyer: f64, total_exports: f64) -> Result<Index<f64>, IndexError> {
    share_of(exports_to_buyer, total_exports)
}

/// Asymmetry of the two dependences: `A_ij = d_ji − a_ij`, the buyer's import share
/// from the supplier ([`import_share`]) minus the supplier's export share to the buyer
/// ([`export_share`]), in [−1, 1].
///
/// Positive: the buyer depends on the supplier for its imports more than the supplier
/// depends on the buyer for its exports — leverage on the supplier's side; negative:
/// the reverse. This is the asymmetric interdependence of Hirschman (1945) and Keohane
/// and Nye (1977), *Power and Interdependence*, measured as the difference of
/// the two shares (defined when either is zero, unlike a log-ratio). Both arguments
/// must be shares in [0, 1] ([`IndexError::NotAShare`] otherwise).
pub fn asymmetry(import_share: f64, export_share: f64) -> Result<f64, IndexError> {
    for (position, value) in [import_share, export_share].into_iter().enumerate() {
        if !(0.0..=1.0).contains(&value) {
            return Err(if value.is_finite() {
                IndexError::NotAShare { position, value }
            } else {
                IndexError::NotFinite { position, value }
            });
        }
    }
    Ok(import_share - export_share)
}

/// Trade intensity index of the supplier `i`'s exports to the buyer `j`:
///
/// `TII_ij = (x_ij / X_i) / (m_j / (M_w − M_i))`
///
/// the share of the buyer in the supplier's exports over the buyer's share of the
/// imports of the world less the supplier's own (the markets open to the supplier).
/// Brown (1949), *Applied Economics: Aspects of the World Economy in War and Peace*;
/// Kojima (1964), "The pattern of international trade among advanced countries",
/// *Hitotsubashi Journal of Economics* 5(1), 16–36; the form netting out `M_i` is
/// that of Drysdale and Garnaut (1982), *Hitotsubashi Journal of Economics* 22(2).
/// 1 is neutral (the pair trades as much as the buyer's size predicts), above 1 more
/// intense. Arguments in the order of the formula: `x_ij`, `X_i`, `m_j`, `M_w`, `M_i`.
///
/// Absent when the supplier exports nothing ([`Absent::ZeroTotal`]), or when the
/// buyer imports nothing or `M_w − M_i ≤ 0` ([`Absent::ZeroBase`]); an error when
/// `x_ij > X_i` or `m_j > M_w − M_i` (beyond rounding: the buyer's imports are part
/// of the world's, net of the supplier's).
pub fn trade_intensity(
    exports_ij: f64,
    exports_i: f64,
    imports_j: f64,
    world_imports: f64,
    imports_i: f64,
) -> Result<Index<f64>, IndexError> {
    check_args(&[exports_ij, exports_i, imports_j, world_imports, imports_i])?;
    let share = match share_of(exports_ij, exports_i)? {
        Ok(s) => s,
        Err(a) => return Ok(Err(a)),
    };
    let rest = world_imports - imports_i;
    if rest <= 0.0 || imports_j <= 0.0 {
        return Ok(Err(Absent::ZeroBase));
    }
    let buyer = match share_of(imports_j, rest)? {
        Ok(s) => s,
        Err(a) => return Ok(Err(a)),
    };
    Ok(Ok(share / buyer))
}

/// Chokepoints: the products whose import share ([`import_share`]) is **more than**
/// `threshold`, as positions into `shares`, by value at stake (`values`, the buyer's
/// imports of the product from the supplier) from the largest; equal values keep their
/// order.
///
/// A product is a chokepoint of the buyer when one supplier provides more than the
/// threshold (a half, by default in Entrepôt) of its imports of the product by value:
/// the single-supplier dependence that screens of strategic dependence start from
/// (e.g. European Commission 2021, *Strategic dependencies and capacities*,
/// SWD(2021) 352, which first screens products by the concentration of their
/// imports). `shares` and `values` are aligned (one entry per product); shares must
/// lie in [0, 1] and the threshold too.
pub fn chokepoints(
    shares: &[f64],
    values: &[f64],
    threshold: f64,
) -> Result<Vec<usize>, IndexError> {
    if shares.len() != values.len() {
        return Err(IndexError::LengthMismatch {
            own: shares.len(),
            reference: values.len(),
        });
    }
    if !(0.0..=1.0).contains(&threshold) {
        return Err(IndexError::Threshold(threshold));
    }
    check_args(values)?;
    for (position, &value) in shares.iter().enumerate() {
        if !value.is_finite() {
            return Err(IndexError::NotFinite { position, value });
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(IndexError::NotAShare { position, value });
        }
    }
    let mut out: Vec<usize> = (0..shares.len())
        .filter(|&i| shares[i] > threshold)
        .collect();
    out.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn shares_of_a_worked_example() {
        // The buyer imports 120, 30 of it from the supplier; the supplier exports 300,
        // 30 of it to the buyer.
        assert_eq!(import_share(30.0, 120.0).unwrap(), Ok(0.25));
        assert_eq!(export_share(30.0, 300.0).unwrap(), Ok(0.1));
        assert!(close(asymmetry(0.25, 0.1).unwrap(), 0.15));
        assert!(close(asymmetry(0.1, 0.25).unwrap(), -0.15));
        assert_eq!(import_share(0.0, 120.0).unwrap(), Ok(0.0), "a true zero");
        assert_eq!(import_share(120.0, 120.0).unwrap(), Ok(1.0));
    }

    #[test]
    fn zero_imports_or_exports_are_absent_not_zero() {
        assert_eq!(import_share(0.0, 0.0).unwrap(), Err(Absent::ZeroTotal));
        assert_eq!(export_share(0.0, 0.0).unwrap(), Err(Absent::ZeroTotal));
        assert_eq!(
            trade_intensity(0.0, 0.0, 5.0, 100.0, 10.0).unwrap(),
            Err(Absent::ZeroTotal)
        );
        assert_eq!(
            trade_intensity(1.0, 2.0, 0.0, 100.0, 10.0).unwrap(),
            Err(Absent::ZeroBase),
            "a buyer with no imports"
        );
        assert_eq!(
            trade_intensity(1.0, 2.0, 5.0, 10.0, 10.0).unwrap(),
            Err(Absent::ZeroBase),
            "no world beyond the supplier"
        );
        assert!(Absent::ZeroTotal.reason().contains("total is zero"));
    }

    #[test]
    fn a_part_may_exceed_its_total_by_rounding_only() {
        let total = 0.1 + 0.2; // 0.30000000000000004
        assert_eq!(import_share(0.3 + 1e-17, 0.3).unwrap(), Ok(1.0));
        assert_eq!(import_share(total, 0.3).unwrap(), Ok(1.0));
        assert_eq!(
            import_share(0.31, 0.3),
            Err(IndexError::PartExceedsTotal {
                part: 0.31,
                total: 0.3
            })
        );
        assert!(trade_intensity(3.0, 2.0, 1.0, 10.0, 1.0).is_err());
        assert!(trade_intensity(1.0, 2.0, 10.0, 10.0, 1.0).is_err());
    }

    #[test]
    fn bad_input_is_an_error_naming_the_argument() {
        assert_eq!(
            import_share(-1.0, 2.0),
            Err(IndexError::Negative {
                position: 0,
                value: -1.0
            })
        );
        assert!(matches!(
            export_share(1.0, f64::NAN),
            Err(IndexError::NotFinite { position: 1, .. })
        ));
        assert_eq!(
            asymmetry(0.5, 1.5),
            Err(IndexError::NotAShare {
                position: 1,
                value: 1.5
            })
        );
        assert!(asymmetry(f64::NAN, 0.5).is_err());
        assert!(trade_intensity(1.0, 2.0, 3.0, f64::INFINITY, 1.0).is_err());
        assert_eq!(
            chokepoints(&[0.5], &[1.0], 1.5),
            Err(IndexError::Threshold(1.5))
        );
        assert!(chokepoints(&[0.5], &[1.0], f64::NAN).is_err());
        assert!(chokepoints(&[0.5, 0.2], &[1.0], 0.5).is_err());
        assert!(chokepoints(&[1.2], &[1.0], 0.5).is_err());
        assert!(chokepoints(&[0.7], &[-1.0], 0.5).is_err());
    }

    #[test]
    fn trade_intensity_of_a_worked_example() {
        // The supplier sends 20% of its exports to the buyer, which takes 10% of the
        // imports of the world less the supplier's: twice the neutral intensity.
        // x_ij = 20, X_i = 100; m_j = 50, M_w = 600, M_i = 100.
        let t = trade_intensity(20.0, 100.0, 50.0, 600.0, 100.0)
            .unwrap()
            .unwrap();
        assert!(close(t, 2.0), "{t}");
        assert_eq!(
            trade_intensity(0.0, 100.0, 50.0, 600.0, 100.0).unwrap(),
            Ok(0.0)
        );
    }

    #[test]
    fn chokepoints_are_the_shares_above_the_threshold_by_value_at_stake() {
        let shares = [0.9, 0.5, 0.51, 0.2, 1.0, 0.75];
        let values = [10.0, 99.0, 30.0, 50.0, 30.0, 5.0];
        // 0.5 is not more than 0.5; equal values (30) keep their order.
        assert_eq!(
            chokepoints(&shares, &values, 0.5).unwrap(),
            vec![2, 4, 0, 5]
        );
        assert_eq!(
            chokepoints(&shares, &values, 1.0).unwrap(),
            Vec::<usize>::new()
        );
        assert_eq!(chokepoints(&shares, &values, 0.0).unwrap().len(), 6);
        assert!(chokepoints(&[], &[], 0.5).unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn shares_lie_in_zero_one_and_the_asymmetry_in_minus_one_one(
            part in 0.0f64..1e12, rest in 0.0f64..1e12, part2 in 0.0f64..1e12, rest2 in 0.0f64..1e12,
        ) {
            let total = part + rest;
            match import_share(part, total).unwrap() {
                Ok(s) => prop_assert!((0.0..=1.0).contains(&s), "{s}"),
                Err(a) => prop_assert!(total == 0.0 && a == Absent::ZeroTotal),
            }
            let (d, a) = (
                import_share(part, total).unwrap(),
                export_share(part2, part2 + rest2).unwrap(),
            );
            if let (Ok(d), Ok(a)) = (d, a) {
                let x = asymmetry(d, a).unwrap();
                prop_assert!((-1.0..=1.0).contains(&x), "{x}");
            }
        }

        #[test]
        fn trade_intensity_is_the_ratio_of_the_two_shares(
            x_ij in 0.0f64..1e9, x_rest in 1.0f64..1e9, m_j in 1.0f64..1e9,
            m_rest in 0.0f64..1e9, m_i in 0.0f64..1e9,
        ) {
            let world = m_j + m_rest + m_i;
            let t = trade_intensity(x_ij, x_ij + x_rest, m_j, world, m_i).unwrap().unwrap();
            let expected = (x_ij / (x_ij + x_rest)) / (m_j / (world - m_i));
            prop_assert!((t - expected).abs() <= 1e-9 * expected.max(1e-300), "{t} vs {expected}");
            prop_assert!(t >= 0.0);
        }

        #[test]
        fn every_chokepoint_is_above_the_threshold_and_none_is_missed(
            items in prop::collection::vec((0.0f64..=1.0, 0.0f64..1e9), 0..40),
            threshold in 0.0f64..=1.0,
        ) {
            let (s, v): (Vec<f64>, Vec<f64>) = items.into_iter().unzip();
            let c = chokepoints(&s, &v, threshold).unwrap();
            prop_assert_eq!(c.len(), s.iter().filter(|x| **x > threshold).count());
            prop_assert!(c.iter().all(|&i| s[i] > threshold));
            prop_assert!(c.windows(2).all(|w| v[w[0]] >= v[w[1]]));
        }
    }
}
