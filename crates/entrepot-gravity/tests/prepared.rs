//! The prepared-model API: refits equal fresh fits, warm starts save iterations, the
//! sample is re-selected when a new `y` changes separation, typed fixed-effect keys and
//! the normalisations of the recovered fixed effects.

use entrepot_gravity::{
    fit, Dataset, Estimate, FeNormalisation, FitOptions, GravityError, ModelSpec, PreparedModel,
    Refit,
};

const COUNTRIES: [&str; 8] = ["ARG", "BRA", "CAN", "DEU", "ESP", "FRA", "GBR", "ITA"];
const YEARS: [f64; 4] = [1990.0, 1994.0, 1998.0, 2002.0];

/// A deterministic uniform draw in `[0, 1)` (splitmix64 of `i`).
fn unif(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as f64 / u64::MAX as f64
}

/// A gravity panel: every exporter × importer × year, a time-varying `rta` dummy and a
/// continuous `x`, two dependent variables (`y` with a few zeros, `y2` a perturbation of
/// it) and two offsets (`off0`, and `off1` a GEPPML-like change of it).
fn panel() -> Dataset {
    let (mut e, mut m, mut t, mut pair) = (vec![], vec![], vec![], vec![]);
    let (mut rta, mut x, mut y, mut y2, mut off0, mut off1) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut i = 0u64;
    for (a, ea) in COUNTRIES.iter().enumerate() {
        for (b, mb) in COUNTRIES.iter().enumerate() {
            let (lo, hi) = (a.min(b), a.max(b));
            for (k, &year) in YEARS.iter().enumerate() {
                i += 1;
                let r = f64::from(a != b && (a + b + k) % 3 == 0);
                let xi = unif(7 * i) - 0.5;
                let dist = if a == b {
                    0.0
                } else {
                    -0.4 * (1.0 + (lo * 7 + hi) as f64 % 5.0).ln()
                };
                let eta = 1.0 + 0.1 * a as f64 - 0.05 * b as f64
                    + 0.02 * k as f64
                    + dist
                    + 0.4 * r
                    + 0.3 * xi;
                let u = 0.5 + unif(11 * i);
                let yi = if unif(13 * i) < 0.08 && a != b {
                    0.0
                } else {
                    eta.exp() * u
                };
                e.push(ea.to_string());
                m.push(mb.to_string());
                t.push(year);
                pair.push(format!("{}-{}", COUNTRIES[lo], COUNTRIES[hi]));
                rta.push(r);
                x.push(xi);
                y.push(yi);
                y2.push(if yi > 0.0 {
                    yi * (0.8 + 0.4 * unif(17 * i))
                } else {
                    0.0
                });
                let o = 0.2 * (unif(19 * i) - 0.5);
                off0.push(o);
                off1.push(o + 0.1 * (unif(23 * i) - 0.5) + 0.05 * r);
            }
        }
    }
    let mut d = Dataset::new();
    d.add_categorical("exporter", &e).unwrap();
    d.add_categorical("importer", &m).unwrap();
    d.add_numeric("year", t).unwrap();
    d.add_categorical("pair", &pair).unwrap();
    for (name, v) in [
        ("rta", rta),
        ("x", x),
        ("y", y),
        ("y2", y2),
        ("off0", off0),
        ("off1", off1),
    ] {
        d.add_numeric(name, v).unwrap();
    }
    d
}

fn numeric(d: &Dataset, name: &str) -> Vec<f64> {
    match d.column(name).unwrap() {
        entrepot_gravity::Column::Numeric(v) => v.clone(),
        _ => panic!("{name} is numeric"),
    }
}

fn tight() -> FitOptions {
    FitOptions {
        tol: 1e-12,
        demean_tol: 1e-12,
        ..FitOptions::default()
    }
}

const TWO_WAY: &str = "y ~ rta + x | exporter^year + importer^year";
const THREE_WAY: &str = "y ~ rta + x | exporter^year + importer^year + pair";

/// Same sample, coefficients and fitted values to `tol` (relative); the fixed effects
/// too when `fixed_effects` (unique only with two dimensions). The standard errors to
/// `max(tol, 1e-7)`: they are evaluated at the IRLS weights of the last iteration, which
/// differ between two converged runs by the size of their last step (about the square
/// root of the deviance criterion).
fn assert_same(a: &Estimate, b: &Estimate, tol: f64, fixed_effects: bool) {
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.names, b.names);
    let close = |x: f64, y: f64| (x - y).abs() <= tol * (1.0 + x.abs().max(y.abs()));
    for (what, u, v) in [("coef", &a.coef, &b.coef), ("fitted", &a.fitted, &b.fitted)] {
        for (x, y) in u.iter().zip(v.iter()) {
            assert!(close(*x, *y), "{what}: {x} vs {y}");
        }
    }
    let se_tol = tol.max(1e-7);
    for (x, y) in a.se.iter().zip(&b.se) {
        assert!(
            (x - y).abs() <= se_tol * x.abs().max(y.abs()),
            "se: {x} vs {y}"
        );
    }
    if fixed_effects {
        for (f, g) in a.fixed_effects.iter().zip(&b.fixed_effects) {
            assert_eq!(f.levels, g.levels);
            for (x, y) in f.values.iter().zip(&g.values) {
                assert!(close(*x, *y), "{}: {x} vs {y}", f.name);
            }
        }
    }
}

#[test]
fn the_first_estimate_of_a_prepared_model_is_fit() {
    let d = panel();
    for formula in [TWO_WAY, THREE_WAY] {
        let spec = ModelSpec::parse(formula).unwrap();
        for opts in [FitOptions::default(), FitOptions::ols()] {
            let fresh = fit(&d, &spec, &opts).unwrap();
            let mut model = PreparedModel::new(&d, &spec, &opts).unwrap();
            assert_eq!(model.rows(), fresh.rows.as_slice());
            let first = model.fit().unwrap();
            assert_same(&first, &fresh, 0.0, true);
            assert_eq!(first.iterations, fresh.iterations);
            assert_eq!(first.dropped, fresh.dropped);
        }
    }
}

#[test]
fn a_refit_with_the_same_inputs_equals_a_fresh_fit() {
    let d = panel();
    let (y, y2) = (numeric(&d, "y"), numeric(&d, "y2"));
    for formula in [TWO_WAY, THREE_WAY] {
        let spec = ModelSpec::parse(formula).unwrap();
        let fresh = fit(&d, &spec, &tight()).unwrap();
        let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
        model.refit(Refit::y(&y2)).unwrap();
        // back to the original y, warm-started from the estimate on y2
        let again = model.refit(Refit::y(&y)).unwrap();
        assert!(!model.sample_changed());
        assert_same(&again, &fresh, 1e-10, formula == TWO_WAY);
        // and from its own solution: one iteration
        let same = model.fit().unwrap();
        assert_same(&same, &fresh, 1e-10, formula == TWO_WAY);
        println!(
            "{formula}: cold {} iterations, warm from own solution {}",
            fresh.iterations, same.iterations
        );
        assert!(same.iterations <= 2, "{}", same.iterations);
    }
}

#[test]
fn a_refit_with_a_new_offset_equals_a_fresh_fit_in_fewer_iterations() {
    let d = panel();
    let off1 = numeric(&d, "off1");
    for formula in [TWO_WAY, THREE_WAY] {
        let spec = ModelSpec::parse(formula)
            .unwrap()
            .with_offset("off0")
            .unwrap();
        let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
        model.fit().unwrap();
        let warm = model.refit(Refit::offset(&off1)).unwrap();
        let spec1 = ModelSpec::parse(formula)
            .unwrap()
            .with_offset("off1")
            .unwrap();
        let cold = fit(&d, &spec1, &tight()).unwrap();
        assert_same(&warm, &cold, 1e-10, formula == TWO_WAY);
        println!(
            "{formula}: new offset, cold {} iterations, warm {}",
            cold.iterations, warm.iterations
        );
        assert!(
            warm.iterations < cold.iterations,
            "warm {} vs cold {}",
            warm.iterations,
            cold.iterations
        );
    }
    // a model prepared without an offset gains one
    let spec = ModelSpec::parse(TWO_WAY).unwrap();
    let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
    model.fit().unwrap();
    let warm = model.refit(Refit::offset(&off1)).unwrap();
    let spec1 = ModelSpec::parse(TWO_WAY)
        .unwrap()
        .with_offset("off1")
        .unwrap();
    assert_same(&warm, &fit(&d, &spec1, &tight()).unwrap(), 1e-10, true);
}

#[test]
fn repeated_refits_with_a_changing_offset_track_cold_fits() {
    // GEPPML-style: the offset moves a little at each step; every warm refit must equal
    // the cold fit with that offset.
    let d = panel();
    let (off0, off1) = (numeric(&d, "off0"), numeric(&d, "off1"));
    let spec = ModelSpec::parse(TWO_WAY).unwrap();
    let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
    model.fit().unwrap();
    let (mut warm_total, mut cold_total) = (0, 0);
    for step in 1..=4 {
        let s = f64::from(step) / 4.0;
        let off: Vec<f64> = off0
            .iter()
            .zip(&off1)
            .map(|(a, b)| a + s * (b - a))
            .collect();
        let warm = model.refit(Refit::offset(&off)).unwrap();
        let mut dd = d.clone();
        dd.add_numeric("off_s", off.clone()).unwrap();
        let cold = fit(&dd, &spec.clone().with_offset("off_s").unwrap(), &tight()).unwrap();
        assert_same(&warm, &cold, 1e-10, true);
        warm_total += warm.iterations;
        cold_total += cold.iterations;
    }
    println!("four offset steps: cold {cold_total} iterations, warm {warm_total}");
    assert!(warm_total < cold_total);
}

#[test]
fn a_new_y_that_changes_separation_reselects_the_sample() {
    let d = panel();
    let y = numeric(&d, "y");
    let exporter: Vec<usize> = (0..d.nrows())
        .map(|i| i / (COUNTRIES.len() * YEARS.len()))
        .collect();
    let year: Vec<usize> = (0..d.nrows()).map(|i| i % YEARS.len()).collect();
    // ARG's exports in 1990 all zero: that exporter-year is separated
    let y_sep: Vec<f64> = (0..d.nrows())
        .map(|i| {
            if exporter[i] == 0 && year[i] == 0 {
                0.0
            } else {
                y[i]
            }
        })
        .collect();
    let spec = ModelSpec::parse(TWO_WAY).unwrap();
    let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
    let first = model.fit().unwrap();
    let sep = model.refit(Refit::y(&y_sep)).unwrap();
    assert!(model.sample_changed());
    let mut dd = d.clone();
    dd.add_numeric("y_sep", y_sep).unwrap();
    let fresh = fit(
        &dd,
        &ModelSpec::parse(&TWO_WAY.replace("y ~", "y_sep ~")).unwrap(),
        &tight(),
    )
    .unwrap();
    assert_eq!(sep.dropped, fresh.dropped);
    assert!(sep.dropped.separated_fe > first.dropped.separated_fe);
    assert_same(&sep, &fresh, 1e-10, true);
    // and back: the observations return
    let back = model.refit(Refit::y(&y)).unwrap();
    assert!(model.sample_changed());
    assert_same(&back, &first, 1e-10, true);
}

#[test]
fn a_failed_refit_leaves_the_model_unchanged() {
    let d = panel();
    let spec = ModelSpec::parse(TWO_WAY).unwrap();
    let mut model = PreparedModel::new(&d, &spec, &tight()).unwrap();
    let first = model.fit().unwrap();
    let short = vec![1.0; 3];
    let e = model.refit(Refit::y(&short)).unwrap_err();
    assert!(matches!(e, GravityError::InvalidSpec(_)), "{e}");
    let mut negative = numeric(&d, "y");
    negative[5] = -1.0;
    let e = model.refit(Refit::y(&negative)).unwrap_err();
    assert!(
        matches!(e, GravityError::NegativeDependent { row: 5, .. }),
        "{e}"
    );
    let again = model.fit().unwrap();
    assert_same(&again, &first, 1e-10, true);
}

#[test]
fn an_ols_refit_with_a_new_y_equals_a_fresh_fit() {
    let d = panel();
    let y2: Vec<f64> = numeric(&d, "y2").iter().map(|v| (v + 1.0).ln()).collect();
    let mut dd = d.clone();
    dd.add_numeric("ly2", y2.clone()).unwrap();
    let spec = ModelSpec::parse("log(y + 1) ~ rta + x | exporter^year + importer^year").unwrap();
    let opts = FitOptions {
        demean_tol: 1e-12,
        ..FitOptions::ols()
    };
    let mut model = PreparedModel::new(&dd, &spec, &opts).unwrap();
    model.fit().unwrap();
    let warm = model.refit(Refit::y(&y2)).unwrap();
    let spec2 = ModelSpec::parse("ly2 ~ rta + x | exporter^year + importer^year").unwrap();
    assert_same(&warm, &fit(&dd, &spec2, &opts).unwrap(), 1e-9, true);
}

#[test]
fn fixed_effects_are_found_by_typed_keys() {
    let d = panel();
    let est = fit(
        &d,
        &ModelSpec::parse(THREE_WAY).unwrap(),
        &FitOptions::default(),
    )
    .unwrap();
    let fe = est.fixed_effect_values("exporter^year").unwrap();
    assert_eq!(fe.components, ["exporter", "year"]);
    assert_eq!(fe.component_index("year"), Some(1));
    assert_eq!(fe.keys.len(), fe.levels.len());
    for ((key, value), label) in fe.iter().zip(&fe.levels) {
        assert_eq!(key.to_string(), *label);
        assert_eq!(key.parts().len(), 2);
        assert_eq!(est.fixed_effect("exporter^year", key.parts()), Some(value));
    }
    let i = fe.levels.iter().position(|l| l == "BRA^1994").unwrap();
    assert_eq!(
        est.fixed_effect("exporter^year", &["BRA", "1994"]),
        Some(fe.values[i])
    );
    assert_eq!(
        est.fixed_effect("pair", &["ARG-BRA"]),
        est.fixed_effect_values("pair").unwrap().get(&["ARG-BRA"])
    );
    assert!(est.fixed_effect("pair", &["ARG-BRA"]).is_some());
    assert_eq!(est.fixed_effect("exporter^year", &["BRA", "1995"]), None);
    assert_eq!(est.fixed_effect("exporter^year", &["BRA"]), None);
    assert_eq!(est.fixed_effect("exporter", &["BRA"]), None);
}

#[test]
fn every_normalisation_gives_the_same_fit_and_its_own_zeros() {
    let d = panel();
    let deu = FeNormalisation::reference("importer^year", "importer", "DEU");
    for formula in [TWO_WAY, THREE_WAY] {
        let spec = ModelSpec::parse(formula).unwrap();
        let base = fit(&d, &spec, &tight()).unwrap();
        for norm in [deu.clone(), FeNormalisation::WeightedMeanZero] {
            let opts = FitOptions {
                fe_normalisation: norm.clone(),
                ..tight()
            };
            let est = fit(&d, &spec, &opts).unwrap();
            assert_eq!(est.fitted, base.fitted, "{norm:?}: fitted values");
            assert_eq!(est.coef, base.coef);
            // per-observation sums of the fixed effects agree
            let sums = |e: &Estimate| -> Vec<f64> {
                let fe: Vec<_> = e.fixed_effects.iter().collect();
                e.rows
                    .iter()
                    .map(|&r| {
                        let (a, b) = (r / 32, (r / 4) % 8);
                        let (ex, im, yr) =
                            (COUNTRIES[a], COUNTRIES[b], format!("{}", YEARS[r % 4]));
                        let (lo, hi) = (a.min(b), a.max(b));
                        let p = format!("{}-{}", COUNTRIES[lo], COUNTRIES[hi]);
                        fe[0].get(&[ex, yr.as_str()]).unwrap()
                            + fe[1].get(&[im, yr.as_str()]).unwrap()
                            + fe.get(2).map_or(0.0, |f| f.get(&[p.as_str()]).unwrap())
                    })
                    .collect()
            };
            for (x, y) in sums(&est).iter().zip(sums(&base)) {
                assert!(
                    (x - y).abs() < 1e-12 * (1.0 + y.abs()),
                    "{norm:?}: {x} vs {y}"
                );
            }
            match norm {
                FeNormalisation::Reference { .. } => {
                    for year in YEARS {
                        let v = est.fixed_effect("importer^year", &["DEU", &format!("{year}")]);
                        assert_eq!(v, Some(0.0), "DEU {year}");
                    }
                }
                _ => {
                    for f in &est.fixed_effects[1..] {
                        let fe_sum: f64 = est
                            .rows
                            .iter()
                            .enumerate()
                            .map(|(i, _)| f.values[level_of(&est, f, i)])
                            .sum();
                        assert!(fe_sum.abs() < 1e-9, "{}: mean {fe_sum}", f.name);
                    }
                }
            }
        }
    }
}

/// The level of fixed effect `f` at the `i`-th used observation of the panel.
fn level_of(est: &Estimate, f: &entrepot_gravity::FixedEffectValues, i: usize) -> usize {
    let r = est.rows[i];
    let (a, b) = (r / 32, (r / 4) % 8);
    let year = format!("{}", YEARS[r % 4]);
    let key: Vec<String> = match f.name.as_str() {
        "exporter^year" => vec![COUNTRIES[a].into(), year],
        "importer^year" => vec![COUNTRIES[b].into(), year],
        _ => vec![format!("{}-{}", COUNTRIES[a.min(b)], COUNTRIES[a.max(b)])],
    };
    f.position(&key).unwrap()
}

#[test]
fn an_impossible_reference_is_refused_before_estimation() {
    let d = panel();
    let spec = ModelSpec::parse(TWO_WAY).unwrap();
    for (norm, needle) in [
        (
            FeNormalisation::reference("importer", "importer", "DEU"),
            "not a fixed effect",
        ),
        (
            FeNormalisation::reference("importer^year", "origin", "DEU"),
            "not a variable",
        ),
        (
            FeNormalisation::reference("importer^year", "importer", "XXX"),
            "no level",
        ),
        // every DEU^year matches `year` components? no: name only the year, and the
        // importers of one year are connected, so several levels match
        (
            FeNormalisation::reference("importer^year", "year", "1990"),
            "both match",
        ),
    ] {
        let opts = FitOptions {
            fe_normalisation: norm,
            ..FitOptions::default()
        };
        let e = fit(&d, &spec, &opts).unwrap_err();
        assert!(
            matches!(e, GravityError::InvalidSpec(_)) && e.to_string().contains(needle),
            "{e}"
        );
        assert!(PreparedModel::new(&d, &spec, &opts).is_err());
    }
}
