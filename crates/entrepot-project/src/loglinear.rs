//! Log-linear trend: ordinary least squares of the log-odds `z_t` on time,
//! `z_t = a + b t + u_t`, and the classical prediction interval of a new observation
//! (e.g. Greene 2018, *Econometric Analysis*, 8th ed., §4.8; Hyndman & Athanasopoulos
//! 2021, *Forecasting: Principles and Practice*, 3rd ed., §7.6):
//!
//! `ẑ_{n+h} ± t_{n−2, 1−(1−L)/2} · s · √(1 + 1/n + (x₀ − x̄)² / S_xx)`, with
//! `x₀ = n − 1 + h`, `s² = Σ û_t² / (n − 2)` and `S_xx = Σ (t − x̄)²`.
//!
//! The interval widens with the horizon through `(x₀ − x̄)²`.

use crate::dist::t_quantile;
use crate::error::ProjectError;

/// The fitted trend line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLinear {
    /// Intercept at `t = 0` (the first year).
    pub intercept: f64,
    /// Slope per year (on the log-odds scale; for a small share, the growth rate of
    /// the share in log points).
    pub slope: f64,
    /// Residual standard error `s`.
    pub sigma: f64,
    n: usize,
    mean_t: f64,
    sxx: f64,
}

/// Years needed: two for the line, one more for `s`.
pub const MIN_YEARS: usize = 3;

impl LogLinear {
    /// Fits the line to `z` (one value per consecutive year).
    pub fn fit(z: &[f64]) -> Result<Self, ProjectError> {
        let n = z.len();
        if n < MIN_YEARS {
            return Err(ProjectError::TooFewYears {
                what: "the log-linear trend".into(),
                got: n,
                needed: MIN_YEARS,
            });
        }
        let nf = n as f64;
        let mean_t = (nf - 1.0) / 2.0;
        let mean_z = z.iter().sum::<f64>() / nf;
        let (mut sxx, mut sxz) = (0.0, 0.0);
        for (t, v) in z.iter().enumerate() {
            let dx = t as f64 - mean_t;
            sxx += dx * dx;
            sxz += dx * (v - mean_z);
        }
        let slope = sxz / sxx;
        let intercept = mean_z - slope * mean_t;
        let sse: f64 = z
            .iter()
            .enumerate()
            .map(|(t, v)| (v - intercept - slope * t as f64).powi(2))
            .sum();
        let sigma = (sse / (nf - 2.0)).sqrt();
        if !(slope.is_finite() && intercept.is_finite() && sigma.is_finite()) {
            return Err(ProjectError::Fit {
                method: "log-linear trend",
                reason: "a non-finite estimate".into(),
            });
        }
        Ok(LogLinear {
            intercept,
            slope,
            sigma,
            n,
            mean_t,
            sxx,
        })
    }

    /// The point forecast and its standard error `h ≥ 1` years after the last.
    pub fn forecast(&self, h: usize) -> (f64, f64) {
        let x0 = (self.n - 1 + h) as f64;
        let mean = self.intercept + self.slope * x0;
        let se =
            self.sigma * (1.0 + 1.0 / self.n as f64 + (x0 - self.mean_t).powi(2) / self.sxx).sqrt();
        (mean, se)
    }

    /// The critical value of a central interval of level `level`: Student's t with
    /// `n − 2` degrees of freedom.
    pub fn critical(&self, level: f64) -> f64 {
        t_quantile(0.5 + level / 2.0, (self.n - 2) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_is_recovered_with_zero_error() {
        let z: Vec<f64> = (0..6).map(|t| -3.0 + 0.1 * t as f64).collect();
        let m = LogLinear::fit(&z).expect("fit");
        assert!((m.slope - 0.1).abs() < 1e-12 && (m.intercept + 3.0).abs() < 1e-12);
        let (mean, se) = m.forecast(4);
        assert!((mean - (-3.0 + 0.9)).abs() < 1e-12);
        assert!(se.abs() < 1e-12);
    }

    #[test]
    fn the_standard_error_follows_the_textbook_formula() {
        // z = 1, 3, 2, 5: x̄ = 1.5, S_xx = 5, slope = 1.1, intercept 1.1 (R: lm).
        let m = LogLinear::fit(&[1.0, 3.0, 2.0, 5.0]).expect("fit");
        assert!((m.slope - 1.1).abs() < 1e-12);
        assert!((m.intercept - 1.1).abs() < 1e-12);
        // residuals −0.1, 0.8, −1.3, 0.6 → SSE 2.7, s² = 1.35
        assert!((m.sigma - 1.35f64.sqrt()).abs() < 1e-12);
        let (mean, se) = m.forecast(2); // x0 = 5
        assert!((mean - (1.1 + 5.5)).abs() < 1e-12);
        let expect = (1.35 * (1.0 + 0.25 + 3.5f64.powi(2) / 5.0)).sqrt();
        assert!((se - expect).abs() < 1e-12);
        // t(0.975, 2) = 4.302652729911 (R: qt)
        assert!((m.critical(0.95) - 4.302_652_729_911).abs() < 1e-8);
    }
}
