//! A small dense linear solver for the few square systems the solvers need (Anderson
//! acceleration's least squares, the Newton step of the fixed-effect fit).

/// Solves `A x = b` by Gaussian elimination with partial pivoting; `None` when `A` is
/// singular or the result not finite.
pub(crate) fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for k in 0..n {
        let p = (k..n).max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))?;
        if a[p][k] == 0.0 || !a[p][k].is_finite() {
            return None;
        }
        a.swap(k, p);
        b.swap(k, p);
        let (upper, lower) = a.split_at_mut(k + 1);
        let pivot = &upper[k];
        for (off, row) in lower.iter_mut().enumerate() {
            let f = row[k] / pivot[k];
            for (v, u) in row[k..].iter_mut().zip(&pivot[k..]) {
                *v -= f * u;
            }
            b[k + 1 + off] -= f * b[k];
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let s: f64 = (k + 1..n).map(|j| a[k][j] * x[j]).sum();
        x[k] = (b[k] - s) / a[k][k];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::solve;

    #[test]
    fn solves_a_small_system_and_flags_a_singular_one() {
        let a = vec![
            vec![2.0, 1.0, 0.0],
            vec![1.0, 3.0, 1.0],
            vec![0.0, 1.0, 4.0],
        ];
        let x = solve(a, vec![3.0, 5.0, 5.0]).expect("regular");
        for g in x {
            assert!((g - 1.0).abs() < 1e-12);
        }
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
    }
}
