//! Properties over generated markets: diversion sums to zero; an unchanged scenario
//! returns the baseline exactly; a uniform price change diverts nothing; total creation is
//! `ε_m · M ·` the price index change; no supplier goes below zero; a cut on one supplier
//! raises its imports and lowers every other's; and the many-market aggregation agrees
//! with the single-market kernel, with basket totals equal to the sum of their markets.

use entrepot_pe::{
    simulate_markets, smart, Basket, FlowColumns, MarketEffect, Parameters, SupplierFlow,
};
use proptest::prelude::*;

fn market() -> impl Strategy<Value = Vec<SupplierFlow>> {
    prop::collection::vec(
        (
            prop_oneof![Just(0.0), 0.01f64..1e6],
            0.0f64..0.5,
            prop_oneof![Just(None), (0.0f64..0.5).prop_map(Some)],
        )
            .prop_map(|(value, t0, t1)| SupplierFlow {
                value,
                tariff_before: t0,
                tariff_after: t1.unwrap_or(t0),
            }),
        1..12,
    )
}

fn params() -> impl Strategy<Value = Parameters> {
    (-1.5f64..0.0, 0.1f64..35.0).prop_map(|(e, s)| Parameters::new(e, s))
}

proptest! {
    #[test]
    fn diversion_sums_to_zero_and_no_supplier_goes_negative(m in market(), p in params()) {
        let r = smart(&m, &p).unwrap();
        let total = r.market.baseline.max(1.0);
        let sum: f64 = r.suppliers.iter().map(|e| e.trade_diversion).sum();
        prop_assert!(sum.abs() <= 1e-9 * total, "sum {sum}");
        for (e, s) in r.suppliers.iter().zip(&m) {
            prop_assert!(e.new_value >= -1e-9 * total);
            prop_assert_eq!(e.new_value, s.value + e.trade_creation + e.trade_diversion);
            if s.value == 0.0 {
                prop_assert_eq!(e.new_value, 0.0);
            }
        }
        let tc = p.import_demand_elasticity * r.market.baseline * r.market.price_index_change;
        prop_assert!((r.market.trade_creation - tc).abs() <= 1e-9 * total);
    }

    #[test]
    fn unchanged_tariffs_return_the_baseline_exactly(m in market(), p in params()) {
        let same: Vec<SupplierFlow> = m
            .iter()
            .map(|s| SupplierFlow { tariff_after: s.tariff_before, ..*s })
            .collect();
        let r = smart(&same, &p).unwrap();
        for (e, s) in r.suppliers.iter().zip(&same) {
            prop_assert_eq!(e.new_value, s.value);
            prop_assert_eq!(e.trade_diversion, 0.0);
        }
        prop_assert_eq!(r.market.welfare_change, 0.0);
    }

    #[test]
    fn uniform_price_change_diverts_nothing(
        m in market(), p in params(), factor in 0.7f64..1.4
    ) {
        // Every tariff-inclusive price moves by the same factor.
        let uniform: Vec<SupplierFlow> = m
            .iter()
            .map(|s| SupplierFlow {
                tariff_after: (1.0 + s.tariff_before) * factor - 1.0,
                ..*s
            })
            .collect();
        let r = smart(&uniform, &p).unwrap();
        let total = r.market.baseline.max(1.0);
        for e in &r.suppliers {
            prop_assert!(e.trade_diversion.abs() <= 1e-9 * total, "{e:?}");
        }
    }

    #[test]
    fn a_cut_on_one_supplier_raises_it_and_lowers_the_others(
        m in market(), p in params(), cut in 0.01f64..0.3, which in 0usize..12
    ) {
        let mut m: Vec<SupplierFlow> = m
            .into_iter()
            .map(|s| SupplierFlow { value: s.value.max(1.0), tariff_after: s.tariff_before, ..s })
            .collect();
        let i = which % m.len();
        m[i].tariff_before += cut;
        let r = smart(&m, &p).unwrap();
        prop_assert!(r.suppliers[i].new_value > m[i].value);
        for (j, (e, s)) in r.suppliers.iter().zip(&m).enumerate() {
            if j != i {
                prop_assert!(e.new_value < s.value);
            }
        }
    }

    #[test]
    fn aggregation_agrees_with_the_kernel_and_baskets_add_up(
        markets in prop::collection::vec((0u32..3, 0u32..4, market()), 1..8),
        p in params(),
    ) {
        // Flatten (importer, product, suppliers) into rows; markets with the same
        // (importer, product) merge, so compare against the merged market.
        let (mut product, mut importer, mut supplier) = (vec![], vec![], vec![]);
        let (mut value, mut t0, mut t1) = (vec![], vec![], vec![]);
        for (imp, prod, m) in &markets {
            for (k, s) in m.iter().enumerate() {
                product.push(*prod);
                importer.push(*imp);
                supplier.push(k as u32);
                value.push(s.value);
                t0.push(s.tariff_before);
                t1.push(s.tariff_after);
            }
        }
        let cols = FlowColumns {
            product: &product, importer: &importer, supplier: &supplier,
            value: &value, tariff_before: &t0, tariff_after: &t1,
        };
        let baskets = vec![
            Basket { name: "a".into(), products: vec![0, 1] },
            Basket { name: "b".into(), products: vec![1, 2, 3] },
        ];
        let sim = simulate_markets(&cols, |_, _| p, &baskets).unwrap();
        prop_assert!(sim.skipped.is_empty());
        for mk in &sim.markets {
            let flows: Vec<SupplierFlow> = (0..product.len())
                .filter(|&r| importer[r] == mk.importer && product[r] == mk.product)
                .map(|r| SupplierFlow { value: value[r], tariff_before: t0[r], tariff_after: t1[r] })
                .collect();
            let direct = smart(&flows, &p).unwrap();
            prop_assert_eq!(mk.effect, direct.market);
            prop_assert!(mk.effect.trade_diversion.abs() <= 1e-9 * mk.effect.baseline.max(1.0));
        }
        for (b, basket) in baskets.iter().enumerate() {
            let mut sum = MarketEffect::default();
            for mk in sim.markets.iter().filter(|m| basket.products.contains(&m.product)) {
                sum.accumulate(&mk.effect);
            }
            prop_assert_eq!(sim.baskets[b].effect, sum);
        }
        let new: f64 = sim.rows.iter().map(|r| r.new_value).sum();
        prop_assert!((new - sim.total.new_value).abs() <= 1e-9 * sim.total.baseline.max(1.0));
    }
}
