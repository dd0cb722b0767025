//! The scenario file: a TOML document (format in the README, "Trade-policy scenarios")
//! read into [`ScenarioSpec`]; the CLI flags set the same fields.

use crate::error::{AppError, AppResult};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A scenario: the data and baseline year, the trade elasticity, the shocks and how to
/// solve and report them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// A title for the report (default: the shocks in words).
    pub title: Option<String>,
    /// The flows and the baseline year.
    #[serde(default)]
    pub data: DataSpec,
    /// The trade elasticity.
    #[serde(default)]
    pub elasticity: ElasticitySpec,
    /// A gravity estimation on the data: the coefficients that agreement shocks, an
    /// estimated elasticity and fitted costs use.
    pub estimate: Option<EstimateSpec>,
    /// Baseline, normalisation, deficits and solver.
    #[serde(default)]
    pub model: ModelSection,
    /// Intervals from resampling the elasticity.
    #[serde(default)]
    pub uncertainty: UncertaintySpec,
    /// What the report looks at.
    #[serde(default)]
    pub report: ReportSpec,
    /// The shocks, applied together.
    #[serde(default, rename = "shock")]
    pub shocks: Vec<ShockSpec>,
}

/// Where the flows come from and which year is the baseline.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// A file (CSV, Parquet, Stata), relative to the scenario file's folder.
    pub file: Option<PathBuf>,
    /// A dataset of the store.
    pub dataset: Option<String>,
    /// An SQL query over the store.
    pub sql: Option<String>,
    /// The baseline year (needed when the data hold several).
    pub year: Option<i32>,
    /// The exporter column.
    #[serde(default = "default_exporter")]
    pub exporter: String,
    /// The importer column.
    #[serde(default = "default_importer")]
    pub importer: String,
    /// The value column (domestic sales on the diagonal, exporter = importer).
    #[serde(default = "default_value")]
    pub value: String,
    /// The year column.
    #[serde(default = "default_year_column")]
    pub year_column: String,
    /// The currency of the values (ISO 4217), if known: never assumed.
    pub currency: Option<String>,
    /// The multiple the values are in: `units`, `thousands`, `millions` or `billions`.
    pub scale: Option<String>,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            file: None,
            dataset: None,
            sql: None,
            year: None,
            exporter: default_exporter(),
            importer: default_importer(),
            value: default_value(),
            year_column: default_year_column(),
            currency: None,
            scale: None,
        }
    }
}

fn default_exporter() -> String {
    "exporter".into()
}
fn default_importer() -> String {
    "importer".into()
}
fn default_value() -> String {
    "trade".into()
}
fn default_year_column() -> String {
    "year".into()
}

/// The trade elasticity: `σ`, `θ = σ − 1`, or the coefficient of a tariff regressor
/// of [`ScenarioSpec::estimate`] (`θ = −b`), with a standard error for intervals.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElasticitySpec {
    /// The elasticity of substitution `σ > 1`.
    pub sigma: Option<f64>,
    /// The trade elasticity `θ = σ − 1 > 0`.
    pub theta: Option<f64>,
    /// The standard error of `θ` (given, or from the estimate).
    pub se: Option<f64>,
    /// The regressor of the estimate whose coefficient is `−θ` (`log(1 + tariff)`).
    pub coefficient: Option<String>,
}

/// A gravity estimation on the scenario's data (`entrepot gravity` syntax).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateSpec {
    /// `trade ~ regressors | fixed effects`.
    pub formula: String,
    /// Sample filters, all of which must hold.
    #[serde(default)]
    pub filter: Vec<String>,
    /// Cluster variables of the standard errors.
    pub cluster: Option<String>,
}

/// How the baseline trade costs are obtained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineKind {
    /// Calibrated to the observed flows of the year (`t_ij = X_ij/(Y_i E_j)`): every
    /// observed flow is reproduced and only changes of costs matter (exact hat algebra,
    /// Dekle, Eaton and Kortum 2007; Zylkin's `ge_gravity`).
    #[default]
    Observed,
    /// Fitted by the estimate: `t_ij = exp(Σ_k b_k x_kij)` over its regressors, with
    /// output and expenditure from the data (Yotov et al. 2016, ch. 2).
    Fitted,
}

/// Which solver computes the equilibrium.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverChoice {
    /// Exact hat algebra (fast).
    #[default]
    Hat,
    /// GEPPML.
    Geppml,
    /// Both, reporting how far apart they are (the hat algebra's numbers are shown).
    Both,
}

/// Baseline, normalisation, deficits and solver.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    /// Observed (calibrated) or fitted baseline costs.
    #[serde(default)]
    pub baseline: BaselineKind,
    /// The reference country (default: the largest output).
    pub reference: Option<String>,
    /// `multiplicative` (default), `additive` or `balanced`.
    pub deficits: Option<String>,
    /// `inward_resistance` (default), `producer_price` or `world_output`.
    pub numeraire: Option<String>,
    /// The solver.
    #[serde(default)]
    pub solver: SolverChoice,
    /// Convergence tolerance of the solver (default 1e-10).
    pub tolerance: Option<f64>,
}

/// Intervals from resampling the elasticity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Draws of `θ` (0: none); default 200 when `θ` has a standard error.
    pub draws: Option<usize>,
    /// The seed.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The interval's coverage, in (0, 1).
    #[serde(default = "default_level")]
    pub level: f64,
}

impl Default for UncertaintySpec {
    fn default() -> Self {
        UncertaintySpec {
            draws: None,
            seed: default_seed(),
            level: default_level(),
        }
    }
}

fn default_seed() -> u64 {
    20_250_101
}
fn default_level() -> f64 {
    0.9
}

/// What the report looks at.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// The exporter of the diversion accounting (default: the first shock's, when it is
    /// one country).
    pub exporter: Option<String>,
    /// The importer of the diversion accounting (default: the first shock's).
    pub importer: Option<String>,
    /// Groups the diversion is also summed over (default EU27, ASEAN, AFRICA, LATAM).
    pub groups: Option<Vec<String>>,
    /// Countries of the bilateral heat map (default: the shocked ones and the largest
    /// economies, 20 in all).
    pub heat_map: Option<Vec<String>>,
}

/// Countries: one code or group, or a list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Selection {
    /// A country code or a group name (`EU27`).
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl Selection {
    /// The names, in order.
    pub fn names(&self) -> Vec<String> {
        match self {
            Selection::One(s) => vec![s.clone()],
            Selection::Many(v) => v.clone(),
        }
    }
}

/// A change of trade costs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ShockSpec {
    /// The importer changes its ad-valorem tariff on the exporter's goods by
    /// `change_pp` percentage points from `from_pct` (default 0): `τ̂ = (1 + (t0 + Δ)/100)
    /// / (1 + t0/100)`, `t̂ = τ̂^{−θ}`.
    Tariff {
        /// The importing country or group.
        importer: Selection,
        /// The exporting country or group.
        exporter: Selection,
        /// The change, in percentage points.
        change_pp: f64,
        /// The baseline tariff in percent (default 0).
        from_pct: Option<f64>,
        /// Also in the other direction (retaliation).
        #[serde(default)]
        both_ways: bool,
    },
    /// An iceberg trade cost change of `change_pct` percent: `τ̂ = 1 + Δ/100`.
    Cost {
        /// The importing country or group.
        importer: Selection,
        /// The exporting country or group.
        exporter: Selection,
        /// The change, in percent.
        change_pct: f64,
        /// Also in the other direction.
        #[serde(default)]
        both_ways: bool,
    },
    /// An agreement switched on or off between its members: the dummy `variable` set to
    /// `active` for every pair of different members, `t̂ = exp(b (new − old))` with `b`
    /// its coefficient (given, or from the estimate).
    Agreement {
        /// The member countries or groups.
        members: Selection,
        /// The dummy column of the data (`rta`).
        variable: String,
        /// Whether the agreement is in force in the scenario.
        active: bool,
        /// The coefficient `b` (default: the estimate's coefficient of `variable`).
        coefficient: Option<f64>,
    },
}

/// Reads a scenario file; a relative data file is taken relative to the scenario
/// file's folder. Errors name the file, line and field.
pub fn read_scenario_file(path: &Path) -> AppResult<ScenarioSpec> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            AppError::not_found(format!("scenario file {shown}: no such file"))
        } else {
            AppError::bad_input(format!("reading scenario file {shown}: {e}"))
        }
    })?;
    let mut spec = parse_scenario(&text).map_err(|e| e.context(&shown))?;
    if let (Some(f), Some(dir)) = (&spec.data.file, path.parent()) {
        if f.is_relative() {
            spec.data.file = Some(dir.join(f));
        }
    }
    Ok(spec)
}

/// Parses the text of a scenario file.
pub fn parse_scenario(text: &str) -> AppResult<ScenarioSpec> {
    toml::from_str::<ScenarioSpec>(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: ")
            })
            .unwrap_or_default();
        AppError::bad_input(format!("{at}{}", e.message()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let spec = parse_scenario(
            r#"
title = "US +20pp on China"
[data]
file = "agtpa.csv"
year = 2006
currency = "USD"
scale = "millions"
[elasticity]
theta = 7.604
se = 0.516
[model]
reference = "DEU"
deficits = "additive"
solver = "both"
[uncertainty]
draws = 50
seed = 7
[report]
groups = ["EU27", "ASEAN"]
[[shock]]
type = "tariff"
importer = "USA"
exporter = "CHN"
change_pp = 20
[[shock]]
type = "agreement"
members = ["CAN", "MEX", "USA"]
variable = "rta"
active = false
coefficient = 0.557
"#,
        )
        .expect("parses");
        assert_eq!(spec.data.year, Some(2006));
        assert_eq!(spec.elasticity.theta, Some(7.604));
        assert_eq!(spec.model.solver, SolverChoice::Both);
        assert_eq!(spec.uncertainty.draws, Some(50));
        assert_eq!(spec.shocks.len(), 2);
        assert!(matches!(
            &spec.shocks[0],
            ShockSpec::Tariff { change_pp, both_ways: false, .. } if *change_pp == 20.0
        ));
        assert!(matches!(
            &spec.shocks[1],
            ShockSpec::Agreement { members: Selection::Many(m), active: false, .. } if m.len() == 3
        ));
    }

    #[test]
    fn mistakes_name_the_line_and_field() {
        let e = parse_scenario("[data]\nyear = 2006\n[[shock]]\ntype = \"tarif\"\n")
            .expect_err("unknown type");
        assert!(
            e.message.contains("line 3") || e.message.contains("line 4"),
            "{}",
            e.message
        );
        assert!(e.message.contains("tarif"), "{}", e.message);
        let e = parse_scenario("[elasticity]\nsgima = 7\n").expect_err("unknown field");
        assert!(
            e.message.contains("line 2") && e.message.contains("sgima"),
            "{}",
            e.message
        );
        let e = parse_scenario(
            "[[shock]]\ntype = \"tariff\"\nimporter = \"USA\"\nexporter = \"CHN\"\n",
        )
        .expect_err("missing change");
        assert!(e.message.contains("change_pp"), "{}", e.message);
    }
}
