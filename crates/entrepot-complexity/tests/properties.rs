//! Properties of the kernel on random export matrices: presence shapes, the ECI's
//! standardisation and sign convention, the ECI as the mean PCI of a country's
//! products, COG zero where present; sizes on both sides of countries = products, so
//! both eigen-spaces (countries, products) are exercised.

use entrepot_complexity::{
    complexity, complexity_of_presence, mean_sd, ComplexityError, ExportMatrix, Options,
};
use proptest::prelude::*;

/// A random matrix with some zeros (sizes 3..12 × 3..12).
fn matrix() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
    (3usize..12, 3usize..12).prop_flat_map(|(c, p)| {
        let cell = prop_oneof![1 => Just(0.0), 3 => 0.01f64..100.0];
        (Just(c), Just(p), proptest::collection::vec(cell, c * p))
    })
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let (ma, sa) = mean_sd(a);
    let (mb, sb) = mean_sd(b);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / a.len() as f64
        / (sa * sb)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn results_keep_their_promises((c, p, values) in matrix()) {
        let x = ExportMatrix::dense(c, p, values).unwrap();
        match complexity(&x, &Options::default()) {
            Ok(r) => {
                let (nc, np) = (r.n_countries(), r.n_products());
                prop_assert_eq!(r.presence.len(), nc * np);
                prop_assert_eq!(r.density.len(), nc * np);
                prop_assert_eq!(r.proximity().len(), np * np);
                // Threshold 1: every kept country and product has a presence.
                prop_assert!(r.diversity.iter().all(|&d| d >= 1));
                prop_assert!(r.ubiquity.iter().all(|&u| u >= 1));
                let (mean, sd) = mean_sd(&r.eci);
                prop_assert!(mean.abs() < 1e-9 && (sd - 1.0).abs() < 1e-9);
                let div: Vec<f64> = r.diversity.iter().map(|&d| f64::from(d)).collect();
                prop_assert!(correlation(&div, &r.eci) > 0.0, "{:?} {:?} {:?}", r.diversity, r.eci, r.presence);
                for ci in 0..nc {
                    let present: Vec<f64> = (0..np).filter(|&pi| r.presence[r.cell(ci, pi)] == 1).map(|pi| r.pci[pi]).collect();
                    let avg = present.iter().sum::<f64>() / present.len() as f64;
                    prop_assert!((avg - r.eci[ci]).abs() < 1e-8 * (1.0 + avg.abs()));
                    for pi in 0..np {
                        let i = r.cell(ci, pi);
                        prop_assert!(r.presence[i] == 0 || r.cog[i] == 0.0);
                        prop_assert!((0.0..=1.0 + 1e-12).contains(&r.density[i]));
                    }
                }
                // The presence route (ecomplexity's "manual") gives the same ECI.
                let t = complexity_of_presence(nc, np, r.presence.clone(), false).unwrap();
                for (a, b) in t.eci.iter().zip(&r.eci) {
                    prop_assert!((a - b).abs() < 1e-9);
                }
            }
            Err(ComplexityError::Disconnected { .. } | ComplexityError::TooSmall { .. } | ComplexityError::Degenerate(_)) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}
