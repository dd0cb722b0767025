//! The exact hat algebra solver (Dekle, Eaton and Kortum 2007, in the form used by Baier,
//! Yotov and Zylkin 2019 and Zylkin's `ge_gravity`).
//!
//! With baseline import shares `π_ij = X_ij / E_j` and cost changes `t̂_ij = t_ij'/t_ij`,
//! the full endowment equilibrium is the vector of producer price changes `p̂` with
//!
//! ```text
//! P̂_j^{1−σ} = Σ_i π_ij t̂_ij p̂_i^{1−σ}
//! X_ij'      = π_ij t̂_ij p̂_i^{1−σ} E_j' / P̂_j^{1−σ}
//! p̂_i Y_i    = Σ_j X_ij'                                  (market clearing)
//! ```
//!
//! and `E_j'` from the deficit rule. The fixed point is found by the update
//! `p̂_i ← p̂_i (Σ_j X_ij' / (p̂_i Y_i))^{1/σ}` (the supply side `Y_i = (β_i p_i)^{1−σ} Π_i`
//! solved for `p_i` at the new demand; `ge_gravity`'s step `w ← (…)^{1/(1+θ)}`), then the
//! numéraire. Convergence is declared when `max_i |ln(Σ_j X_ij' / (p̂_i Y_i))|` is below
//! the tolerance.
//!
//! The conditional scenario keeps `Y` and `E`: the changes of the resistances solve the
//! hat form of the multilateral-resistance system, `Π̂_i = Σ_j (X_ij/Y_i) t̂_ij / P̂_j`,
//! `P̂_j = Σ_i π_ij t̂_ij / Π̂_i`, i.e. a balancing of `X_ij t̂_ij` to the baseline totals.

use crate::common::{iterate, setup, Setup, Step};
use crate::error::{GeError, Result};
use crate::matrix::Matrix;
use crate::model::{Baseline, Options, Shock};
use crate::ppml::{fit_two_way_totals, TwoWayFit};
use crate::result::{Counterfactual, Method, Scenario};

/// Solves the conditional and full endowment counterfactuals by exact hat algebra.
///
/// The baseline is the model's (fitted flows `X_ij = Y_i E_j t_ij / (Π_i P_j)`); for a
/// baseline equal to observed flows use [`Baseline::calibrated`]. A pair with zero
/// baseline trade cannot get a positive cost term ([`GeError::NewTradeLink`]; the GEPPML
/// solver handles it). A shock that changes no cost returns the baseline unchanged.
pub fn solve_hat(baseline: &Baseline, shock: &Shock, options: &Options) -> Result<Counterfactual> {
    let setup = setup(baseline, shock, options)?;
    if setup.unchanged {
        return Ok(unchanged(&setup, Method::HatAlgebra));
    }
    let n = baseline.len();
    let t = baseline.costs();
    // K_ij = π_ij t̂_ij; zero where the baseline has no trade.
    let mut k = Matrix::filled(n, 0.0);
    for i in 0..n {
        for j in 0..n {
            let (t0, t1) = (t.get(i, j), setup.costs_new.get(i, j));
            if t0 == 0.0 {
                if t1 > 0.0 {
                    return Err(GeError::NewTradeLink {
                        exporter: baseline.countries()[i].clone(),
                        importer: baseline.countries()[j].clone(),
                    });
                }
                continue;
            }
            let that = t1 / t0;
            k.set(
                i,
                j,
                setup.base.flows.get(i, j) / setup.base.expenditure[j] * that,
            );
        }
    }
    let conditional = conditional(&setup, &k)?;
    let s = setup.sigma;
    let (state, iterations) = iterate(&setup, "exact hat algebra (full endowment prices)", |x| {
        let p: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let y: Vec<f64> = p
            .iter()
            .zip(&setup.base.output)
            .map(|(p, y)| p * y)
            .collect();
        let (e, kappa) = setup.expenditure(&y)?;
        let q: Vec<f64> = x.iter().map(|v| ((1.0 - s) * v).exp()).collect();
        let mut phat = vec![0.0; n];
        for (i, qi) in q.iter().enumerate() {
            for (pj, kij) in phat.iter_mut().zip(k.row(i)) {
                *pj += kij * qi;
            }
        }
        let w: Vec<f64> = e.iter().zip(&phat).map(|(e, p)| e / p).collect();
        let demand: Vec<f64> = (0..n)
            .map(|i| q[i] * k.row(i).iter().zip(&w).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        let z: Vec<f64> = demand.iter().zip(&y).map(|(d, y)| (d / y).ln()).collect();
        let residual = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Ok(Step {
            direction: z.iter().map(|v| v / s).collect(),
            residual: if residual.is_nan() {
                f64::INFINITY
            } else {
                residual
            },
            state: HatState {
                p,
                y,
                e,
                kappa,
                q,
                phat,
                demand,
            },
        })
    })?;
    let full = Scenario {
        omr: (0..n)
            .map(|i| state.demand[i] / (state.q[i] * setup.supply[i]))
            .collect(),
        imr: (0..n).map(|j| setup.base.imr[j] * state.phat[j]).collect(),
        flows: Matrix::from_fn(n, |i, j| {
            k.get(i, j) * state.q[i] * state.e[j] / state.phat[j]
        }),
        output: state.y,
        expenditure: state.e,
        producer_price: state.p,
    };
    Ok(Counterfactual {
        countries: baseline.countries().to_vec(),
        sigma: s,
        options: setup.options.clone(),
        method: Method::HatAlgebra,
        baseline: setup.base.clone(),
        conditional,
        full,
        iterations,
        expenditure_scale: state.kappa,
    })
}

struct HatState {
    p: Vec<f64>,
    y: Vec<f64>,
    e: Vec<f64>,
    kappa: f64,
    q: Vec<f64>,
    phat: Vec<f64>,
    demand: Vec<f64>,
}

/// The conditional scenario in hat form: balance `X_ij t̂_ij = E_j K_ij` to the baseline
/// totals, `X_ij^C = X_ij t̂_ij Π̂_i^{-1} P̂_j^{-1}` (up to the numéraire's scale).
fn conditional(setup: &Setup<'_>, k: &Matrix) -> Result<Scenario> {
    let (y, e) = (setup.baseline.output(), setup.baseline.expenditure());
    let xt = k.map(|_, j, v| v * e[j]);
    let fit = fit_two_way_totals(
        y,
        e,
        &xt,
        setup.reference,
        setup.options.inner_tolerance(),
        None,
    )?;
    // X t̂ = t' a b, so the balancing factors times the baseline effects are the effects
    // of a fit on t' directly.
    let levels = TwoWayFit {
        exporter: fit
            .exporter
            .iter()
            .zip(&setup.base_fit.exporter)
            .map(|(u, a)| u * a)
            .collect(),
        importer: fit
            .importer
            .iter()
            .zip(&setup.base_fit.importer)
            .map(|(v, b)| v * b)
            .collect(),
        iterations: fit.iterations,
    };
    let mut sc = setup.conditional_from_fit(&levels);
    sc.flows = Matrix::from_fn(y.len(), |i, j| {
        xt.get(i, j) * fit.exporter[i] * fit.importer[j]
    });
    Ok(sc)
}

/// The counterfactual of a shock that changes nothing: the baseline, three times.
pub(crate) fn unchanged(setup: &Setup<'_>, method: Method) -> Counterfactual {
    Counterfactual {
        countries: setup.baseline.countries().to_vec(),
        sigma: setup.sigma,
        options: setup.options.clone(),
        method,
        baseline: setup.base.clone(),
        conditional: setup.base.clone(),
        full: setup.base.clone(),
        iterations: 0,
        expenditure_scale: 1.0,
    }
}
