//! GEPPML's estimator step with `entrepot-gravity`'s prepared model: the two-way PPML
//! with the trade costs as offset, prepared once and refitted as the costs move, gives
//! the fixed effects of this crate's matrix-balancing fit ([`fit_two_way`]) and of cold
//! fits, in fewer IRLS iterations than the cold fits.

use entrepot_ge::{fit_two_way, Matrix};
use entrepot_gravity::{
    fit, Dataset, FeNormalisation, FitOptions, ModelSpec, PreparedModel, Refit,
};

const N: usize = 7;

fn name(i: usize) -> String {
    format!("C{i}")
}

/// Flows and costs of a small world: `t_ij = dist_ij^−0.8`, flows near the gravity
/// prediction with some noise.
fn world() -> (Matrix, Matrix) {
    let dist =
        |i: usize, j: usize| 1.0 + ((i as f64 - j as f64).abs() + 0.3 * ((i * j) % 3) as f64);
    let costs = Matrix::from_fn(N, |i, j| dist(i, j).powf(-0.8));
    let flows = Matrix::from_fn(N, |i, j| {
        let noise = 1.0 + 0.2 * (((3 * i + 5 * j) % 7) as f64 / 7.0 - 0.5);
        (1.0 + i as f64) * (2.0 + (j % 4) as f64) * costs.get(i, j) * noise
    });
    (flows, costs)
}

fn dataset(flows: &Matrix) -> Dataset {
    let mut d = Dataset::new();
    let (mut e, mut m, mut y) = (vec![], vec![], vec![]);
    for i in 0..N {
        for j in 0..N {
            e.push(name(i));
            m.push(name(j));
            y.push(flows.get(i, j));
        }
    }
    d.add_categorical("exporter", &e).expect("exporter");
    d.add_categorical("importer", &m).expect("importer");
    d.add_numeric("y", y).expect("y");
    d
}

fn log_costs(costs: &Matrix) -> Vec<f64> {
    costs.as_slice().iter().map(|t| t.ln()).collect()
}

/// `y ~ 0 | exporter + importer` with offset `ln_t` (no regressor: the formula parser
/// asks for one, the specification itself does not).
fn spec() -> ModelSpec {
    ModelSpec {
        depvar: "y".into(),
        fixed_effects: vec![vec!["exporter".into()], vec!["importer".into()]],
        offset: Some("ln_t".into()),
        intercept: true,
        ..ModelSpec::default()
    }
}

fn options() -> FitOptions {
    FitOptions {
        tol: 1e-13,
        demean_tol: 1e-13,
        fe_normalisation: FeNormalisation::reference("importer", "importer", "C0"),
        ..FitOptions::default()
    }
}

#[test]
fn prepared_refits_give_the_matrix_balancing_fit_as_costs_move() {
    let (flows, costs) = world();
    let mut d = dataset(&flows);
    d.add_numeric("ln_t", log_costs(&costs)).expect("ln_t");
    let mut model = PreparedModel::new(&d, &spec(), &options()).expect("prepare");
    model.fit().expect("first fit");
    let (mut warm_total, mut cold_total) = (0, 0);
    for step in 1..=4 {
        // a trade-cost change on the pairs of countries 1-3, growing step by step
        let shock = 1.0 + 0.15 * f64::from(step);
        let moved = costs.map(|i, j, t| {
            if i != j && i <= 3 && j <= 3 {
                t * shock
            } else {
                t
            }
        });
        let ln_t = log_costs(&moved);
        let warm = model.refit(Refit::offset(&ln_t)).expect("refit");
        let balanced = fit_two_way(&flows, &moved, 0, 1e-13).expect("matrix balancing");
        for i in 0..N {
            let a = warm
                .fixed_effect("exporter", &[name(i)])
                .expect("exporter")
                .exp();
            let b = warm
                .fixed_effect("importer", &[name(i)])
                .expect("importer")
                .exp();
            assert!(
                (a / balanced.exporter[i] - 1.0).abs() < 1e-8,
                "step {step} a_{i}: {a} vs {}",
                balanced.exporter[i]
            );
            assert!(
                (b / balanced.importer[i] - 1.0).abs() < 1e-8,
                "step {step} b_{i}: {b} vs {}",
                balanced.importer[i]
            );
        }
        let mut dd = d.clone();
        dd.add_numeric("ln_t_s", ln_t).expect("ln_t_s");
        let cold_spec = ModelSpec {
            offset: Some("ln_t_s".into()),
            ..spec()
        };
        let cold = fit(&dd, &cold_spec, &options()).expect("cold fit");
        for (w, c) in warm.fitted.iter().zip(&cold.fitted) {
            assert!((w / c - 1.0).abs() < 1e-10, "fitted {w} vs {c}");
        }
        warm_total += warm.iterations;
        cold_total += cold.iterations;
    }
    println!("four GEPPML steps: cold {cold_total} IRLS iterations, warm {warm_total}");
    assert!(
        warm_total < cold_total,
        "warm {warm_total} vs cold {cold_total}"
    );
}
