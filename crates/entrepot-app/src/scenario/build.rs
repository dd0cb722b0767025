//! From a [`ScenarioSpec`] to the kernel's inputs: the baseline year's flow matrix, the
//! gravity estimate when one is asked for, the elasticity, and each shock resolved to
//! the pairs it touches.

use super::spec::{BaselineKind, ScenarioSpec, Selection, ShockSpec};
use crate::error::{AppError, AppResult};
use crate::gravity::{load_source, SampleSource};
use crate::location::StoreLocation;
use entrepot_core::text::display_value;
use entrepot_core::{GroupRegistry, Period, Progress};
use entrepot_ge::{Baseline, Matrix};
use entrepot_gravity::{fit, Column, Dataset, Estimate, Expr, FitOptions, ModelSpec};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where the elasticity came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaChoice {
    /// `θ = σ − 1`.
    pub theta: f64,
    /// Its standard error, when known.
    pub se: Option<f64>,
    /// In words (`given: σ = 7`, `estimated: −b of log(1 + tariff)`).
    pub origin: String,
}

/// How one shock changes a pair's trade-cost term.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `t̂ = τ̂^{−θ}` with this `τ̂` (tariffs, iceberg costs).
    Tau(f64),
    /// `t̂ = exp(x)` with this `x` (an agreement's coefficient times the change of its
    /// dummy).
    LogT(f64),
}

/// A shock resolved to pairs `(exporter, importer)` of matrix indices.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedShock {
    /// The shock in words.
    pub description: String,
    /// The pairs it touches, each with its effect.
    pub pairs: Vec<(usize, usize, Effect)>,
    /// The importers and exporters named (countries of the data), for the report.
    pub importers: Vec<usize>,
    /// See [`ResolvedShock::importers`].
    pub exporters: Vec<usize>,
}

/// Everything the solver and the report need.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Country codes, sorted: the matrix order.
    pub countries: Vec<String>,
    /// The baseline year.
    pub year: i32,
    /// Observed flows of the year (exporter rows, importer columns; zero where absent).
    pub flows: Matrix,
    /// The baseline economy.
    pub baseline: Baseline,
    /// The elasticity.
    pub theta: ThetaChoice,
    /// The shocks.
    pub shocks: Vec<ResolvedShock>,
    /// The estimate, when one was asked for.
    pub estimate: Option<Estimate>,
    /// Pairs absent from the data (taken as zero flows).
    pub absent_pairs: usize,
    /// Things the reader should know (group members not in the data, assumed tariffs).
    pub notes: Vec<String>,
    /// Where the data came from, in words.
    pub source: String,
}

impl Prepared {
    /// The change of every pair's trade-cost term `t = τ^{1−σ}` for `θ`.
    pub fn changes(&self, theta: f64) -> Matrix {
        let n = self.countries.len();
        let mut m = Matrix::filled(n, 1.0);
        for s in &self.shocks {
            for (i, j, e) in &s.pairs {
                let f = match e {
                    Effect::Tau(tau) => tau.powf(-theta),
                    Effect::LogT(x) => x.exp(),
                };
                m.set(*i, *j, m.get(*i, *j) * f);
            }
        }
        m
    }

    /// The index of a country code.
    pub fn index(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| c == code)
    }
}

/// Loads the data (or takes `flows`, a table already in memory, in place of the spec's
/// `[data]` file, dataset or query), builds the baseline and resolves the elasticity and
/// the shocks. `progress` watches the estimate's iterations.
pub fn prepare(
    location: &StoreLocation,
    spec: &ScenarioSpec,
    groups: &GroupRegistry,
    memory_limit: Option<u64>,
    flows: Option<&Dataset>,
    progress: &Progress,
) -> AppResult<Prepared> {
    let d = &spec.data;
    if let Some(table) = flows {
        if d.file.is_some() || d.dataset.is_some() || d.sql.is_some() {
            return Err(AppError::usage(
                "[data]: the flows were given as a table; give no file, dataset or sql with them",
            ));
        }
        return prepare_on(table, IN_MEMORY, false, spec, groups, progress);
    }
    let (source, shown) = match (&d.file, &d.dataset, &d.sql) {
        (Some(f), None, None) => (
            SampleSource::File(f.clone()),
            format!("file {}", display_value(&f.display().to_string())),
        ),
        (None, Some(ds), None) => (
            SampleSource::Dataset(ds.clone()),
            format!("dataset {}", display_value(ds)),
        ),
        (None, None, Some(q)) => (SampleSource::Sql(q.clone()), "an SQL query".to_string()),
        (None, None, None) => {
            return Err(AppError::usage(
                "the scenario needs data: [data] file, dataset or sql (or --data)",
            ))
        }
        _ => {
            return Err(AppError::usage(
                "[data]: give one of file, dataset and sql, not several",
            ))
        }
    };
    let data = load_source(location, &source, memory_limit)?;
    // Where a row is: the line of a CSV file (after its header), else its row number.
    let csv_file = d.file.as_ref().is_some_and(|f| {
        !matches!(
            f.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("parquet" | "pq" | "dta")
        )
    });
    prepare_on(&data, &shown, csv_file, spec, groups, progress)
}

/// How the report and the errors name flows handed over in memory.
pub const IN_MEMORY: &str = "the flows table";

/// [`prepare`] on loaded data: `shown` names it in messages, `csv_file` says whether a
/// row is a line of a CSV file (after its header) rather than a row counted from 1.
fn prepare_on(
    data: &Dataset,
    shown: &str,
    csv_file: bool,
    spec: &ScenarioSpec,
    groups: &GroupRegistry,
    progress: &Progress,
) -> AppResult<Prepared> {
    let d = &spec.data;
    let shown = shown.to_string();
    let at = |r: usize| {
        if csv_file {
            format!("line {}", r + 2)
        } else {
            format!("row {}", r + 1)
        }
    };
    let estimate = match &spec.estimate {
        None => None,
        Some(e) => Some(estimate(data, e, progress)?),
    };
    let theta = theta_choice(spec, estimate.as_ref())?;
    let years = year_labels(data, &d.year_column)?;
    let year = pick_year(&years, d.year, &d.year_column)?;
    let year_text = year.to_string();
    let rows: Vec<usize> = (0..data.nrows())
        .filter(|&r| years[r].as_deref() == Some(year_text.as_str()))
        .collect();
    let exporters = text_column(data, &d.exporter)?;
    let importers = text_column(data, &d.importer)?;
    let values = numeric_column(data, &d.value)?;
    let mut set = BTreeSet::new();
    for &r in &rows {
        for side in [&exporters[r], &importers[r]] {
            match side {
                Some(c) => {
                    set.insert(c.clone());
                }
                None => {
                    return Err(AppError::bad_input(format!(
                        "{shown}, {}: the exporter or importer is missing",
                        at(r)
                    )))
                }
            }
        }
    }
    let countries: Vec<String> = set.into_iter().collect();
    let n = countries.len();
    if n < 2 {
        return Err(AppError::bad_input(format!(
            "{shown}: year {year} holds {n} countries; a scenario needs at least two"
        )));
    }
    let index: HashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(k, c)| (c.as_str(), k))
        .collect();
    let mut flows = Matrix::filled(n, f64::NAN);
    let mut row_of: Vec<Option<usize>> = vec![None; n * n];
    for &r in &rows {
        let (Some(e), Some(i)) = (&exporters[r], &importers[r]) else {
            continue;
        };
        let (a, b) = (index[e.as_str()], index[i.as_str()]);
        let v = values[r];
        if !(v.is_finite() && v >= 0.0) {
            return Err(AppError::bad_input(format!(
                "{shown}, {}, field {}: {e} → {i} in {year} is {v}; flows must be finite and non-negative",
                at(r),
                d.value
            )));
        }
        if row_of[a * n + b].is_some() {
            return Err(AppError::bad_input(format!(
                "{shown}, {}: {e} → {i} appears twice in {year} (aggregate the data to one row per pair and year)",
                at(r)
            )));
        }
        row_of[a * n + b] = Some(r);
        flows.set(a, b, v);
    }
    let no_domestic: Vec<&str> = (0..n)
        .filter(|&k| flows.get(k, k).is_nan() || flows.get(k, k) == 0.0)
        .map(|k| countries[k].as_str())
        .collect();
    if !no_domestic.is_empty() {
        return Err(AppError::bad_input(format!(
            "{shown}: general equilibrium needs each economy's sales to itself (exporter = importer) and {} of {n} have none in {year}: {}{} (the Yotov et al. and WIOD data hold them; BACI and Comtrade do not)",
            no_domestic.len(),
            no_domestic.iter().take(8).copied().collect::<Vec<_>>().join(", "),
            if no_domestic.len() > 8 { ", …" } else { "" }
        )));
    }
    let absent_pairs = flows.as_slice().iter().filter(|v| v.is_nan()).count();
    let flows = flows.map(|_, _, v| if v.is_nan() { 0.0 } else { v });
    let baseline = match spec.model.baseline {
        BaselineKind::Observed => Baseline::calibrated(countries.clone(), &flows),
        BaselineKind::Fitted => {
            let est = estimate.as_ref().ok_or_else(|| {
                AppError::usage("[model] baseline = \"fitted\" needs an [estimate] formula")
            })?;
            let costs = fitted_costs(data, est, &row_of, &countries, &shown)?;
            Baseline::from_flows(countries.clone(), &flows, costs)
        }
    }
    .map_err(|e| AppError::from(e).context(&format!("the baseline of {year}")))?;
    let period: Period = year_text
        .parse()
        .map_err(|_| AppError::bad_input(format!("year {year} is not a period")))?;
    let mut notes = Vec::new();
    let mut shocks = Vec::with_capacity(spec.shocks.len());
    for (k, s) in spec.shocks.iter().enumerate() {
        let r = resolve_shock(
            s,
            &Resolver {
                countries: &countries,
                index: &index,
                groups,
                period: &period,
                data,
                row_of: &row_of,
                estimate: estimate.as_ref(),
            },
            &mut notes,
        )
        .map_err(|e| e.context(&format!("shock {}", k + 1)))?;
        shocks.push(r);
    }
    Ok(Prepared {
        countries,
        year,
        flows,
        baseline,
        theta,
        shocks,
        estimate,
        absent_pairs,
        notes,
        source: shown,
    })
}

/// Fits the estimate of the scenario.
fn estimate(
    data: &Dataset,
    e: &super::spec::EstimateSpec,
    progress: &Progress,
) -> AppResult<Estimate> {
    let bad = |what: &'static str| move |err| AppError::from(err).context(what);
    let mut spec = ModelSpec::parse(&e.formula).map_err(bad("[estimate] formula"))?;
    for f in &e.filter {
        spec = spec.with_filter(f).map_err(bad("[estimate] filter"))?;
    }
    if let Some(c) = &e.cluster {
        spec = spec.with_cluster(c).map_err(bad("[estimate] cluster"))?;
    }
    let options = FitOptions {
        progress: progress.clone(),
        ..FitOptions::default()
    };
    fit(data, &spec, &options).map_err(bad("[estimate]"))
}

/// The elasticity: exactly one of σ, θ or a coefficient of the estimate.
fn theta_choice(spec: &ScenarioSpec, est: Option<&Estimate>) -> AppResult<ThetaChoice> {
    let e = &spec.elasticity;
    let given = [
        e.sigma.is_some(),
        e.theta.is_some(),
        e.coefficient.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if given != 1 {
        return Err(AppError::usage(
            "[elasticity]: give exactly one of sigma, theta and coefficient (--sigma, --theta)",
        ));
    }
    let check_se = |se: Option<f64>| -> AppResult<Option<f64>> {
        match se {
            Some(s) if !(s.is_finite() && s >= 0.0) => Err(AppError::usage(format!(
                "[elasticity] se must be a non-negative number; got {s}"
            ))),
            other => Ok(other),
        }
    };
    let (theta, se, origin) = if let Some(s) = e.sigma {
        (s - 1.0, check_se(e.se)?, format!("given: σ = {s}"))
    } else if let Some(t) = e.theta {
        (t, check_se(e.se)?, format!("given: θ = {t}"))
    } else {
        let name = e.coefficient.as_deref().unwrap_or_default();
        let est = est.ok_or_else(|| {
            AppError::usage("[elasticity] coefficient needs an [estimate] formula")
        })?;
        let b = est.coefficient(name).ok_or_else(|| {
            AppError::usage(format!(
                "[elasticity] coefficient: the estimate has no coefficient `{}` (it has: {})",
                display_value(name),
                est.names.join(", ")
            ))
        })?;
        let se = match e.se {
            Some(s) => check_se(Some(s))?,
            None => est.std_error(name),
        };
        (
            -b,
            se,
            format!(
                "estimated: −1 × the coefficient of {name} ({b:.4}) in {}",
                est.spec.formula()
            ),
        )
    };
    if !(theta.is_finite() && theta > 0.0) {
        return Err(AppError::usage(format!(
            "the trade elasticity θ = σ − 1 must be positive; got θ = {theta} ({origin})"
        )));
    }
    Ok(ThetaChoice { theta, se, origin })
}

/// The year of every row as text (`None` when missing).
fn year_labels(data: &Dataset, name: &str) -> AppResult<Vec<Option<String>>> {
    if !data.has_column(name) {
        return Ok(vec![Some(String::new()); data.nrows()]);
    }
    text_column(data, name)
}

/// The baseline year: the one asked for, or the only one held.
fn pick_year(years: &[Option<String>], asked: Option<i32>, column: &str) -> AppResult<i32> {
    let held: BTreeSet<&str> = years.iter().flatten().map(String::as_str).collect();
    if held.len() == 1 && held.contains("") {
        return asked.ok_or_else(|| {
            AppError::usage(format!(
                "the data have no `{column}` column: give the year of the flows (--year)"
            ))
        });
    }
    match asked {
        Some(y) if held.contains(y.to_string().as_str()) => Ok(y),
        Some(y) => Err(AppError::not_found(format!(
            "the data hold no year {y} (years held: {})",
            held.into_iter().collect::<Vec<_>>().join(", ")
        ))),
        None if held.len() == 1 => held
            .iter()
            .next()
            .and_then(|y| y.parse().ok())
            .ok_or_else(|| AppError::bad_input(format!("`{column}` is not a year"))),
        None => Err(AppError::usage(format!(
            "the data hold several years ({}): choose the baseline with [data] year or --year",
            held.into_iter().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// A column as text per row: categorical levels, integral numbers without decimals.
fn text_column(data: &Dataset, name: &str) -> AppResult<Vec<Option<String>>> {
    let col = data.column(name).map_err(|_| missing_column(data, name))?;
    Ok(match col {
        Column::Categorical { codes, levels } => codes
            .iter()
            .map(|&c| levels.get(c as usize).cloned())
            .collect(),
        Column::Numeric(v) => v
            .iter()
            .map(|x| {
                if !x.is_finite() {
                    None
                } else if x.fract() == 0.0 {
                    Some(format!("{}", *x as i64))
                } else {
                    Some(x.to_string())
                }
            })
            .collect(),
    })
}

/// A numeric column.
fn numeric_column<'a>(data: &'a Dataset, name: &str) -> AppResult<&'a [f64]> {
    match data.column(name).map_err(|_| missing_column(data, name))? {
        Column::Numeric(v) => Ok(v),
        Column::Categorical { .. } => Err(AppError::bad_input(format!(
            "column `{}` holds text; the flow values must be numbers",
            display_value(name)
        ))),
    }
}

fn missing_column(data: &Dataset, name: &str) -> AppError {
    AppError::usage(format!(
        "the data have no column `{}` (columns: {}); name the columns with [data] exporter, importer, value and year_column",
        display_value(name),
        data.names().join(", ")
    ))
}

/// `t_ij = exp(Σ_k b_k x_kij)` over the estimate's regressors, on the baseline year.
fn fitted_costs(
    data: &Dataset,
    est: &Estimate,
    row_of: &[Option<usize>],
    countries: &[String],
    shown: &str,
) -> AppResult<Matrix> {
    let n = countries.len();
    let mut logs = vec![0.0; n * n];
    for (name, b) in est.names.iter().zip(&est.coef) {
        let x = Expr::parse(name)
            .and_then(|e| e.eval_numeric(data, name))
            .map_err(|e| AppError::from(e).context("fitted costs"))?;
        for (k, r) in row_of.iter().enumerate() {
            let (i, j) = (k / n, k % n);
            let Some(r) = r else {
                return Err(AppError::bad_input(format!(
                    "{shown}: {} → {} is absent from the baseline year; fitted costs need every pair's regressors (or use the observed baseline)",
                    countries[i], countries[j]
                )));
            };
            let v = x[*r];
            if !v.is_finite() {
                return Err(AppError::bad_input(format!(
                    "{shown}, row {}: {name} is not a number for {} → {}",
                    r + 1,
                    countries[i],
                    countries[j]
                )));
            }
            logs[k] += b * v;
        }
    }
    Matrix::from_logs(n, logs).map_err(AppError::from)
}

/// What shock resolution needs.
struct Resolver<'a> {
    countries: &'a [String],
    index: &'a HashMap<&'a str, usize>,
    groups: &'a GroupRegistry,
    period: &'a Period,
    data: &'a Dataset,
    row_of: &'a [Option<usize>],
    estimate: Option<&'a Estimate>,
}

impl Resolver<'_> {
    /// The countries of the data a selection names (codes and groups).
    fn select(&self, sel: &Selection, notes: &mut Vec<String>) -> AppResult<Vec<usize>> {
        let mut out = BTreeSet::new();
        for name in sel.names() {
            if let Some(&k) = self.index.get(name.as_str()) {
                out.insert(k);
                continue;
            }
            match self.groups.members_at(&name, self.period) {
                Ok(members) => {
                    let mut absent = Vec::new();
                    for m in members {
                        match self.index.get(m.as_str()) {
                            Some(&k) => {
                                out.insert(k);
                            }
                            None => absent.push(m),
                        }
                    }
                    if !absent.is_empty() {
                        notes.push(format!(
                            "{name}: {} member(s) not in the data, left out: {}.",
                            absent.len(),
                            absent.join(", ")
                        ));
                    }
                }
                Err(_) => {
                    return Err(AppError::not_found(format!(
                        "`{}` is neither a country of the data nor a known group (see `entrepot groups`)",
                        display_value(&name)
                    )))
                }
            }
        }
        if out.is_empty() {
            return Err(AppError::not_found(format!(
                "{} names no country of the data",
                sel.names().join(", ")
            )));
        }
        Ok(out.into_iter().collect())
    }

    fn label(&self, ks: &[usize], sel: &Selection) -> String {
        if ks.len() == 1 {
            self.countries[ks[0]].clone()
        } else {
            sel.names().join("+")
        }
    }
}

fn resolve_shock(
    s: &ShockSpec,
    r: &Resolver<'_>,
    notes: &mut Vec<String>,
) -> AppResult<ResolvedShock> {
    match s {
        ShockSpec::Tariff {
            importer,
            exporter,
            change_pp,
            from_pct,
            both_ways,
        } => {
            let t0 = from_pct.unwrap_or(0.0);
            let t1 = t0 + change_pp;
            if !(change_pp.is_finite() && t0.is_finite()) || t0 <= -100.0 || t1 <= -100.0 {
                return Err(AppError::usage(format!(
                    "a tariff must stay above −100%: from {t0}% by {change_pp:+} points"
                )));
            }
            if from_pct.is_none() {
                notes.push(format!(
                    "The tariff shock of {change_pp:+} points starts from a baseline tariff of 0% (no from_pct given): τ̂ = {:.4}.",
                    1.0 + change_pp / 100.0
                ));
            }
            let tau = (1.0 + t1 / 100.0) / (1.0 + t0 / 100.0);
            let (im, ex) = (r.select(importer, notes)?, r.select(exporter, notes)?);
            let what = format!(
                "{} changes its tariff on goods from {} by {change_pp:+} points (from {t0}%){}",
                r.label(&im, importer),
                r.label(&ex, exporter),
                if *both_ways { ", and the reverse" } else { "" }
            );
            Ok(pairs_shock(what, &im, &ex, *both_ways, Effect::Tau(tau)))
        }
        ShockSpec::Cost {
            importer,
            exporter,
            change_pct,
            both_ways,
        } => {
            let tau = 1.0 + change_pct / 100.0;
            if !(tau.is_finite() && tau > 0.0) {
                return Err(AppError::usage(format!(
                    "an iceberg cost change must be above −100%; got {change_pct}%"
                )));
            }
            let (im, ex) = (r.select(importer, notes)?, r.select(exporter, notes)?);
            let what = format!(
                "trade costs of goods from {} to {} change by {change_pct:+}%{}",
                r.label(&ex, exporter),
                r.label(&im, importer),
                if *both_ways { ", and the reverse" } else { "" }
            );
            Ok(pairs_shock(what, &im, &ex, *both_ways, Effect::Tau(tau)))
        }
        ShockSpec::Agreement {
            members,
            variable,
            active,
            coefficient,
        } => {
            let b = match coefficient {
                Some(b) if b.is_finite() => *b,
                Some(b) => {
                    return Err(AppError::usage(format!(
                        "the coefficient of {variable} must be a number; got {b}"
                    )))
                }
                None => r
                    .estimate
                    .and_then(|e| e.coefficient(variable))
                    .ok_or_else(|| {
                        AppError::usage(format!(
                            "no coefficient for `{}`: give `coefficient` or an [estimate] with {variable} as a regressor",
                            display_value(variable)
                        ))
                    })?,
            };
            let dummy = match r.data.column(variable) {
                Ok(Column::Numeric(v)) => v,
                _ => {
                    return Err(AppError::usage(format!(
                        "the data have no numeric column `{}` for the agreement",
                        display_value(variable)
                    )))
                }
            };
            let ks = r.select(members, notes)?;
            let n = r.countries.len();
            let new = if *active { 1.0 } else { 0.0 };
            let mut pairs = Vec::new();
            for &i in &ks {
                for &j in &ks {
                    if i == j {
                        continue;
                    }
                    let old = r.row_of[i * n + j]
                        .map(|row| dummy[row])
                        .filter(|v| v.is_finite())
                        .unwrap_or(0.0);
                    if old != new {
                        pairs.push((i, j, Effect::LogT(b * (new - old))));
                    }
                }
            }
            let what = format!(
                "{} {} between {} (coefficient of {variable}: {b:.4}; {} pairs change)",
                variable,
                if *active {
                    "switched on"
                } else {
                    "switched off"
                },
                members.names().join(", "),
                pairs.len()
            );
            Ok(ResolvedShock {
                description: what,
                pairs,
                importers: ks.clone(),
                exporters: ks,
            })
        }
    }
}

fn pairs_shock(
    description: String,
    importers: &[usize],
    exporters: &[usize],
    both_ways: bool,
    effect: Effect,
) -> ResolvedShock {
    let mut set: BTreeMap<(usize, usize), Effect> = BTreeMap::new();
    for &m in importers {
        for &x in exporters {
            if m != x {
                set.insert((x, m), effect.clone());
                if both_ways {
                    set.insert((m, x), effect.clone());
                }
            }
        }
    }
    ResolvedShock {
        description,
        pairs: set.into_iter().map(|((i, j), e)| (i, j, e)).collect(),
        importers: importers.to_vec(),
        exporters: exporters.to_vec(),
    }
}
