//! The SMART kernel: one importing market, one HS6 product, many suppliers.
//!
//! Notation (values at world prices, world prices normalised to 1 as in SMART, so a value
//! is also a quantity): supplier `s` has baseline imports `M_s`, baseline tariff `t0_s` and
//! new tariff `t1_s` (ad valorem, as fractions: `0.1` is 10 %); its tariff-inclusive
//! (domestic) price moves by the factor `r_s = (1 + t1_s) / (1 + t0_s)`. `M = Σ_s M_s`,
//! `ε_m ≤ 0` is the import demand elasticity and `σ > 0` the Armington elasticity of
//! substitution between suppliers.
//!
//! * Trade creation (Laird and Yeats 1986; Jammes and Olarreaga 2005, sec. 1; WITS SMART
//!   help "Trade creation"): `TC_s = ε_m · M_s · (t1_s − t0_s) / (1 + t0_s)`.
//!   The imports after creation are `M'_s = M_s + TC_s = M_s (1 + ε_m (t1_s − t0_s)/(1 + t0_s))`;
//!   a tariff rise with `|ε_m| (t1_s − t0_s)/(1 + t0_s) > 1` would make them negative, where
//!   the linear term has no meaning, and is refused ([`PeError::NegativeImports`]).
//! * Trade diversion: the CES (Armington) reallocation of the post-creation total
//!   `M' = Σ_k M'_k` among suppliers at the new relative prices,
//!   `TD_s = M' · M'_s g_s / Σ_k M'_k g_k − M'_s` with `g_s = r_s^{−σ}` (computed relative
//!   to the smallest `r`, so every weight lies in (0, 1]). For two suppliers this moves
//!   the ratio `M_A / M_B` by the factor `(r_B / r_A)^σ`. SMART's published two-group
//!   formula `TD_A = M_A M_B σ x / (M_A + M_B + M_A σ x)`, `x = Δ(P_B/P_A)/(P_B/P_A)`
//!   (Jammes and Olarreaga 2005; WITS help "Trade diversion"), is the same reallocation
//!   applied to the baseline values with the factor replaced by its first order `1 + σ x`.
//!   The two differ only at second order (the cross term of creation and relative price
//!   change, and the curvature of the factor). This crate departs from the published
//!   formula on purpose, and says so: the CES form is defined for any number of suppliers,
//!   sums to zero exactly in exact arithmetic, and applied after creation it can never
//!   take a supplier below zero, which matters with the large substitution elasticities
//!   of the CEPII estimates (σ of 5 to 30) and large tariff changes.
//! * Total change `ΔM_s = TC_s + TD_s`, new imports `M1_s = M_s + ΔM_s`.
//! * Price effect: the proportional change of the import-weighted tariff-inclusive price
//!   index, `Σ_s (M_s / M) (t1_s − t0_s) / (1 + t0_s)`; total trade creation equals
//!   `ε_m · M ·` this change. World prices do not move (perfectly elastic export supply).
//! * Tariff revenue `R0 = Σ_s t0_s M_s`, `R1 = Σ_s t1_s M1_s` (tariffs levied on values at
//!   world prices).
//! * Consumer surplus (trapezoid under a linear approximation of demand, Laird and Yeats
//!   1986): `ΔCS_s = −(t1_s − t0_s)(M_s + TC_s / 2)`; diversion is a reallocation at
//!   constant total and carries no first-order surplus. Welfare `ΔW = ΔCS + (R1 − R0)`.
//!   WITS reports a "welfare" figure that its help says is really consumer surplus; this
//!   crate reports the two separately and does not claim to reproduce WITS digit for digit.

use crate::error::{PeError, Result};

/// The default Armington elasticity of substitution between suppliers in SMART (WITS help,
/// "Checking the raw data": 1.5 for every product).
pub const SMART_SUBSTITUTION_ELASTICITY: f64 = 1.5;

/// How the world (export) price of each supplier responds to demand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExportSupply {
    /// Perfectly elastic supply: world prices fixed (SMART's default, which it encodes as
    /// an elasticity of 99). The only case this crate implements.
    PerfectlyElastic,
    /// A finite export supply elasticity. Refused with [`PeError::FiniteExportSupply`]:
    /// with finite supply SMART's trade-creation and diversion terms both change (Jammes
    /// and Olarreaga 2005, sec. 2) and that variant is not implemented here.
    Finite(f64),
}

/// The model's parameters for one market (one importer, one HS6 product).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameters {
    /// Import demand elasticity `ε_m`: the elasticity of the market's total imports to
    /// the tariff-inclusive price; must be finite and `≤ 0`.
    pub import_demand_elasticity: f64,
    /// Armington elasticity of substitution between suppliers `σ`; finite and `> 0`.
    pub substitution_elasticity: f64,
    /// Export supply; only [`ExportSupply::PerfectlyElastic`] is accepted.
    pub export_supply: ExportSupply,
}

impl Parameters {
    /// Parameters with perfectly elastic export supply (SMART's default).
    pub fn new(import_demand_elasticity: f64, substitution_elasticity: f64) -> Self {
        Parameters {
            import_demand_elasticity,
            substitution_elasticity,
            export_supply: ExportSupply::PerfectlyElastic,
        }
    }

    /// Checks every parameter's domain.
    pub fn validate(&self) -> Result<()> {
        let e = self.import_demand_elasticity;
        if !e.is_finite() || e > 0.0 {
            return Err(PeError::InvalidParameter {
                parameter: "import demand elasticity",
                value: e,
                requirement: "it must be finite and ≤ 0 (imports fall when their price rises)",
            });
        }
        let s = self.substitution_elasticity;
        if !s.is_finite() || s <= 0.0 {
            return Err(PeError::InvalidParameter {
                parameter: "substitution elasticity",
                value: s,
                requirement: "it must be finite and > 0",
            });
        }
        match self.export_supply {
            ExportSupply::PerfectlyElastic => Ok(()),
            ExportSupply::Finite(x) => Err(PeError::FiniteExportSupply(x)),
        }
    }
}

/// One supplier's baseline and scenario in one market.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplierFlow {
    /// Baseline import value at world prices (finite, `≥ 0`).
    pub value: f64,
    /// Baseline ad-valorem tariff as a fraction (finite, `> −1`).
    pub tariff_before: f64,
    /// New ad-valorem tariff as a fraction (finite, `> −1`).
    pub tariff_after: f64,
}

/// One supplier's effects (values at world prices).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SupplierEffect {
    /// Baseline import value `M_s`.
    pub baseline: f64,
    /// Trade creation `TC_s`.
    pub trade_creation: f64,
    /// Trade diversion `TD_s` (sums to zero over the market's suppliers).
    pub trade_diversion: f64,
    /// `TC_s + TD_s`.
    pub total_change: f64,
    /// New import value `M_s + TC_s + TD_s`.
    pub new_value: f64,
    /// Tariff revenue collected on this supplier before, `t0_s M_s`.
    pub tariff_revenue_before: f64,
    /// Tariff revenue collected on this supplier after, `t1_s M1_s`.
    pub tariff_revenue_after: f64,
    /// Consumer-surplus change on this supplier's variety, `−Δt_s (M_s + TC_s/2)`.
    pub consumer_surplus_change: f64,
}

impl SupplierEffect {
    /// Adds another effect field by field (for totals over markets).
    pub fn accumulate(&mut self, other: &SupplierEffect) {
        self.baseline += other.baseline;
        self.trade_creation += other.trade_creation;
        self.trade_diversion += other.trade_diversion;
        self.total_change += other.total_change;
        self.new_value += other.new_value;
        self.tariff_revenue_before += other.tariff_revenue_before;
        self.tariff_revenue_after += other.tariff_revenue_after;
        self.consumer_surplus_change += other.consumer_surplus_change;
    }
}

/// The market's (one importer, one product) effects: the sums of the supplier effects
/// plus the price effect and welfare.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MarketEffect {
    /// Baseline total imports `M`.
    pub baseline: f64,
    /// Total trade creation.
    pub trade_creation: f64,
    /// Total trade diversion (zero up to rounding).
    pub trade_diversion: f64,
    /// Total change of imports.
    pub total_change: f64,
    /// New total imports.
    pub new_value: f64,
    /// Proportional change of the import-weighted tariff-inclusive price index,
    /// `Σ_s (M_s/M) (t1_s − t0_s)/(1 + t0_s)` (0 when `M = 0`).
    pub price_index_change: f64,
    /// Tariff revenue before `R0`.
    pub tariff_revenue_before: f64,
    /// Tariff revenue after `R1`.
    pub tariff_revenue_after: f64,
    /// `R1 − R0`.
    pub tariff_revenue_change: f64,
    /// Consumer-surplus change `ΔCS`.
    pub consumer_surplus_change: f64,
    /// Welfare change `ΔCS + R1 − R0`.
    pub welfare_change: f64,
}

impl MarketEffect {
    /// Adds another market's effects (all fields are additive except
    /// [`price_index_change`](Self::price_index_change), which is combined as an
    /// import-weighted mean of the two).
    pub fn accumulate(&mut self, other: &MarketEffect) {
        let weight = self.baseline + other.baseline;
        self.price_index_change = if weight > 0.0 {
            (self.price_index_change * self.baseline + other.price_index_change * other.baseline)
                / weight
        } else {
            0.0
        };
        self.baseline += other.baseline;
        self.trade_creation += other.trade_creation;
        self.trade_diversion += other.trade_diversion;
        self.total_change += other.total_change;
        self.new_value += other.new_value;
        self.tariff_revenue_before += other.tariff_revenue_before;
        self.tariff_revenue_after += other.tariff_revenue_after;
        self.tariff_revenue_change += other.tariff_revenue_change;
        self.consumer_surplus_change += other.consumer_surplus_change;
        self.welfare_change += other.welfare_change;
    }
}

/// The result of [`smart`]: one [`SupplierEffect`] per input supplier, in input order,
/// and the market totals.
#[derive(Debug, Clone, PartialEq)]
pub struct SmartResult {
    /// Per supplier, in the order given.
    pub suppliers: Vec<SupplierEffect>,
    /// Market totals.
    pub market: MarketEffect,
}

/// Simulates a tariff change in one market (one importer, one HS6 product) with the SMART
/// model; see the [module documentation](self) for the formulas.
///
/// A supplier with zero baseline imports stays at zero (SMART's Armington demand cannot
/// create a new trade relationship). A tariff change that leaves every supplier's
/// tariff-inclusive price unchanged returns the baseline exactly; one that moves every
/// supplier's price by the same factor diverts nothing.
///
/// Errors: [`PeError::InvalidParameter`] / [`PeError::FiniteExportSupply`] for the
/// parameters, [`PeError::InvalidSupplier`] naming the supplier's position and field,
/// [`PeError::NegativeImports`] when a tariff rise is too large for the linear
/// trade-creation term.
pub fn smart(suppliers: &[SupplierFlow], params: &Parameters) -> Result<SmartResult> {
    let mut effects = vec![SupplierEffect::default(); suppliers.len()];
    let market = smart_into(suppliers.len(), |i| suppliers[i], params, &mut effects)?;
    Ok(SmartResult {
        suppliers: effects,
        market,
    })
}

/// The allocation-free form of [`smart`] on columns: `values[i]`, `tariff_before[i]` and
/// `tariff_after[i]` describe supplier `i`, and its effects are written to `out[i]`. The
/// four slices must have the same length ([`PeError::ColumnLength`] otherwise).
pub fn smart_columns(
    values: &[f64],
    tariff_before: &[f64],
    tariff_after: &[f64],
    params: &Parameters,
    out: &mut [SupplierEffect],
) -> Result<MarketEffect> {
    let n = values.len();
    for (column, got) in [
        ("tariff_before", tariff_before.len()),
        ("tariff_after", tariff_after.len()),
        ("out", out.len()),
    ] {
        if got != n {
            return Err(PeError::ColumnLength {
                column,
                got,
                expected: n,
            });
        }
    }
    smart_into(
        n,
        |i| SupplierFlow {
            value: values[i],
            tariff_before: tariff_before[i],
            tariff_after: tariff_after[i],
        },
        params,
        out,
    )
}

/// A supplier's full effect from its flow, trade creation and trade diversion: the one
/// place where new value, tariff revenue and consumer surplus are computed (the
/// aggregation recomputes them per row from here).
pub(crate) fn supplier_effect(
    s: &SupplierFlow,
    trade_creation: f64,
    trade_diversion: f64,
) -> SupplierEffect {
    let new_value = s.value + trade_creation + trade_diversion;
    SupplierEffect {
        baseline: s.value,
        trade_creation,
        trade_diversion,
        total_change: trade_creation + trade_diversion,
        new_value,
        tariff_revenue_before: s.tariff_before * s.value,
        tariff_revenue_after: s.tariff_after * new_value,
        consumer_surplus_change: -(s.tariff_after - s.tariff_before)
            * (s.value + 0.5 * trade_creation),
    }
}

/// Checks one supplier's fields.
fn validate_supplier(i: usize, s: &SupplierFlow) -> Result<()> {
    if !s.value.is_finite() || s.value < 0.0 {
        return Err(PeError::InvalidSupplier {
            supplier: i,
            field: "import value",
            value: s.value,
            requirement: "it must be finite and ≥ 0",
        });
    }
    for (field, t) in [
        ("baseline tariff", s.tariff_before),
        ("new tariff", s.tariff_after),
    ] {
        if !t.is_finite() || t <= -1.0 {
            return Err(PeError::InvalidSupplier {
                supplier: i,
                field,
                value: t,
                requirement: "it must be finite and > −1 (a fraction: 0.1 is 10 %)",
            });
        }
    }
    Ok(())
}

/// The kernel: `n` suppliers read through `flow`, effects written to `out[..n]`.
pub(crate) fn smart_into(
    n: usize,
    flow: impl Fn(usize) -> SupplierFlow,
    params: &Parameters,
    out: &mut [SupplierEffect],
) -> Result<MarketEffect> {
    params.validate()?;
    let eps = params.import_demand_elasticity;
    let sigma = params.substitution_elasticity;

    // Pass 1: validate; baseline total; the smallest price factor among suppliers with
    // imports (the reference that keeps every CES weight in (0, 1]); whether all price
    // factors are equal (then nothing is diverted).
    let mut total = 0.0;
    let mut r_ref = f64::INFINITY;
    let mut first_r: Option<f64> = None;
    let mut uniform = true;
    for i in 0..n {
        let s = flow(i);
        validate_supplier(i, &s)?;
        if s.value > 0.0 {
            total += s.value;
            let r = (1.0 + s.tariff_after) / (1.0 + s.tariff_before);
            r_ref = r_ref.min(r);
            match first_r {
                None => first_r = Some(r),
                Some(r0) => uniform &= r == r0,
            }
        }
    }

    // Pass 2: creation, imports after creation, and the CES weights' sum for diversion.
    let mut after_creation_total = 0.0;
    let mut weight_sum = 0.0;
    let mut price_change_sum = 0.0;
    for (i, e) in out.iter_mut().enumerate().take(n) {
        let s = flow(i);
        let dt_rel = (s.tariff_after - s.tariff_before) / (1.0 + s.tariff_before);
        price_change_sum += s.value * dt_rel;
        let creation_factor = 1.0 + eps * dt_rel;
        if s.value > 0.0 && creation_factor < 0.0 {
            return Err(PeError::NegativeImports {
                supplier: i,
                value: s.value * creation_factor,
            });
        }
        let trade_creation = eps * s.value * dt_rel;
        let after_creation = s.value + trade_creation;
        let g = if uniform || s.value == 0.0 {
            1.0
        } else {
            ((1.0 + s.tariff_after) / (1.0 + s.tariff_before) / r_ref).powf(-sigma)
        };
        after_creation_total += after_creation;
        weight_sum += after_creation * g;
        *e = SupplierEffect {
            baseline: s.value,
            trade_creation,
            // Holds the CES weight until pass 3 turns it into the diversion.
            trade_diversion: g,
            ..SupplierEffect::default()
        };
    }

    // Pass 3: diversion, new values, revenue, surplus.
    let mut m = MarketEffect {
        baseline: total,
        price_index_change: if total > 0.0 {
            price_change_sum / total
        } else {
            0.0
        },
        ..MarketEffect::default()
    };
    for (i, e) in out.iter_mut().enumerate().take(n) {
        let s = flow(i);
        let g = e.trade_diversion;
        let after_creation = s.value + e.trade_creation;
        e.trade_diversion = if uniform || s.value == 0.0 || weight_sum <= 0.0 {
            0.0
        } else {
            after_creation * (after_creation_total * g - weight_sum) / weight_sum
        };
        *e = supplier_effect(&s, e.trade_creation, e.trade_diversion);
        m.trade_creation += e.trade_creation;
        m.trade_diversion += e.trade_diversion;
        m.total_change += e.total_change;
        m.new_value += e.new_value;
        m.tariff_revenue_before += e.tariff_revenue_before;
        m.tariff_revenue_after += e.tariff_revenue_after;
        m.consumer_surplus_change += e.consumer_surplus_change;
    }
    m.tariff_revenue_change = m.tariff_revenue_after - m.tariff_revenue_before;
    m.welfare_change = m.consumer_surplus_change + m.tariff_revenue_change;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(value: f64, tariff_before: f64, tariff_after: f64) -> SupplierFlow {
        SupplierFlow {
            value,
            tariff_before,
            tariff_after,
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn zero_tariff_change_returns_baseline_exactly() {
        let market = [
            flow(100.0, 0.1, 0.1),
            flow(50.0, 0.0, 0.0),
            flow(0.0, 0.3, 0.3),
        ];
        let r = smart(&market, &Parameters::new(-1.7, 3.0)).unwrap();
        for (e, s) in r.suppliers.iter().zip(&market) {
            assert_eq!(e.new_value, s.value);
            assert_eq!(e.trade_creation, 0.0);
            assert_eq!(e.trade_diversion, 0.0);
        }
        assert_eq!(r.market.new_value, 150.0);
        assert_eq!(r.market.price_index_change, 0.0);
        assert_eq!(r.market.tariff_revenue_change, 0.0);
        assert_eq!(r.market.welfare_change, 0.0);
    }

    #[test]
    fn uniform_tariff_change_diverts_nothing() {
        // Same proportional price change for all: (1.21/1.1) = (1.1/1.0).
        let market = [
            flow(100.0, 0.1, 0.21),
            flow(50.0, 0.0, 0.1),
            flow(7.0, 0.0, 0.1),
        ];
        let r = smart(&market, &Parameters::new(-2.0, 5.0)).unwrap();
        for e in &r.suppliers {
            assert!(e.trade_diversion.abs() < 1e-12, "{e:?}");
        }
        // Exactly equal tariffs: diversion exactly zero.
        let market = [flow(100.0, 0.0, 0.25), flow(50.0, 0.0, 0.25)];
        let r = smart(&market, &Parameters::new(-2.0, 5.0)).unwrap();
        assert!(r.suppliers.iter().all(|e| e.trade_diversion == 0.0));
        assert!(r.market.trade_creation < 0.0);
    }

    #[test]
    fn diversion_sums_to_zero_across_suppliers() {
        let market = [
            flow(100.0, 0.1, 0.0),
            flow(50.0, 0.05, 0.3),
            flow(20.0, 0.0, 0.0),
            flow(0.0, 0.2, 0.0),
        ];
        let r = smart(&market, &Parameters::new(-1.2, 4.0)).unwrap();
        let sum: f64 = r.suppliers.iter().map(|e| e.trade_diversion).sum();
        assert!(sum.abs() < 1e-12 * r.market.baseline);
        assert!(r.market.trade_diversion.abs() < 1e-12 * r.market.baseline);
    }

    #[test]
    fn tariff_cut_on_one_supplier_raises_its_imports_and_lowers_the_others() {
        let market = [
            flow(100.0, 0.2, 0.0),
            flow(50.0, 0.2, 0.2),
            flow(30.0, 0.1, 0.1),
        ];
        let r = smart(&market, &Parameters::new(-1.0, 1.5)).unwrap();
        assert!(r.suppliers[0].new_value > 100.0);
        assert!(r.suppliers[0].trade_diversion > 0.0);
        assert!(r.suppliers[1].new_value < 50.0);
        assert!(r.suppliers[2].new_value < 30.0);
        assert_eq!(r.suppliers[1].trade_creation, 0.0);
        assert!(r.market.price_index_change < 0.0);
        assert!(r.market.consumer_surplus_change > 0.0);
    }

    #[test]
    fn zero_baseline_supplier_stays_zero() {
        let market = [flow(0.0, 0.5, 0.0), flow(80.0, 0.1, 0.1)];
        let r = smart(&market, &Parameters::new(-3.0, 8.0)).unwrap();
        assert_eq!(r.suppliers[0], SupplierEffect::default());
        assert_eq!(r.suppliers[1].new_value, 80.0);
    }

    #[test]
    fn empty_market_and_all_zero_market_give_zeros() {
        let r = smart(&[], &Parameters::new(-1.0, 1.5)).unwrap();
        assert_eq!(r.market, MarketEffect::default());
        let r = smart(&[flow(0.0, 0.1, 0.0)], &Parameters::new(-1.0, 1.5)).unwrap();
        assert_eq!(r.market.new_value, 0.0);
        assert_eq!(r.market.price_index_change, 0.0);
    }

    /// By hand: M = (100, 50), t0 = (0.1, 0.1), t1 = (0, 0.1), ε_m = −1, σ = 2.
    /// TC_A = −1·100·(−0.1)/1.1 = 100/11, TC_B = 0; after creation M' = (1200/11, 50),
    /// total 1750/11. Weights relative to r_A = 1/1.1: g_A = 1, g_B = 1.1^−2 = 1/1.21.
    /// M1_A = (1750/11)(1200/11) / (1200/11 + 50/1.21) = 1500/13, so
    /// TD_A = 1500/13 − 1200/11 = 900/143 = −TD_B, M1_B = 6250/143.
    /// Price index change = (100/150)(−0.1/1.1) = −2/33.
    /// R0 = 15, R1 = 0.1·6250/143 = 625/143; ΔCS_A = 0.1·(100 + 50/11), ΔCS_B = 0.
    #[test]
    fn hand_computed_example() {
        let market = [flow(100.0, 0.1, 0.0), flow(50.0, 0.1, 0.1)];
        let r = smart(&market, &Parameters::new(-1.0, 2.0)).unwrap();
        let tol = 1e-12;
        let (a, b) = (&r.suppliers[0], &r.suppliers[1]);
        assert!(close(a.trade_creation, 100.0 / 11.0, tol), "{a:?}");
        assert_eq!(b.trade_creation, 0.0);
        assert!(close(a.trade_diversion, 900.0 / 143.0, tol), "{a:?}");
        assert!(close(b.trade_diversion, -900.0 / 143.0, tol), "{b:?}");
        assert!(close(a.new_value, 1500.0 / 13.0, tol));
        assert!(close(b.new_value, 6250.0 / 143.0, tol));
        let m = &r.market;
        assert!(close(m.price_index_change, -2.0 / 33.0, tol));
        assert!(close(m.trade_creation, 100.0 / 11.0, tol));
        assert!(close(m.new_value, 1750.0 / 11.0, tol));
        assert!(close(m.tariff_revenue_before, 15.0, tol));
        assert!(close(m.tariff_revenue_after, 625.0 / 143.0, tol));
        let cs = 0.1 * (100.0 + 50.0 / 11.0);
        assert!(close(m.consumer_surplus_change, cs, tol));
        assert!(close(m.welfare_change, cs + 625.0 / 143.0 - 15.0, tol));
    }

    #[test]
    fn total_creation_is_elasticity_times_price_index_change() {
        let market = [
            flow(10.0, 0.3, 0.05),
            flow(40.0, 0.0, 0.2),
            flow(25.0, 0.1, 0.1),
        ];
        let p = Parameters::new(-2.5, 6.0);
        let r = smart(&market, &p).unwrap();
        let expected = p.import_demand_elasticity * r.market.baseline * r.market.price_index_change;
        assert!(close(r.market.trade_creation, expected, 1e-12));
    }

    #[test]
    fn bad_supplier_input_is_rejected_naming_supplier_and_field() {
        let p = Parameters::new(-1.0, 1.5);
        let cases = [
            (flow(-1.0, 0.0, 0.0), "import value"),
            (flow(f64::NAN, 0.0, 0.0), "import value"),
            (flow(f64::INFINITY, 0.0, 0.0), "import value"),
            (flow(1.0, -1.5, 0.0), "baseline tariff"),
            (flow(1.0, -1.0, 0.0), "baseline tariff"),
            (flow(1.0, 0.0, f64::NAN), "new tariff"),
            (flow(1.0, 0.0, -2.0), "new tariff"),
        ];
        for (bad, expected_field) in cases {
            let err = smart(&[flow(5.0, 0.0, 0.0), bad], &p).unwrap_err();
            match err {
                PeError::InvalidSupplier {
                    supplier, field, ..
                } => {
                    assert_eq!(supplier, 1);
                    assert_eq!(field, expected_field);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let market = [flow(5.0, 0.0, 0.1)];
        for (p, name) in [
            (Parameters::new(0.5, 1.5), "import demand elasticity"),
            (Parameters::new(f64::NAN, 1.5), "import demand elasticity"),
            (Parameters::new(-1.0, 0.0), "substitution elasticity"),
            (Parameters::new(-1.0, -2.0), "substitution elasticity"),
            (
                Parameters::new(-1.0, f64::INFINITY),
                "substitution elasticity",
            ),
        ] {
            match smart(&market, &p).unwrap_err() {
                PeError::InvalidParameter { parameter, .. } => assert_eq!(parameter, name),
                other => panic!("unexpected {other:?}"),
            }
        }
        let mut p = Parameters::new(-1.0, 1.5);
        p.export_supply = ExportSupply::Finite(5.0);
        assert_eq!(
            smart(&market, &p).unwrap_err(),
            PeError::FiniteExportSupply(5.0)
        );
    }

    #[test]
    fn tariff_rise_beyond_linear_range_is_an_error() {
        // ε_m = −3 and supplier 1's price rising by 50 %: TC = −1.5·M_1.
        let market = [flow(10.0, 0.0, 0.0), flow(10.0, 0.0, 0.5)];
        let err = smart(&market, &Parameters::new(-3.0, 1.5)).unwrap_err();
        assert!(matches!(err, PeError::NegativeImports { supplier: 1, .. }));
        // At the limit (ε_m = −2, price +50 %: 1 − 2·0.5 = 0) its imports reach zero.
        let market = [flow(10.0, 0.0, 0.0), flow(10.0, 0.0, 0.5)];
        let r = smart(&market, &Parameters::new(-2.0, 30.0)).unwrap();
        assert!(r.suppliers[1].new_value.abs() < 1e-12);
    }

    #[test]
    fn large_substitution_elasticity_never_takes_a_supplier_below_zero() {
        let market = [
            flow(100.0, 0.0, 1.0),
            flow(1.0, 0.0, 0.0),
            flow(5.0, 0.1, 0.1),
        ];
        let r = smart(&market, &Parameters::new(-0.5, 31.7)).unwrap();
        assert!(r.suppliers.iter().all(|e| e.new_value >= 0.0), "{r:?}");
        assert!(r.suppliers[0].new_value < 1e-6);
    }

    #[test]
    fn columns_form_matches_and_checks_lengths() {
        let market = [flow(100.0, 0.1, 0.0), flow(50.0, 0.1, 0.1)];
        let p = Parameters::new(-1.0, 2.0);
        let r = smart(&market, &p).unwrap();
        let mut out = vec![SupplierEffect::default(); 2];
        let m = smart_columns(&[100.0, 50.0], &[0.1, 0.1], &[0.0, 0.1], &p, &mut out).unwrap();
        assert_eq!(m, r.market);
        assert_eq!(out, r.suppliers);
        let err = smart_columns(&[1.0], &[0.1, 0.1], &[0.0], &p, &mut out).unwrap_err();
        assert!(matches!(
            err,
            PeError::ColumnLength {
                column: "tariff_before",
                ..
            }
        ));
    }
}
