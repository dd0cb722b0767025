//! Trade-policy scenarios in general equilibrium: "if the US raises its tariff on
//! Chinese goods by 20 points, what happens to China → US trade, to China's sales
//! elsewhere, to US purchases from third countries, and to each economy's real income?"
//!
//! A scenario ([`spec::ScenarioSpec`], a TOML file or the CLI flags) names the flows
//! (a file, a dataset or an SQL query holding one row per exporter, importer and year,
//! domestic sales on the diagonal), the baseline year, the trade elasticity and the
//! shocks: tariff changes (`t̂ = ((1 + t1)/(1 + t0))^{−θ}`), iceberg cost changes
//! (`t̂ = τ̂^{−θ}`) and agreements switched on or off (`t̂ = exp(b Δdummy)`), between
//! countries or groups. [`run_scenario`] builds the baseline ([`build::prepare`]:
//! calibrated to the observed flows, or with costs fitted by a gravity estimate), solves
//! the conditional and full endowment counterfactuals with `entrepot-ge` (exact hat
//! algebra, GEPPML, or both with their agreement checked), accounts for trade diversion
//! around the shocked pair ([`Diversion`]), resamples the elasticity by its standard
//! error for intervals ([`Intervals`]) and lays it all out as a report document
//! ([`document`]).
//!
//! References: Anderson and van Wincoop (2003); Yotov, Piermartini, Monteiro and Larch
//! (2016), *An Advanced Guide to Trade Policy Analysis*, ch. 2; Head and Mayer (2014),
//! sec. 4; Baier, Yotov and Zylkin (2019); Anderson, Larch and Yotov (2018).

pub mod build;
pub mod document;
pub mod spec;

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use build::Prepared;
use entrepot_core::Progress;
use entrepot_doc::Document;
use entrepot_ge::{
    draw_theta, quantile, solve_geppml, solve_hat, Counterfactual, Deficits, Elasticity, Levels,
    Numeraire, Options, Shock,
};
use entrepot_gravity::Dataset;
use rayon::prelude::*;
use spec::{ScenarioSpec, SolverChoice};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The document kind of a scenario report.
pub const DOCUMENT_KIND: &str = "scenario";

/// The progress stage of the counterfactual's solves ([`ScenarioRequest::progress`]).
pub const SOLVING: &str = "solving";

/// The progress stage of the resampled elasticity's solves.
pub const DRAWS: &str = "draws of θ";

/// A scenario to run.
#[derive(Debug, Clone, Default)]
pub struct ScenarioRequest {
    /// The scenario.
    pub spec: ScenarioSpec,
    /// A user's groups file added to the built-in groups.
    pub groups_file: Option<PathBuf>,
    /// Memory limit of a dataset or SQL query, in bytes.
    pub memory_limit: Option<u64>,
    /// The flows as a table already in memory (a data frame of the Python package, a
    /// table a server received), in place of the spec's `[data]` file, dataset or query,
    /// which must then be absent; the spec's column names, year and unit still apply.
    /// Errors name its rows from 1 (`the flows table, row 3, field trade: …`).
    pub flows: Option<Arc<Dataset>>,
    /// Watches the run: the estimate's iterations ([`entrepot_gravity::FitOptions::progress`]),
    /// the solves (`solving`, one or two) and the draws of θ (`draws of θ`, of the number
    /// asked for, reported from the threads that solve them).
    pub progress: Progress,
}

/// The diversion accounting around the shocked pair: the exporter's sales to every other
/// market and the importer's purchases from every other supplier, in the three
/// scenarios (Yotov et al. 2016, ch. 2; the "constraint repositioning" of the exporter).
#[derive(Debug, Clone, PartialEq)]
pub struct Diversion {
    /// The exporter (matrix index).
    pub exporter: usize,
    /// The importer (matrix index).
    pub importer: usize,
    /// The flow exporter → importer.
    pub direct: Levels,
    /// The exporter's sales to each other market (neither itself nor the importer).
    pub markets: Vec<(usize, Levels)>,
    /// The importer's purchases from each other supplier.
    pub suppliers: Vec<(usize, Levels)>,
    /// The exporter's sales to itself.
    pub exporter_domestic: Levels,
    /// The importer's purchases from itself.
    pub importer_domestic: Levels,
}

impl Diversion {
    /// Full endowment change of the direct flow (negative: trade lost).
    pub fn direct_change(&self) -> f64 {
        self.direct.full - self.direct.baseline
    }

    /// Full endowment change of the exporter's sales to the other markets.
    pub fn redirected(&self) -> f64 {
        self.markets.iter().map(|(_, l)| l.full - l.baseline).sum()
    }

    /// Full endowment change of the importer's purchases from the other suppliers.
    pub fn replaced(&self) -> f64 {
        self.suppliers
            .iter()
            .map(|(_, l)| l.full - l.baseline)
            .sum()
    }

    /// The share (%) of the lost direct trade the exporter sold to other markets instead;
    /// `None` when the direct flow did not fall.
    pub fn redirected_share_pct(&self) -> Option<f64> {
        let lost = -self.direct_change();
        (lost > 0.0).then(|| self.redirected() / lost * 100.0)
    }

    /// The share (%) of the lost direct trade the importer bought from other suppliers
    /// instead; `None` when the direct flow did not fall.
    pub fn replaced_share_pct(&self) -> Option<f64> {
        let lost = -self.direct_change();
        (lost > 0.0).then(|| self.replaced() / lost * 100.0)
    }
}

/// Intervals from resampling the elasticity: per country (full endowment percent
/// changes) and for the diversion measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    /// Draws solved.
    pub draws: usize,
    /// Draws whose solve failed (left out).
    pub failed: usize,
    /// Normal draws at or below zero that were redrawn.
    pub redrawn: usize,
    /// The coverage (0.9: the 5th and 95th percentiles).
    pub level: f64,
    /// The seed.
    pub seed: u64,
    /// The standard error of θ resampled with.
    pub se: f64,
    /// Per country: welfare % change, (low, high).
    pub welfare: Vec<(f64, f64)>,
    /// Per country: real GDP % change.
    pub real_gdp: Vec<(f64, f64)>,
    /// Per country: exports % change.
    pub exports: Vec<(f64, f64)>,
    /// The direct flow's % change, when there is a focus pair.
    pub direct: Option<(f64, f64)>,
    /// The share redirected (%), when defined in enough draws.
    pub redirected_share: Option<(f64, f64)>,
    /// The share replaced (%).
    pub replaced_share: Option<(f64, f64)>,
}

/// A solved scenario and its report.
#[derive(Debug, Clone)]
pub struct ScenarioOutput {
    /// The inputs as resolved.
    pub prepared: Prepared,
    /// The counterfactual shown (the exact hat algebra's unless GEPPML was chosen).
    pub result: Counterfactual,
    /// With both solvers: the largest relative gap between them over flows, output
    /// prices and welfare.
    pub solver_gap: Option<f64>,
    /// The diversion accounting, when there is a focus pair.
    pub diversion: Option<Diversion>,
    /// Why there is no diversion accounting.
    pub diversion_missing: Option<String>,
    /// Intervals, when the elasticity has a standard error and draws were asked for.
    pub intervals: Option<Intervals>,
    /// Why there are no intervals.
    pub intervals_missing: Option<String>,
    /// The report.
    pub document: Document,
}

/// Runs a scenario: prepares the baseline and the shocks, solves, accounts for
/// diversion, resamples the elasticity and builds the report.
pub fn run_scenario(location: &StoreLocation, req: &ScenarioRequest) -> AppResult<ScenarioOutput> {
    let spec = &req.spec;
    if spec.shocks.is_empty() {
        return Err(AppError::usage(
            "the scenario has no shock: add a [[shock]] to the file or --tariff IMPORTER:EXPORTER:POINTS",
        ));
    }
    let groups = crate::reference::load_groups(req.groups_file.as_ref())?;
    let prepared = build::prepare(
        location,
        spec,
        &groups,
        req.memory_limit,
        req.flows.as_deref(),
        &req.progress,
    )?;
    let options = options(spec, &prepared, prepared.theta.theta)?;
    let shock = Shock::Changes(prepared.changes(prepared.theta.theta));
    let solve = |which: SolverChoice| -> AppResult<Counterfactual> {
        let r = match which {
            SolverChoice::Geppml => solve_geppml(&prepared.baseline, &shock, &options),
            _ => solve_hat(&prepared.baseline, &shock, &options),
        };
        r.map_err(|e| AppError::from(e).context("solving the counterfactual"))
    };
    let progress = &req.progress;
    let (result, solver_gap) = match spec.model.solver {
        SolverChoice::Both => {
            progress.report(SOLVING, 0, Some(2));
            let hat = solve(SolverChoice::Hat)?;
            progress.report(SOLVING, 1, Some(2));
            let ge = solve(SolverChoice::Geppml)?;
            progress.report(SOLVING, 2, Some(2));
            let gap = solver_gap(&hat, &ge);
            (hat, Some(gap))
        }
        one => {
            progress.report(SOLVING, 0, Some(1));
            let cf = solve(one)?;
            progress.report(SOLVING, 1, Some(1));
            (cf, None)
        }
    };
    let (diversion, diversion_missing) = match focus(spec, &prepared) {
        Ok((x, m)) => (Some(diversion(&result, x, m)), None),
        Err(why) => (None, Some(why)),
    };
    let (intervals, intervals_missing) = match intervals(
        spec,
        &prepared,
        diversion.as_ref().map(|d| (d.exporter, d.importer)),
        progress,
    )? {
        Ok(i) => (Some(i), None),
        Err(why) => (None, Some(why)),
    };
    let mut out = ScenarioOutput {
        prepared,
        result,
        solver_gap,
        diversion,
        diversion_missing,
        intervals,
        intervals_missing,
        document: Document::new(DOCUMENT_KIND, ""),
    };
    out.document = document::document(spec, &out)?;
    Ok(out)
}

/// The solver options of the scenario for `θ`.
fn options(spec: &ScenarioSpec, p: &Prepared, theta: f64) -> AppResult<Options> {
    let reference = match &spec.model.reference {
        Some(r) => {
            if p.index(r).is_none() {
                return Err(AppError::not_found(format!(
                    "[model] reference: {r} is not a country of the data in {}",
                    p.year
                )));
            }
            r.clone()
        }
        None => {
            let y = p.flows.row_sums();
            let k = (0..y.len())
                .max_by(|&a, &b| y[a].total_cmp(&y[b]))
                .unwrap_or(0);
            p.countries[k].clone()
        }
    };
    let mut o = Options::new(Elasticity::Theta(theta), reference);
    o.deficits = match spec.model.deficits.as_deref() {
        None | Some("multiplicative") => Deficits::Multiplicative,
        Some("additive") => Deficits::Additive,
        Some("balanced") => Deficits::Balanced,
        Some(other) => {
            return Err(AppError::usage(format!(
                "[model] deficits: `{other}` is not multiplicative, additive or balanced"
            )))
        }
    };
    o.numeraire = match spec.model.numeraire.as_deref() {
        None | Some("inward_resistance") => Numeraire::InwardResistance,
        Some("producer_price") => Numeraire::ProducerPrice,
        Some("world_output") => Numeraire::WorldOutput,
        Some(other) => {
            return Err(AppError::usage(format!(
            "[model] numeraire: `{other}` is not inward_resistance, producer_price or world_output"
        )))
        }
    };
    if let Some(t) = spec.model.tolerance {
        o.tolerance = t;
    }
    Ok(o)
}

/// The largest relative gap between two solutions: flows, producer prices, welfare.
fn solver_gap(a: &Counterfactual, b: &Counterfactual) -> f64 {
    let rel = |x: f64, y: f64| {
        if x == 0.0 && y == 0.0 {
            0.0
        } else {
            (x - y).abs() / x.abs().max(y.abs())
        }
    };
    let mut gap: f64 = 0.0;
    for (s, t) in [(&a.conditional, &b.conditional), (&a.full, &b.full)] {
        for (x, y) in s.flows.as_slice().iter().zip(t.flows.as_slice()) {
            gap = gap.max(rel(*x, *y));
        }
        for (x, y) in s.producer_price.iter().zip(&t.producer_price) {
            gap = gap.max(rel(*x, *y));
        }
    }
    for (x, y) in a.country_results().iter().zip(b.country_results()) {
        gap = gap.max(rel(x.welfare.full_ratio, y.welfare.full_ratio));
    }
    gap
}

/// The pair the diversion accounting is about: the report's, or the first shock's.
fn focus(spec: &ScenarioSpec, p: &Prepared) -> Result<(usize, usize), String> {
    let first = p.shocks.first();
    let pick = |given: &Option<String>, side: &[usize], what: &str| -> Result<usize, String> {
        match given {
            Some(code) => p
                .index(code)
                .ok_or_else(|| format!("[report] {what} {code} is not a country of the data")),
            None if side.len() == 1 => Ok(side[0]),
            None => Err(format!(
                "the first shock names several {what}s: choose one with [report] {what} (--focus)"
            )),
        }
    };
    let x = pick(
        &spec.report.exporter,
        first.map(|s| s.exporters.as_slice()).unwrap_or(&[]),
        "exporter",
    )?;
    let m = pick(
        &spec.report.importer,
        first.map(|s| s.importers.as_slice()).unwrap_or(&[]),
        "importer",
    )?;
    if x == m {
        return Err(
            "the exporter and the importer of the diversion accounting are the same country".into(),
        );
    }
    Ok((x, m))
}

/// The diversion accounting of a solved counterfactual around `x → m`.
pub fn diversion(cf: &Counterfactual, x: usize, m: usize) -> Diversion {
    let n = cf.countries.len();
    let lv = |i: usize, j: usize| {
        Levels::new(
            cf.baseline.flows.get(i, j),
            cf.conditional.flows.get(i, j),
            cf.full.flows.get(i, j),
        )
    };
    Diversion {
        exporter: x,
        importer: m,
        direct: lv(x, m),
        markets: (0..n)
            .filter(|&k| k != x && k != m)
            .map(|k| (k, lv(x, k)))
            .collect(),
        suppliers: (0..n)
            .filter(|&k| k != x && k != m)
            .map(|k| (k, lv(k, m)))
            .collect(),
        exporter_domestic: lv(x, x),
        importer_domestic: lv(m, m),
    }
}

/// Resamples θ and solves each draw with the exact hat algebra. `Ok(Err(why))` when no
/// intervals are asked for or possible.
fn intervals(
    spec: &ScenarioSpec,
    p: &Prepared,
    focus: Option<(usize, usize)>,
    progress: &Progress,
) -> AppResult<Result<Intervals, String>> {
    let Some(se) = p.theta.se else {
        return Ok(Err(
            "the elasticity has no standard error: give [elasticity] se (--theta-se) or estimate it".into(),
        ));
    };
    let draws = spec.uncertainty.draws.unwrap_or(200);
    if draws == 0 {
        return Ok(Err("no draws asked for ([uncertainty] draws = 0)".into()));
    }
    let level = spec.uncertainty.level;
    if !(level > 0.0 && level < 1.0) {
        return Err(AppError::usage(format!(
            "[uncertainty] level must be in (0, 1); got {level}"
        )));
    }
    let seed = spec.uncertainty.seed;
    let thetas = draw_theta(p.theta.theta, se, draws, seed).map_err(AppError::from)?;
    struct Draw {
        welfare: Vec<f64>,
        real_gdp: Vec<f64>,
        exports: Vec<f64>,
        direct: Option<f64>,
        redirected: Option<f64>,
        replaced: Option<f64>,
    }
    let solve_draw = |t: f64| -> Option<Draw> {
        let o = options(spec, p, t).ok()?;
        let cf = solve_hat(&p.baseline, &Shock::Changes(p.changes(t)), &o).ok()?;
        let rows = cf.country_results();
        let d = focus.map(|(x, m)| diversion(&cf, x, m));
        Some(Draw {
            welfare: rows.iter().map(|r| r.welfare.full_change_pct()).collect(),
            real_gdp: rows.iter().map(|r| r.real_gdp.full_change_pct()).collect(),
            exports: rows.iter().map(|r| r.exports.full_change_pct()).collect(),
            direct: d.as_ref().map(|d| d.direct.full_change_pct()),
            redirected: d.as_ref().and_then(Diversion::redirected_share_pct),
            replaced: d.as_ref().and_then(Diversion::replaced_share_pct),
        })
    };
    let total = thetas.draws.len() as u64;
    let finished = AtomicU64::new(0);
    progress.report(DRAWS, 0, Some(total));
    let solved: Vec<Option<Draw>> = thetas
        .draws
        .par_iter()
        .map(|&t| {
            let draw = solve_draw(t);
            let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
            progress.report(DRAWS, done, Some(total));
            draw
        })
        .collect();
    let ok: Vec<&Draw> = solved.iter().flatten().collect();
    let failed = solved.len() - ok.len();
    if ok.len() < 2 {
        return Ok(Err(format!(
            "only {} of {draws} draws of θ could be solved",
            ok.len()
        )));
    }
    let (lo, hi) = ((1.0 - level) / 2.0, 1.0 - (1.0 - level) / 2.0);
    let band = |v: Vec<f64>| -> Option<(f64, f64)> {
        if v.len() * 2 < ok.len() {
            return None;
        }
        Some((quantile(&v, lo)?, quantile(&v, hi)?))
    };
    let n = p.countries.len();
    let per_country = |f: &dyn Fn(&Draw) -> &Vec<f64>| -> Vec<(f64, f64)> {
        (0..n)
            .map(|k| band(ok.iter().map(|d| f(d)[k]).collect()).unwrap_or((f64::NAN, f64::NAN)))
            .collect()
    };
    Ok(Ok(Intervals {
        draws: ok.len(),
        failed,
        redrawn: thetas.redrawn,
        level,
        seed,
        se,
        welfare: per_country(&|d| &d.welfare),
        real_gdp: per_country(&|d| &d.real_gdp),
        exports: per_country(&|d| &d.exports),
        direct: band(ok.iter().filter_map(|d| d.direct).collect()),
        redirected_share: band(ok.iter().filter_map(|d| d.redirected).collect()),
        replaced_share: band(ok.iter().filter_map(|d| d.replaced).collect()),
    }))
}
