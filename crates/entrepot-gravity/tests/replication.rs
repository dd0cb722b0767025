//! Options for replicating published tables: reghdfe's degrees of freedom, the constant
//! recovered beside fixed effects (reghdfe/ppmlhdfe `_cons`), `corr(y, ŷ)²`, and
//! suggestions for an unknown column.

use entrepot_gravity::{
    fit, Dataset, Estimator, FitOptions, GravityError, ModelSpec, SmallSample, VcovKind,
};

const Y: [f64; 12] = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0, 4.0, 9.0, 6.0, 2.0, 8.0, 3.0];
const X: [f64; 12] = [0.1, 0.5, 0.9, 0.3, 1.2, 0.2, 0.7, 1.5, 1.1, 0.4, 1.3, 0.6];

const YEARS_4: &str = "year in 1986,1990,1994,1998,2002,2006";

/// Asserts `|got - want| <= 0.5 * 10^-decimals` (equal when printed to `decimals`).
fn assert_printed(what: &str, got: f64, want: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.10}, published {want} (to {decimals} decimals)"
    );
}

fn small() -> Dataset {
    let mut d = Dataset::new();
    let g = ["a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d", "d"];
    d.add_numeric("y", Y.to_vec()).unwrap();
    d.add_numeric("x", X.to_vec()).unwrap();
    d.add_categorical("g", &g).unwrap();
    d.add_categorical("one", &["k"; 12]).unwrap();
    d
}

#[test]
fn the_constant_beside_one_level_fixed_effect_equals_the_intercept_regressor() {
    // With a fixed effect of one level the model is the model with an intercept: the
    // recovered constant and its delta-method standard error must equal the (Intercept)
    // coefficient and its standard error, for every variance kind.
    let d = small();
    for est in [Estimator::Ppml, Estimator::Ols] {
        for vcov in [VcovKind::Iid, VcovKind::Hetero, VcovKind::Cluster] {
            let opts = FitOptions {
                estimator: est,
                vcov: Some(vcov),
                report_intercept: true,
                tol: 1e-12,
                demean_tol: 1e-12,
                ..FitOptions::default()
            };
            let spec = |f: &str| ModelSpec::parse(f).unwrap().with_cluster("g").unwrap();
            let plain = fit(&d, &spec("y ~ x"), &opts).unwrap();
            let fe = fit(&d, &spec("y ~ x | one"), &opts).unwrap();
            let want = plain.coefficient("(Intercept)").unwrap();
            let want_se = plain.std_error("(Intercept)").unwrap();
            let got = fe.intercept.expect("recovered constant");
            let got_se = fe.intercept_se.expect("its standard error");
            assert!((got - want).abs() < 1e-8, "{est} {vcov}: {got} vs {want}");
            assert!(
                (got_se - want_se).abs() < 1e-7 * want_se,
                "{est} {vcov}: se {got_se} vs {want_se}"
            );
            assert!(plain.intercept.is_none(), "no second constant without FE");
            assert!((fe.coef[0] - plain.coefficient("x").unwrap()).abs() < 1e-8);
            assert!((fe.se[0] - plain.std_error("x").unwrap()).abs() < 1e-7 * fe.se[0]);
        }
    }
}

#[test]
fn the_ols_constant_is_mean_y_minus_mean_x_beta() {
    let d = small();
    let opts = FitOptions {
        report_intercept: true,
        ..FitOptions::ols()
    };
    let e = fit(&d, &ModelSpec::parse("y ~ x | g").unwrap(), &opts).unwrap();
    let ybar = Y.iter().sum::<f64>() / 12.0;
    let xbar = X.iter().sum::<f64>() / 12.0;
    let want = ybar - xbar * e.coef[0];
    assert!((e.intercept.unwrap() - want).abs() < 1e-9);
    // not requested: not reported
    let e = fit(
        &d,
        &ModelSpec::parse("y ~ x | g").unwrap(),
        &FitOptions::ols(),
    )
    .unwrap();
    assert!(e.intercept.is_none());
    assert!(!e.table().to_text().contains("(Intercept)"));
}

#[test]
fn r2_corr_is_the_squared_correlation_of_y_and_the_fit() {
    let d = small();
    let e = fit(
        &d,
        &ModelSpec::parse("y ~ x | g").unwrap(),
        &FitOptions::default(),
    )
    .unwrap();
    let y: Vec<f64> = e.rows.iter().map(|&r| Y[r]).collect();
    let n = y.len() as f64;
    let (my, mf) = (y.iter().sum::<f64>() / n, e.fitted.iter().sum::<f64>() / n);
    let cov: f64 = y
        .iter()
        .zip(&e.fitted)
        .map(|(a, b)| (a - my) * (b - mf))
        .sum();
    let vy: f64 = y.iter().map(|a| (a - my).powi(2)).sum();
    let vf: f64 = e.fitted.iter().map(|b| (b - mf).powi(2)).sum();
    assert!((e.r2_corr - cov * cov / (vy * vf)).abs() < 1e-12);
    assert!(e.table().to_text().contains("R2 corr(y,fit)^2"));
}

#[test]
fn an_unknown_column_suggests_the_closest_names() {
    let d = small();
    let e = fit(
        &d,
        &ModelSpec::parse("y ~ xx | g").unwrap(),
        &FitOptions::default(),
    )
    .unwrap_err();
    match &e {
        GravityError::UnknownColumn { suggestions, .. } => {
            assert_eq!(suggestions.first().map(String::as_str), Some("x"))
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("did you mean `x`"), "{e}");
}

/// Yotov et al. (2016) Table 1 column 3 (OLS, exporter-year and importer-year FE,
/// clustered by pair) with reghdfe's degrees of freedom: the published coefficients, and
/// standard errors that are the published ones (`G/(G − 1)` only, `--ssc stata`) times
/// `√((N − 1)/(N − K))` with reghdfe's `K`, one redundant level per year (the
/// exporter-year/importer-year graph has one connected component per year).
#[test]
fn yotov_table1_col3_with_reghdfe_degrees_of_freedom() {
    let data = Dataset::from_csv_path(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/agtpa_applications.csv"
    ))
    .unwrap();
    let spec = ModelSpec::parse(
        "log(trade) ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
    )
    .unwrap()
    .with_filter(YEARS_4)
    .unwrap()
    .with_filter("exporter != importer")
    .unwrap()
    .with_cluster("pair_id")
    .unwrap();
    let opts = FitOptions {
        small_sample: SmallSample::reghdfe(),
        report_intercept: true,
        ..FitOptions::ols()
    };
    let e = fit(&data, &spec, &opts).unwrap();
    println!("{}", e.table().to_text());
    let stata = fit(
        &data,
        &spec,
        &FitOptions {
            small_sample: SmallSample::stata(),
            ..FitOptions::ols()
        },
    )
    .unwrap();
    assert_eq!(e.nobs, 25_689);
    // (N − 1)/(N − K) × G/(G − 1) with K = 4 + 1 + Σ L_g − (1 + 6): one component per year
    let g = e.n_clusters[0] as f64;
    let n = e.nobs as f64;
    let levels: f64 = e.fixed_effects.iter().map(|f| f.levels.len() as f64).sum();
    let k = 4.0 + 1.0 + levels - 7.0;
    let dof = (n - 1.0) / (n - k);
    let want = dof * g / (g - 1.0);
    assert!(
        (e.small_sample_factor - want).abs() < 1e-12,
        "{} vs {want}",
        e.small_sample_factor
    );
    for (name, b, se) in [
        ("log(dist)", -1.216, 0.038),
        ("cntg", 0.223, 0.199),
        ("lang", 0.661, 0.081),
        ("clny", 0.670, 0.147),
    ] {
        let i = e.names.iter().position(|n| n == name).unwrap();
        assert_printed(name, e.coef[i], b, 3);
        assert_printed(&format!("se {name} (stata)"), stata.se[i], se, 3);
        assert!((e.se[i] - stata.se[i] * dof.sqrt()).abs() < 1e-10);
    }
    assert!(e.intercept.is_some_and(f64::is_finite));
}
