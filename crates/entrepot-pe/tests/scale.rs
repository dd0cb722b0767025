//! Scale check (ignored by default): a BACI-sized synthetic year, 11 million rows
//! (200 importers × 5,000 products × 11 suppliers), timed. Run with
//! `cargo test -p entrepot-pe --test scale -- --ignored --nocapture`.

use entrepot_pe::{simulate_markets, Basket, FlowColumns, Parameters};

#[test]
#[ignore]
fn eleven_million_rows() {
    let (importers, products, suppliers) = (200u32, 5_000u32, 11u32);
    let n = (importers * products * suppliers) as usize;
    let (mut product, mut importer, mut supplier) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut value, mut t0, mut t1) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    // Rows in supplier-major order, so that markets are not contiguous in the input.
    for s in 0..suppliers {
        for i in 0..importers {
            for p in 0..products {
                product.push(100_000 + p);
                importer.push(i);
                supplier.push(s);
                value.push(1.0 + ((p * 7 + i * 13 + s * 31) % 1000) as f64);
                t0.push(0.05);
                t1.push(if s == 0 { 0.25 } else { 0.05 });
            }
        }
    }
    let cols = FlowColumns {
        product: &product,
        importer: &importer,
        supplier: &supplier,
        value: &value,
        tariff_before: &t0,
        tariff_after: &t1,
    };
    let baskets = vec![Basket {
        name: "first hundred".into(),
        products: (100_000..100_100).collect(),
    }];
    let start = std::time::Instant::now();
    let sim = simulate_markets(
        &cols,
        |_, p| Parameters::new(-1.0, 1.0 + (p % 30) as f64),
        &baskets,
    )
    .expect("runs");
    let elapsed = start.elapsed();
    println!(
        "{n} rows, {} markets, {} skipped: {elapsed:.2?} on {} threads",
        sim.markets.len(),
        sim.skipped.len(),
        rayon::current_num_threads()
    );
    assert_eq!(sim.markets.len(), (importers * products) as usize);
    assert!(sim.total.trade_diversion.abs() < 1e-6 * sim.total.baseline);
    assert!(sim.suppliers[0].effect.total_change < 0.0);
}
