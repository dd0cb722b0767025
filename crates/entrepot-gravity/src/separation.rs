//! Detection of separated observations (non-existence of the Poisson MLE).
//!
//! The Poisson pseudo-likelihood has no finite maximiser when some linear combination
//! `z = Xγ + Dα` of the regressors and fixed effects satisfies `z = 0` where `y > 0`,
//! `z ≥ 0` where `y = 0`, and `z > 0` somewhere: the observations with `z > 0` are
//! *separated* (their fitted value is driven to zero) and must be removed, after which
//! the remaining estimates exist and are unaffected (Santos Silva and Tenreyro 2010;
//! Correia, Guimarães and Zylkin 2019, "Verifying the existence of maximum likelihood
//! estimates for generalized linear models").
//!
//! Two checks are used (the same as ppmlhdfe's `fe` and `ir` methods):
//!
//! * **FE check** (in [`crate::sample`]): a fixed-effect level in which `y` is zero for every
//!   observation is separated (its dummy is such a `z`);
//! * **iterated rectifier** ([`ir_separation`]): start from `u = 1[y = 0]`; repeatedly
//!   regress `u` on `X` and the fixed effects by weighted least squares with weight `K`
//!   (huge, `N₊/tol²`) on observations with `y > 0` and 1 elsewhere, set fitted values
//!   within `(-0.1·tol, tol)` (and all fitted values where `y > 0`) to zero, stop when all
//!   fitted values are `≥ 0` (those `> 0` are separated), and otherwise rectify
//!   `u ← max(û, 0)` on the `y = 0` observations.

use crate::demean::{DemeanOptions, Demeaner, FeCodes};
use crate::error::{GravityError, Result};
use crate::linalg::{cross_products, detect_collinear, qr_mgs, qr_solve};

/// Options of the iterated-rectifier check.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IrOptions {
    /// Fitted values in `(-0.1·tol, tol)` count as zero (default `1e-4`, as ppmlhdfe and
    /// pyfixest).
    pub tol: f64,
    /// Maximum number of rectifier iterations (default 100).
    pub max_iter: usize,
    /// Tolerance of the demeaning inside the rectifier (default `1e-10`; the weights span
    /// many orders of magnitude, so much tighter values may not be attainable).
    pub demean_tol: f64,
}

impl Default for IrOptions {
    fn default() -> Self {
        IrOptions {
            tol: 1e-4,
            max_iter: 100,
            demean_tol: 1e-10,
        }
    }
}

/// Returns, for each observation, whether it is separated (see the module docs).
/// `x` holds the regressor columns (include a column of ones for an intercept when there
/// are no fixed effects).
pub fn ir_separation(
    y: &[f64],
    x: &[Vec<f64>],
    fe: &FeCodes,
    opts: &IrOptions,
    demean: &DemeanOptions,
) -> Result<Vec<bool>> {
    let n = y.len();
    let interior: Vec<bool> = y.iter().map(|&v| v > 0.0).collect();
    let n_pos = interior.iter().filter(|&&b| b).count();
    if n_pos == n {
        return Ok(vec![false; n]);
    }
    let tol = opts.tol;
    let big = (n_pos.max(1) as f64) / (tol * tol);
    let w: Vec<f64> = interior
        .iter()
        .map(|&b| if b { big } else { 1.0 })
        .collect();
    let dopts = DemeanOptions {
        tol: opts.demean_tol,
        max_iter: demean.max_iter,
    };
    let demeaner = Demeaner::new(fe, Some(&w));
    let mut xt: Vec<Vec<f64>> = x.to_vec();
    let mut ax: Vec<Vec<f64>> = vec![Vec::new(); xt.len()];
    demeaner.demean_columns(&mut xt, &mut ax, &dopts)?;
    // Drop regressors that are exactly collinear with the fixed effects or each other
    // (unweighted metric: under the method of weighting, columns that differ only on the
    // y = 0 observations look nearly collinear in the weighted metric but are not).
    let (m, _) = cross_products(&xt, None, &vec![0.0; n]);
    let scale: Vec<f64> = x.iter().map(|c| c.iter().map(|v| v * v).sum()).collect();
    let keep = detect_collinear(&m, &scale, 1e-9);
    // Weighted least squares by QR of sqrt(w)·X̃ (well conditioned compared with X'WX).
    let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
    let scaled: Vec<Vec<f64>> = keep
        .iter()
        .map(|&j| xt[j].iter().zip(&sw).map(|(a, b)| a * b).collect())
        .collect();
    let (q, r, kept2) = qr_mgs(&scaled, 1e-13);
    let xt: Vec<Vec<f64>> = kept2.iter().map(|&j| xt[keep[j]].clone()).collect();

    let mut u: Vec<f64> = interior
        .iter()
        .map(|&b| if b { 0.0 } else { 1.0 })
        .collect();
    let mut au = Vec::new();
    for _ in 0..opts.max_iter {
        let mut ut = u.clone();
        demeaner.demean_in_place(&mut ut, &mut au, &dopts)?;
        // fitted = u - resid = u - (ut - Xt γ)
        let mut fitted: Vec<f64> = u.iter().zip(&ut).map(|(a, b)| a - b).collect();
        if !xt.is_empty() {
            let b: Vec<f64> = ut.iter().zip(&sw).map(|(a, c)| a * c).collect();
            let gamma = qr_solve(&q, &r, &b);
            for (c, g) in xt.iter().zip(&gamma) {
                for (f, v) in fitted.iter_mut().zip(c) {
                    *f += g * v;
                }
            }
        }
        let mut all_nonneg = true;
        for (f, &b) in fitted.iter_mut().zip(&interior) {
            if b || (*f > -0.1 * tol && *f < tol) {
                *f = 0.0;
            }
            if *f < 0.0 {
                all_nonneg = false;
            }
        }
        if all_nonneg {
            return Ok(fitted.iter().map(|&f| f > 0.0).collect());
        }
        for ((ui, &f), &b) in u.iter_mut().zip(&fitted).zip(&interior) {
            if !b {
                *ui = f.max(0.0);
            }
        }
    }
    Err(GravityError::SeparationNotConverged(opts.max_iter))
}
