//! The estimators: PPML (IRLS) and OLS with high-dimensional fixed effects.

use entrepot_core::Progress;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::demean::{DemeanOptions, Demeaner};
use crate::error::{GravityError, Result};
pub use crate::fixed_effects::FixedEffectValues;
use crate::fixed_effects::{recover_fixed_effects, FeNormalisation, NormalisationPlan};
use crate::formula::ModelSpec;
use crate::linalg::{cholesky, cholesky_solve, cross_products, detect_collinear, inverse_spd, Mat};
use crate::sample::{build_sample, DropCounts, Sample, SampleKind, SampleOptions};
use crate::separation::IrOptions;
use crate::special::{ln_gamma, normal_two_sided_p};
use crate::vcov::{compute_vcov, SmallSample, VcovInput, VcovKind};

/// The estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// Poisson pseudo-maximum likelihood (log link), the structural gravity workhorse.
    Ppml,
    /// Ordinary (weighted) least squares.
    Ols,
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Estimator::Ppml => "PPML",
            Estimator::Ols => "OLS",
        })
    }
}

/// Estimation options. `FitOptions::default()` is PPML with ppmlhdfe-style convergence
/// (`tol = 1e-8` on the relative deviance change), singletons dropped, FE and
/// iterated-rectifier separation checks, and pyfixest's small-sample corrections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// PPML or OLS.
    pub estimator: Estimator,
    /// Variance type; `None`: `Cluster` when the spec has cluster dimensions, else `Iid`.
    pub vcov: Option<VcovKind>,
    /// Small-sample corrections of the variance.
    pub small_sample: SmallSample,
    /// PPML convergence: `|dev − dev_old| / max(min(dev, dev_old), 0.1) < tol`.
    pub tol: f64,
    /// PPML maximum number of IRLS iterations (an error is returned when reached).
    pub max_iter: usize,
    /// Final (target) tolerance and sweep limit of the fixed-effect demeaning.
    pub demean_tol: f64,
    /// Maximum Gauss–Seidel sweeps per demeaning.
    pub demean_max_iter: usize,
    /// PPML: tolerance of the demeaning in the first IRLS iterations; whenever the outer
    /// criterion falls below 10× the current inner tolerance, the inner tolerance is set to
    /// `min(inner/10, criterion/10)`, and to `demean_tol` itself once that is within a factor
    /// 10 of it (convergence is only declared at `demean_tol`).
    pub start_inner_tol: f64,
    /// Drop singleton observations (iteratively, across all FE dimensions).
    pub drop_singletons: bool,
    /// PPML: drop observations in FE groups whose dependent variable is all zero.
    pub separation_fe: bool,
    /// PPML: iterated-rectifier separation check.
    pub separation_ir: bool,
    /// Options of the iterated rectifier.
    pub ir: IrOptions,
    /// A regressor is collinear when its squared residual norm on the fixed effects and
    /// the previous regressors is below `collin_tol` times its squared norm.
    pub collin_tol: f64,
    /// Print one line per IRLS iteration to stderr (deviance, criterion, sweeps, time).
    #[serde(default)]
    pub trace: bool,
    /// Recover the intercept of a model with fixed effects ([`Estimate::intercept`]).
    #[serde(default)]
    pub report_intercept: bool,
    /// How the recovered fixed effects are normalised ([`Estimate::fixed_effects`]);
    /// the default keeps the first levels at zero.
    #[serde(default)]
    pub fe_normalisation: FeNormalisation,
    /// Called after every PPML iteration with the stage `PPML iterations` and the
    /// iteration count (no total: the count to convergence is not known), and once by
    /// OLS; none by default. It only watches: the estimate does not depend on it.
    #[serde(skip)]
    pub progress: Progress,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            estimator: Estimator::Ppml,
            vcov: None,
            small_sample: SmallSample::pyfixest(),
            tol: 1e-8,
            max_iter: 1000,
            demean_tol: 1e-8,
            demean_max_iter: 10_000,
            start_inner_tol: 1e-4,
            drop_singletons: true,
            separation_fe: true,
            separation_ir: true,
            ir: IrOptions::default(),
            collin_tol: 1e-9,
            trace: false,
            report_intercept: false,
            fe_normalisation: FeNormalisation::FirstLevels,
            progress: Progress::none(),
        }
    }
}

impl FitOptions {
    /// Default options for OLS.
    pub fn ols() -> FitOptions {
        FitOptions {
            estimator: Estimator::Ols,
            ..FitOptions::default()
        }
    }
}

/// A fitted model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Estimate {
    /// The specification.
    pub spec: ModelSpec,
    /// PPML or OLS.
    pub estimator: Estimator,
    /// Names of the estimated coefficients (collinear ones removed).
    pub names: Vec<String>,
    /// Coefficients.
    pub coef: Vec<f64>,
    /// Variance matrix, row-major `k×k`.
    pub vcov: Vec<f64>,
    /// Standard errors.
    pub se: Vec<f64>,
    /// Variance type used.
    pub vcov_kind: VcovKind,
    /// Small-sample settings used.
    pub small_sample: SmallSample,
    /// Small-sample factor applied (first term for multi-way clustering).
    pub small_sample_factor: f64,
    /// Number of clusters per cluster dimension.
    pub n_clusters: Vec<usize>,
    /// Observations used.
    pub nobs: usize,
    /// Removed observations by reason.
    pub dropped: DropCounts,
    /// Regressors dropped as collinear.
    pub collinear: Vec<String>,
    /// IRLS iterations (1 for OLS).
    pub iterations: usize,
    /// Whether the estimator converged.
    pub converged: bool,
    /// PPML deviance `2 Σ w [y ln(y/μ) − (y − μ)]`; OLS: weighted sum of squared residuals.
    pub deviance: f64,
    /// Deviance of the constant-only model (PPML) or total sum of squares (OLS).
    pub null_deviance: f64,
    /// PPML: Poisson log-likelihood `Σ w [y ln μ − μ − ln Γ(y+1)]`.
    pub loglik: Option<f64>,
    /// PPML: log-likelihood of the constant-only model.
    pub loglik_null: Option<f64>,
    /// PPML: `1 − loglik / loglik_null` (as ppmlhdfe and pyfixest report it);
    /// OLS: `R²`.
    pub pseudo_r2: f64,
    /// OLS: within `R²` (after partialling out the fixed effects).
    pub r2_within: Option<f64>,
    /// Fixed-effect names.
    pub fe_names: Vec<String>,
    /// Dataset row of each used observation.
    pub rows: Vec<usize>,
    /// Fitted values (`μ` for PPML, `ŷ` for OLS) of each used observation.
    pub fitted: Vec<f64>,
    /// Estimated fixed effects per dimension, on the linear-predictor scale, so that
    /// `ln μ = offset + xβ + Σ_g fe_g` for every used observation. Each level has a typed
    /// key ([`FixedEffectValues::keys`], looked up by [`Estimate::fixed_effect`]).
    /// Normalisation ([`FitOptions::fe_normalisation`]; this is the default, the
    /// alternatives are in [`FeNormalisation`]): within
    /// each connected component of the first two dimensions, the first level (in order of
    /// appearance) of the second dimension is 0; for each further dimension its first
    /// level is 0; the shifts are absorbed by the first dimension. With three or more
    /// dimensions further redundancies (e.g. exporter-year, importer-year and pair effects)
    /// are not normalised: the per-observation sum is unique, the split is not.
    pub fixed_effects: Vec<FixedEffectValues>,
    /// Informational messages (drops, collinearity).
    pub messages: Vec<String>,
    /// The constant of a model with fixed effects when [`FitOptions::report_intercept`] is
    /// set, recovered as reghdfe/ppmlhdfe report `_cons`: the fixed effects are normalised
    /// to a weighted mean of zero, so the constant is `Σ_i W_i (η_i − offset_i − x_iβ) /
    /// Σ_i W_i`, the weighted mean of the fixed-effect component of the linear predictor,
    /// with `W` the final IRLS weights `μ·w` (PPML) or the user weights (OLS; then it equals
    /// `ȳ − x̄'β`). This is ppmlhdfe's `_cons` (`GLM::solve` in `ppmlhdfe.mata`: the
    /// `μ·w`-weighted means of `ln μ` and `x`, less the weighted mean of the offset) and
    /// reghdfe's (weighted means of `y` and `x`). `None` without fixed effects (the
    /// `(Intercept)` regressor is the constant there) or when not requested.
    #[serde(default)]
    pub intercept: Option<f64>,
    /// The standard error of [`Estimate::intercept`] by the delta method: `c = c̄ − x̄'β`,
    /// `Var(c) = L V_Z Lᵀ` with `L = (−x̄', 1)` and `V_Z` the variance (same kind and
    /// small-sample factor as the coefficients) of the regression on the demeaned
    /// regressors plus a column of ones, which is how reghdfe and ppmlhdfe obtain the
    /// variance of `_cons` (regressors with their means added back and a constant). For a
    /// one-level fixed effect it equals the standard error of the `(Intercept)` of the
    /// model without fixed effects.
    #[serde(default)]
    pub intercept_se: Option<f64>,
    /// `corr(y, ŷ)²` over the estimation sample (weighted with the user weights): Stata's
    /// `ppml` (Santos Silva and Tenreyro 2006) prints it as "R-squared".
    #[serde(default)]
    pub r2_corr: f64,
}

impl Estimate {
    /// The coefficient named `name`.
    pub fn coefficient(&self, name: &str) -> Option<f64> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.coef[i])
    }

    /// The standard error of `name`.
    pub fn std_error(&self, name: &str) -> Option<f64> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.se[i])
    }

    /// z statistics.
    pub fn z(&self) -> Vec<f64> {
        self.coef.iter().zip(&self.se).map(|(b, s)| b / s).collect()
    }

    /// Two-sided normal p-values.
    pub fn p_values(&self) -> Vec<f64> {
        self.z().into_iter().map(normal_two_sided_p).collect()
    }
}

/// Fits `spec` on `data` (builds the sample, checks existence, estimates, computes the
/// variance and recovers the fixed effects). To estimate the same model many times with
/// a new dependent variable or offset, prepare it once with
/// [`crate::PreparedModel::new`] instead.
pub fn fit(data: &Dataset, spec: &ModelSpec, opts: &FitOptions) -> Result<Estimate> {
    let vcov_kind = check_options(spec, opts)?;
    let t_fit = std::time::Instant::now();
    let sample = build_sample(data, spec, &sample_options(opts))?;
    let plan = NormalisationPlan::new(&sample, &opts.fe_normalisation)?;
    let t_core = std::time::Instant::now();
    let (est, _) = estimate_sample(spec, &sample, opts, vcov_kind, &plan, None)?;
    if opts.trace {
        eprintln!(
            "[fit] sample {:.4}s  estimate {:.4}s",
            (t_core - t_fit).as_secs_f64(),
            t_core.elapsed().as_secs_f64()
        );
    }
    Ok(est)
}

/// Checks the options against the specification; returns the variance type.
pub(crate) fn check_options(spec: &ModelSpec, opts: &FitOptions) -> Result<VcovKind> {
    if opts.tol.is_nan() || opts.tol <= 0.0 || opts.demean_tol.is_nan() || opts.demean_tol <= 0.0 {
        return Err(GravityError::InvalidSpec(
            "tolerances must be positive".into(),
        ));
    }
    if opts.max_iter == 0 {
        return Err(GravityError::InvalidSpec(
            "max_iter must be at least 1".into(),
        ));
    }
    let vcov_kind = opts.vcov.unwrap_or(if spec.cluster.is_empty() {
        VcovKind::Iid
    } else {
        VcovKind::Cluster
    });
    if vcov_kind == VcovKind::Cluster && spec.cluster.is_empty() {
        return Err(GravityError::InvalidSpec(
            "clustered standard errors need at least one cluster variable".into(),
        ));
    }
    if vcov_kind == VcovKind::Cluster && spec.cluster.len() > 8 {
        return Err(GravityError::InvalidSpec(
            "at most 8 cluster dimensions".into(),
        ));
    }
    Ok(vcov_kind)
}

/// The demeaning options of `opts`.
pub(crate) fn demean_options(opts: &FitOptions) -> DemeanOptions {
    DemeanOptions {
        tol: opts.demean_tol,
        max_iter: opts.demean_max_iter,
    }
}

/// The sample-construction options of `opts`.
pub(crate) fn sample_options(opts: &FitOptions) -> SampleOptions {
    SampleOptions {
        kind: match opts.estimator {
            Estimator::Ppml => SampleKind::Poisson,
            Estimator::Ols => SampleKind::Linear,
        },
        drop_singletons: opts.drop_singletons,
        separation_fe: opts.separation_fe,
        separation_ir: opts.separation_ir,
        ir: opts.ir,
        demean: demean_options(opts),
        trace: opts.trace,
    }
}

/// Where a previous estimate on the same sample ended, to start the next one from:
/// the kept regressors, `β`, the demeaner's coefficients per column and the linear
/// predictor with the offset it was computed with.
#[derive(Debug, Clone)]
pub(crate) struct WarmStart {
    /// Indices of the regressors kept (not collinear).
    pub keep: Vec<usize>,
    pub beta: Vec<f64>,
    /// Demeaning coefficients: PPML `[z, kept x…]`, OLS `[y, every x…]`.
    pub alphas: Vec<Vec<f64>>,
    /// PPML: the final linear predictor `η = ln μ`.
    pub eta: Vec<f64>,
    /// The offset `η` includes.
    pub offset: Option<Vec<f64>>,
}

/// Estimates on a built sample (the core, the variance, the fixed effects), from `warm`
/// when given; returns the estimate and where it ended.
pub(crate) fn estimate_sample(
    spec: &ModelSpec,
    sample: &Sample,
    opts: &FitOptions,
    vcov_kind: VcovKind,
    plan: &NormalisationPlan,
    warm: Option<&WarmStart>,
) -> Result<(Estimate, WarmStart)> {
    let dopts = demean_options(opts);
    let mut core = match opts.estimator {
        Estimator::Ppml => ppml_core(sample, opts, &dopts, warm)?,
        Estimator::Ols => {
            let core = ols_core(sample, opts, &dopts, warm)?;
            opts.progress.report("OLS", 1, Some(1));
            core
        }
    };
    let next = WarmStart {
        keep: core.keep.clone(),
        beta: core.beta.clone(),
        alphas: std::mem::take(&mut core.alphas),
        eta: match opts.estimator {
            Estimator::Ppml => core.fitted.iter().map(|m| m.ln()).collect(),
            Estimator::Ols => Vec::new(),
        },
        offset: sample.offset.clone(),
    };
    let est = finish(spec, sample, core, plan, vcov_kind, opts)?;
    Ok((est, next))
}

/// What the estimation cores hand to [`finish`].
struct Core {
    keep: Vec<usize>,
    beta: Vec<f64>,
    bread: Mat,
    xt: Vec<Vec<f64>>,
    wr: Vec<f64>,
    ols_ssr: Option<f64>,
    fitted: Vec<f64>,
    /// Concatenated FE coefficients (`α_dep − Σ β_j α_xj`).
    fe_alpha: Vec<f64>,
    iterations: usize,
    converged: bool,
    deviance: f64,
    null_deviance: f64,
    loglik: Option<f64>,
    loglik_null: Option<f64>,
    pseudo_r2: f64,
    r2_within: Option<f64>,
    /// Final demeaning coefficients per column (see [`WarmStart::alphas`]).
    alphas: Vec<Vec<f64>>,
}

fn check_collinear(x: &[Vec<f64>], xt: &[Vec<f64>], w: Option<&[f64]>, tol: f64) -> Vec<usize> {
    let n = xt.first().map_or(0, Vec::len);
    let (m, _) = cross_products(xt, w, &vec![0.0; n]);
    let scale: Vec<f64> = x
        .iter()
        .map(|c| match w {
            Some(w) => c.iter().zip(w).map(|(v, wi)| wi * v * v).sum(),
            None => c.iter().map(|v| v * v).sum(),
        })
        .collect();
    detect_collinear(&m, &scale, tol)
}

fn poisson_deviance(y: &[f64], mu: &[f64], w: Option<&[f64]>) -> f64 {
    let mut d = 0.0;
    for (i, (&yi, &mi)) in y.iter().zip(mu).enumerate() {
        let t = if yi > 0.0 {
            yi * (yi / mi).ln() - (yi - mi)
        } else {
            mi
        };
        d += w.map_or(1.0, |w| w[i]) * t;
    }
    2.0 * d
}

/// `Σ w [y ln μ − μ] − lg`, with `lg = Σ w ln Γ(y + 1)` (computed once by the caller).
fn poisson_loglik(y: &[f64], mu: &[f64], w: Option<&[f64]>, lg: f64) -> f64 {
    let mut ll = 0.0;
    for (i, (&yi, &mi)) in y.iter().zip(mu).enumerate() {
        let t = if yi > 0.0 { yi * mi.ln() } else { 0.0 } - mi;
        ll += w.map_or(1.0, |w| w[i]) * t;
    }
    ll - lg
}

/// The Poisson deviance from the linear predictor, without logarithms:
/// `2 Σ w [y ln y − y η − (y − μ)]` (`ln μ = η`), with `ylny[i] = y ln y` precomputed.
fn poisson_deviance_eta(
    y: &[f64],
    ylny: &[f64],
    eta: &[f64],
    mu: &[f64],
    w: Option<&[f64]>,
) -> f64 {
    let mut d = 0.0;
    for i in 0..y.len() {
        let yi = y[i];
        let t = if yi > 0.0 {
            ylny[i] - yi * eta[i] - (yi - mu[i])
        } else {
            mu[i]
        };
        d += w.map_or(1.0, |w| w[i]) * t;
    }
    2.0 * d
}

/// The starting point `(μ, η)` of a warm-started PPML estimate: the previous linear
/// predictor, or the previous `xβ + Σ α` with the new offset, whichever has the smaller
/// deviance for the new `y` (the first suits a new `y`, the second a new offset whose
/// change the coefficients and fixed effects do not absorb).
fn warm_start_point(
    y: &[f64],
    uw: Option<&[f64]>,
    offset: Option<&[f64]>,
    w: &WarmStart,
) -> (Vec<f64>, Vec<f64>) {
    let off = |o: Option<&[f64]>, i: usize| o.map_or(0.0, |o| o[i]);
    let old = w.offset.as_deref();
    let same_offset = (0..w.eta.len()).all(|i| off(offset, i) == off(old, i));
    let candidate = |eta: Vec<f64>| {
        let mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        let dev = poisson_deviance(y, &mu, uw);
        (mu, eta, if dev.is_finite() { dev } else { f64::INFINITY })
    };
    let (mu_a, eta_a, dev_a) = candidate(w.eta.clone());
    if same_offset {
        return (mu_a, eta_a);
    }
    let shifted = (0..w.eta.len())
        .map(|i| w.eta[i] - off(old, i) + off(offset, i))
        .collect();
    let (mu_b, eta_b, dev_b) = candidate(shifted);
    if dev_b < dev_a {
        (mu_b, eta_b)
    } else {
        (mu_a, eta_a)
    }
}

fn ppml_core(
    s: &Sample,
    opts: &FitOptions,
    dopts: &DemeanOptions,
    warm: Option<&WarmStart>,
) -> Result<Core> {
    let n = s.y.len();
    let y = &s.y;
    let uw = s.weights.as_deref();
    let wsum: f64 = uw.map_or(n as f64, |w| w.iter().sum());
    let ybar = match uw {
        Some(w) => y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / wsum,
        None => y.iter().sum::<f64>() / n as f64,
    };
    if ybar.is_nan() || ybar <= 0.0 {
        return Err(GravityError::NoObservations(
            "the dependent variable is zero for every observation".into(),
        ));
    }
    let offset = s.offset.as_deref();
    let (mut mu, mut eta) = match warm {
        None => {
            let mu: Vec<f64> = y.iter().map(|&v| 0.5 * (v + ybar)).collect();
            let eta = mu.iter().map(|m| m.ln()).collect();
            (mu, eta)
        }
        Some(w) => warm_start_point(y, uw, offset, w),
    };
    let mut dev_old = poisson_deviance(y, &mu, uw);
    let ylny: Vec<f64> = y
        .iter()
        .map(|&v| if v > 0.0 { v * v.ln() } else { 0.0 })
        .collect();

    // A warm start keeps the regressors found collinear before (the check is skipped),
    // the demeaning coefficients, and starts at the target inner tolerance.
    let (mut xcols, mut names_idx, mut alphas, mut inner_tol, mut beta) = match warm {
        None => (
            s.x.clone(),
            (0..s.x.len()).collect::<Vec<usize>>(),
            vec![Vec::new(); s.x.len() + 1],
            opts.start_inner_tol.max(dopts.tol),
            vec![0.0; s.x.len()],
        ),
        Some(w) => (
            w.keep.iter().map(|&j| s.x[j].clone()).collect(),
            w.keep.clone(),
            w.alphas.clone(),
            dopts.tol,
            w.beta.clone(),
        ),
    };
    // Buffers reused across iterations: the working variable and the regressors (column 0
    // and 1.., demeaned in place), weights, residuals and the candidate η / μ.
    let mut cols: Vec<Vec<f64>> = vec![vec![0.0; n]; xcols.len() + 1];
    let mut z: Vec<f64> = vec![0.0; n];
    let mut w: Vec<f64> = vec![0.0; n];
    let mut resid: Vec<f64> = vec![0.0; n];
    let mut eta_new: Vec<f64> = vec![0.0; n];
    let mut eta_try: Vec<f64> = vec![0.0; n];
    let mut mu_new: Vec<f64> = vec![0.0; n];
    let mut iterations = 0;
    let mut converged = false;
    let mut last_crit = f64::INFINITY;

    let started = std::time::Instant::now();
    for iter in 1..=opts.max_iter {
        iterations = iter;
        // working variable and weights
        for i in 0..n {
            z[i] = eta[i] - offset.map_or(0.0, |o| o[i]) + (y[i] - mu[i]) / mu[i];
            w[i] = mu[i] * uw.map_or(1.0, |u| u[i]);
        }
        let demeaner = Demeaner::new(&s.fe, Some(&w));
        let mut sweeps = 0;
        cols[0].copy_from_slice(&z);
        for (c, x) in cols[1..].iter_mut().zip(&xcols) {
            c.copy_from_slice(x);
        }
        let o = DemeanOptions {
            tol: inner_tol,
            ..*dopts
        };
        sweeps += demeaner
            .demean_columns(&mut cols, &mut alphas, &o)?
            .max_sweeps;
        if iter == 1 && warm.is_none() {
            // Collinearity check: a loose screen on the regressors demeaned at the starting
            // inner tolerance; only if it flags a column are the regressors demeaned to the
            // target tolerance and checked strictly.
            let screen_tol = (100.0 * inner_tol * inner_tol)
                .max(1e-5)
                .max(opts.collin_tol);
            let screened = check_collinear(&xcols, &cols[1..], Some(&w), screen_tol);
            let kept = if screened.len() == xcols.len() {
                screened
            } else {
                let (_, xc) = cols.split_at_mut(1);
                let (_, ax) = alphas.split_at_mut(1);
                for (c, x) in xc.iter_mut().zip(&xcols) {
                    c.copy_from_slice(x);
                }
                sweeps += demeaner.demean_columns(xc, ax, dopts)?.max_sweeps;
                check_collinear(&xcols, &cols[1..], Some(&w), opts.collin_tol)
            };
            if kept.len() < xcols.len() {
                let dropped: Vec<String> = (0..xcols.len())
                    .filter(|j| !kept.contains(j))
                    .map(|j| s.x_names[names_idx[j]].clone())
                    .collect();
                if kept.is_empty() {
                    return Err(GravityError::AllCollinear(dropped));
                }
                xcols = kept.iter().map(|&j| xcols[j].clone()).collect();
                names_idx = kept.iter().map(|&j| names_idx[j]).collect();
                let mut new_cols = vec![std::mem::take(&mut cols[0])];
                let mut new_alphas = vec![std::mem::take(&mut alphas[0])];
                for &j in &kept {
                    new_cols.push(std::mem::take(&mut cols[j + 1]));
                    new_alphas.push(std::mem::take(&mut alphas[j + 1]));
                }
                cols = new_cols;
                alphas = new_alphas;
            }
        }
        let (zt, xt) = cols
            .split_first()
            .expect("column 0 is the working variable");
        let (xtwx, xtwz) = cross_products(xt, Some(&w), zt);
        beta = if xt.is_empty() {
            Vec::new()
        } else {
            cholesky_solve(&cholesky(&xtwx)?, &xtwz)
        };
        resid.copy_from_slice(zt);
        for (c, b) in xt.iter().zip(&beta) {
            for (r, v) in resid.iter_mut().zip(c) {
                *r -= b * v;
            }
        }
        for i in 0..n {
            eta_new[i] = z[i] - resid[i] + offset.map_or(0.0, |o| o[i]);
        }
        let mut step = 1.0;
        let mut dev;
        eta_try.copy_from_slice(&eta_new);
        loop {
            let mut ok = true;
            for (m, e) in mu_new.iter_mut().zip(&eta_try) {
                *m = e.exp();
                ok &= *m > 0.0 && m.is_finite();
            }
            dev = poisson_deviance_eta(y, &ylny, &eta_try, &mu_new, uw);
            if dev.is_finite() && ok {
                break;
            }
            step *= 0.5;
            if step < 1e-10 {
                return Err(GravityError::Numerical(
                    "deviance is not finite; step halving failed".into(),
                ));
            }
            for ((t, a), b) in eta_try.iter_mut().zip(&eta).zip(&eta_new) {
                *t = a + step * (b - a);
            }
        }
        std::mem::swap(&mut eta, &mut eta_try);
        std::mem::swap(&mut mu, &mut mu_new);
        let crit = (dev - dev_old).abs() / dev.min(dev_old).max(0.1);
        last_crit = crit;
        if opts.trace {
            eprintln!(
                "[ppml] iter {iter:>3}  deviance {dev:.10e}  crit {crit:.3e}  inner tol {inner_tol:.0e}  sweeps {sweeps}  ({:.3}s)",
                started.elapsed().as_secs_f64()
            );
        }
        opts.progress.report("PPML iterations", iter as u64, None);
        dev_old = dev;
        if crit < opts.tol && inner_tol <= dopts.tol {
            converged = true;
            break;
        }
        if crit < 10.0 * inner_tol {
            // tighten by at least a decade, straight to crit/10 when the outer loop is
            // already far ahead of the inner tolerance
            inner_tol = (inner_tol / 10.0).min(crit / 10.0);
            if inner_tol < 10.0 * dopts.tol {
                // within a decade of the target: go there now rather than spend one more
                // IRLS iteration at an intermediate tolerance
                inner_tol = dopts.tol;
            }
        }
    }
    if !converged {
        return Err(GravityError::NotConverged {
            iterations,
            criterion: last_crit,
            tol: opts.tol,
        });
    }
    let xt: Vec<Vec<f64>> = cols.split_off(1);
    // FE coefficients: α_z − Σ β_j α_xj (consistent with the final η).
    let mut fe_alpha = alphas[0].clone();
    for (a, b) in alphas[1..].iter().zip(&beta) {
        for (f, v) in fe_alpha.iter_mut().zip(a) {
            *f -= b * v;
        }
    }
    let (xtwx, _) = cross_products(&xt, Some(&w), &resid);
    let bread = if xt.is_empty() {
        Mat::zeros(0)
    } else {
        inverse_spd(&xtwx)?
    };
    let wr: Vec<f64> = w.iter().zip(&resid).map(|(a, b)| a * b).collect();
    let deviance = poisson_deviance(y, &mu, uw);
    let ybar_v = vec![ybar; n];
    let null_deviance = poisson_deviance(y, &ybar_v, uw);
    let lg: f64 = (0..n)
        .map(|i| uw.map_or(1.0, |w| w[i]) * ln_gamma(y[i] + 1.0))
        .sum();
    let loglik = poisson_loglik(y, &mu, uw, lg);
    let loglik_null = poisson_loglik(y, &ybar_v, uw, lg);
    Ok(Core {
        keep: names_idx,
        beta,
        bread,
        xt,
        wr,
        ols_ssr: None,
        fitted: mu,
        fe_alpha,
        iterations,
        converged,
        deviance,
        null_deviance,
        loglik: Some(loglik),
        loglik_null: Some(loglik_null),
        pseudo_r2: 1.0 - loglik / loglik_null,
        r2_within: None,
        alphas,
    })
}

fn ols_core(
    s: &Sample,
    opts: &FitOptions,
    dopts: &DemeanOptions,
    warm: Option<&WarmStart>,
) -> Result<Core> {
    let n = s.y.len();
    let uw = s.weights.as_deref();
    let y: Vec<f64> = match s.offset.as_deref() {
        Some(o) => s.y.iter().zip(o).map(|(a, b)| a - b).collect(),
        None => s.y.clone(),
    };
    let demeaner = Demeaner::new(&s.fe, uw);
    let mut cols: Vec<Vec<f64>> = Vec::with_capacity(s.x.len() + 1);
    cols.push(y.clone());
    cols.extend(s.x.iter().cloned());
    let mut alphas = match warm {
        Some(w) if w.alphas.len() == cols.len() => w.alphas.clone(),
        _ => vec![Vec::new(); cols.len()],
    };
    demeaner.demean_columns(&mut cols, &mut alphas, dopts)?;
    let warm_alphas = alphas.clone();
    let yt = cols.remove(0);
    let alpha_y = alphas.remove(0);
    let kept = check_collinear(&s.x, &cols, uw, opts.collin_tol);
    if kept.is_empty() && !s.x.is_empty() {
        return Err(GravityError::AllCollinear(s.x_names.clone()));
    }
    let xt: Vec<Vec<f64>> = kept.iter().map(|&j| cols[j].clone()).collect();
    let ax: Vec<Vec<f64>> = kept.iter().map(|&j| alphas[j].clone()).collect();
    let (xtwx, xtwy) = cross_products(&xt, uw, &yt);
    let (beta, bread) = if xt.is_empty() {
        (Vec::new(), Mat::zeros(0))
    } else {
        (
            cholesky_solve(&cholesky(&xtwx)?, &xtwy),
            inverse_spd(&xtwx)?,
        )
    };
    let mut resid = yt.clone();
    for (c, b) in xt.iter().zip(&beta) {
        for (r, v) in resid.iter_mut().zip(c) {
            *r -= b * v;
        }
    }
    let wt = |i: usize| uw.map_or(1.0, |w| w[i]);
    let ssr: f64 = (0..n).map(|i| wt(i) * resid[i] * resid[i]).sum();
    let wsum: f64 = (0..n).map(wt).sum();
    let ybar: f64 = (0..n).map(|i| wt(i) * s.y[i]).sum::<f64>() / wsum;
    let tss: f64 = (0..n).map(|i| wt(i) * (s.y[i] - ybar).powi(2)).sum();
    let tss_within: f64 = (0..n).map(|i| wt(i) * yt[i] * yt[i]).sum();
    let fitted: Vec<f64> = s.y.iter().zip(&resid).map(|(a, r)| a - r).collect();
    let wr: Vec<f64> = (0..n).map(|i| wt(i) * resid[i]).collect();
    let mut fe_alpha = alpha_y;
    for (a, b) in ax.iter().zip(&beta) {
        for (f, v) in fe_alpha.iter_mut().zip(a) {
            *f -= b * v;
        }
    }
    Ok(Core {
        keep: kept,
        beta,
        bread,
        xt,
        wr,
        ols_ssr: Some(ssr),
        fitted,
        fe_alpha,
        iterations: 1,
        converged: true,
        deviance: ssr,
        null_deviance: tss,
        loglik: None,
        loglik_null: None,
        pseudo_r2: 1.0 - ssr / tss,
        r2_within: if s.fe.n_dims() > 0 {
            Some(1.0 - ssr / tss_within)
        } else {
            None
        },
        alphas: warm_alphas,
    })
}

/// Checks that the variance can be estimated at all: more observations than parameters
/// (the `k` regressors plus the identified fixed-effect levels, `Σ L_g − (G − 1)`), and
/// at least two clusters in every cluster dimension. Without these every small-sample
/// factor divides by zero and the standard errors come out NaN or infinite.
fn check_inference(spec: &ModelSpec, s: &Sample, k: usize, vcov_kind: VcovKind) -> Result<()> {
    let nobs = s.rows.len();
    let fe_levels: usize = s.fe.n_levels.iter().sum();
    let params = k + fe_levels - s.fe.n_dims().saturating_sub(1);
    if nobs <= params {
        return Err(GravityError::NoDegreesOfFreedom { nobs, params });
    }
    if vcov_kind == VcovKind::Cluster {
        for (codes, names) in s.clusters.iter().zip(&spec.cluster) {
            let clusters = codes.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
            if clusters < 2 {
                return Err(GravityError::TooFewClusters {
                    cluster: names.join("^"),
                    clusters,
                });
            }
        }
    }
    Ok(())
}

/// The standard errors: square roots of the variance diagonal, which must be finite and
/// non-negative (see [`GravityError::InvalidVariance`]).
fn standard_errors(
    vcov: &Mat,
    names: &[String],
    kind: VcovKind,
    cluster_dims: usize,
) -> Result<Vec<f64>> {
    let mut se = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let v = vcov.get(i, i);
        if !(v.is_finite() && v >= 0.0) {
            let hint = if kind == VcovKind::Cluster && cluster_dims > 1 {
                "; the multi-way clustered variance is not positive semi-definite, which \
                 happens with few clusters: cluster on one dimension or on their interaction"
            } else {
                ""
            };
            return Err(GravityError::InvalidVariance {
                coefficient: name.clone(),
                vcov: kind.to_string(),
                value: v,
                hint: hint.to_string(),
            });
        }
        se.push(v.sqrt());
    }
    Ok(se)
}

fn finish(
    spec: &ModelSpec,
    s: &Sample,
    core: Core,
    plan: &NormalisationPlan,
    vcov_kind: VcovKind,
    opts: &FitOptions,
) -> Result<Estimate> {
    let names: Vec<String> = core.keep.iter().map(|&j| s.x_names[j].clone()).collect();
    let collinear: Vec<String> = s
        .x_names
        .iter()
        .filter(|n| !names.contains(n))
        .cloned()
        .collect();
    let mut messages = s.messages.clone();
    if !collinear.is_empty() {
        messages.push(format!(
            "dropped collinear regressor(s): {}",
            collinear.join(", ")
        ));
    }
    let k = names.len();
    check_inference(spec, s, k, vcov_kind)?;
    let (vcov, factor) = if k == 0 {
        (Mat::zeros(0), 1.0)
    } else {
        compute_vcov(
            vcov_kind,
            &opts.small_sample,
            opts.estimator == Estimator::Ppml,
            &VcovInput {
                bread: &core.bread,
                xt: &core.xt,
                wr: &core.wr,
                ols_ssr: core.ols_ssr,
                fe_ids: &s.fe.ids,
                fe_levels: &s.fe.n_levels,
                clusters: if vcov_kind == VcovKind::Cluster {
                    &s.clusters
                } else {
                    &[]
                },
                extra_columns: 0,
            },
        )
    };
    let se = standard_errors(&vcov, &names, vcov_kind, spec.cluster.len())?;
    let fixed_effects = recover_fixed_effects(s, &core.fe_alpha, plan);
    let (intercept, intercept_se) = if opts.report_intercept && s.fe.n_dims() > 0 {
        let (c, se) = recovered_constant(s, &core, vcov_kind, opts);
        (Some(c), se)
    } else {
        (None, None)
    };
    let r2_corr = squared_correlation(&s.y, &core.fitted, s.weights.as_deref());
    let n_clusters = s
        .clusters
        .iter()
        .map(|c| c.iter().map(|&v| v as usize + 1).max().unwrap_or(0))
        .collect();
    Ok(Estimate {
        spec: spec.clone(),
        estimator: opts.estimator,
        names,
        coef: core.beta,
        vcov: vcov.data,
        se,
        vcov_kind,
        small_sample: opts.small_sample,
        small_sample_factor: factor,
        n_clusters,
        nobs: s.rows.len(),
        dropped: s.drops,
        collinear,
        iterations: core.iterations,
        converged: core.converged,
        deviance: core.deviance,
        null_deviance: core.null_deviance,
        loglik: core.loglik,
        loglik_null: core.loglik_null,
        pseudo_r2: core.pseudo_r2,
        r2_within: core.r2_within,
        fe_names: s.fe_names.clone(),
        rows: s.rows.clone(),
        fitted: core.fitted,
        fixed_effects,
        messages,
        intercept,
        intercept_se,
        r2_corr,
    })
}

/// The constant recovered beside fixed effects and its standard error (see
/// [`Estimate::intercept`] and [`Estimate::intercept_se`]): `c = Σ W (η − offset − xβ) /
/// Σ W`, and the variance of `c = c̄ − x̄'β` by the delta method, `L V_Z Lᵀ` with
/// `L = (−x̄', 1)` and `V_Z` the variance (same kind, same small-sample factor) of the
/// regression on the demeaned regressors and a column of ones (as reghdfe computes the
/// variance of `_cons` from the regressors with their means added back and a constant).
fn recovered_constant(
    s: &Sample,
    core: &Core,
    vcov_kind: VcovKind,
    opts: &FitOptions,
) -> (f64, Option<f64>) {
    let n = s.y.len();
    let weights: Vec<f64> = (0..n)
        .map(|i| {
            let uw = s.weights.as_ref().map_or(1.0, |w| w[i]);
            match opts.estimator {
                Estimator::Ppml => core.fitted[i] * uw,
                Estimator::Ols => uw,
            }
        })
        .collect();
    let sw: f64 = weights.iter().sum();
    let mean = |v: &dyn Fn(usize) -> f64| (0..n).map(|i| weights[i] * v(i)).sum::<f64>() / sw;
    let xbar: Vec<f64> = core.keep.iter().map(|&j| mean(&|i| s.x[j][i])).collect();
    let eta_mean = mean(&|i| {
        let eta = match opts.estimator {
            Estimator::Ppml => core.fitted[i].ln(),
            Estimator::Ols => core.fitted[i],
        };
        eta - s.offset.as_ref().map_or(0.0, |o| o[i])
    });
    let c = eta_mean - xbar.iter().zip(&core.beta).map(|(m, b)| m * b).sum::<f64>();
    // V_Z: the demeaned regressors are W-orthogonal to the constant, so the bread is
    // block diagonal: diag((X̃'WX̃)⁻¹, 1/ΣW).
    let k = core.xt.len();
    let mut bread = Mat::zeros(k + 1);
    for a in 0..k {
        for b in 0..k {
            bread.set(a, b, core.bread.get(a, b));
        }
    }
    bread.set(k, k, 1.0 / sw);
    let mut xt = core.xt.clone();
    xt.push(vec![1.0; n]);
    let (v, _) = compute_vcov(
        vcov_kind,
        &opts.small_sample,
        opts.estimator == Estimator::Ppml,
        &VcovInput {
            bread: &bread,
            xt: &xt,
            wr: &core.wr,
            ols_ssr: core.ols_ssr,
            fe_ids: &s.fe.ids,
            fe_levels: &s.fe.n_levels,
            clusters: if vcov_kind == VcovKind::Cluster {
                &s.clusters
            } else {
                &[]
            },
            extra_columns: 1,
        },
    );
    let l: Vec<f64> = xbar.iter().map(|m| -m).chain([1.0]).collect();
    let mut var = 0.0;
    for (a, la) in l.iter().enumerate() {
        for (b, lb) in l.iter().enumerate() {
            var += la * v.get(a, b) * lb;
        }
    }
    (c, (var.is_finite() && var >= 0.0).then(|| var.sqrt()))
}

/// The squared (weighted) Pearson correlation of `y` and `fitted`; NaN when either is
/// constant.
pub(crate) fn squared_correlation(y: &[f64], fitted: &[f64], w: Option<&[f64]>) -> f64 {
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let n = y.len();
    let sw: f64 = (0..n).map(wt).sum();
    let my = (0..n).map(|i| wt(i) * y[i]).sum::<f64>() / sw;
    let mf = (0..n).map(|i| wt(i) * fitted[i]).sum::<f64>() / sw;
    let (mut syy, mut sff, mut syf) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (a, b) = (y[i] - my, fitted[i] - mf);
        syy += wt(i) * a * a;
        sff += wt(i) * b * b;
        syf += wt(i) * a * b;
    }
    if syy > 0.0 && sff > 0.0 {
        syf * syf / (syy * sff)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(y: &[f64], x: &[f64], g: &[&str]) -> Dataset {
        let mut d = Dataset::new();
        d.add_numeric("y", y.to_vec()).unwrap();
        d.add_numeric("x", x.to_vec()).unwrap();
        d.add_categorical("g", g).unwrap();
        d
    }

    fn err(d: &Dataset, spec: &ModelSpec, opts: &FitOptions) -> GravityError {
        match fit(d, spec, opts) {
            Ok(e) => panic!("expected an error, got SE {:?}", e.se),
            Err(e) => e,
        }
    }

    #[test]
    fn one_observation_has_no_degrees_of_freedom() {
        let d = data(&[3.0], &[1.0], &["a"]);
        let spec = ModelSpec::parse("y ~ x").unwrap();
        for opts in [FitOptions::default(), FitOptions::ols()] {
            let e = err(&d, &spec, &opts);
            assert!(
                matches!(e, GravityError::NoDegreesOfFreedom { nobs: 1, params: 1 }),
                "{e}"
            );
            assert!(e
                .to_string()
                .contains("no residual degrees of freedom: 1 observations for 1 parameters"));
        }
    }

    #[test]
    fn as_many_parameters_as_observations_is_refused() {
        // y ~ x + intercept on two points: an exact fit, SE = inf before the check
        let d = data(&[1.0, 4.0], &[1.0, 2.0], &["a", "b"]);
        let spec = ModelSpec::parse("y ~ x").unwrap();
        for opts in [FitOptions::default(), FitOptions::ols()] {
            let e = err(&d, &spec, &opts);
            assert!(
                matches!(e, GravityError::NoDegreesOfFreedom { nobs: 2, params: 2 }),
                "{e}"
            );
        }
        // fixed-effect levels count as parameters: 2 levels + 1 regressor on 3 rows
        let d = data(&[1.0, 2.0, 3.0], &[0.5, 1.5, 0.7], &["a", "a", "b"]);
        let opts = FitOptions {
            drop_singletons: false,
            ..FitOptions::ols()
        };
        let e = err(&d, &ModelSpec::parse("y ~ x | g").unwrap(), &opts);
        assert!(
            matches!(e, GravityError::NoDegreesOfFreedom { nobs: 3, params: 3 }),
            "{e}"
        );
    }

    #[test]
    fn one_cluster_is_refused() {
        let y = [1.0, 2.0, 4.0, 3.0, 5.0, 7.0];
        let x = [0.1, 0.4, 0.9, 0.5, 1.1, 1.6];
        let d = data(&y, &x, &["a"; 6]);
        let spec = ModelSpec::parse("y ~ x")
            .unwrap()
            .with_cluster("g")
            .unwrap();
        for opts in [FitOptions::default(), FitOptions::ols()] {
            let e = err(&d, &spec, &opts);
            assert!(
                matches!(&e, GravityError::TooFewClusters { clusters: 1, cluster } if cluster == "g"),
                "{e}"
            );
            assert!(
                e.to_string().contains("at least 2 clusters, but `g` has 1"),
                "{e}"
            );
        }
        // two clusters are enough to estimate (finite standard errors)
        let d = data(&y, &x, &["a", "a", "a", "b", "b", "b"]);
        let est = fit(&d, &spec, &FitOptions::ols()).unwrap();
        assert!(est.se.iter().all(|s| s.is_finite()), "{:?}", est.se);
    }

    #[test]
    fn an_unknown_cluster_variable_is_named() {
        let d = data(&[1.0, 2.0, 4.0], &[0.1, 0.4, 0.9], &["a", "b", "c"]);
        let spec = ModelSpec::parse("y ~ x")
            .unwrap()
            .with_cluster("pair")
            .unwrap();
        let e = err(&d, &spec, &FitOptions::ols());
        assert!(
            matches!(&e, GravityError::UnknownColumn { name, .. } if name == "pair"),
            "{e}"
        );
    }
}
