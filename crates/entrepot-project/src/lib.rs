//! # entrepot-project
//!
//! Projections of a world market share to a target year, each with its prediction
//! interval and the error it made on held-back years, so that a projection is never
//! a bare number. No data access: the application layer (`entrepot_app::project`)
//! builds the share series from a flow cube and calls [`project`].
//!
//! ## Method
//!
//! Every method works on the **log-odds** of the share, `z = ln(s / (100 − s))`, and
//! maps its forecast and interval back with `s = 100 / (1 + e^{−z})`: projected
//! shares and their bounds stay strictly between 0 and 100%, and for a small share
//! the log-odds is the log share, so a trend in it is a constant growth rate. The
//! back-transformed point is the median of the projected share.
//!
//! | method | module | model | interval |
//! |---|---|---|---|
//! | log-linear trend | [`loglinear`] | OLS `z_t = a + b t + u_t` | classical prediction interval, Student's t, widens with `(x₀ − x̄)²` |
//! | damped trend | [`damped`] | ETS(A,Ad,N) (Hyndman et al. 2008), parameters by likelihood (SSE) | state-space variance `σ²[1 + Σ (α + β φ_j)²]` |
//! | no change | [`naive`] | random walk, the benchmark | `σ √h` |
//!
//! [`backtest()`] (module [`backtest`](mod@backtest)) runs a rolling-origin evaluation
//! (Tashman 2000): each method is refitted on the years before each origin and
//! forecasts the years held back; its errors (MAE, RMSE, MAPE in percentage points,
//! interval coverage) are reported by horizon, and [`project`] chooses the method
//! with the lowest mean MAE over the horizons evaluated.
//!
//! | module | holds |
//! |---|---|
//! | [`series`] | [`ShareSeries`] (consecutive years, shares in (0, 100)), [`logit`], [`inv_logit`] |
//! | [`method`] | [`Method`], [`Model`], [`ShareForecast`] |
//! | [`backtest`](mod@backtest) | [`Backtest`], [`MethodErrors`], [`HorizonError`], [`HeldBack`] |
//! | [`dist`] | normal and Student's t quantiles |
//! | [`error`] | [`ProjectError`] |
//!
//! ## Example
//!
//! ```
//! use entrepot_project::{project, Options, ShareSeries};
//! let years: Vec<i32> = (2000..2016).collect();
//! let shares: Vec<f64> = (0..16).map(|t| 2.0 * 1.05f64.powi(t)).collect();
//! let p = project(&ShareSeries::new(years, shares)?, &Options::new(2020))?;
//! let chosen = p.chosen_projection().expect("a method was chosen");
//! let last = chosen.path.last().expect("2020");
//! assert_eq!(last.year, 2020);
//! assert!(last.lower < last.share && last.share < last.upper);
//! # Ok::<(), entrepot_project::ProjectError>(())
//! ```
//!
//! ## References
//!
//! * Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008), *Forecasting
//!   with Exponential Smoothing: The State Space Approach*, Springer.
//! * Hyndman, R. J. & Athanasopoulos, G. (2021), *Forecasting: Principles and
//!   Practice*, 3rd ed., OTexts.
//! * Gardner, E. S. & McKenzie, E. (1985), "Forecasting trends in time series",
//!   *Management Science* 31(10) (the damped trend).
//! * Tashman, L. J. (2000), "Out-of-sample tests of forecasting accuracy: an analysis
//!   and review", *International Journal of Forecasting* 16(4).

pub mod backtest;
pub mod damped;
pub mod dist;
pub mod error;
pub mod loglinear;
pub mod method;
pub mod naive;
pub mod series;

pub use backtest::{backtest, Backtest, HeldBack, HorizonError, MethodErrors};
pub use error::ProjectError;
pub use method::{Method, Model, ShareForecast};
pub use series::{inv_logit, logit, ShareSeries};

/// The furthest a projection may reach beyond the data, in years.
pub const MAX_HORIZON: usize = 50;

/// What to project.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The target year (after the last year of data).
    pub target: i32,
    /// The level of the prediction intervals, in (0, 1); default 0.8.
    pub level: f64,
    /// The methods compared; default [`Method::ALL`].
    pub methods: Vec<Method>,
    /// Years in the backtest's first window; `None`: the most any method needs (8).
    pub min_train: Option<usize>,
}

impl Options {
    /// Every method, 80% intervals, to `target`.
    pub fn new(target: i32) -> Self {
        Options {
            target,
            level: 0.8,
            methods: Method::ALL.to_vec(),
            min_train: None,
        }
    }
}

/// One method's projection.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodProjection {
    /// The method.
    pub method: Method,
    /// The model fitted to every year, or why it could not be.
    pub model: Result<Model, ProjectError>,
    /// The projected shares from the year after the data to the target (empty when
    /// the fit failed).
    pub path: Vec<ShareForecast>,
}

/// A projection: each method's path, the backtest, and the method chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The last year of data.
    pub last_year: i32,
    /// The target year.
    pub target: i32,
    /// The interval level.
    pub level: f64,
    /// Each method's projection, in the order of [`Options::methods`].
    pub methods: Vec<MethodProjection>,
    /// The rolling-origin backtest.
    pub backtest: Backtest,
    /// The method with the lowest backtest score, or `None` when no method could be
    /// scored.
    pub chosen: Option<Method>,
}

impl Projection {
    /// The chosen method's projection.
    pub fn chosen_projection(&self) -> Option<&MethodProjection> {
        self.chosen
            .and_then(|m| self.methods.iter().find(|p| p.method == m))
    }

    /// The chosen method's backtest errors.
    pub fn chosen_errors(&self) -> Option<&MethodErrors> {
        self.chosen
            .and_then(|m| self.backtest.methods.iter().find(|e| e.method == m))
    }

    /// Years from the last year of data to the target.
    pub fn horizon(&self) -> usize {
        (self.target - self.last_year) as usize
    }
}

/// Projects `series` to `options.target` with each method, backtests them, and
/// chooses the method with the lowest backtest error.
pub fn project(series: &ShareSeries, options: &Options) -> Result<Projection, ProjectError> {
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(ProjectError::Level(options.level));
    }
    let Some(last) = series.last_year() else {
        return Err(ProjectError::TooFewYears {
            what: "a projection".into(),
            got: 0,
            needed: 1,
        });
    };
    if options.target <= last {
        return Err(ProjectError::Target {
            target: options.target,
            reason: format!("not after the last year of data ({last})"),
        });
    }
    let horizon = (options.target - last) as usize;
    if horizon > MAX_HORIZON {
        return Err(ProjectError::Target {
            target: options.target,
            reason: format!(
                "{horizon} years after the last year of data ({last}); at most {MAX_HORIZON}"
            ),
        });
    }
    let methods = if options.methods.is_empty() {
        Method::ALL.to_vec()
    } else {
        options.methods.clone()
    };
    let min_train = options
        .min_train
        .unwrap_or_else(|| methods.iter().map(|m| m.min_years()).max().unwrap_or(2));
    // At least two origins, so that an error is a mean over more than one forecast.
    let needed = min_train + 2;
    if series.len() < needed {
        return Err(ProjectError::TooFewYears {
            what: format!(
                "a projection with its backtest ({min_train} years to fit, two held back)"
            ),
            got: series.len(),
            needed,
        });
    }
    let z = series.log_odds();
    let projections = methods
        .iter()
        .map(|&method| {
            let model = method.fit(&z);
            let path = match &model {
                Ok(m) => (1..=horizon)
                    .map(|h| m.share(last, h, options.level))
                    .collect(),
                Err(_) => Vec::new(),
            };
            MethodProjection {
                method,
                model,
                path,
            }
        })
        .collect::<Vec<_>>();
    let max_h = horizon.min(series.len() - min_train);
    let bt = backtest(series, &methods, min_train, max_h, options.level)?;
    let chosen = bt
        .methods
        .iter()
        .filter(|e| e.failures.is_empty())
        .filter(|e| {
            projections
                .iter()
                .any(|p| p.method == e.method && p.model.is_ok())
        })
        .filter_map(|e| e.score().map(|s| (e.method, s)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m);
    Ok(Projection {
        last_year: last,
        target: options.target,
        level: options.level,
        methods: projections,
        backtest: bt,
        chosen,
    })
}

#[cfg(test)]
mod tests;
