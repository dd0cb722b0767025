//! `entrepot.fepois` and `entrepot.feols`: a gravity fit on a table held by Python,
//! through the application layer ([`fit_gravity_on`]), so formulas, filters, clusters,
//! variance and small-sample choices, and every error message are the `entrepot
//! gravity` command's.
//!
//! The small-sample correction (`ssc=`) is a preset name or pyfixest's `pf.ssc(...)`
//! dictionary ([`small_sample`]):
//!
//! | `ssc=` | reproduces | factor |
//! |---|---|---|
//! | `"pyfixest"` (default), `"fixest"` | pyfixest and fixest defaults (`k_adj`, `k_fixef="nonnested"`, `G_adj`, `G_df="min"`) | iid `(N−1)/(N−K)`, hetero `N/(N−K)`, cluster `(N−1)/(N−K)·G/(G−1)` |
//! | `"stata"`, `"ppmlhdfe"` | Stata's ML estimators: `ppmlhdfe`, `poisson`, `ppml` with clusters | hetero `N/(N−1)`, cluster `G/(G−1)`, iid none |
//! | `"reghdfe"` | Stata's `reghdfe` | `(N−1)/(N−K)` with reghdfe's count of redundant levels, cluster `G/(G−1)` |
//! | `"none"` | no correction (Stata's `ppml` robust in Yotov et al. 2016) | 1 |
//! | `{"k_adj": …, "k_fixef": …, "G_adj": …, "G_df": …}` | the same `pf.ssc(...)` in pyfixest | field by field |

use crate::error::{to_py, usage};
use crate::report::Report;
use crate::tables::{self, batch, Col, InputTable, OutputTable};
use entrepot_app::gravity::{
    dataset_from_batches, fit_gravity_on, GravityOutput, GravityRequest, SampleSource,
    SmallSampleChoice,
};
use entrepot_app::{Estimator, VcovKind};
use entrepot_gravity::vcov::{ClusterDf, FixefK, SmallSample};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::path::PathBuf;

/// The two-sided 95% quantile of the standard normal distribution, for the confidence
/// intervals of [`Fit::tidy_table`] (the p-values are normal too: `RegressionTable`).
const Z_975: f64 = 1.959_963_984_540_054;

/// Fits a PPML (`estimator="ppml"`) or OLS (`"ols"`) model on a table. `vcov` is
/// `iid`, `hetero` or `cluster` (then `cluster` names the variables: `pair_id`,
/// `exporter,importer` for two-way, `a^b` for an interaction); `ssc` a preset name or a
/// pyfixest `ssc` dictionary. The estimation runs with the GIL released; `progress`, a
/// callable, receives `("PPML iterations", iteration, None)` as the fit goes
/// ([`crate::progress`]).
#[pyfunction]
#[pyo3(signature = (data, formula, estimator, vcov=None, cluster=None, ssc=None, weights=None, offset=None, filters=Vec::new(), tol=1e-8, max_iter=1000, demean_tol=1e-8, intercept=false, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn fit(
    py: Python<'_>,
    data: InputTable,
    formula: String,
    estimator: &str,
    vcov: Option<&str>,
    cluster: Option<String>,
    ssc: Option<&Bound<'_, PyAny>>,
    weights: Option<String>,
    offset: Option<String>,
    filters: Vec<String>,
    tol: f64,
    max_iter: usize,
    demean_tol: f64,
    intercept: bool,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<Fit> {
    let mut req = GravityRequest::new(SampleSource::File(PathBuf::new()), formula);
    req.estimator = match estimator {
        "ppml" => Estimator::Ppml,
        "ols" => Estimator::Ols,
        other => return Err(usage(format!("estimator must be ppml or ols, got {other}"))),
    };
    req.vcov = match vcov {
        None => None,
        Some("iid") => Some(VcovKind::Iid),
        Some("hetero") | Some("HC1") => Some(VcovKind::Hetero),
        Some("cluster") | Some("CRV1") => Some(VcovKind::Cluster),
        Some(other) => {
            return Err(usage(format!(
                "--vcov must be iid, hetero (HC1) or cluster (CRV1), got {other}"
            )))
        }
    };
    req.cluster = cluster;
    req.small_sample = match ssc {
        None => SmallSampleChoice::Pyfixest,
        Some(s) => small_sample(s)?,
    };
    req.weights = weights;
    req.offset = offset;
    req.filters = filters;
    req.tol = tol;
    req.max_iter = max_iter;
    req.demean_tol = demean_tol;
    req.intercept = intercept;
    let batches = tables::batches(data);
    let out = crate::progress::run(py, progress, move |hook| {
        req.progress = hook;
        let sample = dataset_from_batches(&batches)?;
        drop(batches);
        fit_gravity_on(&sample, &req)
    })?
    .map_err(to_py)?;
    Ok(Fit { out })
}

/// The small-sample choice of `ssc=`: a preset name, or a dictionary with pyfixest's
/// keys (`k_adj`, `k_fixef` in `none`/`nonnested`/`full`, `G_adj`, `G_df` in
/// `min`/`conventional`), missing keys at pyfixest's defaults.
fn small_sample(ssc: &Bound<'_, PyAny>) -> PyResult<SmallSampleChoice> {
    if ssc.is_instance_of::<PyString>() {
        let name: String = ssc.extract()?;
        return match name.to_ascii_lowercase().as_str() {
            "pyfixest" | "fixest" => Ok(SmallSampleChoice::Pyfixest),
            "stata" | "ppmlhdfe" => Ok(SmallSampleChoice::Stata),
            "reghdfe" => Ok(SmallSampleChoice::Reghdfe),
            "none" => Ok(SmallSampleChoice::None),
            _ => Err(usage(format!(
                "--ssc must be pyfixest, stata, reghdfe or none (or a pf.ssc() dictionary), got {name}"
            ))),
        };
    }
    let dict = ssc.cast::<PyDict>().map_err(|_| {
        usage("ssc must be a name (pyfixest, stata, reghdfe, none) or a pf.ssc() dictionary")
    })?;
    let mut s = SmallSample::pyfixest();
    for (k, v) in dict.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "k_adj" | "adj" => s.k_adj = v.extract()?,
            "G_adj" | "cluster_adj" => s.g_adj = v.extract()?,
            "k_fixef" | "fixef_k" => {
                let t: String = v.extract()?;
                s.k_fixef = match t.as_str() {
                    "none" => FixefK::None,
                    "nonnested" => FixefK::Nonnested,
                    "full" => FixefK::Full,
                    _ => {
                        return Err(usage(format!(
                            "ssc k_fixef must be none, nonnested or full, got {t}"
                        )))
                    }
                };
            }
            "G_df" | "cluster_df" => {
                let t: String = v.extract()?;
                s.g_df = match t.as_str() {
                    "min" => ClusterDf::Min,
                    "conventional" => ClusterDf::Conventional,
                    _ => {
                        return Err(usage(format!(
                            "ssc G_df must be min or conventional, got {t}"
                        )))
                    }
                };
            }
            _ => {
                return Err(usage(format!(
                    "unknown ssc key {key} (k_adj, k_fixef, G_adj, G_df)"
                )))
            }
        }
    }
    Ok(SmallSampleChoice::Custom(s))
}

/// A fitted gravity model (the compiled half of `entrepot.Fepois` / `entrepot.Feols`).
#[pyclass(module = "entrepot._entrepot", frozen)]
pub struct Fit {
    out: GravityOutput,
}

#[pymethods]
impl Fit {
    /// `PPML` or `OLS`.
    #[getter]
    fn estimator(&self) -> String {
        self.out.estimation.estimator.to_string()
    }

    /// The formula, as parsed.
    #[getter]
    fn formula(&self) -> String {
        self.out.table.formula.clone()
    }

    /// The coefficient names (collinear regressors removed).
    #[getter]
    fn names(&self) -> Vec<String> {
        self.out.estimation.names.clone()
    }

    /// The coefficients, in the order of `names`.
    #[getter]
    fn coefficients(&self) -> Vec<f64> {
        self.out.estimation.coef.clone()
    }

    /// The standard errors, in the order of `names`.
    #[getter]
    fn std_errors(&self) -> Vec<f64> {
        self.out.estimation.se.clone()
    }

    /// The variance matrix, one list per row.
    #[getter]
    fn vcov_matrix(&self) -> Vec<Vec<f64>> {
        let k = self.out.estimation.names.len();
        self.out
            .estimation
            .vcov
            .chunks(k.max(1))
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// The variance type used (`iid`, `hetero`, `cluster`).
    #[getter]
    fn vcov_type(&self) -> String {
        self.out.estimation.vcov_kind.to_string()
    }

    /// The small-sample factor applied.
    #[getter]
    fn ssc_factor(&self) -> f64 {
        self.out.estimation.small_sample_factor
    }

    /// The number of clusters of each cluster dimension.
    #[getter]
    fn n_clusters(&self) -> Vec<usize> {
        self.out.estimation.n_clusters.clone()
    }

    /// Observations used.
    #[getter]
    fn nobs(&self) -> usize {
        self.out.estimation.nobs
    }

    /// PPML deviance, or OLS sum of squared residuals.
    #[getter]
    fn deviance(&self) -> f64 {
        self.out.estimation.deviance
    }

    /// PPML log-likelihood.
    #[getter]
    fn loglik(&self) -> Option<f64> {
        self.out.estimation.loglik
    }

    /// PPML pseudo-R² (`1 − ll/ll₀`), OLS R².
    #[getter]
    fn pseudo_r2(&self) -> f64 {
        self.out.estimation.pseudo_r2
    }

    /// OLS within R².
    #[getter]
    fn r2_within(&self) -> Option<f64> {
        self.out.estimation.r2_within
    }

    /// IRLS iterations (1 for OLS).
    #[getter]
    fn iterations(&self) -> usize {
        self.out.estimation.iterations
    }

    /// Whether the estimator converged.
    #[getter]
    fn converged(&self) -> bool {
        self.out.estimation.converged
    }

    /// The recovered constant (`intercept=True`) and its standard error.
    #[getter]
    fn intercept(&self) -> (Option<f64>, Option<f64>) {
        (
            self.out.estimation.intercept,
            self.out.estimation.intercept_se,
        )
    }

    /// Regressors dropped as collinear.
    #[getter]
    fn collinear(&self) -> Vec<String> {
        self.out.estimation.collinear.clone()
    }

    /// Notes (drops, collinearity).
    #[getter]
    fn messages(&self) -> Vec<String> {
        self.out.estimation.messages.clone()
    }

    /// Observations removed, by reason.
    #[getter]
    fn dropped(&self) -> Vec<(&'static str, usize)> {
        let d = &self.out.estimation.dropped;
        vec![
            ("total_rows", d.total_rows),
            ("filtered", d.filtered),
            ("missing", d.missing),
            ("zero_weight", d.zero_weight),
            ("singletons", d.singletons),
            ("separated_fe", d.separated_fe),
            ("separated_ir", d.separated_ir),
        ]
    }

    /// The coefficient table: `Coefficient`, `Estimate`, `Std. Error`, `z value`,
    /// `Pr(>|z|)`, `2.5%`, `97.5%` (normal p-values and intervals).
    fn tidy_table(&self) -> PyResult<OutputTable> {
        let rows = &self.out.table.coefficients;
        let f = |g: &dyn Fn(&entrepot_gravity::table::CoefRow) -> f64| {
            Col::Float(rows.iter().map(|r| Some(g(r))).collect())
        };
        tables::table(batch(vec![
            (
                "Coefficient",
                Col::Text(rows.iter().map(|r| Some(r.name.clone())).collect()),
            ),
            ("Estimate", f(&|r| r.estimate)),
            ("Std. Error", f(&|r| r.std_error)),
            ("z value", f(&|r| r.z)),
            ("Pr(>|z|)", f(&|r| r.p_value)),
            ("2.5%", f(&|r| r.estimate - Z_975 * r.std_error)),
            ("97.5%", f(&|r| r.estimate + Z_975 * r.std_error)),
        ])?)
    }

    /// The fixed effects: `fixed_effect` (the term), `level` (`ARG^1986`), `value`
    /// (on the linear-predictor scale, normalised as `entrepot_gravity` documents).
    fn fixef_table(&self) -> PyResult<OutputTable> {
        let (mut term, mut level, mut value) = (Vec::new(), Vec::new(), Vec::new());
        for fe in &self.out.estimation.fixed_effects {
            for (l, v) in fe.levels.iter().zip(&fe.values) {
                term.push(Some(fe.name.clone()));
                level.push(Some(l.clone()));
                value.push(Some(*v));
            }
        }
        tables::table(batch(vec![
            ("fixed_effect", Col::Text(term)),
            ("level", Col::Text(level)),
            ("value", Col::Float(value)),
        ])?)
    }

    /// The fitted values (`μ` for PPML, `ŷ` for OLS) of the observations used: `row`
    /// (the row of the input table, from 0) and `fitted`.
    fn fitted_table(&self) -> PyResult<OutputTable> {
        let e = &self.out.estimation;
        tables::table(batch(vec![
            (
                "row",
                Col::Count(e.rows.iter().map(|&r| r as u64).collect()),
            ),
            (
                "fitted",
                Col::Float(e.fitted.iter().map(|&v| Some(v)).collect()),
            ),
        ])?)
    }

    /// The regression table as text (as `entrepot gravity` prints it).
    fn summary_text(&self) -> String {
        self.out.table.to_text()
    }

    /// The regression table as a report document.
    fn report(&self) -> Report {
        Report::new(self.out.document(), None)
    }
}
