//! Validation against published results (Yotov, Piermartini, Monteiro and Larch 2016, "An
//! Advanced Guide to Trade Policy Analysis") and against pyfixest reference numbers.
//!
//! The data come from the shared data folder (see `entrepot-testdata`); the tests are
//! skipped when it is absent.

use entrepot_gravity::{
    fit, Dataset, Estimate, Estimator, FitOptions, ModelSpec, SmallSample, VcovKind,
};

const YEARS_4: &str = "year in 1986,1990,1994,1998,2002,2006";

fn load(path: std::path::PathBuf) -> Dataset {
    Dataset::from_csv_path(path).expect("readable CSV")
}

/// Asserts `|got - want| <= 0.5 * 10^-decimals` (i.e. equal when printed to `decimals`).
fn assert_printed(what: &str, got: f64, want: f64, decimals: i32) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.10}, published {want} (to {decimals} decimals)"
    );
}

fn coef(e: &Estimate, name: &str) -> (f64, f64) {
    (
        e.coefficient(name)
            .unwrap_or_else(|| panic!("no coefficient {name} in {:?}", e.names)),
        e.std_error(name).unwrap_or(f64::NAN),
    )
}

fn print(e: &Estimate) {
    println!("{}", e.table().to_text());
    for (n, (b, s)) in e.names.iter().zip(e.coef.iter().zip(&e.se)) {
        println!("  {n}: {b:.10} ({s:.10})");
    }
}

#[test]
fn yotov_table1_col4_ppml() {
    let data = load(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/agtpa_applications.csv"
    ));
    let spec =
        ModelSpec::parse("trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year")
            .unwrap()
            .with_filter(YEARS_4)
            .unwrap()
            .with_filter("exporter != importer")
            .unwrap()
            .with_cluster("pair_id")
            .unwrap();
    // The published SEs are cluster-robust with the G/(G-1) factor only (Stata convention).
    let opts = FitOptions {
        small_sample: SmallSample::stata(),
        ..FitOptions::default()
    };
    let e = fit(&data, &spec, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 28_152);
    assert!(e.converged);
    for (name, b, se) in [
        ("log(dist)", -0.841, 0.032),
        ("cntg", 0.437, 0.083),
        ("lang", 0.247, 0.077),
        ("clny", -0.222, 0.116),
    ] {
        let (gb, gs) = coef(&e, name);
        assert_printed(name, gb, b, 3);
        assert_printed(&format!("se {name}"), gs, se, 3);
    }
}

#[test]
fn yotov_table1_col3_ols() {
    let data = load(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/agtpa_applications.csv"
    ));
    let spec = ModelSpec::parse(
        "log(trade) ~ log(dist) + cntg + lang + clny | exporter^year + importer^year",
    )
    .unwrap()
    .with_filter(YEARS_4)
    .unwrap()
    .with_filter("exporter != importer")
    .unwrap()
    .with_filter("trade > 0")
    .unwrap()
    .with_cluster("pair_id")
    .unwrap();
    let opts = FitOptions {
        small_sample: SmallSample::stata(),
        ..FitOptions::ols()
    };
    let e = fit(&data, &spec, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 25_689);
    for (name, b, se) in [
        ("log(dist)", -1.216, 0.038),
        ("cntg", 0.223, 0.199),
        ("lang", 0.661, 0.081),
        ("clny", 0.670, 0.147),
    ] {
        let (gb, gs) = coef(&e, name);
        assert_printed(name, gb, b, 3);
        assert_printed(&format!("se {name}"), gs, se, 3);
    }
}

#[test]
fn yotov_ch2_app1_trade_without_borders() {
    let data = load(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/agtpa_applications.csv"
    ));
    // 2006 cross-section with domestic flows; INTL_BRDR = exporter != importer.
    let spec =
        ModelSpec::parse("trade ~ log(dist) + cntg + (exporter != importer) | exporter + importer")
            .unwrap()
            .with_filter("year == 2006")
            .unwrap();
    // Stata `ppml ..., robust`: hetero with the N/(N-1) factor.
    let opts = FitOptions {
        vcov: Some(VcovKind::Hetero),
        small_sample: SmallSample::stata(),
        tol: 1e-10,
        ..FitOptions::default()
    };
    let e = fit(&data, &spec, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 4_761);
    for (name, b, se) in [
        ("log(dist)", -0.7912879, 0.0501494),
        ("cntg", 0.6736456, 0.1073719),
        ("(exporter != importer)", -2.47445, 0.1193816),
    ] {
        let (gb, gs) = coef(&e, name);
        let bdec = if name.starts_with("(exporter") { 5 } else { 7 };
        assert_printed(name, gb, b, bdec);
        assert_printed(&format!("se {name}"), gs, se, 7);
    }
    // Fixed effects are recovered and reproduce the fitted values.
    assert_eq!(e.fixed_effects.len(), 2);
    assert_eq!(e.fitted.len(), e.nobs);
}

#[test]
fn yotov_ch2_app2_nafta_pair_fe() {
    let data = load(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/agtpa_applications.csv"
    ));
    let spec = ModelSpec::parse("trade ~ rta | exporter^year + importer^year + pair_id")
        .unwrap()
        .with_filter(YEARS_4)
        .unwrap()
        .with_cluster("pair_id")
        .unwrap();
    let opts = FitOptions {
        vcov: Some(VcovKind::Hetero),
        small_sample: SmallSample::stata(),
        tol: 1e-10,
        ..FitOptions::default()
    };
    let e = fit(&data, &spec, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 28_482);
    assert_eq!(
        e.dropped.separated_fe + e.dropped.separated_ir + e.dropped.singletons,
        84
    );
    let (b, se) = coef(&e, "rta");
    assert_printed("rta", b, 0.5571853, 7);
    assert_printed("se rta (semi-robust)", se, 0.055771, 6);
    // Clustered by pair: about 0.10 (R replication: 0.557 (0.102), G/(G-1) factor only).
    let ec = fit(
        &data,
        &spec,
        &FitOptions {
            vcov: Some(VcovKind::Cluster),
            small_sample: SmallSample::stata(),
            ..FitOptions::default()
        },
    )
    .unwrap();
    let (bc, sc) = coef(&ec, "rta");
    assert_printed("rta (cluster)", bc, 0.557, 3);
    assert_printed("se rta (cluster)", sc, 0.102, 3);
}

#[test]
fn yotov_ch1_ex2_mfn_tariff() {
    let data = load(entrepot_testdata::require_shared_data!(
        "yotov_agtpa/chapter1_exercise2_mfn_tariff.csv"
    ));
    let opts = FitOptions {
        small_sample: SmallSample::stata(),
        ..FitOptions::default()
    };
    let fe = "| exporter^year + importer^year + exporter^importer";
    let rtas = ModelSpec::parse(&format!(
        "trade ~ RTA + RTA_LAG3 + RTA_LAG6 + RTA_LAG9 {fe}"
    ))
    .unwrap()
    .with_cluster("exporter^importer")
    .unwrap();
    let e = fit(&data, &rtas, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 18_886);
    for (name, b, se) in [
        ("RTA", 0.392, 0.064),
        ("RTA_LAG3", 0.248, 0.040),
        ("RTA_LAG6", 0.246, 0.043),
        ("RTA_LAG9", 0.083, 0.034),
    ] {
        let (gb, gs) = coef(&e, name);
        assert_printed(name, gb, b, 3);
        assert_printed(&format!("se {name}"), gs, se, 3);
    }
    // Tariff model: ln(1 + MFN tariff) for international flows, 0 for domestic flows
    // (the tariff is missing there); identified against domestic trade.
    let ln_mfn = "log(1 + coalesce(MFN_TARIFF, 0))";
    let trffs = ModelSpec::parse(&format!(
        "trade ~ RTA + RTA_LAG3 + RTA_LAG6 + RTA_LAG9 + {ln_mfn} {fe}"
    ))
    .unwrap()
    .with_cluster("exporter^importer")
    .unwrap();
    let e = fit(&data, &trffs, &opts).unwrap();
    print(&e);
    assert_eq!(e.nobs, 18_886);
    for (name, b, se) in [
        ("RTA", -0.217, 0.056),
        ("RTA_LAG3", 0.256, 0.037),
        ("RTA_LAG6", 0.265, 0.036),
        ("RTA_LAG9", 0.101, 0.035),
        (ln_mfn, -7.604, 0.516),
    ] {
        let (gb, gs) = coef(&e, name);
        assert_printed(name, gb, b, 3);
        assert_printed(&format!("se {name}"), gs, se, 3);
    }
}

#[test]
fn pyfixest_reference() {
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("reference/pyfixest_reference.json"))
            .expect("valid reference JSON");
    let models = reference["models"].as_array().expect("models");
    let mut cache: Vec<(String, Dataset)> = Vec::new();
    for m in models {
        let name = m["name"].as_str().unwrap_or_default();
        let rel = if name.starts_with("ppmlhdfe") {
            "ppmlhdfe_example_trade_fta/EXAMPLE_TRADE_FTA_DATA.csv"
        } else {
            "penppml_trade/trade.csv"
        };
        let Some(path) = entrepot_testdata::shared_file("pyfixest_reference", rel) else {
            return;
        };
        if !cache.iter().any(|(r, _)| r == rel) {
            cache.push((rel.to_string(), Dataset::from_csv_path(path).unwrap()));
        }
        let data = &cache.iter().find(|(r, _)| r == rel).unwrap().1;
        let mut spec = ModelSpec::parse(m["formula"].as_str().unwrap()).unwrap();
        for f in m["filters"].as_array().unwrap() {
            spec = spec.with_filter(f.as_str().unwrap()).unwrap();
        }
        let cluster = m["cluster"].as_str().unwrap();
        if !cluster.is_empty() {
            spec = spec.with_cluster(cluster).unwrap();
        }
        let vcov = match m["vcov"].as_str().unwrap() {
            "iid" => VcovKind::Iid,
            "hetero" => VcovKind::Hetero,
            _ => VcovKind::Cluster,
        };
        let estimator = if m["model"].as_str() == Some("ols") {
            Estimator::Ols
        } else {
            Estimator::Ppml
        };
        let opts = FitOptions {
            estimator,
            vcov: Some(vcov),
            tol: 1e-12,
            demean_tol: 1e-12,
            ..FitOptions::default()
        };
        let e = fit(data, &spec, &opts).unwrap();
        println!("{name}");
        print(&e);
        assert_eq!(e.nobs as u64, m["nobs"].as_u64().unwrap(), "{name}: N");
        for c in m["coefficients"].as_array().unwrap() {
            let cname = c["name"].as_str().unwrap();
            let (b, se) = coef(&e, cname);
            let rb = c["estimate"].as_f64().unwrap();
            let rs = c["std_error"].as_f64().unwrap();
            println!("  {name} {cname}: coef {b:.12} vs {rb:.12}; se {se:.12} vs {rs:.12}");
            assert!(
                ((b - rb) / rb).abs() < 1e-6,
                "{name} {cname}: coefficient {b} vs pyfixest {rb}"
            );
            assert!(
                ((se - rs) / rs).abs() < 1e-4,
                "{name} {cname}: std. error {se} vs pyfixest {rs}"
            );
        }
    }
}
