//! Property tests of estimator invariants on small random data.

use entrepot_gravity::{fit, Dataset, Estimator, FitOptions, ModelSpec, VcovKind};
use proptest::prelude::*;

/// Random panel: two FE dimensions (every level present), two regressors, a positive
/// outcome and a non-negative count-like outcome with zeros.
#[derive(Debug, Clone)]
struct Panel {
    f1: Vec<f64>,
    f2: Vec<f64>,
    x1: Vec<f64>,
    x2: Vec<f64>,
    u: Vec<f64>,
    zero: Vec<bool>,
}

fn panel() -> impl Strategy<Value = Panel> {
    (2usize..5, 2usize..4, 25usize..60).prop_flat_map(|(l1, l2, n)| {
        (
            Just(l1),
            Just(l2),
            prop::collection::vec(-1.0f64..1.0, n),
            prop::collection::vec(-1.0f64..1.0, n),
            prop::collection::vec(0.2f64..2.0, n),
            prop::collection::vec(prop::bool::weighted(0.2), n),
        )
            .prop_map(move |(l1, l2, x1, x2, u, zero)| {
                let n = x1.len();
                Panel {
                    // cycle through levels so that every level has several observations
                    f1: (0..n).map(|i| (i % l1) as f64).collect(),
                    f2: (0..n).map(|i| ((i / l1) % l2) as f64).collect(),
                    x1,
                    x2,
                    u,
                    zero,
                }
            })
    })
}

fn to_dataset(p: &Panel, with_zeros: bool) -> Dataset {
    let n = p.x1.len();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let m = (0.3 + 0.8 * p.x1[i] - 0.5 * p.x2[i] + 0.2 * p.f1[i] - 0.3 * p.f2[i]).exp();
            if with_zeros && p.zero[i] {
                0.0
            } else {
                m * p.u[i]
            }
        })
        .collect();
    let mut d = Dataset::new();
    d.add_numeric("y", y).unwrap();
    d.add_numeric("x1", p.x1.clone()).unwrap();
    d.add_numeric("x2", p.x2.clone()).unwrap();
    d.add_numeric("f1", p.f1.clone()).unwrap();
    d.add_numeric("f2", p.f2.clone()).unwrap();
    // explicit dummies (first level of each dimension omitted)
    for l in 1..5 {
        let v: Vec<f64> = p.f1.iter().map(|&f| f64::from(f == l as f64)).collect();
        d.add_numeric(&format!("d1_{l}"), v).unwrap();
    }
    for l in 1..4 {
        let v: Vec<f64> = p.f2.iter().map(|&f| f64::from(f == l as f64)).collect();
        d.add_numeric(&format!("d2_{l}"), v).unwrap();
    }
    d
}

fn dummy_terms(p: &Panel) -> String {
    let l1 = p.f1.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1;
    let l2 = p.f2.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1;
    let mut t: Vec<String> = (1..l1).map(|l| format!("d1_{l}")).collect();
    t.extend((1..l2).map(|l| format!("d2_{l}")));
    t.join(" + ")
}

fn tight(estimator: Estimator) -> FitOptions {
    FitOptions {
        estimator,
        tol: 1e-12,
        demean_tol: 1e-13,
        vcov: Some(VcovKind::Hetero),
        drop_singletons: false,
        ..FitOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// OLS with absorbed fixed effects equals OLS with explicit dummies (coefficients and
    /// heteroskedasticity-robust variance without small-sample factors that depend on how
    /// fixed effects are counted).
    #[test]
    fn ols_fe_equals_dummies(p in panel()) {
        let d = to_dataset(&p, false);
        let fe = fit(&d, &ModelSpec::parse("log(y) ~ x1 + x2 | f1 + f2").unwrap(), &FitOptions {
            small_sample: entrepot_gravity::SmallSample::none(),
            ..tight(Estimator::Ols)
        }).unwrap();
        let f = format!("log(y) ~ x1 + x2 + {}", dummy_terms(&p));
        let du = fit(&d, &ModelSpec::parse(&f).unwrap(), &FitOptions {
            small_sample: entrepot_gravity::SmallSample::none(),
            ..tight(Estimator::Ols)
        }).unwrap();
        for name in ["x1", "x2"] {
            let a = fe.coefficient(name).unwrap();
            let b = du.coefficient(name).unwrap();
            prop_assert!((a - b).abs() < 1e-8 * (1.0 + b.abs()), "{name}: {a} vs {b}");
            let sa = fe.std_error(name).unwrap();
            let sb = du.std_error(name).unwrap();
            prop_assert!((sa - sb).abs() < 1e-7 * (1.0 + sb), "se {name}: {sa} vs {sb}");
        }
        // fitted values agree too
        for (a, b) in fe.fitted.iter().zip(&du.fitted) {
            prop_assert!((a - b).abs() < 1e-7 * (1.0 + b.abs()));
        }
    }

    /// PPML with absorbed fixed effects equals PPML with explicit dummies.
    #[test]
    fn ppml_fe_equals_dummies(p in panel()) {
        let d = to_dataset(&p, false);
        let fe = fit(&d, &ModelSpec::parse("y ~ x1 + x2 | f1 + f2").unwrap(), &tight(Estimator::Ppml)).unwrap();
        let f = format!("y ~ x1 + x2 + {}", dummy_terms(&p));
        let du = fit(&d, &ModelSpec::parse(&f).unwrap(), &tight(Estimator::Ppml)).unwrap();
        for name in ["x1", "x2"] {
            let a = fe.coefficient(name).unwrap();
            let b = du.coefficient(name).unwrap();
            prop_assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "{name}: {a} vs {b}");
        }
    }

    /// First-order conditions of PPML with fixed effects: within every level of every FE
    /// dimension the fitted values sum to the observed values, and Σ x (y − μ) = 0; the
    /// recovered fixed effects reproduce μ.
    #[test]
    fn ppml_first_order_conditions(p in panel()) {
        let d = to_dataset(&p, true);
        let e = match fit(&d, &ModelSpec::parse("y ~ x1 + x2 | f1 + f2").unwrap(), &tight(Estimator::Ppml)) {
            Ok(e) => e,
            Err(err) => {
                // Only acceptable failure: everything separated / collinear on tiny samples.
                let msg = err.to_string();
                prop_assume!(!(msg.contains("collinear") || msg.contains("no observations")));
                return Err(TestCaseError::fail(msg));
            }
        };
        let col = |name: &str| -> Vec<f64> {
            match d.column(name).unwrap() {
                entrepot_gravity::Column::Numeric(v) => v.clone(),
                _ => unreachable!(),
            }
        };
        let (y, x1, x2, f1, f2) = (col("y"), col("x1"), col("x2"), col("f1"), col("f2"));
        let scale: f64 = e.rows.iter().map(|&r| y[r]).sum::<f64>();
        for f in [&f1, &f2] {
            for level in 0..5 {
                let (mut sy, mut smu) = (0.0, 0.0);
                for (k, &r) in e.rows.iter().enumerate() {
                    if f[r] == level as f64 {
                        sy += y[r];
                        smu += e.fitted[k];
                    }
                }
                prop_assert!((sy - smu).abs() < 1e-6 * scale, "level {level}: {sy} vs {smu}");
            }
        }
        for (name, x) in [("x1", &x1), ("x2", &x2)] {
            if e.coefficient(name).is_none() { continue; }
            let s: f64 = e.rows.iter().enumerate().map(|(k, &r)| x[r] * (y[r] - e.fitted[k])).sum();
            prop_assert!(s.abs() < 1e-6 * scale, "score {name}: {s}");
        }
        // μ = exp(xβ + fe1 + fe2)
        let fe1 = &e.fixed_effects[0];
        let fe2 = &e.fixed_effects[1];
        for (k, &r) in e.rows.iter().enumerate() {
            let lookup = |fv: &entrepot_gravity::FixedEffectValues, v: f64| {
                let label = format!("{v}");
                fv.levels.iter().position(|l| *l == label).map(|i| fv.values[i]).unwrap()
            };
            let mut eta = lookup(fe1, f1[r]) + lookup(fe2, f2[r]);
            for (name, x) in [("x1", &x1), ("x2", &x2)] {
                if let Some(b) = e.coefficient(name) { eta += b * x[r]; }
            }
            prop_assert!((eta.exp() - e.fitted[k]).abs() < 1e-6 * (1.0 + e.fitted[k]));
        }
    }

    /// The demeaning kernel: the residual is orthogonal to every FE dimension (weighted
    /// group sums are zero) and idempotent.
    #[test]
    fn demeaning_is_a_projection(p in panel()) {
        let n = p.x1.len();
        let fe = entrepot_gravity::FeCodes {
            ids: vec![p.f1.iter().map(|&v| v as u32).collect(), p.f2.iter().map(|&v| v as u32).collect()],
            n_levels: vec![p.f1.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1,
                           p.f2.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1],
        };
        let w = p.u.clone();
        let dm = entrepot_gravity::Demeaner::new(&fe, Some(&w));
        let opts = entrepot_gravity::DemeanOptions { tol: 1e-13, max_iter: 100_000 };
        let mut x = p.x1.clone();
        let mut a = Vec::new();
        dm.demean_in_place(&mut x, &mut a, &opts).unwrap();
        for g in 0..2 {
            let mut sums = vec![0.0; fe.n_levels[g]];
            for i in 0..n { sums[fe.ids[g][i] as usize] += w[i] * x[i]; }
            for s in sums { prop_assert!(s.abs() < 1e-9, "group sum {s}"); }
        }
        let mut x2 = x.clone();
        let mut a2 = Vec::new();
        dm.demean_in_place(&mut x2, &mut a2, &opts).unwrap();
        for (u, v) in x.iter().zip(&x2) { prop_assert!((u - v).abs() < 1e-9); }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// An offset `b1·x1` with `b1` the estimated coefficient leaves the other estimates
    /// unchanged (the first-order conditions are the same), and uniform weights change
    /// nothing.
    #[test]
    fn offset_and_uniform_weights(p in panel()) {
        let mut d = to_dataset(&p, false);
        let full = fit(&d, &ModelSpec::parse("y ~ x1 + x2 | f1 + f2").unwrap(), &tight(Estimator::Ppml)).unwrap();
        let b1 = full.coefficient("x1").unwrap();
        d.add_numeric("off", p.x1.iter().map(|v| b1 * v).collect()).unwrap();
        d.add_numeric("w2", vec![2.5; p.x1.len()]).unwrap();
        let spec = ModelSpec::parse("y ~ x2 | f1 + f2").unwrap().with_offset("off").unwrap();
        let off = fit(&d, &spec, &tight(Estimator::Ppml)).unwrap();
        let (a, b) = (off.coefficient("x2").unwrap(), full.coefficient("x2").unwrap());
        prop_assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "offset: {a} vs {b}");
        let spec = ModelSpec::parse("y ~ x1 + x2 | f1 + f2").unwrap().with_weights("w2").unwrap();
        let wtd = fit(&d, &spec, &tight(Estimator::Ppml)).unwrap();
        for name in ["x1", "x2"] {
            let (a, b) = (wtd.coefficient(name).unwrap(), full.coefficient(name).unwrap());
            prop_assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "weights {name}: {a} vs {b}");
        }
    }
}
