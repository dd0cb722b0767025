//! The methods, one type over the three models: fit, forecast with a standard error,
//! and an interval on the share scale.

use crate::damped::{self, DampedTrend};
use crate::dist::normal_quantile;
use crate::error::ProjectError;
use crate::loglinear::{self, LogLinear};
use crate::naive::{self, Naive};
use crate::series::inv_logit;

/// A projection method. Each works on the log-odds of the share, so that projected
/// shares and their intervals stay between 0 and 100%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// OLS trend of the log-odds on time ([`crate::loglinear`]).
    LogLinear,
    /// Damped-trend exponential smoothing, ETS(A,Ad,N) ([`crate::damped`]).
    DampedTrend,
    /// No change, the random-walk benchmark ([`crate::naive`]).
    Naive,
}

impl Method {
    /// Every method, in the order reports list them (and ties are broken).
    pub const ALL: [Method; 3] = [Method::LogLinear, Method::DampedTrend, Method::Naive];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::LogLinear => "log-linear trend",
            Method::DampedTrend => "damped trend (ETS(A,Ad,N))",
            Method::Naive => "no change (random walk)",
        }
    }

    /// A key for data (JSON, CSV).
    pub fn key(self) -> &'static str {
        match self {
            Method::LogLinear => "log_linear",
            Method::DampedTrend => "damped_trend",
            Method::Naive => "no_change",
        }
    }

    /// The years a fit needs.
    pub fn min_years(self) -> usize {
        match self {
            Method::LogLinear => loglinear::MIN_YEARS,
            Method::DampedTrend => damped::MIN_YEARS,
            Method::Naive => naive::MIN_YEARS,
        }
    }

    /// Fits the method to log-odds `z` (one value per consecutive year).
    pub fn fit(self, z: &[f64]) -> Result<Model, ProjectError> {
        Ok(match self {
            Method::LogLinear => Model::LogLinear(LogLinear::fit(z)?),
            Method::DampedTrend => Model::DampedTrend(DampedTrend::fit(z)?),
            Method::Naive => Model::Naive(Naive::fit(z)?),
        })
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// A log-linear trend.
    LogLinear(LogLinear),
    /// A damped-trend model.
    DampedTrend(DampedTrend),
    /// The no-change benchmark.
    Naive(Naive),
}

/// A projected share in one year: the point (the median: the back-transformed mean
/// of the log-odds) and the prediction interval, in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareForecast {
    /// The year.
    pub year: i32,
    /// Years after the last year of data.
    pub horizon: usize,
    /// The projected share (%).
    pub share: f64,
    /// Lower bound of the interval (%).
    pub lower: f64,
    /// Upper bound of the interval (%).
    pub upper: f64,
}

impl Model {
    /// The method.
    pub fn method(&self) -> Method {
        match self {
            Model::LogLinear(_) => Method::LogLinear,
            Model::DampedTrend(_) => Method::DampedTrend,
            Model::Naive(_) => Method::Naive,
        }
    }

    /// The point forecast and standard error of the log-odds `h ≥ 1` years ahead.
    pub fn forecast(&self, h: usize) -> (f64, f64) {
        match self {
            Model::LogLinear(m) => m.forecast(h),
            Model::DampedTrend(m) => m.forecast(h),
            Model::Naive(m) => m.forecast(h),
        }
    }

    /// The critical value of a central interval of `level`: Student's t for the
    /// trend line, the normal for the state-space models.
    pub fn critical(&self, level: f64) -> f64 {
        match self {
            Model::LogLinear(m) => m.critical(level),
            _ => normal_quantile(0.5 + level / 2.0),
        }
    }

    /// The share and its interval of level `level`, `h` years after `last_year`:
    /// the log-odds interval mapped back (the map is increasing, so the bounds keep
    /// their probability).
    pub fn share(&self, last_year: i32, h: usize, level: f64) -> ShareForecast {
        let (mean, se) = self.forecast(h);
        let q = self.critical(level) * se;
        ShareForecast {
            year: last_year + h as i32,
            horizon: h,
            share: inv_logit(mean),
            lower: inv_logit(mean - q),
            upper: inv_logit(mean + q),
        }
    }

    /// The estimated parameters, named, and the residual standard deviation last
    /// (log-odds scale).
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        match self {
            Model::LogLinear(m) => vec![
                ("slope per year", m.slope),
                ("intercept", m.intercept),
                ("sigma", m.sigma),
            ],
            Model::DampedTrend(m) => vec![
                ("alpha", m.alpha),
                ("beta", m.beta),
                ("phi", m.phi),
                ("level", m.level),
                ("trend", m.trend),
                ("sigma", m.sigma),
            ],
            Model::Naive(m) => vec![("sigma", m.sigma)],
        }
    }
}
