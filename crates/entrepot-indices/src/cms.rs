//! Constant-market-share (shift-share) decomposition of the change in an exporter's
//! exports between a base period (0) and an end period (1) into a world-demand, a
//! product-mix, a market-mix and a competitiveness effect.
//!
//! ## The variant implemented
//!
//! The three-level form of Leamer and Stern (1970), *Quantitative International
//! Economics*, ch. 7 ("Constant-market-shares analysis of export growth"), with
//! base-period (Laspeyres) weights and products taken before markets — the form of
//! e.g. ECB (2005), *Competitiveness and the export performance of the euro area*,
//! Occasional Paper 30. On the cells `ij` (product `i` × market `j`), with `X` the
//! exporter's values and `W` those of the reference group (its competitors),
//!
//! * `g = W¹/W⁰ − 1`, the growth of the reference group's exports in total;
//! * `g_i = W¹_i/W⁰_i − 1`, their growth in product `i` (all markets);
//! * `g_ij = W¹_ij/W⁰_ij − 1`, their growth in product `i` to market `j`;
//!
//! ```text
//! X¹ − X⁰ =  g · X⁰                             world demand
//!         +  Σ_i (g_i − g) · X⁰_i               product mix (commodity composition)
//!         +  Σ_i Σ_j (g_ij − g_i) · X⁰_ij       market mix (market distribution)
//!         +  Σ_i Σ_j (X¹_ij − X⁰_ij − g_ij X⁰_ij)  competitiveness (the residual)
//! ```
//!
//! The four terms telescope, so they sum to `X¹ − X⁰` exactly in exact arithmetic
//! whatever the growth rates are; each is computed here from its own definition, and
//! their sum equals the change up to floating-point rounding (about 1e-15 of the
//! largest term). The order products-then-markets matters (Richardson 1971,
//! "Constant-market-shares analysis of export growth", *Journal of International
//! Economics* 1(2)): with markets first the split between the two structural effects
//! differs, their sum does not. Fagerberg and Sollie (1987), "The method of constant
//! market shares analysis reconsidered", *Applied Economics* 19(12), decompose the
//! change in the market *share* instead; that variant is not implemented.
//!
//! One grain covers the three uses: cells of one product each (one market per
//! product, the markets summed) give a product-only decomposition, whose market mix is
//! zero; cells all of one product give a market-only decomposition, whose product mix
//! is zero.
//!
//! ## Conventions
//!
//! * A cell the exporter did not sell in the base period (`X⁰_ij = 0`) carries no
//!   weight in the structural effects: all of its end value (a new market or product)
//!   is competitiveness.
//! * A growth rate is not defined when the reference group had no exports in the base
//!   period. Where the exporter did (`X⁰_ij > 0`, `W⁰_ij = 0`) the cell's growth is
//!   taken as the product's, `g_ij := g_i` (no market-mix effect: its change is
//!   competitiveness); likewise `g_i := g` for a product with `W⁰_i = 0`. Such cells
//!   and products are counted in [`Imputed`], so a report can say how much of the base
//!   they hold. The identity holds with any rates, these included.
//! * Absent ([`Absent`]) when there are no cells, or when the reference group's base
//!   total `W⁰` is zero (no world growth rate).

use crate::{check, Absent, Index, IndexError};
use std::collections::BTreeMap;

/// One product × market cell of a constant-market-share decomposition: the exporter's
/// and the reference group's values in the base and end periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CmsCell {
    /// The product the cell belongs to: cells of one product share the key (any
    /// number; its order is the order products are summed in).
    pub product: usize,
    /// The exporter's base-period value `X⁰_ij`.
    pub own_base: f64,
    /// The exporter's end-period value `X¹_ij`.
    pub own_end: f64,
    /// The reference group's base-period value `W⁰_ij`.
    pub reference_base: f64,
    /// The reference group's end-period value `W¹_ij`.
    pub reference_end: f64,
}

/// Cells or products whose reference growth rate was imputed (the reference group had
/// no base-period exports there while the exporter had).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Imputed {
    /// How many.
    pub count: usize,
    /// The exporter's base-period value in them.
    pub own_base: f64,
}

/// A constant-market-share decomposition (see the [module documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cms {
    /// The exporter's base-period total `X⁰`.
    pub base: f64,
    /// The exporter's end-period total `X¹`.
    pub end: f64,
    /// The change `X¹ − X⁰`, which the four effects add up to.
    pub change: f64,
    /// The reference group's growth `g = W¹/W⁰ − 1` (a fraction).
    pub reference_growth: f64,
    /// World-demand effect `g · X⁰`: the change had the exporter kept its share of the
    /// reference group's total.
    pub world_demand: f64,
    /// Product-mix effect `Σ_i (g_i − g) X⁰_i`: positive when the exporter's base
    /// exports were in products whose world demand grew faster than the total.
    pub product_mix: f64,
    /// Market-mix effect `Σ_ij (g_ij − g_i) X⁰_ij`: positive when, product by product,
    /// they went to markets whose demand grew faster.
    pub market_mix: f64,
    /// Competitiveness effect `Σ_ij (X¹_ij − (1 + g_ij) X⁰_ij)`: the change beyond
    /// keeping the base share of every cell (gains and losses of share, new cells).
    pub competitiveness: f64,
    /// Cells with `X⁰_ij > 0` and `W⁰_ij = 0` (their `g_ij` taken as `g_i`).
    pub imputed_cells: Imputed,
    /// Products with `X⁰_i > 0` and `W⁰_i = 0` (their `g_i` taken as `g`).
    pub imputed_products: Imputed,
    /// The number of cells.
    pub cells: usize,
    /// The number of products.
    pub products: usize,
}

impl Cms {
    /// The sum of the four effects (equal to [`Cms::change`] up to rounding).
    pub fn sum_of_effects(&self) -> f64 {
        self.world_demand + self.product_mix + self.market_mix + self.competitiveness
    }
}

/// Base and end totals of the exporter and the reference group over some cells.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    own_base: f64,
    reference_base: f64,
    reference_end: f64,
}

impl Totals {
    fn add(&mut self, c: &CmsCell) {
        self.own_base += c.own_base;
        self.reference_base += c.reference_base;
        self.reference_end += c.reference_end;
    }

    /// `W¹/W⁰ − 1`, or `None` when `W⁰ = 0`.
    fn growth(&self) -> Option<f64> {
        (self.reference_base > 0.0).then(|| self.reference_end / self.reference_base - 1.0)
    }
}

/// Checks every value of every cell (position = the cell's index).
fn check_cells(cells: &[CmsCell]) -> Result<(), IndexError> {
    for (position, c) in cells.iter().enumerate() {
        check(&[c.own_base, c.own_end, c.reference_base, c.reference_end]).map_err(
            |e| match e {
                IndexError::Negative { value, .. } => IndexError::Negative { position, value },
                IndexError::NotFinite { value, .. } => IndexError::NotFinite { position, value },
                other => other,
            },
        )?;
    }
    Ok(())
}

/// The constant-market-share decomposition of the exporter's change over `cells` (see
/// the [module documentation](self) for the formula and its conventions).
///
/// Errors on a negative or non-finite value (position: the cell's index). Absent when
/// `cells` is empty ([`Absent::NoUnits`]) or the reference group's base-period total
/// is zero ([`Absent::ZeroReference`]).
///
/// ```
/// use entrepot_indices::cms::{cms, CmsCell};
/// let cell = |product, x0, x1, w0, w1| CmsCell {
///     product, own_base: x0, own_end: x1, reference_base: w0, reference_end: w1,
/// };
/// // product 0 to two markets, product 1 to one
/// let d = cms(&[cell(0, 10.0, 12.0, 100.0, 150.0), cell(0, 5.0, 4.0, 50.0, 50.0),
///               cell(1, 5.0, 9.0, 50.0, 50.0)])?.expect("defined");
/// assert!((d.change - 5.0).abs() < 1e-12);
/// assert!((d.sum_of_effects() - d.change).abs() < 1e-12);
/// assert!((d.world_demand - 20.0 * 0.25).abs() < 1e-12);
/// # Ok::<(), entrepot_indices::IndexError>(())
/// ```
pub fn cms(cells: &[CmsCell]) -> Result<Index<Cms>, IndexError> {
    check_cells(cells)?;
    if cells.is_empty() {
        return Ok(Err(Absent::NoUnits));
    }
    let mut world = Totals::default();
    let mut by_product: BTreeMap<usize, Totals> = BTreeMap::new();
    let mut end = 0.0;
    for c in cells {
        world.add(c);
        by_product.entry(c.product).or_default().add(c);
        end += c.own_end;
    }
    let Some(g) = world.growth() else {
        return Ok(Err(Absent::ZeroReference));
    };
    let base = world.own_base;
    // g_i per product (g where the reference had no base exports of it).
    let mut imputed_products = Imputed::default();
    let mut product_mix = 0.0;
    let mut product_growth: BTreeMap<usize, f64> = BTreeMap::new();
    for (&p, t) in &by_product {
        let gi = match t.growth() {
            Some(gi) => gi,
            None => {
                if t.own_base > 0.0 {
                    imputed_products.count += 1;
                    imputed_products.own_base += t.own_base;
                }
                g
            }
        };
        product_growth.insert(p, gi);
        product_mix += (gi - g) * t.own_base;
    }
    let mut imputed_cells = Imputed::default();
    let mut market_mix = 0.0;
    let mut competitiveness = 0.0;
    for c in cells {
        let gi = product_growth.get(&c.product).copied().unwrap_or(g);
        if c.own_base > 0.0 {
            let gij = if c.reference_base > 0.0 {
                c.reference_end / c.reference_base - 1.0
            } else {
                imputed_cells.count += 1;
                imputed_cells.own_base += c.own_base;
                gi
            };
            market_mix += (gij - gi) * c.own_base;
            competitiveness += c.own_end - c.own_base - gij * c.own_base;
        } else {
            // no weight: a new cell's whole value is competitiveness
            competitiveness += c.own_end;
        }
    }
    // `+ 0.0`: a zero effect is +0, never −0 (a weight of zero times a negative rate).
    Ok(Ok(Cms {
        base,
        end,
        change: end - base,
        reference_growth: g,
        world_demand: g * base + 0.0,
        product_mix: product_mix + 0.0,
        market_mix: market_mix + 0.0,
        competitiveness: competitiveness + 0.0,
        imputed_cells,
        imputed_products,
        cells: cells.len(),
        products: by_product.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cell(product: usize, x0: f64, x1: f64, w0: f64, w1: f64) -> CmsCell {
        CmsCell {
            product,
            own_base: x0,
            own_end: x1,
            reference_base: w0,
            reference_end: w1,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn a_hand_computed_example_gives_each_effect() {
        // product 0 to markets A and B, product 1 to market A.
        // W⁰ = 200, W¹ = 250: g = 0.25. Product 0: W 150 → 200, g_0 = 1/3;
        // product 1: W 50 → 50, g_1 = 0. Cells: g_0A = 0.5, g_0B = 0, g_1A = 0.
        let d = cms(&[
            cell(0, 10.0, 12.0, 100.0, 150.0),
            cell(0, 5.0, 4.0, 50.0, 50.0),
            cell(1, 5.0, 9.0, 50.0, 50.0),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((d.base, d.end, d.change), (20.0, 25.0, 5.0));
        assert!(close(d.reference_growth, 0.25));
        assert!(close(d.world_demand, 5.0));
        // (1/3 − 1/4)·15 + (0 − 1/4)·5 = 1.25 − 1.25 = 0
        assert!(close(d.product_mix, 15.0 / 12.0 - 1.25));
        // (0.5 − 1/3)·10 + (0 − 1/3)·5 + 0 = 5/3 − 5/3 = 0
        assert!(close(d.market_mix, 10.0 / 6.0 - 5.0 / 3.0));
        // (12 − 15) + (4 − 5) + (9 − 5) = 0
        assert!(close(d.competitiveness, 0.0));
        assert!(close(d.sum_of_effects(), d.change));
        assert_eq!((d.cells, d.products), (3, 2));
        assert_eq!(d.imputed_cells, Imputed::default());
    }

    #[test]
    fn keeping_every_cell_share_is_all_structure_and_no_competitiveness() {
        // the exporter grows exactly like the reference in every cell
        let d = cms(&[
            cell(0, 10.0, 20.0, 100.0, 200.0),
            cell(1, 30.0, 30.0, 10.0, 10.0),
        ])
        .unwrap()
        .unwrap();
        assert!(close(d.competitiveness, 0.0));
        assert!(close(d.change, 10.0));
        assert!(close(
            d.world_demand + d.product_mix + d.market_mix,
            d.change
        ));
        // the reference grew 100/110; product 0 grew 100 %, product 1 not at all
        assert!(close(d.world_demand, 40.0 * 100.0 / 110.0));
        assert!(close(d.market_mix, 0.0), "one market per product");
    }

    #[test]
    fn empty_and_zero_reference_are_absent_never_zero() {
        assert_eq!(cms(&[]).unwrap(), Err(Absent::NoUnits));
        assert_eq!(
            cms(&[cell(0, 5.0, 6.0, 0.0, 3.0)]).unwrap(),
            Err(Absent::ZeroReference)
        );
    }

    #[test]
    fn a_zero_base_is_all_competitiveness() {
        let d = cms(&[cell(0, 0.0, 7.0, 10.0, 20.0), cell(1, 0.0, 3.0, 5.0, 5.0)])
            .unwrap()
            .unwrap();
        assert_eq!((d.base, d.change), (0.0, 10.0));
        assert_eq!(
            (d.world_demand, d.product_mix, d.market_mix),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(d.competitiveness, 10.0);
    }

    #[test]
    fn a_new_market_and_a_vanished_one() {
        // market A vanished (12 → 0), market B is new (0 → 8)
        let d = cms(&[
            cell(0, 12.0, 0.0, 60.0, 90.0),
            cell(0, 0.0, 8.0, 40.0, 10.0),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(d.change, -4.0);
        // g = 0; g_0 = 0; g_0A = 0.5
        assert!(close(d.world_demand, 0.0));
        assert!(close(d.product_mix, 0.0));
        assert!(close(d.market_mix, 6.0));
        // A: 0 − 12 − 6 = −18; B: +8
        assert!(close(d.competitiveness, -10.0));
        assert!(close(d.sum_of_effects(), d.change));
    }

    #[test]
    fn a_cell_without_reference_base_takes_the_products_growth_and_is_counted() {
        let d = cms(&[
            cell(0, 10.0, 15.0, 100.0, 120.0),
            cell(0, 4.0, 2.0, 0.0, 30.0),
            // a product the reference never exported in the base period
            cell(1, 6.0, 6.0, 0.0, 0.0),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(d.imputed_cells.count, 2);
        assert_eq!(d.imputed_cells.own_base, 10.0);
        assert_eq!(d.imputed_products.count, 1);
        assert_eq!(d.imputed_products.own_base, 6.0);
        // g = 150/100 − 1 = 0.5; g_0 = 0.5 (W 100 → 150), g_1 := g
        assert!(close(d.product_mix, 0.0));
        // cell 0: g = 0.2 → (0.2 − 0.5)·10 = −3; cell 1: g := g_0, 0
        assert!(close(d.market_mix, -3.0));
        assert!(close(d.sum_of_effects(), d.change));
    }

    #[test]
    fn bad_values_are_errors_naming_the_cell() {
        assert_eq!(
            cms(&[cell(0, 1.0, 1.0, 1.0, 1.0), cell(0, 1.0, -2.0, 1.0, 1.0)]),
            Err(IndexError::Negative {
                position: 1,
                value: -2.0
            })
        );
        assert!(matches!(
            cms(&[cell(0, 1.0, 1.0, f64::NAN, 1.0)]),
            Err(IndexError::NotFinite { position: 0, .. })
        ));
    }

    /// A value: often zero, else anything from 1e-3 to 1e12.
    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![1 => Just(0.0), 4 => 1e-3f64..1e12]
    }

    fn cells() -> impl Strategy<Value = Vec<CmsCell>> {
        prop::collection::vec((0usize..6, value(), value(), value(), value()), 1..80).prop_map(
            |v| {
                v.into_iter()
                    .map(|(p, x0, x1, w0, w1)| cell(p, x0, x1, w0, w1))
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn the_four_effects_add_up_to_the_change(cells in cells()) {
            let Ok(d) = cms(&cells).unwrap() else {
                prop_assert!(cells.iter().all(|c| c.reference_base == 0.0));
                return Ok(());
            };
            // The floating-point error of a sum of terms is relative to the size of
            // the terms, at most (X⁰ + X¹)·(2 + the largest growth rate).
            let ratio = |w0: f64, w1: f64| if w0 > 0.0 { w1 / w0 } else { 0.0 };
            let mut largest = d.reference_growth.abs();
            for p in 0..6 {
                let (w0, w1) = cells.iter().filter(|c| c.product == p)
                    .fold((0.0, 0.0), |(a, b), c| (a + c.reference_base, b + c.reference_end));
                largest = largest.max(ratio(w0, w1));
            }
            for c in &cells {
                largest = largest.max(ratio(c.reference_base, c.reference_end));
            }
            let scale = (d.base + d.end) * (2.0 + largest);
            prop_assert!((d.sum_of_effects() - d.change).abs() <= 1e-9 * scale.max(1.0),
                "{:?}", d);
            let x0: f64 = cells.iter().map(|c| c.own_base).sum();
            let x1: f64 = cells.iter().map(|c| c.own_end).sum();
            prop_assert!((d.change - (x1 - x0)).abs() <= 1e-12 * x0.max(x1));
        }

        #[test]
        fn with_comparable_reference_cells_the_sum_is_within_1e9_of_the_levels(
            raw in prop::collection::vec(
                (0usize..5, 0.0f64..1e9, 0.0f64..1e9, 1e6f64..1e10, 0.05f64..20.0),
                1..120,
            )
        ) {
            // reference values of comparable size, growing by a factor of 0.05 to 20
            let cells: Vec<CmsCell> = raw
                .iter()
                .map(|&(p, x0, x1, w0, f)| cell(p, x0, x1, w0, w0 * f))
                .collect();
            let d = cms(&cells).unwrap().unwrap();
            let scale = d.base.max(d.end).max(1.0);
            prop_assert!((d.sum_of_effects() - d.change).abs() <= 1e-9 * scale, "{:?}", d);
        }

        #[test]
        fn one_product_has_no_product_mix_and_one_market_per_product_no_market_mix(
            cells in cells()
        ) {
            let single: Vec<CmsCell> = cells.iter().map(|c| CmsCell { product: 0, ..*c }).collect();
            if let Ok(d) = cms(&single).unwrap() {
                prop_assert_eq!(d.product_mix, 0.0);
            }
            let distinct: Vec<CmsCell> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| CmsCell { product: i, ..*c })
                .collect();
            if let Ok(d) = cms(&distinct).unwrap() {
                prop_assert_eq!(d.market_mix, 0.0);
            }
        }
    }
}
