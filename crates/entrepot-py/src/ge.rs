//! `entrepot.ge` and `entrepot.scenario`: trade-policy scenarios in general equilibrium
//! through the application layer ([`run_scenario`]), so the baseline, the shocks, the
//! solvers, the diversion accounting, the intervals, the report and every error message
//! are the `entrepot scenario run` command's.
//!
//! * [`ge`] builds a [`ScenarioSpec`] from keyword arguments (the scenario file's fields,
//!   the flags' names where they differ) and runs it on a table held by Python, handed
//!   to the application layer in memory ([`ScenarioRequest::flows`]); each shock is a
//!   dictionary with the fields of a `[[shock]]` of the scenario file, read by the same
//!   deserializer.
//! * [`scenario`] runs a scenario file (a path, or its TOML text) as the command does.
//!
//! Both return a [`ScenarioResult`]: per-economy and per-pair tables in the baseline and
//! both counterfactuals, the diversion accounting, and the report document.

use crate::error::{to_py, usage};
use crate::report::Report;
use crate::tables::{self, batch, Col, InputTable, OutputTable};
use entrepot_app::gravity::dataset_from_batches;
use entrepot_app::scenario::spec::{
    parse_scenario, read_scenario_file, BaselineKind, EstimateSpec, ScenarioSpec, ShockSpec,
    SolverChoice,
};
use entrepot_app::scenario::{run_scenario, Diversion, ScenarioOutput, ScenarioRequest};
use entrepot_app::StoreLocation;
use entrepot_ge::{CountryResult, Levels};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// A measure of the per-economy table: its column prefix and where its levels are.
type Measure = (&'static str, fn(&CountryResult) -> &Levels);

/// The per-economy measures of [`ScenarioResult::countries_table`], in column order.
const MEASURES: [Measure; 9] = [
    ("exports", |r| &r.exports),
    ("imports", |r| &r.imports),
    ("output", |r| &r.output),
    ("expenditure", |r| &r.expenditure),
    ("producer_price", |r| &r.producer_price),
    ("outward_resistance", |r| &r.outward_resistance),
    ("inward_resistance", |r| &r.inward_resistance),
    ("real_gdp", |r| &r.real_gdp),
    ("welfare", |r| &r.welfare),
];

/// Runs a scenario on a flows table (one row per exporter, importer and year, domestic
/// sales on the diagonal). `shocks` are JSON objects with a `[[shock]]`'s fields; the
/// other arguments are the scenario file's fields. The run releases the GIL;
/// `progress`, a callable, receives `(stage, done, total)` ([`crate::progress`]).
#[pyfunction]
#[pyo3(signature = (data, shocks, exporter="exporter".to_string(), importer="importer".to_string(), value="trade".to_string(), year=None, year_column="year".to_string(), theta=None, sigma=None, theta_se=None, coefficient=None, estimate=None, estimate_filters=Vec::new(), estimate_cluster=None, baseline="observed", reference=None, deficits=None, numeraire=None, solver="hat", tolerance=None, draws=None, seed=None, level=None, focus=None, groups=None, heat_map=None, currency=None, scale=None, title=None, groups_file=None, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn ge(
    py: Python<'_>,
    data: InputTable,
    shocks: Vec<String>,
    exporter: String,
    importer: String,
    value: String,
    year: Option<i32>,
    year_column: String,
    theta: Option<f64>,
    sigma: Option<f64>,
    theta_se: Option<f64>,
    coefficient: Option<String>,
    estimate: Option<String>,
    estimate_filters: Vec<String>,
    estimate_cluster: Option<String>,
    baseline: &str,
    reference: Option<String>,
    deficits: Option<String>,
    numeraire: Option<String>,
    solver: &str,
    tolerance: Option<f64>,
    draws: Option<usize>,
    seed: Option<u64>,
    level: Option<f64>,
    focus: Option<(String, String)>,
    groups: Option<Vec<String>>,
    heat_map: Option<Vec<String>>,
    currency: Option<String>,
    scale: Option<String>,
    title: Option<String>,
    groups_file: Option<PathBuf>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<ScenarioResult> {
    let mut spec = ScenarioSpec {
        title,
        ..ScenarioSpec::default()
    };
    let d = &mut spec.data;
    (d.exporter, d.importer, d.value, d.year_column) = (exporter, importer, value, year_column);
    (d.year, d.currency, d.scale) = (year, currency, scale);
    let e = &mut spec.elasticity;
    (e.theta, e.sigma, e.se, e.coefficient) = (theta, sigma, theta_se, coefficient);
    spec.estimate = estimate.map(|formula| EstimateSpec {
        formula,
        filter: estimate_filters,
        cluster: estimate_cluster,
    });
    let m = &mut spec.model;
    m.baseline = match baseline {
        "observed" => BaselineKind::Observed,
        "fitted" => BaselineKind::Fitted,
        other => {
            return Err(usage(format!(
                "baseline must be observed or fitted, got {other}"
            )))
        }
    };
    m.solver = match solver {
        "hat" => SolverChoice::Hat,
        "geppml" => SolverChoice::Geppml,
        "both" => SolverChoice::Both,
        other => {
            return Err(usage(format!(
                "--solver must be hat, geppml or both, got {other}"
            )))
        }
    };
    (m.reference, m.deficits, m.numeraire, m.tolerance) =
        (reference, deficits, numeraire, tolerance);
    let u = &mut spec.uncertainty;
    u.draws = draws;
    if let Some(s) = seed {
        u.seed = s;
    }
    if let Some(l) = level {
        u.level = l;
    }
    if let Some((x, m)) = focus {
        (spec.report.exporter, spec.report.importer) = (Some(x), Some(m));
    }
    (spec.report.groups, spec.report.heat_map) = (groups, heat_map);
    spec.shocks = shocks
        .iter()
        .enumerate()
        .map(|(k, json)| shock(json).map_err(|e| usage(format!("shock {}: {e}", k + 1))))
        .collect::<PyResult<_>>()?;
    let batches = tables::batches(data);
    let out = crate::progress::run(py, progress, move |hook| {
        let flows = dataset_from_batches(&batches)?;
        drop(batches);
        let req = ScenarioRequest {
            spec,
            groups_file,
            flows: Some(Arc::new(flows)),
            progress: hook,
            ..ScenarioRequest::default()
        };
        run_scenario(&StoreLocation::from_option(None), &req)
    })?
    .map_err(to_py)?;
    Ok(ScenarioResult { out })
}

/// A shock from the JSON of a `[[shock]]` table, with serde's message less its position
/// in the JSON text (the Python caller wrote a dictionary, not that text).
fn shock(json: &str) -> Result<ShockSpec, String> {
    serde_json::from_str(json).map_err(|e| {
        let m = e.to_string();
        match m.rfind(" at line ") {
            Some(i) => m[..i].to_string(),
            None => m,
        }
    })
}

/// Runs a scenario file as `entrepot scenario run FILE` does: `path` names the file, or
/// `text` is its TOML (a relative `[data] file` is then read from the working
/// directory); the store at `store` (the default store when `None`) serves `[data]
/// dataset` and `sql`.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, store=None, groups_file=None, memory_limit=None, progress=None))]
pub fn scenario(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<&str>,
    store: Option<PathBuf>,
    groups_file: Option<PathBuf>,
    memory_limit: Option<u64>,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<ScenarioResult> {
    let parsed = match (path, text) {
        (Some(p), None) => read_scenario_file(&p),
        (None, Some(t)) => parse_scenario(t).map_err(|e| e.context("the scenario text")),
        _ => return Err(usage("give the scenario file's path or its text")),
    }
    .map_err(to_py)?;
    let location = StoreLocation::from_option(store);
    let out = crate::progress::run(py, progress, move |hook| {
        let req = ScenarioRequest {
            spec: parsed,
            groups_file,
            memory_limit,
            progress: hook,
            ..ScenarioRequest::default()
        };
        run_scenario(&location, &req)
    })?
    .map_err(to_py)?;
    Ok(ScenarioResult { out })
}

/// A solved scenario (the compiled half of `entrepot.ScenarioResult`).
#[pyclass(module = "entrepot._entrepot", frozen)]
pub struct ScenarioResult {
    out: ScenarioOutput,
}

/// A figure, missing where not defined (a change from a zero baseline).
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[pymethods]
impl ScenarioResult {
    /// The economies, in the tables' order (sorted codes).
    #[getter]
    fn countries(&self) -> Vec<String> {
        self.out.prepared.countries.clone()
    }

    /// The baseline year.
    #[getter]
    fn year(&self) -> i32 {
        self.out.prepared.year
    }

    /// The trade elasticity θ = σ − 1 used.
    #[getter]
    fn theta(&self) -> f64 {
        self.out.prepared.theta.theta
    }

    /// The elasticity of substitution σ used.
    #[getter]
    fn sigma(&self) -> f64 {
        self.out.result.sigma
    }

    /// Where θ came from, in words.
    #[getter]
    fn theta_origin(&self) -> String {
        self.out.prepared.theta.origin.clone()
    }

    /// The reference country of the normalisation.
    #[getter]
    fn reference(&self) -> String {
        self.out.result.options.reference.clone()
    }

    /// The shocks, in words.
    #[getter]
    fn shocks(&self) -> Vec<String> {
        let shocks = &self.out.prepared.shocks;
        shocks.iter().map(|s| s.description.clone()).collect()
    }

    /// Notes of the preparation (group members not in the data, assumed tariffs).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.out.prepared.notes.clone()
    }

    /// Outer iterations of the full endowment solve.
    #[getter]
    fn iterations(&self) -> usize {
        self.out.result.iterations
    }

    /// With `solver="both"`: the largest relative gap between the two solvers.
    #[getter]
    fn solver_gap(&self) -> Option<f64> {
        self.out.solver_gap
    }

    /// The largest relative gap between the full-GE flows' totals and output or
    /// expenditure (market clearing; zero up to rounding).
    #[getter]
    fn adding_up_gap(&self) -> f64 {
        self.out.result.full.adding_up_gap()
    }

    /// Why there is no diversion accounting, or `None`.
    #[getter]
    fn diversion_missing(&self) -> Option<String> {
        self.out.diversion_missing.clone()
    }

    /// Why there are no intervals, or `None`.
    #[getter]
    fn intervals_missing(&self) -> Option<String> {
        self.out.intervals_missing.clone()
    }

    /// Draws of θ solved for the intervals (0 without intervals).
    #[getter]
    fn draws(&self) -> usize {
        self.out.intervals.as_ref().map_or(0, |i| i.draws)
    }

    /// Per economy: `country`, then for each measure (exports, imports, output,
    /// expenditure, producer_price, outward_resistance, inward_resistance, real_gdp,
    /// welfare) its `_baseline`, `_conditional` and `_full` levels and its
    /// `_conditional_pct` and `_full_pct` changes; with intervals, `welfare_`,
    /// `real_gdp_` and `exports_` `full_low_pct` and `full_high_pct`.
    fn countries_table(&self) -> PyResult<OutputTable> {
        let rows = self.out.result.country_results();
        let mut cols: Vec<(String, Col)> = vec![(
            "country".into(),
            Col::Text(rows.iter().map(|r| Some(r.country.clone())).collect()),
        )];
        for (name, get) in MEASURES {
            let col = |f: &dyn Fn(&Levels) -> f64| {
                Col::Float(rows.iter().map(|r| finite(f(get(r)))).collect())
            };
            cols.push((format!("{name}_baseline"), col(&|l| l.baseline)));
            cols.push((format!("{name}_conditional"), col(&|l| l.conditional)));
            cols.push((format!("{name}_full"), col(&|l| l.full)));
            cols.push((
                format!("{name}_conditional_pct"),
                col(&Levels::conditional_change_pct),
            ));
            cols.push((format!("{name}_full_pct"), col(&Levels::full_change_pct)));
        }
        if let Some(iv) = &self.out.intervals {
            for (name, band) in [
                ("welfare", &iv.welfare),
                ("real_gdp", &iv.real_gdp),
                ("exports", &iv.exports),
            ] {
                cols.push((
                    format!("{name}_full_low_pct"),
                    Col::Float(band.iter().map(|b| finite(b.0)).collect()),
                ));
                cols.push((
                    format!("{name}_full_high_pct"),
                    Col::Float(band.iter().map(|b| finite(b.1)).collect()),
                ));
            }
        }
        let (names, cols): (Vec<String>, Vec<Col>) = cols.into_iter().unzip();
        tables::table(batch(names.iter().map(String::as_str).zip(cols).collect())?)
    }

    /// Per pair (every exporter × importer, domestic included): `exporter`,
    /// `importer`, `baseline`, `conditional`, `full` flows and `conditional_pct`,
    /// `full_pct` changes (missing where the baseline flow is zero).
    fn flows_table(&self) -> PyResult<OutputTable> {
        let pairs = self.out.result.pair_results();
        let text = |f: &dyn Fn(&entrepot_ge::PairResult) -> &String| {
            Col::Text(pairs.iter().map(|p| Some(f(p).clone())).collect())
        };
        let num = |f: &dyn Fn(&Levels) -> f64| {
            Col::Float(pairs.iter().map(|p| finite(f(&p.flow))).collect())
        };
        tables::table(batch(vec![
            ("exporter", text(&|p| &p.exporter)),
            ("importer", text(&|p| &p.importer)),
            ("baseline", num(&|l| l.baseline)),
            ("conditional", num(&|l| l.conditional)),
            ("full", num(&|l| l.full)),
            ("conditional_pct", num(&Levels::conditional_change_pct)),
            ("full_pct", num(&Levels::full_change_pct)),
        ])?)
    }

    /// The diversion accounting around the focus pair, one row per flow: `role`
    /// (`direct`, `market` — the exporter's sales elsewhere, `supplier` — the
    /// importer's purchases elsewhere, `exporter_domestic`, `importer_domestic`),
    /// `exporter`, `importer`, `baseline`, `conditional`, `full`, `change` (full −
    /// baseline) and `change_pct`; `None` without a focus pair (see
    /// `diversion_missing`).
    fn diversion_table(&self) -> PyResult<Option<OutputTable>> {
        let Some(d) = &self.out.diversion else {
            return Ok(None);
        };
        let names = &self.out.prepared.countries;
        let (x, m) = (d.exporter, d.importer);
        // (role, exporter, importer, levels)
        type Line<'a> = (&'static str, usize, usize, &'a Levels);
        let mut rows: Vec<Line<'_>> = vec![("direct", x, m, &d.direct)];
        rows.extend(d.markets.iter().map(|(k, l)| ("market", x, *k, l)));
        rows.extend(d.suppliers.iter().map(|(k, l)| ("supplier", *k, m, l)));
        rows.push(("exporter_domestic", x, x, &d.exporter_domestic));
        rows.push(("importer_domestic", m, m, &d.importer_domestic));
        let text =
            |f: &dyn Fn(&Line<'_>) -> String| Col::Text(rows.iter().map(|r| Some(f(r))).collect());
        let num =
            |f: &dyn Fn(&Levels) -> f64| Col::Float(rows.iter().map(|r| finite(f(r.3))).collect());
        Ok(Some(tables::table(batch(vec![
            ("role", text(&|r| r.0.to_string())),
            ("exporter", text(&|r| names[r.1].clone())),
            ("importer", text(&|r| names[r.2].clone())),
            ("baseline", num(&|l| l.baseline)),
            ("conditional", num(&|l| l.conditional)),
            ("full", num(&|l| l.full)),
            ("change", num(&|l| l.full - l.baseline)),
            ("change_pct", num(&Levels::full_change_pct)),
        ])?)?))
    }

    /// The diversion accounting's totals (full GE): `exporter`, `importer`, `lost` (the
    /// fall of the direct flow), `redirected` (the exporter's extra sales to other
    /// markets), `replaced` (the importer's extra purchases from other suppliers),
    /// `absorbed` (the exporter's extra sales to itself) and the shares of `lost`
    /// redirected and replaced (%, `None` when the direct flow did not fall), with
    /// their intervals when resampled; `None` without a focus pair.
    fn diversion_summary(&self) -> Option<Vec<(&'static str, PyDiversionValue)>> {
        let d: &Diversion = self.out.diversion.as_ref()?;
        let names = &self.out.prepared.countries;
        let iv = self.out.intervals.as_ref();
        use PyDiversionValue::{Band, Code, Number};
        Some(vec![
            ("exporter", Code(names[d.exporter].clone())),
            ("importer", Code(names[d.importer].clone())),
            ("lost", Number(Some(-d.direct_change()))),
            ("redirected", Number(Some(d.redirected()))),
            ("replaced", Number(Some(d.replaced()))),
            (
                "absorbed",
                Number(Some(
                    d.exporter_domestic.full - d.exporter_domestic.baseline,
                )),
            ),
            ("redirected_share_pct", Number(d.redirected_share_pct())),
            ("replaced_share_pct", Number(d.replaced_share_pct())),
            ("direct_full_pct_interval", Band(iv.and_then(|i| i.direct))),
            (
                "redirected_share_pct_interval",
                Band(iv.and_then(|i| i.redirected_share)),
            ),
            (
                "replaced_share_pct_interval",
                Band(iv.and_then(|i| i.replaced_share)),
            ),
        ])
    }

    /// The report document (as `entrepot scenario run` prints it).
    fn report(&self) -> Report {
        Report::new(self.out.document.clone(), None)
    }
}

/// A value of [`ScenarioResult::diversion_summary`].
#[derive(IntoPyObject)]
pub enum PyDiversionValue {
    /// A country code.
    Code(String),
    /// An amount or a share, `None` where not defined.
    Number(Option<f64>),
    /// An interval (low, high), `None` without one.
    Band(Option<(f64, f64)>),
}
