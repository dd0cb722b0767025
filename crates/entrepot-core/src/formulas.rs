//! Trade-statistics formulas: one function per formula, with its definition and the
//! reference it follows.
//!
//! Every analysis computes these numbers through this module, so a reviewer checks each
//! formula once, here, against its reference. The functions take and return plain
//! `f64` levels in any one currency unit; rates are in percent (`_pct`) and differences
//! of rates in percentage points (`_pp`), as statistical offices publish them.
//!
//! | Formula | Function |
//! |---|---|
//! | growth rate (year on year, period on period) | [`growth_pct`] |
//! | growth factor | [`growth_factor`] |
//! | share of a total | [`share_pct`] |
//! | change in share | [`share_change_pp`] |
//! | contribution to growth | [`contribution_pp`] |
//! | comparison level implied by a level and its growth | [`implied_comparison_level`] |
//! | trade balance | [`balance`] |
//! | change in a level | [`change`] |
//! | a total excluding one partner ("exports ex-US") | [`excluding`] |
//! | the partner that shrank most | [`largest_decline`] |
//! | share of a loss made up by the other partners | [`made_up_pct`] |
//! | relative difference of two reports | [`relative_difference`] |
//! | revealed comparative advantage (Balassa) | [`balassa_rca`] |
//!
//! ## Conventions
//! * A formula that is undefined for its inputs returns `None`, never zero, an infinity
//!   or NaN: growth or a share over a zero (or negative) base, any non-finite input, a
//!   non-finite result (overflow).
//! * Growth is defined for levels, which are non-negative (trade values). The growth of
//!   a quantity that can change sign (a balance) is not meaningful and is `None`.
//! * No rounding: callers round for display. Each function evaluates its definition in
//!   the order written in its documentation, so results are reproducible to the bit.

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Growth factor of a level: `current / base` (1.1 for a rise of 10%).
///
/// The ratio from which [`growth_pct`] is computed, and the factor by which relative
/// errors of the two levels scale. Same domain as [`growth_pct`].
///
/// `None` when `base ≤ 0`, when `current < 0`, or when an input is not finite.
pub fn growth_factor(current: f64, base: f64) -> Option<f64> {
    if !current.is_finite() || !base.is_finite() || base <= 0.0 || current < 0.0 {
        return None;
    }
    finite(current / base)
}

/// Growth rate of a level, in percent: `(current / base − 1) × 100`.
///
/// The same formula gives a **year-on-year** rate when `base` is the same period a year
/// earlier (which removes seasonality: the convention of customs releases) and a
/// **period-on-period** rate when `base` is the previous period; the caller chooses
/// the base. Reference: OECD, *Data and Metadata Reporting and Presentation Handbook*
/// (2007), on the presentation of growth rates; OECD *Glossary of Statistical Terms*,
/// "growth rates".
///
/// `None` when `base ≤ 0` (a growth rate over nothing, or over a negative level, is
/// undefined), when `current < 0` (not a level), or when an input is not finite.
pub fn growth_pct(current: f64, base: f64) -> Option<f64> {
    finite((growth_factor(current, base)? - 1.0) * 100.0)
}

/// Share of a part in a total, in percent: `part / total × 100`.
///
/// The shares of a partition of the total (disjoint parts covering it, e.g. partners
/// plus the rest of the world) add up to 100. Reference: the partner share and
/// market-share indicators of the trade literature, e.g. World Bank WITS, *Trade
/// indicators* ("partner share"); WTO, *World Trade Statistical Review* (shares in
/// world trade).
///
/// `None` when `total ≤ 0` or an input is not finite. A negative part (a net figure)
/// gives a negative share; the shares of a partition still add up to 100.
pub fn share_pct(part: f64, total: f64) -> Option<f64> {
    if !part.is_finite() || !total.is_finite() || total <= 0.0 {
        return None;
    }
    finite(part / total * 100.0)
}

/// Change in a share, in percentage points: `share − base share`.
///
/// A difference of two percentages is in percentage points, not percent (a share
/// going from 10% to 12% rose by 2 pp, or by 20%). Reference: OECD, *Glossary of
/// Statistical Terms*, "percentage point".
///
/// `None` when an input is not finite.
pub fn share_change_pp(share_pct: f64, base_share_pct: f64) -> Option<f64> {
    finite(share_pct - base_share_pct)
}

/// Contribution of a component to the growth of a total, in percentage points:
/// `(part − part_base) / total_base × 100`, that is `Δxᵢ / X₍ₜ₋₁₎ × 100`.
///
/// The contributions of disjoint components that make up the total add up exactly to
/// the total's growth rate ([`growth_pct`] of the total): this is the additive
/// decomposition that statistical offices publish as "contributions to growth" (OECD;
/// Eurostat, *Handbook on quarterly national accounts*, 2013 edition). For values at
/// current prices, as in trade statistics, the decomposition is exact.
///
/// `None` when `total_base ≤ 0` or an input is not finite. The parts may be negative
/// or zero (a partner that appears or disappears contributes its whole level).
pub fn contribution_pp(part: f64, part_base: f64, total_base: f64) -> Option<f64> {
    if !part.is_finite() || !part_base.is_finite() || !total_base.is_finite() {
        return None;
    }
    if total_base <= 0.0 {
        return None;
    }
    finite((part - part_base) / total_base * 100.0)
}

/// The comparison level implied by a level and its growth rate:
/// `level / (1 + growth_pct / 100)`.
///
/// The inverse of [`growth_pct`]: when only a level and a published growth rate are
/// known, this is the level of the comparison period that the publisher's rate
/// implies (it carries the rounding of the published rate). Reference: the definition
/// of the growth rate (OECD, *Data and Metadata Reporting and Presentation Handbook*,
/// 2007), solved for the base.
///
/// `None` when `growth_pct ≤ −100` (a level cannot fall by all of itself or more and
/// still be the image of a positive base) or an input is not finite.
pub fn implied_comparison_level(level: f64, growth_pct: f64) -> Option<f64> {
    if !level.is_finite() || !growth_pct.is_finite() || growth_pct <= -100.0 {
        return None;
    }
    let factor = 1.0 + growth_pct / 100.0;
    finite(level / factor)
}

/// Trade balance: `exports − imports` (positive: a surplus; negative: a deficit).
///
/// Reference: IMF, *Balance of Payments and International Investment Position Manual*,
/// 6th edition (BPM6, 2009), ch. 10 (the goods account); UN, *International
/// Merchandise Trade Statistics: Concepts and Definitions 2010*.
///
/// `None` when an input is not finite.
pub fn balance(exports: f64, imports: f64) -> Option<f64> {
    finite(exports - imports)
}

/// Change in a level: `current − base` (negative: a loss).
///
/// `None` when an input is not finite.
pub fn change(current: f64, base: f64) -> Option<f64> {
    finite(current - base)
}

/// A total excluding one part: `total − part` ("exports ex-US": exports to every
/// partner but one).
///
/// With [`growth_pct`] this gives the growth of trade with everyone else, the usual
/// measure of diversion away from a shrinking partner:
/// `growth_pct(excluding(total, part), excluding(total_base, part_base))`.
/// This is an accounting decomposition, not an estimate of trade diversion in the
/// causal sense of Viner (1950, *The Customs Union Issue*).
///
/// `None` when an input is not finite.
pub fn excluding(total: f64, part: f64) -> Option<f64> {
    finite(total - part)
}

/// The partner that shrank most: the key with the most negative change, among those
/// whose change is negative.
///
/// `changes` pairs each candidate with its change (a change in level, or a growth
/// rate). Non-finite and non-negative changes are ignored; on a tie the first candidate
/// in iteration order wins, so the choice is deterministic. `None` when no candidate
/// shrank.
pub fn largest_decline<K>(changes: impl IntoIterator<Item = (K, f64)>) -> Option<(K, f64)> {
    changes
        .into_iter()
        .filter(|(_, d)| d.is_finite() && *d < 0.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The share of a partner's loss made up by the other partners, in percent:
/// `others_change / −partner_change × 100`.
///
/// 100 means the others gained exactly what was lost on the partner (total trade
/// unchanged); above 100 they gained more; a negative value means trade with the
/// others fell too. Together with [`excluding`], the diversion figures of a release
/// brief. An accounting identity, not a causal estimate.
///
/// `None` unless `partner_change < 0` (there is no loss to make up), or when an input
/// is not finite.
pub fn made_up_pct(others_change: f64, partner_change: f64) -> Option<f64> {
    if !others_change.is_finite() || !partner_change.is_finite() || partner_change >= 0.0 {
        return None;
    }
    finite(others_change / -partner_change * 100.0)
}

/// Relative difference of a value from a reference, as a fraction:
/// `|(value − reference) / reference|`.
///
/// Used to grade how far two reports of the same quantity differ (0.01 = 1%).
///
/// `None` when `reference` is zero or an input is not finite.
pub fn relative_difference(value: f64, reference: f64) -> Option<f64> {
    if !value.is_finite() || !reference.is_finite() || reference == 0.0 {
        return None;
    }
    finite(((value - reference) / reference).abs())
}

/// Balassa's revealed comparative advantage of a country `r` in a product (or basket)
/// `k`: `RCA_rk = (X_rk / X_r) / (X_wk / X_w)`, the product's share in the country's
/// exports over its share in world exports.
///
/// Above 1 the country exports relatively more of `k` than the world does (a revealed
/// advantage), below 1 relatively less. Reference: B. Balassa (1965), "Trade
/// liberalisation and 'revealed' comparative advantage", *The Manchester School* 33(2),
/// 99–123. `x_rk` is the country's exports of `k`, `x_r` its exports of every product,
/// `x_wk` the world's exports of `k` and `x_w` the world's exports of every product
/// (the world being every exporter counted, the country included).
///
/// `None` when `x_r ≤ 0`, `x_wk ≤ 0` or `x_w ≤ 0` (a share of nothing), when
/// `x_rk < 0`, or when an input is not finite.
pub fn balassa_rca(x_rk: f64, x_r: f64, x_wk: f64, x_w: f64) -> Option<f64> {
    let inputs = [x_rk, x_r, x_wk, x_w];
    if inputs.iter().any(|v| !v.is_finite())
        || x_rk < 0.0
        || x_r <= 0.0
        || x_wk <= 0.0
        || x_w <= 0.0
    {
        return None;
    }
    finite((x_rk / x_r) / (x_wk / x_w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    // ----- growth ------------------------------------------------------------------

    #[test]
    fn growth_is_the_relative_change_in_percent() {
        assert_eq!(
            growth_pct(110.0, 100.0),
            Some((110.0 / 100.0 - 1.0) * 100.0)
        );
        assert!(close(growth_pct(110.0, 100.0).unwrap(), 10.0));
        assert!(close(growth_pct(75.0, 100.0).unwrap(), -25.0));
        assert_eq!(growth_pct(0.0, 50.0), Some(-100.0));
    }

    #[test]
    fn growth_factor_is_the_ratio_of_the_levels() {
        assert_eq!(growth_factor(110.0, 100.0), Some(1.1));
        assert_eq!(growth_factor(0.0, 100.0), Some(0.0));
        assert_eq!(growth_factor(1.0, 0.0), None);
        assert_eq!(growth_factor(-1.0, 1.0), None);
        assert_eq!(growth_factor(f64::NAN, 1.0), None);
    }

    #[test]
    fn growth_over_a_zero_base_is_none() {
        assert_eq!(growth_pct(10.0, 0.0), None);
        assert_eq!(growth_pct(0.0, 0.0), None);
        assert_eq!(growth_pct(10.0, -0.0), None);
    }

    #[test]
    fn growth_of_negative_levels_is_none() {
        assert_eq!(growth_pct(10.0, -5.0), None);
        assert_eq!(growth_pct(-10.0, 5.0), None);
        assert_eq!(growth_pct(-10.0, -5.0), None);
    }

    #[test]
    fn growth_of_non_finite_inputs_is_none() {
        assert_eq!(growth_pct(f64::NAN, 1.0), None);
        assert_eq!(growth_pct(1.0, f64::NAN), None);
        assert_eq!(growth_pct(f64::INFINITY, 1.0), None);
        assert_eq!(growth_pct(1.0, f64::INFINITY), None);
    }

    #[test]
    fn growth_that_overflows_is_none() {
        assert_eq!(growth_pct(f64::MAX, f64::MIN_POSITIVE), None);
    }

    // ----- shares ------------------------------------------------------------------

    #[test]
    fn share_is_the_part_over_the_total_in_percent() {
        assert_eq!(share_pct(25.0, 200.0), Some(12.5));
        assert_eq!(share_pct(0.0, 200.0), Some(0.0));
        assert_eq!(share_pct(200.0, 200.0), Some(100.0));
    }

    #[test]
    fn share_of_a_zero_or_negative_total_is_none() {
        assert_eq!(share_pct(1.0, 0.0), None);
        assert_eq!(share_pct(0.0, 0.0), None);
        assert_eq!(share_pct(1.0, -10.0), None);
    }

    #[test]
    fn share_of_a_negative_part_is_negative() {
        assert_eq!(share_pct(-5.0, 50.0), Some(-10.0));
    }

    #[test]
    fn share_of_non_finite_inputs_is_none() {
        assert_eq!(share_pct(f64::NAN, 1.0), None);
        assert_eq!(share_pct(1.0, f64::NAN), None);
        assert_eq!(share_pct(f64::INFINITY, 1.0), None);
    }

    #[test]
    fn change_in_share_is_in_percentage_points() {
        // 10% -> 12% is +2 pp (and +20%)
        assert_eq!(share_change_pp(12.0, 10.0), Some(2.0));
        assert_eq!(share_change_pp(10.0, 12.0), Some(-2.0));
        assert_eq!(share_change_pp(f64::NAN, 12.0), None);
        assert_eq!(share_change_pp(10.0, f64::INFINITY), None);
    }

    // ----- contributions -----------------------------------------------------------

    #[test]
    fn contribution_is_the_change_over_the_base_total() {
        // total 200 -> 230; partner 50 -> 80 contributes 30/200 = 15 pp of 15%
        assert_eq!(contribution_pp(80.0, 50.0, 200.0), Some(15.0));
        assert_eq!(contribution_pp(40.0, 50.0, 200.0), Some(-5.0));
    }

    #[test]
    fn contribution_of_a_new_or_vanished_partner_is_its_whole_level() {
        assert_eq!(contribution_pp(20.0, 0.0, 200.0), Some(10.0));
        assert_eq!(contribution_pp(0.0, 20.0, 200.0), Some(-10.0));
    }

    #[test]
    fn contribution_over_a_zero_or_negative_base_total_is_none() {
        assert_eq!(contribution_pp(1.0, 0.0, 0.0), None);
        assert_eq!(contribution_pp(1.0, 0.0, -3.0), None);
    }

    #[test]
    fn contribution_of_non_finite_inputs_is_none() {
        assert_eq!(contribution_pp(f64::NAN, 1.0, 10.0), None);
        assert_eq!(contribution_pp(1.0, f64::NAN, 10.0), None);
        assert_eq!(contribution_pp(1.0, 1.0, f64::NAN), None);
        assert_eq!(contribution_pp(1.0, 1.0, f64::INFINITY), None);
    }

    #[test]
    fn contributions_of_a_partition_add_up_to_total_growth() {
        let now = [80.0, 70.0, 80.0];
        let base = [50.0, 100.0, 50.0];
        let total_base: f64 = base.iter().sum();
        let total_now: f64 = now.iter().sum();
        let sum: f64 = now
            .iter()
            .zip(base)
            .map(|(n, b)| contribution_pp(*n, b, total_base).unwrap())
            .sum();
        assert!(close(sum, growth_pct(total_now, total_base).unwrap()));
        assert!(close(sum, 15.0));
    }

    // ----- implied comparison level ------------------------------------------------

    #[test]
    fn implied_comparison_level_inverts_growth() {
        assert_eq!(implied_comparison_level(110.0, 10.0), Some(110.0 / 1.1));
        assert!(close(implied_comparison_level(110.0, 10.0).unwrap(), 100.0));
        assert!(close(implied_comparison_level(75.0, -25.0).unwrap(), 100.0));
        assert_eq!(implied_comparison_level(50.0, 0.0), Some(50.0));
    }

    #[test]
    fn implied_comparison_level_after_a_fall_of_100_percent_or_more_is_none() {
        assert_eq!(implied_comparison_level(0.0, -100.0), None);
        assert_eq!(implied_comparison_level(10.0, -150.0), None);
    }

    #[test]
    fn implied_comparison_level_keeps_the_sign_of_a_negative_level() {
        assert_eq!(implied_comparison_level(-30.0, 50.0), Some(-20.0));
    }

    #[test]
    fn implied_comparison_level_of_non_finite_inputs_is_none() {
        assert_eq!(implied_comparison_level(f64::NAN, 5.0), None);
        assert_eq!(implied_comparison_level(5.0, f64::NAN), None);
        assert_eq!(implied_comparison_level(f64::INFINITY, 5.0), None);
    }

    // ----- balance and changes -----------------------------------------------------

    #[test]
    fn balance_is_exports_minus_imports() {
        assert_eq!(balance(300.0, 200.0), Some(100.0));
        assert_eq!(balance(200.0, 300.0), Some(-100.0));
        assert_eq!(balance(0.0, 0.0), Some(0.0));
        assert_eq!(balance(f64::NAN, 1.0), None);
        assert_eq!(balance(1.0, f64::INFINITY), None);
        assert_eq!(balance(f64::MAX, -f64::MAX), None);
    }

    #[test]
    fn change_is_current_minus_base() {
        assert_eq!(change(40.0, 50.0), Some(-10.0));
        assert_eq!(change(-40.0, -50.0), Some(10.0));
        assert_eq!(change(f64::NAN, 50.0), None);
    }

    // ----- diversion ---------------------------------------------------------------

    #[test]
    fn excluding_removes_one_part_from_the_total() {
        assert_eq!(excluding(1000.0, 150.0), Some(850.0));
        assert_eq!(excluding(f64::NAN, 150.0), None);
        assert_eq!(excluding(1000.0, f64::INFINITY), None);
    }

    #[test]
    fn growth_excluding_the_shrinking_partner() {
        // total 1000 -> 1010, US 200 -> 150: exports ex-US 800 -> 860, +7.5%
        let now = excluding(1010.0, 150.0).unwrap();
        let base = excluding(1000.0, 200.0).unwrap();
        assert!(close(growth_pct(now, base).unwrap(), 7.5));
        // others made up 60 of the 50 lost: 120%
        let others = change(now, base).unwrap();
        let partner = change(150.0, 200.0).unwrap();
        assert!(close(made_up_pct(others, partner).unwrap(), 120.0));
    }

    #[test]
    fn largest_decline_is_the_most_negative_change() {
        let changes = [("USA", -50.0), ("DEU", 10.0), ("JPN", -20.0)];
        assert_eq!(largest_decline(changes), Some(("USA", -50.0)));
    }

    #[test]
    fn largest_decline_ignores_gains_zeros_and_nan() {
        let changes = [
            ("DEU", 10.0),
            ("FRA", 0.0),
            ("ITA", f64::NAN),
            ("ESP", -0.0),
        ];
        assert_eq!(largest_decline(changes), None);
        let changes = [("ITA", f64::NAN), ("NLD", -1.0), ("BEL", f64::NEG_INFINITY)];
        assert_eq!(largest_decline(changes), Some(("NLD", -1.0)));
    }

    #[test]
    fn largest_decline_breaks_ties_by_order() {
        let changes = [("JPN", -20.0), ("USA", -20.0)];
        assert_eq!(largest_decline(changes), Some(("JPN", -20.0)));
    }

    #[test]
    fn made_up_is_the_others_gain_over_the_loss() {
        assert_eq!(made_up_pct(50.0, -50.0), Some(100.0));
        assert_eq!(made_up_pct(25.0, -50.0), Some(50.0));
        assert_eq!(made_up_pct(-10.0, -50.0), Some(-20.0));
    }

    #[test]
    fn made_up_without_a_loss_is_none() {
        assert_eq!(made_up_pct(50.0, 0.0), None);
        assert_eq!(made_up_pct(50.0, 20.0), None);
        assert_eq!(made_up_pct(f64::NAN, -20.0), None);
        assert_eq!(made_up_pct(10.0, f64::NAN), None);
    }

    // ----- relative difference -----------------------------------------------------

    #[test]
    fn relative_difference_is_a_fraction_of_the_reference() {
        assert_eq!(
            relative_difference(101.0, 100.0),
            Some((1.0f64 / 100.0).abs())
        );
        assert!(close(relative_difference(99.0, 100.0).unwrap(), 0.01));
        assert!(close(relative_difference(-99.0, -100.0).unwrap(), 0.01));
        assert_eq!(relative_difference(1.0, 0.0), None);
        assert_eq!(relative_difference(f64::NAN, 1.0), None);
    }

    #[test]
    fn rca_is_the_product_share_over_the_world_product_share() {
        // 20% of the country's exports, 5% of the world's: RCA 4.
        assert!(close(balassa_rca(20.0, 100.0, 50.0, 1000.0).unwrap(), 4.0));
        assert_eq!(balassa_rca(0.0, 100.0, 50.0, 1000.0), Some(0.0));
        // a country that is the whole world has RCA 1 in everything
        assert!(close(balassa_rca(7.0, 70.0, 7.0, 70.0).unwrap(), 1.0));
    }

    #[test]
    fn rca_over_nothing_is_none() {
        assert_eq!(balassa_rca(1.0, 0.0, 50.0, 1000.0), None);
        assert_eq!(balassa_rca(1.0, 100.0, 0.0, 1000.0), None);
        assert_eq!(balassa_rca(1.0, 100.0, 50.0, 0.0), None);
        assert_eq!(balassa_rca(-1.0, 100.0, 50.0, 1000.0), None);
        assert_eq!(balassa_rca(f64::NAN, 100.0, 50.0, 1000.0), None);
    }

    // ----- properties --------------------------------------------------------------

    /// Parts of a total in two periods (non-negative, the total positive in both).
    fn partition() -> impl Strategy<Value = Vec<(f64, f64)>> {
        prop::collection::vec((0.0f64..1e12, 0.0f64..1e12), 1..40).prop_filter(
            "positive totals",
            |v| {
                v.iter().map(|p| p.0).sum::<f64>() > 0.0 && v.iter().map(|p| p.1).sum::<f64>() > 0.0
            },
        )
    }

    proptest! {
        #[test]
        fn shares_of_a_partition_sum_to_100(parts in partition()) {
            let total: f64 = parts.iter().map(|p| p.0).sum();
            let sum: f64 = parts.iter().map(|p| share_pct(p.0, total).unwrap()).sum();
            prop_assert!((sum - 100.0).abs() < 1e-9, "{}", sum);
        }

        #[test]
        fn contributions_sum_to_total_growth(parts in partition()) {
            let now: f64 = parts.iter().map(|p| p.0).sum();
            let base: f64 = parts.iter().map(|p| p.1).sum();
            let g = growth_pct(now, base).unwrap();
            let c: f64 = parts.iter().map(|p| contribution_pp(p.0, p.1, base).unwrap()).sum();
            prop_assert!((c - g).abs() <= 1e-9 * g.abs().max(1.0), "{} vs {}", c, g);
        }

        #[test]
        fn growth_of_a_constant_is_zero(x in 1e-300f64..1e300) {
            prop_assert_eq!(growth_pct(x, x), Some(0.0));
        }

        #[test]
        fn implied_level_recovers_the_base(base in 1e-3f64..1e12, ratio in 0.01f64..100.0) {
            let now = base * ratio;
            let g = growth_pct(now, base).unwrap();
            let implied = implied_comparison_level(now, g).unwrap();
            prop_assert!((implied - base).abs() <= 1e-9 * base, "{} vs {}", implied, base);
        }

        #[test]
        fn partner_and_others_contributions_add_up_to_total_growth(
            parts in partition().prop_filter("two or more", |v| v.len() >= 2),
        ) {
            let now: f64 = parts.iter().map(|p| p.0).sum();
            let base: f64 = parts.iter().map(|p| p.1).sum();
            let (p_now, p_base) = parts[0];
            let others_now = excluding(now, p_now).unwrap();
            let others_base = excluding(base, p_base).unwrap();
            let c = contribution_pp(p_now, p_base, base).unwrap()
                + contribution_pp(others_now, others_base, base).unwrap();
            let g = growth_pct(now, base).unwrap();
            prop_assert!((c - g).abs() <= 1e-9 * g.abs().max(1.0), "{} vs {}", c, g);
        }

        #[test]
        fn balance_is_antisymmetric(x in -1e12f64..1e12, m in -1e12f64..1e12) {
            prop_assert_eq!(balance(x, m).map(|b| -b), balance(m, x));
        }
    }
}
