//! `entrepot scenario run`: a trade-policy scenario in general equilibrium.
//!
//! ```text
//! Usage: entrepot scenario run [FILE] [--data FILE | --dataset NAME] [--year YYYY]
//!                              [--sigma S | --theta T] [--theta-se SE]
//!                              [--tariff IMPORTER:EXPORTER:POINTS]...
//!                              [--retaliate] [--reference CODE]
//!                              [--deficits multiplicative|additive|balanced]
//!                              [--solver hat|geppml|both] [--draws N] [--seed N]
//!                              [--focus EXPORTER:IMPORTER] [--currency USD --scale millions]
//!                              [--markdown FILE] [--html FILE] [--json FILE]
//!                              [--format table|json|csv]
//!
//! FILE is a scenario in TOML (format in the README, "Trade-policy scenarios"); the
//! flags set the same fields and override the file's. A tariff flag adds a shock:
//! `--tariff USA:CHN:20` is the United States raising its tariff on goods from China by
//! 20 percentage points; either side may be a group (`--tariff EU27:CHN:10`).
//!
//! Prints the shocks, the shocked pair's trade and where it went (diversion to other
//! markets and suppliers), every economy's exports, prices, multilateral resistances,
//! real GDP and welfare (conditional and full endowment general equilibrium), with
//! intervals from resampling the elasticity when it has a standard error. --format csv
//! prints the per-economy table.
//! ```

use crate::output::{app_error, exit, exit_error, print_document, ReportFiles};
use crate::Ctx;
use clap::{Args, Subcommand, ValueEnum};
use entrepot_app::scenario::spec::{
    read_scenario_file, ScenarioSpec, Selection, ShockSpec, SolverChoice,
};
use entrepot_app::scenario::{run_scenario, ScenarioRequest};
use std::path::PathBuf;

/// Arguments of `entrepot scenario`.
#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ScenarioAction,
}

/// The scenario subcommands.
#[derive(Subcommand, Debug)]
pub enum ScenarioAction {
    /// Solve a scenario and print its report.
    Run(Box<RunArgs>),
}

/// The solver, on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SolverFlag {
    /// Exact hat algebra.
    Hat,
    /// GEPPML.
    Geppml,
    /// Both, with their agreement checked.
    Both,
}

/// Arguments of `entrepot scenario run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub file: Option<PathBuf>,
    /// The flows: a CSV, Parquet or Stata file with exporter, importer, year and value
    /// columns, domestic sales included.
    #[arg(long, conflicts_with = "dataset")]
    pub data: Option<PathBuf>,
    /// The flows: a dataset of the store.
    #[arg(long)]
    pub dataset: Option<String>,
    /// The baseline year.
    #[arg(long)]
    pub year: Option<i32>,
    /// The value column (default `trade`).
    #[arg(long)]
    pub value: Option<String>,
    /// The elasticity of substitution σ (> 1).
    #[arg(long, conflicts_with = "theta")]
    pub sigma: Option<f64>,
    /// The trade elasticity θ = σ − 1 (> 0).
    #[arg(long)]
    pub theta: Option<f64>,
    /// The standard error of θ, for intervals.
    #[arg(long)]
    pub theta_se: Option<f64>,
    /// A tariff change IMPORTER:EXPORTER:POINTS (countries or groups), repeatable.
    #[arg(long)]
    pub tariff: Vec<String>,
    /// The tariff flags apply in both directions (retaliation).
    #[arg(long)]
    pub retaliate: bool,
    /// The reference country of the normalisation (default: the largest output).
    #[arg(long)]
    pub reference: Option<String>,
    /// How deficits carry over.
    #[arg(long, value_parser = ["multiplicative", "additive", "balanced"])]
    pub deficits: Option<String>,
    /// The solver.
    #[arg(long, value_enum)]
    pub solver: Option<SolverFlag>,
    /// Draws of θ for intervals (0: none; default 200 when θ has a standard error).
    #[arg(long)]
    pub draws: Option<usize>,
    /// The seed of the draws.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The pair of the diversion accounting, EXPORTER:IMPORTER.
    #[arg(long)]
    pub focus: Option<String>,
    /// The currency of the data's values (ISO 4217).
    #[arg(long)]
    pub currency: Option<String>,
    /// The multiple the values are in (units, thousands, millions, billions).
    #[arg(long)]
    pub scale: Option<String>,
    /// A groups file (`group,iso3,from,to,source`) added to the built-in groups.
    #[arg(long)]
    pub groups_file: Option<PathBuf>,
    /// The report files (--markdown, --html, --json).
    #[command(flatten)]
    pub report: ReportFiles,
}

/// Runs the command.
pub fn run(args: &ScenarioArgs, ctx: &Ctx) -> anyhow::Result<()> {
    match &args.action {
        ScenarioAction::Run(a) => run_one(a, ctx),
    }
}

fn usage(message: String) -> anyhow::Error {
    exit_error(exit::USAGE, message)
}

/// The scenario of the file with the flags applied.
fn spec_of(a: &RunArgs) -> anyhow::Result<ScenarioSpec> {
    let mut spec = match &a.file {
        Some(f) => read_scenario_file(f).map_err(app_error)?,
        None => ScenarioSpec::default(),
    };
    if let Some(d) = &a.data {
        spec.data.file = Some(d.clone());
        spec.data.dataset = None;
        spec.data.sql = None;
    }
    if let Some(d) = &a.dataset {
        spec.data.dataset = Some(d.clone());
        spec.data.file = None;
        spec.data.sql = None;
    }
    if a.year.is_some() {
        spec.data.year = a.year;
    }
    if let Some(v) = &a.value {
        spec.data.value = v.clone();
    }
    if a.currency.is_some() {
        spec.data.currency = a.currency.clone();
    }
    if a.scale.is_some() {
        spec.data.scale = a.scale.clone();
    }
    if a.sigma.is_some() || a.theta.is_some() {
        spec.elasticity.sigma = a.sigma;
        spec.elasticity.theta = a.theta;
        spec.elasticity.coefficient = None;
    }
    if a.theta_se.is_some() {
        spec.elasticity.se = a.theta_se;
    }
    for t in &a.tariff {
        let parts: Vec<&str> = t.split(':').collect();
        let [im, ex, pp] = parts[..] else {
            return Err(usage(format!(
                "--tariff {t}: expected IMPORTER:EXPORTER:POINTS, e.g. USA:CHN:20"
            )));
        };
        let change_pp: f64 = pp.trim_start_matches('+').parse().map_err(|_| {
            usage(format!(
                "--tariff {t}: `{pp}` is not a number of percentage points"
            ))
        })?;
        spec.shocks.push(ShockSpec::Tariff {
            importer: Selection::One(im.trim().to_string()),
            exporter: Selection::One(ex.trim().to_string()),
            change_pp,
            from_pct: None,
            both_ways: a.retaliate,
        });
    }
    if a.reference.is_some() {
        spec.model.reference = a.reference.clone();
    }
    if a.deficits.is_some() {
        spec.model.deficits = a.deficits.clone();
    }
    if let Some(s) = a.solver {
        spec.model.solver = match s {
            SolverFlag::Hat => SolverChoice::Hat,
            SolverFlag::Geppml => SolverChoice::Geppml,
            SolverFlag::Both => SolverChoice::Both,
        };
    }
    if a.draws.is_some() {
        spec.uncertainty.draws = a.draws;
    }
    if let Some(s) = a.seed {
        spec.uncertainty.seed = s;
    }
    if let Some(f) = &a.focus {
        let Some((x, m)) = f.split_once(':') else {
            return Err(usage(format!(
                "--focus {f}: expected EXPORTER:IMPORTER, e.g. CHN:USA"
            )));
        };
        spec.report.exporter = Some(x.to_string());
        spec.report.importer = Some(m.to_string());
    }
    Ok(spec)
}

fn run_one(a: &RunArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let spec = spec_of(a)?;
    let request = ScenarioRequest {
        spec,
        groups_file: a.groups_file.clone(),
        memory_limit: None,
        ..ScenarioRequest::default()
    };
    let out = run_scenario(&ctx.store, &request).map_err(app_error)?;
    print_document(&out.document, &a.report, ctx, "countries", None)
}
