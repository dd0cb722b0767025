//! The series projected: a share in percent, one value per consecutive year, and the
//! log-odds scale on which every method works.

use crate::error::ProjectError;

/// A share of world exports by year: consecutive years, each share strictly between 0
/// and 100 percent.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareSeries {
    years: Vec<i32>,
    shares: Vec<f64>,
}

impl ShareSeries {
    /// A series from years (consecutive, increasing) and shares in percent.
    pub fn new(years: Vec<i32>, shares_pct: Vec<f64>) -> Result<Self, ProjectError> {
        if years.len() != shares_pct.len() {
            return Err(ProjectError::Shape {
                years: years.len(),
                shares: shares_pct.len(),
            });
        }
        for w in years.windows(2) {
            if w[1] != w[0] + 1 {
                return Err(ProjectError::Gap {
                    after: w[0],
                    next: w[1],
                });
            }
        }
        for (y, s) in years.iter().zip(&shares_pct) {
            if !(s.is_finite() && *s > 0.0 && *s < 100.0) {
                return Err(ProjectError::ShareOutOfRange {
                    year: *y,
                    share: *s,
                });
            }
        }
        Ok(ShareSeries {
            years,
            shares: shares_pct,
        })
    }

    /// The years, in order.
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    /// The shares in percent.
    pub fn shares(&self) -> &[f64] {
        &self.shares
    }

    /// The number of years.
    pub fn len(&self) -> usize {
        self.years.len()
    }

    /// Whether the series is empty.
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    /// The last year held.
    pub fn last_year(&self) -> Option<i32> {
        self.years.last().copied()
    }

    /// The shares on the log-odds scale, [`logit`] of each.
    pub fn log_odds(&self) -> Vec<f64> {
        self.shares.iter().map(|s| logit(*s)).collect()
    }
}

/// The log-odds `ln(s / (100 − s))` of a share `s` in percent (for a small share,
/// close to `ln s − ln 100`).
pub fn logit(share_pct: f64) -> f64 {
    let p = share_pct / 100.0;
    (p / (1.0 - p)).ln()
}

/// The share in percent of a log-odds `z`: `100 / (1 + e^{−z})`, always in (0, 100).
pub fn inv_logit(z: f64) -> f64 {
    if z >= 0.0 {
        100.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        100.0 * e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_odds_round_trips() {
        for s in [1e-6, 0.3, 12.5, 50.0, 99.9] {
            assert!((inv_logit(logit(s)) - s).abs() < 1e-9 * s.max(1.0));
        }
    }

    #[test]
    fn gaps_and_shares_out_of_range_are_refused_with_the_year() {
        let e = ShareSeries::new(vec![2000, 2002], vec![1.0, 2.0]).expect_err("gap");
        assert_eq!(
            e,
            ProjectError::Gap {
                after: 2000,
                next: 2002
            }
        );
        let e = ShareSeries::new(vec![2000, 2001], vec![1.0, 0.0]).expect_err("zero");
        assert!(e.to_string().contains("2001"), "{e}");
        assert!(ShareSeries::new(vec![2000], vec![100.0]).is_err());
        assert!(ShareSeries::new(vec![2000], vec![f64::NAN]).is_err());
        assert!(ShareSeries::new(vec![2000], vec![1.0, 2.0]).is_err());
    }
}
