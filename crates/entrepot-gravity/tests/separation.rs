//! Separation test set: small constructed data sets where the Poisson MLE does not exist,
//! modelled on ppmlhdfe's `guides/separation_primer.md`. Every separated observation must
//! be found (and nothing else dropped), and the estimates on the remaining sample must
//! exist.

use entrepot_gravity::{fit, Dataset, DropCounts, Estimate, FitOptions, ModelSpec};

fn dataset(cols: &[(&str, &[f64])]) -> Dataset {
    let mut d = Dataset::new();
    for (name, v) in cols {
        d.add_numeric(name, v.to_vec()).unwrap();
    }
    d
}

fn ppml(d: &Dataset, formula: &str) -> Estimate {
    let spec = ModelSpec::parse(formula).unwrap();
    fit(d, &spec, &FitOptions::default()).unwrap()
}

fn dropped_rows(e: &Estimate, n: usize) -> Vec<usize> {
    (0..n).filter(|r| !e.rows.contains(r)).collect()
}

#[test]
fn primer_single_regressor() {
    // x is positive only where y = 0: observations 0 and 1 are separated.
    let d = dataset(&[
        ("y", &[0., 0., 0., 1., 2., 3.]),
        ("x", &[1., 1., 0., 0., 0., 0.]),
    ]);
    let e = ppml(&d, "y ~ x");
    assert_eq!(dropped_rows(&e, 6), vec![0, 1]);
    assert_eq!(e.dropped.separated_ir, 2);
    // x is then constant (zero): dropped as collinear; the intercept is log(1.5).
    assert_eq!(e.collinear, vec!["x".to_string()]);
    let b0 = e.coefficient("(Intercept)").unwrap();
    assert!((b0 - 1.5f64.ln()).abs() < 1e-8, "{b0}");
}

#[test]
fn primer_linear_combination() {
    // z = 2*x1 + x2 is zero where y > 0 and >= 0 elsewhere: observation 0 is separated.
    let d = dataset(&[
        ("y", &[0., 0., 0., 1., 2., 3.]),
        ("x1", &[2., -1., 0., 0., 5., 6.]),
        ("x2", &[-1., 2., 0., 0., -10., -12.]),
    ]);
    let e = ppml(&d, "y ~ x1 + x2");
    assert_eq!(dropped_rows(&e, 6), vec![0]);
    assert_eq!(e.dropped.separated_ir, 1);
    // After dropping, x1 and x2 are collinear: one of them goes.
    assert_eq!(e.collinear.len(), 1);
    assert!(e.converged);
}

#[test]
fn primer_fixed_effect_all_zero() {
    let d = dataset(&[
        ("y", &[0., 0., 0., 1., 2., 3.]),
        ("id", &[1., 1., 2., 2., 3., 3.]),
        ("x", &[0.3, -0.2, 0.5, 0.1, -0.4, 0.9]),
    ]);
    let e = ppml(&d, "y ~ x | id");
    assert_eq!(dropped_rows(&e, 6), vec![0, 1]);
    assert_eq!(e.dropped.separated_fe, 2);
}

#[test]
fn primer_two_fixed_effects_ir() {
    // Not found by the FE check: only a combination of id1 and id2 dummies separates
    // observation 2.
    let d = dataset(&[
        ("y", &[0., 1., 0., 0., 1.]),
        ("id1", &[1., 1., 2., 2., 2.]),
        ("id2", &[1., 1., 1., 2., 2.]),
        ("x", &[0.5, 0.1, -0.3, 0.7, 0.2]),
    ]);
    let spec = ModelSpec::parse("y ~ x | id1 + id2").unwrap();
    let opts = FitOptions {
        drop_singletons: false,
        ..FitOptions::default()
    };
    let sample_only = fit(&d, &spec, &opts);
    // Observation 2 is separated; once it is gone, the rest may be singletons or collinear,
    // but the separated observation must be identified.
    match sample_only {
        Ok(e) => {
            assert!(!e.rows.contains(&2), "rows used: {:?}", e.rows);
            assert!(e.dropped.separated_ir >= 1);
        }
        Err(err) => {
            // x may become collinear with the FEs on what is left; that is acceptable only
            // after the separated observation was removed.
            let msg = err.to_string();
            assert!(msg.contains("collinear"), "{msg}");
        }
    }
    // Direct check of the rectifier on the FE-only problem.
    let fe = entrepot_gravity::FeCodes {
        ids: vec![vec![0, 0, 1, 1, 1], vec![0, 0, 0, 1, 1]],
        n_levels: vec![2, 2],
    };
    let sep = entrepot_gravity::ir_separation(
        &[0., 1., 0., 0., 1.],
        &[],
        &fe,
        &Default::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(sep, vec![false, false, true, false, false]);
}

#[test]
fn primer_not_separated_with_tiny_positive_values() {
    // Adding three tiny positive observations removes the separation: nothing is dropped.
    let y = [0., 1., 0., 0., 1., 1e-6, 1e-6, 1e-6];
    let fe = entrepot_gravity::FeCodes {
        ids: vec![vec![0, 0, 1, 1, 1, 1, 1, 1], vec![0, 0, 0, 1, 1, 0, 0, 0]],
        n_levels: vec![2, 2],
    };
    let sep =
        entrepot_gravity::ir_separation(&y, &[], &fe, &Default::default(), &Default::default())
            .unwrap();
    assert!(sep.iter().all(|s| !s), "{sep:?}");
}

#[test]
fn regressor_and_fixed_effects_combined() {
    // Within group 1, observation 0 has y = 0 and x = 1 while x = 0 elsewhere in the
    // sample where y > 0... and group 3 is all zero (FE separation). Also a regressor w
    // that is negative only where y = 0 (z = -w).
    let y = [0., 1., 2., 0., 3., 1., 0., 0., 4., 2., 0., 5.];
    let id = [1., 1., 1., 2., 2., 2., 3., 3., 4., 4., 4., 4.];
    let x = [1., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.];
    let w = [0., 0., 0., 0., 0., 0., 0., 0., 0., 0., -2., 0.];
    let v = [
        0.1, 0.5, -0.3, 0.2, 0.8, -0.1, 0.4, 0.3, -0.6, 0.9, 0.2, 0.05,
    ];
    let d = dataset(&[("y", &y), ("id", &id), ("x", &x), ("w", &w), ("v", &v)]);
    let e = ppml(&d, "y ~ x + w + v | id");
    assert_eq!(dropped_rows(&e, 12), vec![0, 6, 7, 10]);
    assert_eq!(
        e.dropped,
        DropCounts {
            total_rows: 12,
            separated_fe: 2,
            separated_ir: 2,
            ..DropCounts::default()
        }
    );
    assert_eq!(e.collinear, vec!["x".to_string(), "w".to_string()]);
    // The estimate equals the one on the data without the separated observations.
    let keep: Vec<usize> = (0..12).filter(|i| ![0, 6, 7, 10].contains(i)).collect();
    let sub = |a: &[f64]| keep.iter().map(|&i| a[i]).collect::<Vec<f64>>();
    let d2 = dataset(&[("y", &sub(&y)), ("id", &sub(&id)), ("v", &sub(&v))]);
    let e2 = ppml(&d2, "y ~ v | id");
    assert!((e.coefficient("v").unwrap() - e2.coefficient("v").unwrap()).abs() < 1e-9);
}

#[test]
fn errors_on_bad_input() {
    let d = dataset(&[("y", &[1., -1., 2.]), ("x", &[0., 1., 2.])]);
    let spec = ModelSpec::parse("y ~ x").unwrap();
    let err = fit(&d, &spec, &FitOptions::default()).unwrap_err();
    assert!(err.to_string().contains("negative"), "{err}");

    let d = dataset(&[("y", &[0., 0., 0.]), ("x", &[0., 1., 2.])]);
    assert!(fit(&d, &spec, &FitOptions::default()).is_err());

    let d = dataset(&[("y", &[1., 2., 3.]), ("x", &[0., 1., 2.])]);
    let spec = ModelSpec::parse("y ~ x")
        .unwrap()
        .with_filter("x > 10")
        .unwrap();
    let err = fit(&d, &spec, &FitOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no observations"), "{err}");

    let spec = ModelSpec::parse("y ~ nope").unwrap();
    assert!(fit(&d, &spec, &FitOptions::default()).is_err());

    // Non-convergence is an error, not a silent answer.
    let d = dataset(&[
        ("y", &[1., 5., 2., 8., 3., 9., 4., 1.]),
        ("x", &[0.1, 1.2, 0.3, 1.9, 0.7, 2.1, 0.8, 0.2]),
    ]);
    let spec = ModelSpec::parse("y ~ x").unwrap();
    let opts = FitOptions {
        max_iter: 2,
        ..FitOptions::default()
    };
    let err = fit(&d, &spec, &opts).unwrap_err();
    assert!(err.to_string().contains("did not converge"), "{err}");
}
