//! A dense square matrix of pair values: row `i` is the exporter, column `j` the
//! importer, the diagonal is domestic (intra-national) trade.

use crate::error::{GeError, Result};

/// A dense `N × N` matrix of pair values, stored row by row (exporter `i`, importer `j`).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    n: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A matrix from its `n²` values, row by row (`data[i * n + j]` is `i → j`).
    pub fn new(n: usize, data: Vec<f64>) -> Result<Matrix> {
        if data.len() != n * n {
            return Err(GeError::Dimension {
                what: "matrix",
                got: data.len(),
                expected: n * n,
            });
        }
        Ok(Matrix { n, data })
    }

    /// An `n × n` matrix with every entry `value`.
    pub fn filled(n: usize, value: f64) -> Matrix {
        Matrix {
            n,
            data: vec![value; n * n],
        }
    }

    /// An `n × n` matrix with entry `f(i, j)`.
    pub fn from_fn(n: usize, mut f: impl FnMut(usize, usize) -> f64) -> Matrix {
        let mut data = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                data.push(f(i, j));
            }
        }
        Matrix { n, data }
    }

    /// The matrix `exp(logs)`, for trade costs given on the log scale
    /// (`ln t_ij^{1−σ}`, the linear predictor of a gravity regression). `−∞` gives `0`
    /// (a pair that cannot trade); NaN and `+∞` are errors.
    pub fn from_logs(n: usize, logs: Vec<f64>) -> Result<Matrix> {
        let m = Matrix::new(n, logs)?;
        let mut data = Vec::with_capacity(m.data.len());
        for (k, &v) in m.data.iter().enumerate() {
            if v.is_nan() || v == f64::INFINITY {
                return Err(GeError::InvalidValue {
                    what: "log trade cost",
                    at: format!("pair ({}, {})", k / n, k % n),
                    value: v,
                });
            }
            data.push(v.exp());
        }
        Ok(Matrix { n, data })
    }

    /// The number of rows (and columns).
    pub fn size(&self) -> usize {
        self.n
    }

    /// Entry `i → j`.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    /// Sets entry `i → j`.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.data[i * self.n + j] = value;
    }

    /// Row `i` (everything exporter `i` sends).
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }

    /// All entries, row by row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Row sums (`Σ_j x_ij`: an exporter's sales, domestic included).
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.row(i).iter().sum()).collect()
    }

    /// Column sums (`Σ_i x_ij`: an importer's purchases, domestic included).
    pub fn col_sums(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        for i in 0..self.n {
            for (o, v) in out.iter_mut().zip(self.row(i)) {
                *o += v;
            }
        }
        out
    }

    /// Row sums without the diagonal (exports, international only).
    pub fn row_sums_off_diagonal(&self) -> Vec<f64> {
        (0..self.n)
            .map(|i| {
                self.row(i)
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, v)| v)
                    .sum()
            })
            .collect()
    }

    /// Column sums without the diagonal (imports, international only).
    pub fn col_sums_off_diagonal(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        for i in 0..self.n {
            for (j, (o, v)) in out.iter_mut().zip(self.row(i)).enumerate() {
                if j != i {
                    *o += v;
                }
            }
        }
        out
    }

    /// The matrix with entry `f(i, j, x_ij)`.
    pub fn map(&self, mut f: impl FnMut(usize, usize, f64) -> f64) -> Matrix {
        Matrix::from_fn(self.n, |i, j| f(i, j, self.get(i, j)))
    }
}
