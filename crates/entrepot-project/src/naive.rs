//! No change (random walk): the benchmark every method must beat. The forecast is
//! the last value, `ẑ_{n+h} = z_n`, with standard error `σ √h`, where
//! `σ² = Σ_{t≥2} (z_t − z_{t−1})² / (n − 1)` (Hyndman & Athanasopoulos 2021,
//! *Forecasting: Principles and Practice*, 3rd ed., §5.5, "naive method").

use crate::error::ProjectError;

/// The fitted random walk.
#[derive(Debug, Clone, PartialEq)]
pub struct Naive {
    /// The last value.
    pub last: f64,
    /// The standard deviation of the yearly changes (about zero).
    pub sigma: f64,
}

/// Years needed: one change.
pub const MIN_YEARS: usize = 2;

impl Naive {
    /// Fits the random walk to `z`.
    pub fn fit(z: &[f64]) -> Result<Self, ProjectError> {
        let n = z.len();
        if n < MIN_YEARS {
            return Err(ProjectError::TooFewYears {
                what: "the no-change benchmark".into(),
                got: n,
                needed: MIN_YEARS,
            });
        }
        let ss: f64 = z.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
        Ok(Naive {
            last: z[n - 1],
            sigma: (ss / (n - 1) as f64).sqrt(),
        })
    }

    /// The point forecast and its standard error `h ≥ 1` years after the last.
    pub fn forecast(&self, h: usize) -> (f64, f64) {
        (self.last, self.sigma * (h as f64).sqrt())
    }
}
