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
//! numéraire, with the shared outer loop's safeguards (Anderson acceleration, step
//! shortening, Levenberg–Marquardt when it crawls). Convergence is declared when
//! `max_i |ln(Σ_j X_ij' / (p̂_i Y_i))|` is below the tolerance. Should that fail, the
//! solve starts again with a sturdier measure of demand: `X_ij t̂_ij` balanced to the
//! totals `p̂ Y` and `E'` at each step (the hat multilateral-resistance system solved at
//! `p̂`, as GEPPML solves it in levels), which copes with economies where the direct
//! update stalls far from the equilibrium (countries trading almost only abroad, very
//! small or very large trade costs on a few links).
//!
//! The conditional scenario keeps `Y` and `E`: the changes of the resistances solve the
//! hat form of the multilateral-resistance system, `Π̂_i = Σ_j (X_ij/Y_i) t̂_ij / P̂_j`,
//! `P̂_j = Σ_i π_ij t̂_ij / Π̂_i`, i.e. a balancing of `X_ij t̂_ij` to the baseline totals.

use crate::common::{setup, Setup};
use crate::error::{GeError, Result};
use crate::matrix::Matrix;
use crate::model::{Baseline, Options, Shock};
use crate::outer::{iterate, Step};
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
    let what = "exact hat algebra (full endowment prices)";
    // First the direct update on the hat equations; if it fails, the sturdier one that
    // solves the hat multilateral-resistance system at every step, from the start.
    let (state, iterations) = match iterate(&setup, what, |x| hat_step(&setup, &k, x, None)) {
        Ok(done) => done,
        Err(first) => {
            let xt = k.map(|_, j, v| v * setup.base.expenditure[j]);
            let mut warm: Option<Vec<f64>> = None;
            let sturdy = iterate(&setup, what, |x| {
                hat_step(&setup, &k, x, Some((&xt, &mut warm)))
            });
            match (sturdy, first) {
                (Ok(done), _) => done,
                (Err(e @ GeError::NegativeExpenditure { .. }), _) => return Err(e),
                (Err(_), first) => return Err(first),
            }
        }
    };
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

/// The hat equations at log producer prices `x`: demand `D_i = p̂_i^{1−σ} Σ_j K_ij E_j' /
/// P̂_j^{1−σ}` with `P̂_j^{1−σ} = Σ_i K_ij p̂_i^{1−σ}` (`K = π ∘ t̂`), and the gap
/// `ln(D_i / (p̂_i Y_i))`. With `balance` (the matrix `X ∘ t̂` and a warm start) the gap is
/// measured instead as GEPPML measures it: `X ∘ t̂` is balanced to the totals `p̂ Y` and
/// `E'` (the hat multilateral-resistance system solved at `p̂`), and demand is read off
/// the exporter factors.
fn hat_step(
    setup: &Setup<'_>,
    k: &Matrix,
    x: &[f64],
    balance: Option<(&Matrix, &mut Option<Vec<f64>>)>,
) -> Result<Step<HatState>> {
    let (n, s) = (x.len(), setup.sigma);
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
    let gaps = match balance {
        None => demand.iter().zip(&y).map(|(d, y)| (d / y).ln()).collect(),
        Some((xt, warm)) => {
            let inner = setup.options.inner_tolerance();
            let fit = fit_two_way_totals(&y, &e, xt, setup.reference, inner, warm.as_deref())?;
            *warm = Some(fit.importer.clone());
            let levels = in_levels(setup, &fit);
            let c = setup.full_scale(&levels, x);
            (0..n)
                .map(|i| -(c * levels.exporter[i] / setup.supply[i]).ln() - (s - 1.0) * x[i])
                .collect()
        }
    };
    Ok(Step {
        gaps,
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
    let levels = in_levels(setup, &fit);
    let mut sc = setup.conditional_from_fit(&levels);
    sc.flows = Matrix::from_fn(y.len(), |i, j| {
        xt.get(i, j) * fit.exporter[i] * fit.importer[j]
    });
    Ok(sc)
}

/// A balancing of `X t̂` as a fit on `t'`: `X t̂ = t' a b`, so the balancing factors
/// times the baseline effects are the effects of a fit on `t'` directly.
fn in_levels(setup: &Setup<'_>, fit: &TwoWayFit) -> TwoWayFit {
    let mul = |u: &[f64], a: &[f64]| u.iter().zip(a).map(|(u, a)| u * a).collect();
    TwoWayFit {
        exporter: mul(&fit.exporter, &setup.base_fit.exporter),
        importer: mul(&fit.importer, &setup.base_fit.importer),
        iterations: fit.iterations,
    }
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
