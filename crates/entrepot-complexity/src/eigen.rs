//! Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method
//! (Jacobi 1846; the rotation formulas of Press et al., *Numerical Recipes*, 3rd ed.,
//! §11.1, which keep the rounding small). The ECI needs the eigenvectors of a matrix
//! whose size is the smaller of the country and product counts (a few hundred at
//! most for trade data); Jacobi is accurate to rounding on every eigenvector, which
//! matters because the ECI is the *second* one.
//!
//! [`second_eigenpair`] serves the ECI first: when the largest eigenpair is known (it is
//! for the ECI matrix), power iteration on the deflated matrix costs `n²` a step and
//! converges in a few hundred steps unless the second and third eigenvalues are close,
//! in which case the caller falls back on Jacobi.

/// The eigen-decomposition of a symmetric matrix: eigenvalues in decreasing order and
/// the matching unit eigenvectors.
#[derive(Debug, Clone)]
pub struct SymmetricEigen {
    /// Eigenvalues, largest first.
    pub values: Vec<f64>,
    /// Eigenvectors, `vectors[k]` for `values[k]`, each of unit Euclidean norm.
    pub vectors: Vec<Vec<f64>>,
}

/// Decomposes the symmetric `n × n` matrix `a` (row-major; only symmetric input is
/// meaningful, the upper triangle is read). At most 100 sweeps; in practice 6 to 12.
pub fn symmetric_eigen(a: &[f64], n: usize) -> SymmetricEigen {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..n {
            for q in p + 1..n {
                off += a[p * n + q] * a[p * n + q];
            }
        }
        if off.sqrt() <= 1e-17 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    if k == p || k == q {
                        continue;
                    }
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    let (np, nq) = (c * akp - s * akq, s * akp + c * akq);
                    a[k * n + p] = np;
                    a[p * n + k] = np;
                    a[k * n + q] = nq;
                    a[q * n + k] = nq;
                }
                a[p * n + p] = app - t * apq;
                a[q * n + q] = aqq + t * apq;
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    SymmetricEigen {
        values: order.iter().map(|&k| a[k * n + k]).collect(),
        vectors: order
            .iter()
            .map(|&k| (0..n).map(|i| v[i * n + k]).collect())
            .collect(),
    }
}

/// The eigenpair of the second largest eigenvalue of a symmetric positive
/// semi-definite `n × n` matrix `a` (row-major) whose largest eigenvalue has the known
/// unit eigenvector `top`, by power iteration on the matrix deflated of `top` (Golub and
/// Van Loan, *Matrix Computations*, 4th ed., §7.3.1 and §8.2.1): each step multiplies by
/// `a`, projects out `top` and normalises, until two successive vectors differ by less
/// than `1e-14` in Euclidean norm. `None` when that takes more than `max_iter` steps
/// (close second and third eigenvalues): the caller then falls back on
/// [`symmetric_eigen`]. The eigenvalue is the Rayleigh quotient of the vector.
pub fn second_eigenpair(
    a: &[f64],
    n: usize,
    top: &[f64],
    max_iter: usize,
) -> Option<(f64, Vec<f64>)> {
    let project = |v: &mut [f64]| {
        let d: f64 = v.iter().zip(top).map(|(x, t)| x * t).sum();
        v.iter_mut().zip(top).for_each(|(x, t)| *x -= d * t);
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        norm
    };
    // A fixed start with no special structure (golden-ratio fractions).
    let mut v: Vec<f64> = (0..n)
        .map(|i| 0.5 + (i as f64 * 0.618_033_988_749_895).fract())
        .collect();
    if project(&mut v) == 0.0 {
        return None;
    }
    let mut w = vec![0.0; n];
    for _ in 0..max_iter {
        for (i, wi) in w.iter_mut().enumerate() {
            *wi = a[i * n..(i + 1) * n]
                .iter()
                .zip(&v)
                .map(|(x, y)| x * y)
                .sum();
        }
        let lambda: f64 = w.iter().zip(&v).map(|(x, y)| x * y).sum();
        if project(&mut w) == 0.0 {
            return None;
        }
        let diff = w
            .iter()
            .zip(&v)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt();
        std::mem::swap(&mut v, &mut w);
        if diff < 1e-14 {
            return Some((lambda, v));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_iteration_matches_jacobi_on_a_known_spectrum() {
        // Q diag(1, 0.6, 0.3, 0.1, 0.05) Qᵀ with Q a product of Givens rotations.
        let n = 5;
        let values = [1.0, 0.6, 0.3, 0.1, 0.05];
        let mut q = vec![0.0; n * n];
        for i in 0..n {
            q[i * n + i] = 1.0;
        }
        for (k, angle) in [(0usize, 0.7f64), (1, -0.4), (2, 1.1), (3, 0.3), (0, 0.9)] {
            let (c, s) = (angle.cos(), angle.sin());
            for i in 0..n {
                let (a, b) = (q[i * n + k], q[i * n + k + 1]);
                q[i * n + k] = c * a - s * b;
                q[i * n + k + 1] = s * a + c * b;
            }
        }
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n)
                    .map(|k| q[i * n + k] * values[k] * q[j * n + k])
                    .sum();
            }
        }
        let top: Vec<f64> = (0..n).map(|i| q[i * n]).collect();
        let (lambda, v) = second_eigenpair(&a, n, &top, 10_000).unwrap();
        assert!((lambda - 0.6).abs() < 1e-13);
        let e = symmetric_eigen(&a, n);
        let sign = v[0].signum() * e.vectors[1][0].signum();
        for (i, (x, y)) in v.iter().zip(&e.vectors[1]).enumerate() {
            assert!((x - sign * y).abs() < 1e-12);
            assert!((x.abs() - q[i * n + 1].abs()).abs() < 1e-12);
        }
    }

    #[test]
    fn two_by_two_by_hand() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, -1)/√2.
        let e = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((e.values[0] - 3.0).abs() < 1e-14 && (e.values[1] - 1.0).abs() < 1e-14);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((e.vectors[0][0].abs() - h).abs() < 1e-14);
        assert!((e.vectors[1][0] * e.vectors[1][1] + 0.5).abs() < 1e-14);
    }

    #[test]
    fn residuals_vanish_on_a_dense_matrix() {
        let n = 30;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = ((i * j + 3) as f64).sin() + ((i + j) as f64).cos();
            }
        }
        let e = symmetric_eigen(&a, n);
        for (lambda, x) in e.values.iter().zip(&e.vectors) {
            for i in 0..n {
                let ax: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum();
                assert!((ax - lambda * x[i]).abs() < 1e-11);
            }
        }
        assert!(e.values.windows(2).all(|w| w[0] >= w[1]));
    }
}
