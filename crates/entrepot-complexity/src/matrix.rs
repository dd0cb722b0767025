//! The input (a country × product export matrix, dense or from triplets), the Balassa
//! RCA, the population-based RPOP and the presence test.
//!
//! * Balassa (1965): `RCA_cp = (x_cp / Σ_p x_cp) / (Σ_c x_cp / Σ_cp x_cp)`.
//! * RPOP (Atlas of Economic Complexity, Hausmann et al. 2014, and ecomplexity's
//!   `presence_test="rpop"`): `RPOP_cp = (x_cp / pop_c) / (Σ_c x_cp / Σ_c pop_c)`.
//! * Presence: `M_cp = 1` when the measure is `≥` the threshold (ecomplexity's
//!   `rca_mcp_threshold` / `rpop_mcp_threshold`, default 1), else 0.

// Index loops read as the formulas do (`x_cp`, `X_c`, `X_p`).
#![allow(clippy::needless_range_loop)]

use crate::error::{ComplexityError, Result};

/// A dense country × product matrix of export values, row-major (one row per country).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportMatrix {
    countries: usize,
    products: usize,
    values: Vec<f64>,
}

impl ExportMatrix {
    /// A matrix from its values, row-major: `values[c * products + p]`. Every value
    /// must be finite and non-negative.
    pub fn dense(countries: usize, products: usize, values: Vec<f64>) -> Result<Self> {
        if values.len() != countries * products {
            return Err(ComplexityError::Shape {
                what: "values (countries × products)",
                got: values.len(),
                expected: countries * products,
            });
        }
        for (i, &v) in values.iter().enumerate() {
            if !v.is_finite() || v < 0.0 {
                return Err(ComplexityError::InvalidValue {
                    country: i / products.max(1),
                    product: i % products.max(1),
                    value: v,
                });
            }
        }
        Ok(ExportMatrix {
            countries,
            products,
            values,
        })
    }

    /// A matrix from sparse `(country, product, value)` triplets; absent cells are 0
    /// and repeated cells are summed.
    pub fn from_triplets(
        countries: usize,
        products: usize,
        triplets: impl IntoIterator<Item = (usize, usize, f64)>,
    ) -> Result<Self> {
        let mut values = vec![0.0; countries * products];
        for (c, p, v) in triplets {
            if c >= countries {
                return Err(ComplexityError::IndexOutOfRange {
                    what: "country",
                    index: c,
                    dimension: countries,
                });
            }
            if p >= products {
                return Err(ComplexityError::IndexOutOfRange {
                    what: "product",
                    index: p,
                    dimension: products,
                });
            }
            if !v.is_finite() || v < 0.0 {
                return Err(ComplexityError::InvalidValue {
                    country: c,
                    product: p,
                    value: v,
                });
            }
            values[c * products + p] += v;
        }
        Ok(ExportMatrix {
            countries,
            products,
            values,
        })
    }

    /// Number of countries (rows).
    pub fn countries(&self) -> usize {
        self.countries
    }

    /// Number of products (columns).
    pub fn products(&self) -> usize {
        self.products
    }

    /// The value of a cell.
    pub fn get(&self, country: usize, product: usize) -> f64 {
        self.values[country * self.products + product]
    }

    /// The rows and columns with a positive total, as ecomplexity keeps them (its
    /// `create_full_df` drops locations and products whose summed value is 0).
    pub fn active(&self) -> (Vec<usize>, Vec<usize>) {
        let mut col = vec![0.0; self.products];
        let mut rows = Vec::new();
        for c in 0..self.countries {
            let row = &self.values[c * self.products..(c + 1) * self.products];
            if row.iter().sum::<f64>() > 0.0 {
                rows.push(c);
            }
            for (t, v) in col.iter_mut().zip(row) {
                *t += v;
            }
        }
        let cols = (0..self.products).filter(|&p| col[p] > 0.0).collect();
        (rows, cols)
    }

    /// The sub-matrix of the given rows and columns, row-major.
    pub(crate) fn select(&self, rows: &[usize], cols: &[usize]) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for &c in rows {
            let row = &self.values[c * self.products..(c + 1) * self.products];
            out.extend(cols.iter().map(|&p| row[p]));
        }
        out
    }
}

/// Balassa's revealed comparative advantage of every cell of a row-major
/// `countries × products` matrix whose rows and columns all have positive totals:
/// `RCA_cp = (x_cp / X_c) / (X_p / X)` (Balassa 1965).
pub fn balassa_rca(values: &[f64], countries: usize, products: usize) -> Vec<f64> {
    let (row, col, total) = margins(values, countries, products);
    let mut rca = vec![0.0; values.len()];
    for c in 0..countries {
        for p in 0..products {
            let i = c * products + p;
            rca[i] = (values[i] / row[c]) / (col[p] / total);
        }
    }
    rca
}

/// Each country's share of world exports of each product, for every cell of a
/// row-major `countries × products` matrix whose columns all have positive totals:
/// `s_cp = x_cp / X_p` (the world market share; the shares of a product sum to 1).
pub fn world_shares(values: &[f64], countries: usize, products: usize) -> Vec<f64> {
    let (_, col, _) = margins(values, countries, products);
    let mut out = vec![0.0; values.len()];
    for c in 0..countries {
        for p in 0..products {
            let i = c * products + p;
            out[i] = values[i] / col[p];
        }
    }
    out
}

/// RPOP, exports per head relative to the world's: `RPOP_cp = (x_cp / pop_c) /
/// (X_p / Σ_c pop_c)` (ecomplexity's `calculate_rpop`).
pub fn rpop(values: &[f64], countries: usize, products: usize, population: &[f64]) -> Vec<f64> {
    let (_, col, _) = margins(values, countries, products);
    let world_pop: f64 = population.iter().sum();
    let mut out = vec![0.0; values.len()];
    for c in 0..countries {
        for p in 0..products {
            let i = c * products + p;
            out[i] = (values[i] / population[c]) / (col[p] / world_pop);
        }
    }
    out
}

/// Row totals, column totals and the grand total.
fn margins(values: &[f64], countries: usize, products: usize) -> (Vec<f64>, Vec<f64>, f64) {
    let mut row = vec![0.0; countries];
    let mut col = vec![0.0; products];
    for c in 0..countries {
        for p in 0..products {
            let v = values[c * products + p];
            row[c] += v;
            col[p] += v;
        }
    }
    let total = col.iter().sum();
    (row, col, total)
}

/// The presence matrix: 1 where the measure is `≥ threshold` (NaN counts as 0, as in
/// ecomplexity's `convert_to_binary`), else 0.
pub fn presence(measure: &[f64], threshold: f64) -> Vec<u8> {
    measure
        .iter()
        .map(|&m| u8::from(!m.is_nan() && m >= threshold))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rca_of_a_two_by_two_matrix_by_hand() {
        // x = [[1, 3], [3, 1]]: X_c = 4, X_p = 4, X = 8; RCA_00 = (1/4)/(4/8) = 0.5.
        let rca = balassa_rca(&[1.0, 3.0, 3.0, 1.0], 2, 2);
        assert_eq!(rca, vec![0.5, 1.5, 1.5, 0.5]);
        assert_eq!(presence(&rca, 1.0), vec![0, 1, 1, 0]);
    }

    #[test]
    fn world_shares_of_each_product_sum_to_one() {
        // x = [[1, 3], [3, 1], [4, 0]]: X_0 = 8, X_1 = 4.
        let s = world_shares(&[1.0, 3.0, 3.0, 1.0, 4.0, 0.0], 3, 2);
        assert_eq!(s, vec![0.125, 0.75, 0.375, 0.25, 0.5, 0.0]);
        for p in 0..2 {
            let total: f64 = (0..3).map(|c| s[c * 2 + p]).sum();
            assert!((total - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn presence_threshold_is_inclusive_and_nan_is_absent() {
        assert_eq!(
            presence(&[1.0, 0.999, f64::NAN, 2.0], 1.0),
            vec![1, 0, 0, 1]
        );
    }

    #[test]
    fn all_zero_rows_and_columns_are_not_active() {
        let m =
            ExportMatrix::dense(3, 3, vec![1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 4.0, 0.0, 1.0]).unwrap();
        assert_eq!(m.active(), (vec![0, 2], vec![0, 2]));
    }

    #[test]
    fn triplets_sum_repeats_and_refuse_bad_input() {
        let m = ExportMatrix::from_triplets(2, 2, [(0, 1, 1.0), (0, 1, 2.0)]).unwrap();
        assert_eq!(m.get(0, 1), 3.0);
        assert!(matches!(
            ExportMatrix::from_triplets(2, 2, [(2, 0, 1.0)]),
            Err(ComplexityError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            ExportMatrix::dense(1, 2, vec![1.0, -1.0]),
            Err(ComplexityError::InvalidValue { product: 1, .. })
        ));
        assert!(matches!(
            ExportMatrix::dense(2, 2, vec![1.0]),
            Err(ComplexityError::Shape { .. })
        ));
    }
}
