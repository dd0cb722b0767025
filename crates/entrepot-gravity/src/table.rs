//! A serialisable regression table and its renderers (plain text, JSON, CSV, LaTeX).

use serde::{Deserialize, Serialize};

use crate::estimate::Estimate;
use crate::sample::DropCounts;

/// One coefficient row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefRow {
    /// Term name.
    pub name: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// z statistic (`estimate / std_error`).
    pub z: f64,
    /// Two-sided p-value from the standard normal distribution.
    pub p_value: f64,
}

/// The summary of a fitted model, ready to render or serialise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionTable {
    /// `PPML` or `OLS`.
    pub estimator: String,
    /// The formula.
    pub formula: String,
    /// Dependent variable.
    pub depvar: String,
    /// Fixed-effect terms.
    pub fixed_effects: Vec<String>,
    /// Variance type (`iid`, `hetero`, `cluster`).
    pub vcov: String,
    /// Cluster dimensions and their number of clusters.
    pub clusters: Vec<(String, usize)>,
    /// Coefficients.
    pub coefficients: Vec<CoefRow>,
    /// Observations used.
    pub nobs: usize,
    /// Observations removed, by reason.
    pub dropped: DropCounts,
    /// Regressors dropped as collinear.
    pub collinear: Vec<String>,
    /// IRLS iterations.
    pub iterations: usize,
    /// Deviance (PPML) or sum of squared residuals (OLS).
    pub deviance: f64,
    /// Log-likelihood (PPML).
    pub loglik: Option<f64>,
    /// PPML: pseudo-R² `1 − ll/ll₀` with `ll₀` the constant-only model (ppmlhdfe and
    /// pyfixest definition); OLS: R².
    pub pseudo_r2: f64,
    /// OLS within R².
    pub r2_within: Option<f64>,
    /// Whether the estimator converged.
    pub converged: bool,
    /// Notes (drops, collinearity).
    pub messages: Vec<String>,
    /// The recovered constant of a model with fixed effects ([`Estimate::intercept`]; no
    /// standard error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept: Option<f64>,
    /// Its delta-method standard error ([`Estimate::intercept_se`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intercept_se: Option<f64>,
    /// PPML: `corr(y, μ)²` ([`Estimate::r2_corr`], Stata `ppml`'s "R-squared").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2_corr: Option<f64>,
}

/// The row name of a constant recovered beside fixed effects.
pub const INTERCEPT_NAME: &str = "(Intercept)";

impl From<&Estimate> for RegressionTable {
    fn from(e: &Estimate) -> Self {
        let z = e.z();
        let p = e.p_values();
        RegressionTable {
            estimator: e.estimator.to_string(),
            formula: e.spec.formula(),
            depvar: e.spec.depvar.clone(),
            fixed_effects: e.fe_names.clone(),
            vcov: e.vcov_kind.to_string(),
            clusters: if e.vcov_kind == crate::vcov::VcovKind::Cluster {
                e.spec
                    .cluster
                    .iter()
                    .map(|c| c.join("^"))
                    .zip(e.n_clusters.iter().copied())
                    .collect()
            } else {
                Vec::new()
            },
            coefficients: e
                .names
                .iter()
                .enumerate()
                .map(|(i, n)| CoefRow {
                    name: n.clone(),
                    estimate: e.coef[i],
                    std_error: e.se[i],
                    z: z[i],
                    p_value: p[i],
                })
                .collect(),
            nobs: e.nobs,
            dropped: e.dropped,
            collinear: e.collinear.clone(),
            iterations: e.iterations,
            deviance: e.deviance,
            loglik: e.loglik,
            pseudo_r2: e.pseudo_r2,
            r2_within: e.r2_within,
            converged: e.converged,
            messages: e.messages.clone(),
            intercept: e.intercept,
            intercept_se: e.intercept_se,
            r2_corr: (e.estimator == crate::estimate::Estimator::Ppml).then_some(e.r2_corr),
        }
    }
}

/// The significance stars of a two-sided p-value: `***` below 0.01, `**` below 0.05, `*`
/// below 0.1 (the convention stated by [`crate::document::STARS_CONVENTION`]).
pub(crate) fn stars(p: f64) -> &'static str {
    if p < 0.01 {
        "***"
    } else if p < 0.05 {
        "**"
    } else if p < 0.1 {
        "*"
    } else {
        ""
    }
}

/// Three decimals, or three significant digits in scientific notation for tiny values.
fn fmt3(x: f64) -> String {
    if x != 0.0 && x.abs() < 5e-4 {
        format!("{x:.2e}")
    } else {
        format!("{x:.3}")
    }
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn latex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '_' | '&' | '%' | '$' | '#' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            _ => out.push(c),
        }
    }
    out
}

impl RegressionTable {
    /// The recovered constant of a model with fixed effects as a coefficient row (standard
    /// error, z and p NaN when the standard error could not be computed).
    pub fn intercept_row(&self) -> Option<CoefRow> {
        let estimate = self.intercept?;
        let std_error = self.intercept_se.unwrap_or(f64::NAN);
        let z = estimate / std_error;
        Some(CoefRow {
            name: INTERCEPT_NAME.to_string(),
            estimate,
            std_error,
            z,
            p_value: crate::special::normal_two_sided_p(z),
        })
    }

    /// A plain-text table.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{} estimation: {}\n",
            self.estimator, self.formula
        ));
        let name_w = self
            .coefficients
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(if self.intercept.is_some() {
                INTERCEPT_NAME.len()
            } else {
                4
            });
        s.push_str(&format!(
            "{:<name_w$}  {:>12}  {:>12}  {:>9}  {:>9}\n",
            "term", "estimate", "std.error", "z", "p"
        ));
        s.push_str(&"-".repeat(name_w + 52));
        s.push('\n');
        for c in &self.coefficients {
            s.push_str(&format!(
                "{:<name_w$}  {:>12.6}  {:>12.6}  {:>9.3}  {:>9.4} {}\n",
                c.name,
                c.estimate,
                c.std_error,
                c.z,
                c.p_value,
                stars(c.p_value)
            ));
        }
        if let Some(c) = self.intercept_row() {
            s.push_str(&format!(
                "{:<name_w$}  {:>12.6}  {:>12.6}  {:>9.3}  {:>9.4} {}\n",
                c.name,
                c.estimate,
                c.std_error,
                c.z,
                c.p_value,
                stars(c.p_value)
            ));
        }
        s.push_str(&"-".repeat(name_w + 52));
        s.push('\n');
        if !self.fixed_effects.is_empty() {
            s.push_str(&format!(
                "Fixed effects: {}\n",
                self.fixed_effects.join(", ")
            ));
        }
        let vc = if self.clusters.is_empty() {
            self.vcov.clone()
        } else {
            format!(
                "{} by {}",
                self.vcov,
                self.clusters
                    .iter()
                    .map(|(n, g)| format!("{n} ({g} clusters)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        s.push_str(&format!("Standard errors: {vc}\n"));
        s.push_str(&format!(
            "Observations: {}  (dropped: {} filtered, {} missing, {} zero weight, {} singletons, {} separated by FE, {} separated by regressors)\n",
            self.nobs,
            self.dropped.filtered,
            self.dropped.missing,
            self.dropped.zero_weight,
            self.dropped.singletons,
            self.dropped.separated_fe,
            self.dropped.separated_ir
        ));
        if self.estimator == "PPML" {
            s.push_str(&format!(
                "Deviance: {:.6}  Log-likelihood: {}  Pseudo-R2: {:.6}  R2 corr(y,fit)^2: {}  Iterations: {}  Converged: {}\n",
                self.deviance,
                self.loglik.map_or("-".into(), |l| format!("{l:.4}")),
                self.pseudo_r2,
                self.r2_corr.map_or("-".into(), |r| format!("{r:.6}")),
                self.iterations,
                self.converged
            ));
        } else {
            s.push_str(&format!(
                "R2: {:.6}  Within R2: {}  SSR: {:.6}\n",
                self.pseudo_r2,
                self.r2_within.map_or("-".into(), |r| format!("{r:.6}")),
                self.deviance
            ));
        }
        for m in &self.messages {
            s.push_str(&format!("Note: {m}\n"));
        }
        s.push_str("Signif.: *** p<0.01, ** p<0.05, * p<0.1 (normal distribution)\n");
        s
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// CSV with one row per coefficient, plus `nobs` etc. as repeated columns.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "term,estimate,std_error,z,p_value,nobs,estimator,vcov,iterations,deviance,pseudo_r2,converged\n",
        );
        for c in &self.coefficients {
            s.push_str(&format!(
                "{},{:?},{:?},{:?},{:?},{},{},{},{},{:?},{:?},{}\n",
                csv_field(&c.name),
                c.estimate,
                c.std_error,
                c.z,
                c.p_value,
                self.nobs,
                self.estimator,
                self.vcov,
                self.iterations,
                self.deviance,
                self.pseudo_r2,
                self.converged
            ));
        }
        s
    }

    /// A LaTeX `tabular` (booktabs) with estimates and standard errors in parentheses.
    pub fn to_latex(&self) -> String {
        let mut s = String::new();
        s.push_str("\\begin{tabular}{lc}\n\\toprule\n");
        s.push_str(&format!(
            " & {} ({}) \\\\\n\\midrule\n",
            self.estimator,
            latex_escape(&self.depvar)
        ));
        for c in &self.coefficients {
            s.push_str(&format!(
                "{} & {}{} \\\\\n & ({}) \\\\\n",
                latex_escape(&c.name),
                fmt3(c.estimate),
                if stars(c.p_value).is_empty() {
                    String::new()
                } else {
                    format!("$^{{{}}}$", stars(c.p_value))
                },
                fmt3(c.std_error)
            ));
        }
        s.push_str("\\midrule\n");
        if !self.fixed_effects.is_empty() {
            s.push_str(&format!(
                "Fixed effects & {} \\\\\n",
                latex_escape(&self.fixed_effects.join(", "))
            ));
        }
        s.push_str(&format!("N & {} \\\\\n", self.nobs));
        let label = if self.estimator == "PPML" {
            "Pseudo-$R^2$"
        } else {
            "$R^2$"
        };
        s.push_str(&format!("{label} & {:.3} \\\\\n", self.pseudo_r2));
        s.push_str("\\bottomrule\n\\end{tabular}\n");
        s
    }
}
