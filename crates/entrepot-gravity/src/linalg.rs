//! Small dense linear algebra on `k×k` symmetric matrices (row-major), where `k` is the
//! number of regressors: Cholesky with collinearity detection, solve, inverse, and the
//! weighted cross-products computed in parallel over observations.

#![allow(clippy::needless_range_loop)] // index-based dense linear algebra reads best

use rayon::prelude::*;

use crate::error::{GravityError, Result};

/// A square row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Mat {
    /// Dimension.
    pub k: usize,
    /// Row-major entries.
    pub data: Vec<f64>,
}

impl Mat {
    /// A zero matrix.
    pub fn zeros(k: usize) -> Mat {
        Mat {
            k,
            data: vec![0.0; k * k],
        }
    }

    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.k + j]
    }

    /// Sets entry `(i, j)`.
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.k + j] = v;
    }

    /// `self * other`.
    pub fn mul(&self, other: &Mat) -> Mat {
        let k = self.k;
        let mut out = Mat::zeros(k);
        for i in 0..k {
            for l in 0..k {
                let a = self.get(i, l);
                if a == 0.0 {
                    continue;
                }
                for j in 0..k {
                    out.data[i * k + j] += a * other.get(l, j);
                }
            }
        }
        out
    }

    /// The sub-matrix on the kept rows/columns.
    pub fn select(&self, keep: &[usize]) -> Mat {
        let mut out = Mat::zeros(keep.len());
        for (a, &i) in keep.iter().enumerate() {
            for (b, &j) in keep.iter().enumerate() {
                out.set(a, b, self.get(i, j));
            }
        }
        out
    }
}

/// `X' diag(w) X` and `X' diag(w) z` for column-major `X` (each `Vec` one column).
pub fn cross_products(x: &[Vec<f64>], w: Option<&[f64]>, z: &[f64]) -> (Mat, Vec<f64>) {
    let k = x.len();
    let n = z.len();
    const CHUNK: usize = 1 << 14;
    let n_chunks = n.div_ceil(CHUNK).max(1);
    let part = |c: usize| {
        let lo = c * CHUNK;
        let hi = ((c + 1) * CHUNK).min(n);
        let mut m = vec![0.0; k * k];
        let mut v = vec![0.0; k];
        for a in 0..k {
            let xa = &x[a][lo..hi];
            let wz: f64 = match w {
                Some(w) => xa
                    .iter()
                    .zip(&w[lo..hi])
                    .zip(&z[lo..hi])
                    .map(|((p, q), r)| p * q * r)
                    .sum(),
                None => xa.iter().zip(&z[lo..hi]).map(|(p, r)| p * r).sum(),
            };
            v[a] += wz;
            for b in 0..=a {
                let xb = &x[b][lo..hi];
                let s: f64 = match w {
                    Some(w) => xa
                        .iter()
                        .zip(xb)
                        .zip(&w[lo..hi])
                        .map(|((p, q), r)| p * q * r)
                        .sum(),
                    None => xa.iter().zip(xb).map(|(p, q)| p * q).sum(),
                };
                m[a * k + b] += s;
            }
        }
        (m, v)
    };
    let add = |(mut m1, mut v1): (Vec<f64>, Vec<f64>), (m2, v2): (Vec<f64>, Vec<f64>)| {
        m1.iter_mut().zip(&m2).for_each(|(a, b)| *a += b);
        v1.iter_mut().zip(&v2).for_each(|(a, b)| *a += b);
        (m1, v1)
    };
    let zero = || (vec![0.0; k * k], vec![0.0; k]);
    let (xtx, xtz) = if n < crate::demean::PAR_MIN_OBS {
        (0..n_chunks).map(part).fold(zero(), add)
    } else {
        (0..n_chunks).into_par_iter().map(part).reduce(zero, add)
    };
    let mut m = Mat { k, data: xtx };
    for a in 0..k {
        for b in 0..a {
            let v = m.get(a, b);
            m.set(b, a, v);
        }
    }
    (m, xtz)
}

/// Finds columns that are (numerically) linear combinations of earlier ones.
///
/// Runs a Cholesky factorisation in column order; column `j` is declared collinear when
/// its pivot (the squared norm of its residual on the previously kept columns) is below
/// `tol × scale[j]`, where `scale[j]` is a reference squared norm (e.g. of the column
/// before the fixed effects were partialled out). Returns the indices of kept columns.
pub fn detect_collinear(a: &Mat, scale: &[f64], tol: f64) -> Vec<usize> {
    let k = a.k;
    let mut l = Mat::zeros(k);
    let mut keep: Vec<usize> = Vec::new();
    for j in 0..k {
        let mut d = a.get(j, j);
        for &p in &keep {
            d -= l.get(j, p) * l.get(j, p);
        }
        let reference = scale[j].max(f64::MIN_POSITIVE);
        if d.is_nan() || d <= tol * reference {
            continue;
        }
        let djj = d.sqrt();
        l.set(j, j, djj);
        for i in (j + 1)..k {
            let mut s = a.get(i, j);
            for &p in &keep {
                s -= l.get(i, p) * l.get(j, p);
            }
            l.set(i, j, s / djj);
        }
        keep.push(j);
    }
    keep
}

/// Cholesky factor `L` (lower, `A = L Lᵀ`) of a symmetric positive definite matrix.
pub fn cholesky(a: &Mat) -> Result<Mat> {
    let k = a.k;
    let mut l = Mat::zeros(k);
    for j in 0..k {
        let mut d = a.get(j, j);
        for p in 0..j {
            d -= l.get(j, p) * l.get(j, p);
        }
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return Err(GravityError::Numerical(
                "X'WX is not positive definite (collinear regressors?)".into(),
            ));
        }
        let djj = d.sqrt();
        l.set(j, j, djj);
        for i in (j + 1)..k {
            let mut s = a.get(i, j);
            for p in 0..j {
                s -= l.get(i, p) * l.get(j, p);
            }
            l.set(i, j, s / djj);
        }
    }
    Ok(l)
}

/// Solves `A x = b` given the Cholesky factor of `A`.
pub fn cholesky_solve(l: &Mat, b: &[f64]) -> Vec<f64> {
    let k = l.k;
    let mut y = b.to_vec();
    for i in 0..k {
        let mut s = y[i];
        for p in 0..i {
            s -= l.get(i, p) * y[p];
        }
        y[i] = s / l.get(i, i);
    }
    for i in (0..k).rev() {
        let mut s = y[i];
        for p in (i + 1)..k {
            s -= l.get(p, i) * y[p];
        }
        y[i] = s / l.get(i, i);
    }
    y
}

/// Inverse of a symmetric positive definite matrix.
pub fn inverse_spd(a: &Mat) -> Result<Mat> {
    let l = cholesky(a)?;
    let k = a.k;
    let mut inv = Mat::zeros(k);
    for j in 0..k {
        let mut e = vec![0.0; k];
        e[j] = 1.0;
        let col = cholesky_solve(&l, &e);
        for (i, v) in col.into_iter().enumerate() {
            inv.set(i, j, v);
        }
    }
    // symmetrise
    for i in 0..k {
        for j in 0..i {
            let v = 0.5 * (inv.get(i, j) + inv.get(j, i));
            inv.set(i, j, v);
            inv.set(j, i, v);
        }
    }
    Ok(inv)
}

/// Thin QR factorisation of the columns `a` by modified Gram–Schmidt with one
/// re-orthogonalisation pass (numerically on par with Householder for our purposes, and
/// far better conditioned than the normal equations when the weights span many orders of
/// magnitude). Columns whose residual norm falls below `tol ×` their original norm are
/// skipped. Returns `(q, r, kept)`: `q` the orthonormal columns, `r` the `kept×kept` upper
/// triangular factor (row-major).
pub fn qr_mgs(a: &[Vec<f64>], tol: f64) -> (Vec<Vec<f64>>, Mat, Vec<usize>) {
    let mut q: Vec<Vec<f64>> = Vec::new();
    let mut kept = Vec::new();
    let mut r_cols: Vec<Vec<f64>> = Vec::new();
    for (j, col) in a.iter().enumerate() {
        let norm0 = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut v = col.clone();
        let mut rcol = vec![0.0; q.len()];
        for _pass in 0..2 {
            for (p, qp) in q.iter().enumerate() {
                let d: f64 = qp.iter().zip(&v).map(|(a, b)| a * b).sum();
                rcol[p] += d;
                v.iter_mut().zip(qp).for_each(|(x, y)| *x -= d * y);
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm.is_nan() || norm <= tol * norm0 || norm0 == 0.0 {
            continue;
        }
        v.iter_mut().for_each(|x| *x /= norm);
        rcol.push(norm);
        q.push(v);
        r_cols.push(rcol);
        kept.push(j);
    }
    let k = q.len();
    let mut r = Mat::zeros(k);
    for (j, rc) in r_cols.iter().enumerate() {
        for (i, &v) in rc.iter().enumerate() {
            r.set(i, j, v);
        }
    }
    (q, r, kept)
}

/// Least-squares solution from a thin QR: `β = R⁻¹ Qᵀ b`.
pub fn qr_solve(q: &[Vec<f64>], r: &Mat, b: &[f64]) -> Vec<f64> {
    let k = q.len();
    let qtb: Vec<f64> = q
        .iter()
        .map(|qc| qc.iter().zip(b).map(|(a, c)| a * c).sum())
        .collect();
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let mut s = qtb[i];
        for j in (i + 1)..k {
            s -= r.get(i, j) * x[j];
        }
        x[i] = s / r.get(i, i);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_collinearity() {
        let a = Mat {
            k: 2,
            data: vec![4.0, 2.0, 2.0, 3.0],
        };
        let inv = inverse_spd(&a).unwrap();
        let id = a.mul(&inv);
        assert!((id.get(0, 0) - 1.0).abs() < 1e-12 && id.get(0, 1).abs() < 1e-12);
        // third column = first + second
        let x = vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![0.0, 1.0, 0.0, 1.0],
            vec![1.0, 3.0, 3.0, 5.0],
        ];
        let (m, _) = cross_products(&x, None, &[0.0; 4]);
        let scale: Vec<f64> = (0..3).map(|i| m.get(i, i)).collect();
        assert_eq!(detect_collinear(&m, &scale, 1e-9), vec![0, 1]);
    }
}
