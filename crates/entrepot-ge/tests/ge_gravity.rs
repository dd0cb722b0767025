//! The exact hat algebra against an independent, line-by-line port of the fixed point of
//! Zylkin's `ge_gravity` (the loop of the R port `GEGravity::ge_gravity`, VKudlay/GEGravity
//! `R/ge_gravity.R`): observed flows as the baseline, world output held fixed, deficits
//! additive (the default) or multiplicative (`mult = TRUE`).

use entrepot_ge::{solve_hat, Baseline, Deficits, Elasticity, Matrix, Numeraire, Options, Shock};
use proptest::prelude::*;

/// What `ge_gravity` returns per country: nominal wage `ŵ`, real wage `ŵ / P̂`, welfare,
/// and the new flows.
struct GeGravity {
    w_hat: Vec<f64>,
    real_wage: Vec<f64>,
    welfare: Vec<f64>,
    flows: Vec<f64>,
}

/// The loop of `ge_gravity` as published: `X` exporter × importer, `b` the partial
/// effects `e^β` (so `t̂ = b`), `theta` the trade elasticity.
fn ge_gravity(n: usize, x: &[f64], b: &[f64], theta: f64, mult: bool) -> GeGravity {
    let xm = |i: usize, j: usize| x[i * n + j];
    let y: Vec<f64> = (0..n).map(|i| (0..n).map(|j| xm(i, j)).sum()).collect();
    let mut e: Vec<f64> = (0..n).map(|j| (0..n).map(|i| xm(i, j)).sum()).collect();
    let d: Vec<f64> = (0..n).map(|j| e[j] - y[j]).collect();
    let pi = |i: usize, j: usize| xm(i, j) / (y[j] + d[j]);
    let mut w_hat = vec![1.0; n];
    let mut p_hat = vec![1.0; n];
    let mut x_new = x.to_vec();
    for _ in 0..1_000_000 {
        let last = x_new.clone();
        // Step 1: w_hat = ((Pi * B) %*% (E / P_hat) / Y)^(1/(1+theta)).
        for i in 0..n {
            let s: f64 = (0..n)
                .map(|j| pi(i, j) * b[i * n + j] * e[j] / p_hat[j])
                .sum();
            w_hat[i] = (s / y[i]).powf(1.0 / (1.0 + theta));
        }
        // Step 2: keep world output fixed.
        let scale = y.iter().sum::<f64>() / (0..n).map(|i| y[i] * w_hat[i]).sum::<f64>();
        w_hat.iter_mut().for_each(|w| *w *= scale);
        // Step 3: P_hat_j = Σ_i π_ij B_ij w_hat_i^{−θ}.
        for j in 0..n {
            p_hat[j] = (0..n)
                .map(|i| pi(i, j) * b[i * n + j] * w_hat[i].powf(-theta))
                .sum();
        }
        // Step 4: expenditure.
        for j in 0..n {
            e[j] = if mult {
                (y[j] + d[j]) * w_hat[j]
            } else {
                y[j] * w_hat[j] + d[j]
            };
        }
        for i in 0..n {
            for j in 0..n {
                x_new[i * n + j] =
                    pi(i, j) * b[i * n + j] * w_hat[i].powf(-theta) / p_hat[j] * e[j];
            }
        }
        let crit = x_new
            .iter()
            .zip(&last)
            .filter(|(a, b)| **a > 0.0 && **b > 0.0)
            .map(|(a, b)| (a.ln() - b.ln()).abs())
            .fold(0.0, f64::max);
        if crit <= 1e-13 {
            break;
        }
    }
    let price: Vec<f64> = p_hat.iter().map(|p| p.powf(-1.0 / theta)).collect();
    let real_wage: Vec<f64> = (0..n).map(|i| w_hat[i] / price[i]).collect();
    let welfare = if mult {
        real_wage.clone()
    } else {
        (0..n)
            .map(|i| (y[i] * w_hat[i] + d[i]) / (y[i] + d[i]) / price[i])
            .collect()
    };
    GeGravity {
        w_hat,
        real_wage,
        welfare,
        flows: x_new,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn exact_hat_algebra_matches_ge_gravity(
        (n, flows, shock, theta) in (2usize..7).prop_flat_map(|n| (
            Just(n),
            prop::collection::vec(1.0f64..1000.0, n * n),
            prop::collection::vec(prop_oneof![Just(1.0), 0.5f64..2.0], n * n),
            1.0f64..10.0,
        ))
    ) {
        let mut b = shock.clone();
        for i in 0..n {
            b[i * n + i] = 1.0; // ge_gravity sets the diagonal partial effects to zero
        }
        let names: Vec<String> = (0..n).map(|k| format!("C{k}")).collect();
        let x = Matrix::new(n, flows.clone()).expect("flows");
        let baseline = Baseline::calibrated(names, &x).expect("baseline");
        let changes = Shock::Changes(Matrix::new(n, b.clone()).expect("changes"));
        for mult in [false, true] {
            let theirs = ge_gravity(n, &flows, &b, theta, mult);
            let opts = Options {
                numeraire: Numeraire::WorldOutput,
                deficits: if mult { Deficits::Multiplicative } else { Deficits::Additive },
                tolerance: 1e-12,
                ..Options::new(Elasticity::Theta(theta), "C0")
            };
            let ours = solve_hat(&baseline, &changes, &opts).expect("hat algebra");
            let rows = ours.country_results();
            for (i, row) in rows.iter().enumerate() {
                prop_assert!(close(row.producer_price.full, theirs.w_hat[i], 1e-9),
                    "w_hat {} vs {}", row.producer_price.full, theirs.w_hat[i]);
                prop_assert!(close(row.real_gdp.full_ratio, theirs.real_wage[i], 1e-9),
                    "real wage {} vs {}", row.real_gdp.full_ratio, theirs.real_wage[i]);
                if !mult {
                    prop_assert!(close(row.welfare.full_ratio, theirs.welfare[i], 1e-9),
                        "welfare {} vs {}", row.welfare.full_ratio, theirs.welfare[i]);
                }
            }
            if !mult {
                // With additive deficits the flows are the same; with multiplicative ones
                // ge_gravity reports flows without the world scalar κ that makes them add
                // up (see `Deficits::Multiplicative`).
                for (p, q) in ours.full.flows.as_slice().iter().zip(&theirs.flows) {
                    prop_assert!(close(*p, *q, 1e-8), "flow {} vs {}", p, q);
                }
            }
        }
    }
}
