//! Many markets at once: columnar flows (importer, product, supplier, value, tariffs)
//! split into (importer, product) markets, each solved by the SMART kernel, then summed
//! per basket of products, per supplier, and per basket and supplier.
//!
//! Built for BACI scale (about 11 million rows a year): identifiers are integers the
//! caller interned (BACI's numeric country codes and HS6 codes as integers fit as they
//! are), the rows need not be sorted, no string is built per row, and the markets are
//! solved in parallel (rayon) on contiguous blocks of the rows sorted by market. Memory
//! beyond the input: 16 bytes per row for the sort and 24 bytes per row for the per-row
//! output.
//!
//! Conventions:
//! * each row is one supplier of its market; two rows with the same supplier in one
//!   market are two entries (with equal tariffs the result is the same as one merged row,
//!   since every formula is linear in the baseline value at given prices);
//! * a market whose input or parameters are invalid, or whose tariff rise is beyond the
//!   linear range of trade creation, is **skipped**: listed in
//!   [`Simulation::skipped`] with the error and the supplier id it names, its rows'
//!   outputs are NaN, and it is left out of every total (never silently);
//! * a product may belong to several baskets, and is then counted in each.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::{PeError, Result};
use crate::smart::{
    smart_into, supplier_effect, MarketEffect, Parameters, SupplierEffect, SupplierFlow,
};

/// The input columns; all of the same length, one row per (importer, product, supplier).
#[derive(Debug, Clone, Copy)]
pub struct FlowColumns<'a> {
    /// Product code (HS6 as an integer, e.g. `870390`).
    pub product: &'a [u32],
    /// Importer id.
    pub importer: &'a [u32],
    /// Supplier (exporter) id.
    pub supplier: &'a [u32],
    /// Baseline import value at world prices.
    pub value: &'a [f64],
    /// Baseline ad-valorem tariff (fraction).
    pub tariff_before: &'a [f64],
    /// New ad-valorem tariff (fraction).
    pub tariff_after: &'a [f64],
}

impl FlowColumns<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.product.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.product.is_empty()
    }

    fn check_lengths(&self) -> Result<()> {
        let expected = self.product.len();
        for (column, got) in [
            ("importer", self.importer.len()),
            ("supplier", self.supplier.len()),
            ("value", self.value.len()),
            ("tariff_before", self.tariff_before.len()),
            ("tariff_after", self.tariff_after.len()),
        ] {
            if got != expected {
                return Err(PeError::ColumnLength {
                    column,
                    got,
                    expected,
                });
            }
        }
        Ok(())
    }

    fn flow(&self, row: usize) -> SupplierFlow {
        SupplierFlow {
            value: self.value[row],
            tariff_before: self.tariff_before[row],
            tariff_after: self.tariff_after[row],
        }
    }
}

/// A named list of HS6 codes (as integers) given by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basket {
    /// The basket's name (`"EVs"`, `"batteries"`, …).
    pub name: String,
    /// Its products.
    pub products: Vec<u32>,
}

/// One input row's effects (NaN when its market was skipped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowEffect {
    /// Trade creation.
    pub trade_creation: f64,
    /// Trade diversion.
    pub trade_diversion: f64,
    /// New import value.
    pub new_value: f64,
}

/// One solved market.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketSummary {
    /// Importer id.
    pub importer: u32,
    /// Product code.
    pub product: u32,
    /// Number of rows (suppliers).
    pub suppliers: usize,
    /// The market's effects.
    pub effect: MarketEffect,
}

/// A market left out of every total, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedMarket {
    /// Importer id.
    pub importer: u32,
    /// Product code.
    pub product: u32,
    /// The supplier id the error names, if it names one.
    pub supplier: Option<u32>,
    /// The kernel's error (its `supplier` position is within the market's rows in input
    /// order).
    pub error: PeError,
}

/// Totals of one basket.
#[derive(Debug, Clone, PartialEq)]
pub struct BasketTotals {
    /// The basket's name.
    pub name: String,
    /// Number of solved markets whose product is in the basket.
    pub markets: usize,
    /// The sum of those markets' effects ([`MarketEffect::accumulate`]).
    pub effect: MarketEffect,
}

/// Totals of one supplier, over markets (all of them, or one basket's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplierTotals {
    /// Supplier id.
    pub supplier: u32,
    /// Number of rows summed.
    pub rows: usize,
    /// The sum of the supplier's effects.
    pub effect: SupplierEffect,
}

/// The result of [`simulate_markets`].
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// One entry per input row, in input order.
    pub rows: Vec<RowEffect>,
    /// Solved markets, sorted by (importer, product).
    pub markets: Vec<MarketSummary>,
    /// Skipped markets, sorted by (importer, product).
    pub skipped: Vec<SkippedMarket>,
    /// One entry per basket, in the caller's order.
    pub baskets: Vec<BasketTotals>,
    /// Per supplier over all solved markets, sorted by supplier id.
    pub suppliers: Vec<SupplierTotals>,
    /// Per basket (index into [`baskets`](Self::baskets)) and supplier, sorted.
    pub basket_suppliers: Vec<(usize, SupplierTotals)>,
    /// All solved markets together.
    pub total: MarketEffect,
}

/// Markets solved per parallel task (about; whole markets only).
const BLOCK_ROWS: usize = 1 << 16;

/// Solves every (importer, product) market in `flows` with the parameters
/// `params(importer, product)` (called once per market), and sums the results per
/// basket, per supplier and per basket and supplier. Only mismatched column lengths are
/// an error; see the [module documentation](self) for skipped markets.
pub fn simulate_markets<F>(flows: &FlowColumns, params: F, baskets: &[Basket]) -> Result<Simulation>
where
    F: Fn(u32, u32) -> Parameters + Sync,
{
    flows.check_lengths()?;
    let n = flows.len();

    // Rows sorted by market: (importer << 32 | product, row).
    let mut order: Vec<(u64, usize)> = (0..n)
        .into_par_iter()
        .map(|r| {
            (
                ((flows.importer[r] as u64) << 32) | flows.product[r] as u64,
                r,
            )
        })
        .collect();
    order.par_sort_unstable();

    // Market boundaries in the sorted order, grouped into blocks of whole markets.
    let mut starts: Vec<usize> = Vec::new();
    for (k, pair) in order.iter().enumerate() {
        if k == 0 || pair.0 != order[k - 1].0 {
            starts.push(k);
        }
    }
    starts.push(n);
    let mut blocks: Vec<(usize, usize)> = Vec::new(); // ranges of market indices
    let mut first = 0;
    for m in 0..starts.len().saturating_sub(1) {
        if starts[m + 1] - starts[first] >= BLOCK_ROWS {
            blocks.push((first, m + 1));
            first = m + 1;
        }
    }
    if first + 1 < starts.len() {
        blocks.push((first, starts.len() - 1));
    }

    // Solve the blocks in parallel, each writing its own slice of the sorted outputs.
    let nan = RowEffect {
        trade_creation: f64::NAN,
        trade_diversion: f64::NAN,
        new_value: f64::NAN,
    };
    let mut sorted_out = vec![nan; n];
    let mut slices = Vec::with_capacity(blocks.len());
    let mut rest: &mut [RowEffect] = &mut sorted_out;
    for &(m0, m1) in &blocks {
        let (head, tail) = rest.split_at_mut(starts[m1] - starts[m0]);
        slices.push(head);
        rest = tail;
    }
    type Solved = (Vec<MarketSummary>, Vec<SkippedMarket>);
    let solved: Vec<Solved> = blocks
        .par_iter()
        .zip(slices.into_par_iter())
        .map_init(
            Vec::new,
            |scratch: &mut Vec<SupplierEffect>, (&(m0, m1), out)| {
                let mut done = Vec::with_capacity(m1 - m0);
                let mut skipped = Vec::new();
                let base = starts[m0];
                for m in m0..m1 {
                    let (a, b) = (starts[m], starts[m + 1]);
                    let rows = &order[a..b];
                    let (importer, product) = ((rows[0].0 >> 32) as u32, rows[0].0 as u32);
                    scratch.clear();
                    scratch.resize(b - a, SupplierEffect::default());
                    let p = params(importer, product);
                    match smart_into(b - a, |i| flows.flow(rows[i].1), &p, scratch) {
                        Ok(effect) => {
                            for (o, e) in out[a - base..b - base].iter_mut().zip(scratch.iter()) {
                                *o = RowEffect {
                                    trade_creation: e.trade_creation,
                                    trade_diversion: e.trade_diversion,
                                    new_value: e.new_value,
                                };
                            }
                            done.push(MarketSummary {
                                importer,
                                product,
                                suppliers: b - a,
                                effect,
                            });
                        }
                        Err(error) => {
                            let supplier = match error {
                                PeError::InvalidSupplier { supplier, .. }
                                | PeError::NegativeImports { supplier, .. } => {
                                    Some(flows.supplier[rows[supplier].1])
                                }
                                _ => None,
                            };
                            skipped.push(SkippedMarket {
                                importer,
                                product,
                                supplier,
                                error,
                            });
                        }
                    }
                }
                (done, skipped)
            },
        )
        .collect();
    let mut markets = Vec::new();
    let mut skipped = Vec::new();
    for (done, skip) in solved {
        markets.extend(done);
        skipped.extend(skip);
    }

    // Rows back to input order.
    let mut rows = vec![nan; n];
    for (k, &(_, r)) in order.iter().enumerate() {
        rows[r] = sorted_out[k];
    }
    drop(sorted_out);

    // Totals.
    let mut membership: HashMap<u32, Vec<usize>> = HashMap::new();
    for (b, basket) in baskets.iter().enumerate() {
        for &p in &basket.products {
            let list = membership.entry(p).or_default();
            if !list.contains(&b) {
                list.push(b);
            }
        }
    }
    let mut basket_totals: Vec<BasketTotals> = baskets
        .iter()
        .map(|b| BasketTotals {
            name: b.name.clone(),
            markets: 0,
            effect: MarketEffect::default(),
        })
        .collect();
    let mut total = MarketEffect::default();
    for m in &markets {
        total.accumulate(&m.effect);
        for &b in membership.get(&m.product).map(Vec::as_slice).unwrap_or(&[]) {
            basket_totals[b].markets += 1;
            basket_totals[b].effect.accumulate(&m.effect);
        }
    }
    let mut per_supplier: HashMap<u32, SupplierTotals> = HashMap::new();
    let mut per_basket_supplier: HashMap<(usize, u32), SupplierTotals> = HashMap::new();
    for (&(key, _), block) in order.chunk_by(|a, b| a.0 == b.0).map(|c| (&c[0], c)) {
        let in_baskets = membership
            .get(&(key as u32))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for &(_, r) in block {
            let out = rows[r];
            if out.new_value.is_nan() {
                break; // skipped market
            }
            let id = flows.supplier[r];
            let e = supplier_effect(&flows.flow(r), out.trade_creation, out.trade_diversion);
            add(per_supplier.entry(id), id, &e);
            for &b in in_baskets {
                add(per_basket_supplier.entry((b, id)), id, &e);
            }
        }
    }
    let mut suppliers: Vec<SupplierTotals> = per_supplier.into_values().collect();
    suppliers.sort_by_key(|s| s.supplier);
    let mut basket_suppliers: Vec<(usize, SupplierTotals)> = per_basket_supplier
        .into_iter()
        .map(|((b, _), t)| (b, t))
        .collect();
    basket_suppliers.sort_by_key(|(b, s)| (*b, s.supplier));

    Ok(Simulation {
        rows,
        markets,
        skipped,
        baskets: basket_totals,
        suppliers,
        basket_suppliers,
        total,
    })
}

/// Adds one row's effect to a supplier's running total.
fn add<K>(
    entry: std::collections::hash_map::Entry<'_, K, SupplierTotals>,
    supplier: u32,
    e: &SupplierEffect,
) {
    let t = entry.or_insert(SupplierTotals {
        supplier,
        rows: 0,
        effect: SupplierEffect::default(),
    });
    t.rows += 1;
    t.effect.accumulate(e);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smart::smart;

    /// Two importers (1, 2), three products, three suppliers (10, 20, 30), rows shuffled.
    struct Data {
        product: Vec<u32>,
        importer: Vec<u32>,
        supplier: Vec<u32>,
        value: Vec<f64>,
        t0: Vec<f64>,
        t1: Vec<f64>,
    }

    fn data() -> Data {
        let rows: [(u32, u32, u32, f64, f64, f64); 9] = [
            (870390, 1, 20, 50.0, 0.1, 0.1),
            (850780, 2, 10, 30.0, 0.0, 0.25),
            (870390, 1, 10, 100.0, 0.1, 0.0),
            (854140, 1, 30, 5.0, 0.05, 0.05),
            (850780, 2, 30, 70.0, 0.0, 0.0),
            (870390, 2, 10, 40.0, 0.2, 0.2),
            (854140, 1, 10, 60.0, 0.05, 0.5),
            (870390, 1, 30, 0.0, 0.1, 0.0),
            (870390, 2, 20, 10.0, 0.2, 0.0),
        ];
        Data {
            product: rows.iter().map(|r| r.0).collect(),
            importer: rows.iter().map(|r| r.1).collect(),
            supplier: rows.iter().map(|r| r.2).collect(),
            value: rows.iter().map(|r| r.3).collect(),
            t0: rows.iter().map(|r| r.4).collect(),
            t1: rows.iter().map(|r| r.5).collect(),
        }
    }

    fn columns(d: &Data) -> FlowColumns<'_> {
        FlowColumns {
            product: &d.product,
            importer: &d.importer,
            supplier: &d.supplier,
            value: &d.value,
            tariff_before: &d.t0,
            tariff_after: &d.t1,
        }
    }

    fn baskets() -> Vec<Basket> {
        vec![
            Basket {
                name: "EVs".into(),
                products: vec![870390],
            },
            Basket {
                name: "batteries and solar".into(),
                products: vec![850780, 854140, 850780],
            },
        ]
    }

    fn params(_importer: u32, product: u32) -> Parameters {
        Parameters::new(-1.0, if product == 854140 { 31.69 } else { 8.14 })
    }

    #[test]
    fn every_market_matches_the_single_market_kernel() {
        let d = data();
        let sim = simulate_markets(&columns(&d), params, &baskets()).unwrap();
        assert_eq!(sim.markets.len(), 4);
        assert!(sim.skipped.is_empty());
        for m in &sim.markets {
            let rows: Vec<usize> = (0..d.product.len())
                .filter(|&r| d.importer[r] == m.importer && d.product[r] == m.product)
                .collect();
            let flows: Vec<SupplierFlow> = rows.iter().map(|&r| columns(&d).flow(r)).collect();
            let direct = smart(&flows, &params(m.importer, m.product)).unwrap();
            assert_eq!(m.effect, direct.market);
            assert_eq!(m.suppliers, rows.len());
            for (&r, e) in rows.iter().zip(&direct.suppliers) {
                assert_eq!(sim.rows[r].new_value, e.new_value);
                assert_eq!(sim.rows[r].trade_diversion, e.trade_diversion);
            }
            assert!(m.effect.trade_diversion.abs() < 1e-12 * m.effect.baseline);
        }
    }

    #[test]
    fn basket_totals_equal_the_sum_of_their_markets() {
        let d = data();
        let sim = simulate_markets(&columns(&d), params, &baskets()).unwrap();
        for (b, basket) in baskets().iter().enumerate() {
            let mut sum = MarketEffect::default();
            let mut count = 0;
            for m in sim
                .markets
                .iter()
                .filter(|m| basket.products.contains(&m.product))
            {
                sum.accumulate(&m.effect);
                count += 1;
            }
            assert_eq!(sim.baskets[b].markets, count);
            assert_eq!(sim.baskets[b].effect, sum);
            // Per basket and supplier sums to the basket.
            let new: f64 = sim
                .basket_suppliers
                .iter()
                .filter(|(i, _)| *i == b)
                .map(|(_, s)| s.effect.new_value)
                .sum();
            assert!((new - sum.new_value).abs() < 1e-9);
        }
        assert_eq!(sim.baskets[1].markets, 2); // a repeated code counts once
        let total_new: f64 = sim.suppliers.iter().map(|s| s.effect.new_value).sum();
        assert!((total_new - sim.total.new_value).abs() < 1e-9);
        let revenue: f64 = sim
            .suppliers
            .iter()
            .map(|s| s.effect.tariff_revenue_after)
            .sum();
        assert!((revenue - sim.total.tariff_revenue_after).abs() < 1e-9);
    }

    #[test]
    fn invalid_market_is_skipped_and_named() {
        let mut d = data();
        d.t1[6] = 3.0; // importer 1, product 854140, supplier 10: far beyond the linear range
        d.value[1] = f64::NAN; // importer 2, product 850780, supplier 10
        let sim = simulate_markets(&columns(&d), params, &baskets()).unwrap();
        assert_eq!(sim.markets.len(), 2);
        assert_eq!(sim.skipped.len(), 2);
        assert_eq!(
            (
                sim.skipped[0].importer,
                sim.skipped[0].product,
                sim.skipped[0].supplier
            ),
            (1, 854140, Some(10))
        );
        assert!(matches!(
            sim.skipped[0].error,
            PeError::NegativeImports { .. }
        ));
        assert_eq!(sim.skipped[1].supplier, Some(10));
        assert!(sim.rows[6].new_value.is_nan() && sim.rows[3].new_value.is_nan());
        assert_eq!(sim.baskets[1].markets, 0);
        assert_eq!(sim.baskets[1].effect, MarketEffect::default());
    }

    #[test]
    fn mismatched_columns_and_empty_input() {
        let d = data();
        let mut c = columns(&d);
        c.tariff_after = &d.t1[..3];
        assert!(matches!(
            simulate_markets(&c, params, &[]),
            Err(PeError::ColumnLength {
                column: "tariff_after",
                ..
            })
        ));
        let empty = FlowColumns {
            product: &[],
            importer: &[],
            supplier: &[],
            value: &[],
            tariff_before: &[],
            tariff_after: &[],
        };
        let sim = simulate_markets(&empty, params, &baskets()).unwrap();
        assert!(sim.markets.is_empty() && sim.rows.is_empty());
        assert_eq!(sim.total, MarketEffect::default());
    }
}
