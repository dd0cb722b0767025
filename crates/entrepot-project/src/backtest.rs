//! Rolling-origin backtest (Tashman 2000, "Out-of-sample tests of forecasting
//! accuracy: an analysis and review", *International Journal of Forecasting* 16(4)):
//! for each origin `o = m, m+1, …, n−1` every method is fitted to the first `o` years
//! only (the slice `z[..o]`: nothing at or after the origin reaches the fit) and
//! forecasts the held-back years `o+1 … min(o+H, n)`. Errors are on the share scale,
//! in percentage points:
//!
//! * `MAE_h = mean |ŝ − s|`, `RMSE_h = √ mean (ŝ − s)²`, `MAPE_h = 100 · mean |ŝ − s| / s`
//!   over the origins with a held-back year `h` years ahead;
//! * the coverage of the prediction intervals (the share of held-back years inside).
//!
//! A method's score is the mean of its `MAE_h` over the horizons evaluated, each
//! horizon weighted equally; the method with the lowest score is chosen.

use crate::error::ProjectError;
use crate::method::Method;
use crate::series::ShareSeries;

/// One forecast of a held-back year.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldBack {
    /// The method.
    pub method: Method,
    /// The last year of the data the method was fitted to.
    pub origin: i32,
    /// The year forecast.
    pub year: i32,
    /// Years after the origin.
    pub horizon: usize,
    /// The forecast share (%).
    pub forecast: f64,
    /// Interval bounds (%).
    pub lower: f64,
    /// Interval bounds (%).
    pub upper: f64,
    /// The share held back (%).
    pub actual: f64,
}

/// A method's errors at one horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizonError {
    /// Years ahead.
    pub horizon: usize,
    /// Forecasts evaluated (origins with a held-back year at that horizon).
    pub count: usize,
    /// Mean absolute error (percentage points).
    pub mae: f64,
    /// Root mean squared error (percentage points).
    pub rmse: f64,
    /// Mean absolute percentage error (% of the share).
    pub mape: f64,
    /// Share of held-back years inside the interval (0–1).
    pub coverage: f64,
}

/// A method's backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodErrors {
    /// The method.
    pub method: Method,
    /// Errors by horizon, `1 … H`.
    pub horizons: Vec<HorizonError>,
    /// Origins at which the fit failed, with the reason.
    pub failures: Vec<(i32, String)>,
}

impl MethodErrors {
    /// The score: mean MAE over the horizons evaluated (percentage points), or
    /// `None` when none was.
    pub fn score(&self) -> Option<f64> {
        (!self.horizons.is_empty())
            .then(|| self.horizons.iter().map(|h| h.mae).sum::<f64>() / self.horizons.len() as f64)
    }

    /// The errors at horizon `h`, if evaluated.
    pub fn at(&self, h: usize) -> Option<&HorizonError> {
        self.horizons.iter().find(|e| e.horizon == h)
    }
}

/// The result of a rolling-origin backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// The years of data the first origin's fit uses (`m`).
    pub min_train: usize,
    /// The longest horizon evaluated.
    pub max_horizon: usize,
    /// The origins (last year of each training window).
    pub origins: Vec<i32>,
    /// The interval level.
    pub level: f64,
    /// Errors of each method, in the order given.
    pub methods: Vec<MethodErrors>,
    /// Every forecast of a held-back year.
    pub forecasts: Vec<HeldBack>,
}

/// Runs the backtest of `methods` on `series`: fits on the first `min_train` years
/// and more, forecasts up to `max_horizon` years ahead, intervals of `level`.
pub fn backtest(
    series: &ShareSeries,
    methods: &[Method],
    min_train: usize,
    max_horizon: usize,
    level: f64,
) -> Result<Backtest, ProjectError> {
    let n = series.len();
    if n < min_train + 1 {
        return Err(ProjectError::TooFewYears {
            what: format!("a backtest with {min_train} years in its first window"),
            got: n,
            needed: min_train + 1,
        });
    }
    let z = series.log_odds();
    let (years, shares) = (series.years(), series.shares());
    let mut forecasts = Vec::new();
    let mut out = Vec::new();
    for &method in methods {
        let mut failures = Vec::new();
        let mut held = Vec::new();
        for o in min_train..n {
            // Only the years before the origin reach the fit.
            match method.fit(&z[..o]) {
                Ok(model) => {
                    for h in 1..=max_horizon.min(n - o) {
                        let f = model.share(years[o - 1], h, level);
                        held.push(HeldBack {
                            method,
                            origin: years[o - 1],
                            year: f.year,
                            horizon: h,
                            forecast: f.share,
                            lower: f.lower,
                            upper: f.upper,
                            actual: shares[o - 1 + h],
                        });
                    }
                }
                Err(e) => failures.push((years[o - 1], e.to_string())),
            }
        }
        let horizons = (1..=max_horizon)
            .filter_map(|h| horizon_errors(h, held.iter().filter(|f| f.horizon == h)))
            .collect();
        out.push(MethodErrors {
            method,
            horizons,
            failures,
        });
        forecasts.extend(held);
    }
    Ok(Backtest {
        min_train,
        max_horizon,
        origins: (min_train..n).map(|o| years[o - 1]).collect(),
        level,
        methods: out,
        forecasts,
    })
}

fn horizon_errors<'a>(
    horizon: usize,
    fs: impl Iterator<Item = &'a HeldBack>,
) -> Option<HorizonError> {
    let (mut count, mut abs, mut sq, mut pct, mut inside) = (0usize, 0.0, 0.0, 0.0, 0usize);
    for f in fs {
        let e = f.forecast - f.actual;
        count += 1;
        abs += e.abs();
        sq += e * e;
        pct += 100.0 * e.abs() / f.actual;
        if f.lower <= f.actual && f.actual <= f.upper {
            inside += 1;
        }
    }
    (count > 0).then(|| {
        let c = count as f64;
        HorizonError {
            horizon,
            count,
            mae: abs / c,
            rmse: (sq / c).sqrt(),
            mape: pct / c,
            coverage: inside as f64 / c,
        }
    })
}
