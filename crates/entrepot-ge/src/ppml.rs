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
//! in relative terms.

use crate::error::{GeError, Result};
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

/// The most alternating sweeps of one fit.
pub const MAX_SWEEPS: usize = 1_000_000;

/// A fit stops as failed when its residual has not fallen by 1% over this many sweeps.
const STALL_SWEEPS: usize = 20_000;

/// Fits `y_ij ~ exporter FE + importer FE + offset(ln t_ij)` by PPML, with the importer
/// effect of `reference` normalised to zero (`b_R = 1`). Zero `t_ij` are structural zeros
/// (`μ_ij = 0`, an offset of `−∞`). `y` must be non-negative with positive row and column
/// totals.
pub fn fit_two_way(y: &Matrix, costs: &Matrix, reference: usize, tol: f64) -> Result<TwoWayFit> {
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
    let mut err = f64::INFINITY;
    let (mut best, mut best_at) = (f64::INFINITY, 0usize);
    let mut sweeps = 0;
    for sweep in 1..=MAX_SWEEPS {
        sweeps = sweep;
        update_rows(costs, rows, &b, &mut a);
        col_totals(costs, &a, &mut colsum);
        err = 0.0;
        for j in 0..n {
            let s = colsum[j] * b[j];
            err = f64::max(err, (s / cols[j] - 1.0).abs());
            b[j] = cols[j] / colsum[j];
        }
        if !err.is_finite() || b.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            break;
        }
        if err <= tol {
            update_rows(costs, rows, &b, &mut a);
            let br = b[reference];
            for v in b.iter_mut() {
                *v /= br;
            }
            for v in a.iter_mut() {
                *v *= br;
            }
            return Ok(TwoWayFit {
                exporter: a,
                importer: b,
                iterations: sweep,
            });
        }
        if err < 0.99 * best {
            (best, best_at) = (err, sweep);
        } else if sweep - best_at > STALL_SWEEPS {
            break;
        }
    }
    Err(GeError::NotConverged {
        what: "fixed-effect PPML (multilateral resistances)",
        iterations: sweeps,
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
    fn infeasible_totals_do_not_converge() {
        // Exporter 0 can only sell to importer 0, which buys less than it sells.
        let t = Matrix::new(2, vec![1.0, 0.0, 1.0, 1.0]).unwrap();
        let e = fit_two_way_totals(&[10.0, 1.0], &[2.0, 9.0], &t, 0, 1e-12, None);
        assert!(matches!(e, Err(GeError::NotConverged { .. })), "{e:?}");
    }
}
