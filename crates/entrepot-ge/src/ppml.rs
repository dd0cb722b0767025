//! PPML with exporter and importer fixed effects and a constrained (offset) trade-cost
//! term: the estimator step of GEPPML.
//!
//! The model is `E[y_ij] = μ_ij = t_ij · a_i · b_j`, with `ln t_ij` the offset (the
//! coefficient on it constrained to one), `a_i = exp(exporter FE)` and
//! `b_j = exp(importer FE)`. The Poisson pseudo-likelihood `Σ (y ln μ − μ)` has the score
//! equations
//!
//! ```text
//! Σ_j (y_ij − μ_ij) = 0   (each exporter)        Σ_i (y_ij − μ_ij) = 0   (each importer)
//! ```
//!
//! so the estimates depend on `y` only through its row totals `Y_i` and column totals
//! `E_j`, and the fitted values add up to them exactly (Arvis and Shepherd 2013;
//! Fally 2015). Solving the score equations is a matrix-balancing problem,
//!
//! ```text
//! a_i = Y_i / Σ_j t_ij b_j        b_j = E_j / Σ_i t_ij a_i
//! ```
//!
//! which is the Anderson–van Wincoop multilateral-resistance system itself: with the
//! importer effect of the reference country `R` left out (`b_R = 1`, the book's "ZZZ"),
//! `Π_i = Y_i E_R / a_i` and `P_j = E_j / (b_j E_R)` (Yotov et al. 2016, ch. 2, eqs. (8)
//! and (9)), and the pair of equations above is `Π_i = Σ_j t_ij E_j / P_j`,
//! `P_j = Σ_i t_ij Y_i / Π_i`. So the fixed-effect PPML with an offset is solved here by
//! alternating the two updates (iterative proportional fitting, Sinkhorn's iteration),
//! which converges to the unique maximiser of the concave pseudo-likelihood whenever it
//! exists; no IRLS or demeaning is needed. Convergence is declared when the fitted column
//! totals (the row totals are exact after each exporter update) are within `tol` of `E`
//! in relative terms. When countries form weakly linked blocks the alternating updates
//! crawl; after [`MAX_SWEEPS`] sweeps the fit switches to Newton–Raphson on the
//! pseudo-likelihood in the log effects (the IRLS of this PPML), which converges
//! quadratically, or fails when the maximiser does not exist (totals that no flows with
//! these costs can match). Totals within `1e-10` that no Newton step improves count as
//! converged: that is the floating-point floor.

use crate::error::{GeError, Result};
use crate::linalg::solve;
use crate::matrix::Matrix;

/// The fit of a two-way fixed-effect PPML with an offset.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoWayFit {
    /// `a_i = exp(exporter fixed effect)`.
    pub exporter: Vec<f64>,
    /// `b_j = exp(importer fixed effect)`, with `b_R = 1` for the reference importer.
    pub importer: Vec<f64>,
    /// Alternating sweeps done.
    pub iterations: usize,
}

impl TwoWayFit {
    /// The fitted value `μ_ij = t_ij a_i b_j`.
    pub fn fitted(&self, costs: &Matrix) -> Matrix {
        costs.map(|i, j, t| t * self.exporter[i] * self.importer[j])
    }
}

/// The most alternating sweeps before the fit switches to Newton's method.
pub const MAX_SWEEPS: usize = 2_000;

/// The most Newton (IRLS) iterations of the fallback.
const MAX_NEWTON: usize = 200;

/// A fit whose totals are this close (relative) and that no Newton step improves has
/// reached the floating-point floor and counts as converged even above its tolerance.
const FLOAT_FLOOR: f64 = 1e-10;

/// Fits `y_ij ~ exporter FE + importer FE + offset(ln t_ij)` by PPML, with the importer
/// effect of `reference` normalised to zero (`b_R = 1`). Zero `t_ij` are structural zeros
/// (`μ_ij = 0`, an offset of `−∞`). `y` must be non-negative with positive row and column
/// totals.
pub fn fit_two_way(y: &Matrix, costs: &Matrix, reference: usize, tol: f64) -> Result<TwoWayFit> {
    let n = y.size();
    if let Some(k) = y
        .as_slice()
        .iter()
        .position(|v| !(v.is_finite() && *v >= 0.0))
    {
        return Err(GeError::InvalidValue {
            what: "dependent variable",
            at: format!("pair ({}, {})", k / n.max(1), k % n.max(1)),
            value: y.as_slice()[k],
        });
    }
    fit_two_way_totals(&y.row_sums(), &y.col_sums(), costs, reference, tol, None)
}

/// [`fit_two_way`] given the totals of the dependent variable (all the estimator uses):
/// `rows[i] = Σ_j y_ij`, `cols[j] = Σ_i y_ij`. `start` is an optional starting value of
/// the importer effects `b` (a warm start from a previous fit).
pub fn fit_two_way_totals(
    rows: &[f64],
    cols: &[f64],
    costs: &Matrix,
    reference: usize,
    tol: f64,
    start: Option<&[f64]>,
) -> Result<TwoWayFit> {
    let n = costs.size();
    if rows.len() != n || cols.len() != n {
        return Err(GeError::Dimension {
            what: "fixed-effect totals",
            got: rows.len().min(cols.len()),
            expected: n,
        });
    }
    if reference >= n {
        return Err(GeError::InvalidOption(format!(
            "reference index {reference} out of range for {n} countries"
        )));
    }
    for (k, &v) in rows.iter().chain(cols).enumerate() {
        if !(v.is_finite() && v > 0.0) {
            return Err(GeError::InvalidValue {
                what: "fixed-effect total",
                at: format!("{} {}", if k < n { "row" } else { "column" }, k % n),
                value: v,
            });
        }
    }
    let (wr, wc): (f64, f64) = (rows.iter().sum(), cols.iter().sum());
    if (wr - wc).abs() > 1e-9 * wr.max(wc) {
        return Err(GeError::WorldImbalance {
            output: wr,
            expenditure: wc,
        });
    }
    let mut b: Vec<f64> = match start {
        Some(s) if s.len() == n && s.iter().all(|v| v.is_finite() && *v > 0.0) => s.to_vec(),
        _ => vec![1.0; n],
    };
    let mut a = vec![0.0; n];
    let mut colsum = vec![0.0; n];
    for sweep in 1..=MAX_SWEEPS {
        update_rows(costs, rows, &b, &mut a);
        col_totals(costs, &a, &mut colsum);
        let mut err = 0.0f64;
        for j in 0..n {
            err = err.max((colsum[j] * b[j] / cols[j] - 1.0).abs());
            b[j] = cols[j] / colsum[j];
        }
        if !err.is_finite() || b.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            break;
        }
        if err <= tol {
            update_rows(costs, rows, &b, &mut a);
            return Ok(normalised(a, b, reference, sweep));
        }
    }
    newton(rows, cols, costs, reference, tol)
}

fn normalised(mut a: Vec<f64>, mut b: Vec<f64>, reference: usize, iterations: usize) -> TwoWayFit {
    let br = b[reference];
    b.iter_mut().for_each(|v| *v /= br);
    a.iter_mut().for_each(|v| *v *= br);
    TwoWayFit {
        exporter: a,
        importer: b,
        iterations,
    }
}

fn fit_from_log((alpha, beta): &(Vec<f64>, Vec<f64>), reference: usize, it: usize) -> TwoWayFit {
    let a = alpha.iter().map(|v| v.exp()).collect();
    let b = beta.iter().map(|v| v.exp()).collect();
    normalised(a, b, reference, it)
}

/// Newton–Raphson on the (concave) Poisson pseudo-likelihood in the log effects
/// `α_i = ln a_i`, `β_j = ln b_j` (`β_R = 0`), with a backtracking line search: the IRLS of
/// a PPML whose only regressors are the fixed effects. Used when the alternating updates
/// have not converged after [`MAX_SWEEPS`] sweeps (weakly linked blocks of countries make
/// them crawl); it converges quadratically, and fails when the maximiser does not exist.
fn newton(
    rows: &[f64],
    cols: &[f64],
    costs: &Matrix,
    reference: usize,
    tol: f64,
) -> Result<TwoWayFit> {
    let n = rows.len();
    // Parameters: α_0..α_{n−1}, then β_j for j ≠ R.
    let beta_at = |j: usize| if j < reference { n + j } else { n + j - 1 };
    let mut theta = vec![0.0; 2 * n - 1];
    for i in 0..n {
        let s: f64 = costs.row(i).iter().sum();
        theta[i] = (rows[i] / s).ln();
    }
    let unpack = |theta: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let alpha = theta[..n].to_vec();
        let beta = (0..n)
            .map(|j| {
                if j == reference {
                    0.0
                } else {
                    theta[beta_at(j)]
                }
            })
            .collect();
        (alpha, beta)
    };
    // The negative pseudo-log-likelihood (up to a constant) and the fitted totals.
    let objective = |theta: &[f64]| -> (f64, Vec<f64>, Vec<f64>) {
        let (alpha, beta) = unpack(theta);
        let (mut rs, mut cs) = (vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            for j in 0..n {
                let t = costs.get(i, j);
                if t > 0.0 {
                    let mu = t * (alpha[i] + beta[j]).exp();
                    rs[i] += mu;
                    cs[j] += mu;
                }
            }
        }
        let lin: f64 = (0..n).map(|i| rows[i] * alpha[i] + cols[i] * beta[i]).sum();
        (rs.iter().sum::<f64>() - lin, rs, cs)
    };
    let (mut f, mut rs, mut cs) = objective(&theta);
    let mut err = f64::INFINITY;
    let mut last_err = f64::INFINITY;
    let (mut best_err, mut best_theta) = (f64::INFINITY, theta.clone());
    for it in 0..MAX_NEWTON {
        err = (0..n)
            .map(|i| {
                (rs[i] / rows[i] - 1.0)
                    .abs()
                    .max((cs[i] / cols[i] - 1.0).abs())
            })
            .fold(0.0, f64::max);
        if err < best_err {
            (best_err, best_theta) = (err, theta.clone());
        }
        if err <= tol {
            return Ok(fit_from_log(&unpack(&theta), reference, MAX_SWEEPS + it));
        }
        let m = 2 * n - 1;
        let mut grad = vec![0.0; m];
        let mut hess = vec![vec![0.0; m]; m];
        let (alpha, beta) = unpack(&theta);
        for i in 0..n {
            grad[i] = rs[i] - rows[i];
            hess[i][i] = rs[i];
            for (j, bj) in beta.iter().enumerate() {
                let t = costs.get(i, j);
                if t > 0.0 && j != reference {
                    let mu = t * (alpha[i] + bj).exp();
                    let k = beta_at(j);
                    hess[i][k] = mu;
                    hess[k][i] = mu;
                }
            }
        }
        for j in (0..n).filter(|&j| j != reference) {
            let k = beta_at(j);
            grad[k] = cs[j] - cols[j];
            hess[k][k] = cs[j];
        }
        let Some(step) = solve(hess, grad.iter().map(|g| -g).collect()) else {
            break;
        };
        let slope: f64 = grad.iter().zip(&step).map(|(g, s)| g * s).sum();
        let mut s = 1.0;
        let mut accepted = false;
        while s > 1e-12 {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(t, d)| t + s * d).collect();
            let (ft, rt, ct) = objective(&trial);
            // Armijo on the objective; near the optimum its changes fall below rounding,
            // so a step that shrinks the largest relative total error is also taken.
            let et = (0..n)
                .map(|i| {
                    (rt[i] / rows[i] - 1.0)
                        .abs()
                        .max((ct[i] / cols[i] - 1.0).abs())
                })
                .fold(0.0, f64::max);
            if ft.is_finite() && (ft <= f + 1e-4 * s * slope || et < 0.5 * err) {
                (theta, f, rs, cs, accepted) = (trial, ft, rt, ct, true);
                break;
            }
            s /= 2.0;
        }
        if !accepted || theta.iter().any(|v| v.abs() > 700.0) {
            break;
        }
        // Steps that no longer halve the error this close to the totals: the
        // floating-point floor.
        if err <= FLOAT_FLOOR && err >= 0.5 * last_err {
            break;
        }
        last_err = err;
    }
    if best_err <= FLOAT_FLOOR {
        return Ok(fit_from_log(
            &unpack(&best_theta),
            reference,
            MAX_SWEEPS + MAX_NEWTON,
        ));
    }
    Err(GeError::NotConverged {
        what: "fixed-effect PPML (multilateral resistances)",
        iterations: MAX_SWEEPS + MAX_NEWTON,
        residual: err,
        tolerance: tol,
        hint: "no fitted flows with these trade costs add up to the given output and \
               expenditure (a group of exporters can only reach importers that buy less \
               than it sells)"
            .into(),
    })
}

fn update_rows(costs: &Matrix, rows: &[f64], b: &[f64], a: &mut [f64]) {
    for (i, ai) in a.iter_mut().enumerate() {
        let s: f64 = costs.row(i).iter().zip(b).map(|(t, bj)| t * bj).sum();
        *ai = rows[i] / s;
    }
}

fn col_totals(costs: &Matrix, a: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for (i, ai) in a.iter().enumerate() {
        for (o, t) in out.iter_mut().zip(costs.row(i)) {
            *o += t * ai;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_totals_match_and_reference_is_one() {
        let t = Matrix::new(3, vec![1.0, 0.2, 0.1, 0.3, 1.0, 0.5, 0.05, 0.4, 1.0]).unwrap();
        let y = Matrix::new(3, vec![10.0, 2.0, 1.0, 3.0, 20.0, 4.0, 0.0, 5.0, 30.0]).unwrap();
        let fit = fit_two_way(&y, &t, 2, 1e-14).unwrap();
        let mu = fit.fitted(&t);
        for (a, b) in mu.row_sums().iter().zip(y.row_sums()) {
            assert!((a / b - 1.0).abs() < 1e-12);
        }
        for (a, b) in mu.col_sums().iter().zip(y.col_sums()) {
            assert!((a / b - 1.0).abs() < 1e-12);
        }
        assert_eq!(fit.importer[2], 1.0);
    }

    #[test]
    fn newton_and_alternating_updates_agree() {
        let t = Matrix::new(3, vec![1.0, 1e-6, 0.1, 0.3, 1.0, 1e-5, 0.05, 0.4, 1.0]).unwrap();
        let (rows, cols) = ([12.0, 30.0, 40.0], [20.0, 25.0, 37.0]);
        let sinkhorn = fit_two_way_totals(&rows, &cols, &t, 1, 1e-13, None).unwrap();
        let newton = newton(&rows, &cols, &t, 1, 1e-13).unwrap();
        for (a, b) in sinkhorn.exporter.iter().zip(&newton.exporter) {
            assert!((a / b - 1.0).abs() < 1e-10, "{a} vs {b}");
        }
        for (a, b) in sinkhorn.importer.iter().zip(&newton.importer) {
            assert!((a / b - 1.0).abs() < 1e-10, "{a} vs {b}");
        }
        assert_eq!(newton.importer[1], 1.0);
    }

    #[test]
    fn infeasible_totals_do_not_converge() {
        // Exporter 0 can only sell to importer 0, which buys less than it sells.
        let t = Matrix::new(2, vec![1.0, 0.0, 1.0, 1.0]).unwrap();
        let e = fit_two_way_totals(&[10.0, 1.0], &[2.0, 9.0], &t, 0, 1e-12, None);
        assert!(matches!(e, Err(GeError::NotConverged { .. })), "{e:?}");
    }
}
