//! Estimate structural gravity models (PPML or OLS with high-dimensional fixed effects).
//!
//! Usage:
//!     entrepot gravity fit --data <FILE> --formula <FORMULA> [options]
//!     entrepot gravity fit --dataset <NAME> --formula <FORMULA> [options]
//!     entrepot gravity fit --sql <QUERY> --formula <FORMULA> [options]
//!
//! Formula:
//!     depvar ~ regressors | fixed effects
//!     e.g. "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year"
//!     Regressors are expressions separated by top-level `+`: columns, log(x), ln(x),
//!     log(1 + coalesce(x, 0)), comparisons in parentheses such as
//!     (exporter != importer) (a 0/1 dummy). `a^b` is the interaction of columns a and b.
//!
//! Options:
//!     --data <FILE>          CSV (header row), Parquet (.parquet) or Stata (.dta) file
//!     --dataset <NAME>       a flows dataset of the store (columns reporter, partner,
//!                            year, value_usd, …; see `entrepot sql --tables`)
//!     --sql <QUERY>          the result of an SQL query over the store (joins, filters)
//!                            (exactly one of --data, --dataset, --sql)
//!     --formula <F>          model formula (required); repeat it to fit several models
//!                            on the same sample and filters, printed side by side as one
//!                            table (one column per model)
//!     --model <M>            ppml (default) or ols; once for every formula, or once per
//!                            --formula in the same order
//!     --intercept            report the constant of a model with fixed effects, recovered
//!                            as reghdfe/ppmlhdfe report _cons (the weighted mean of the
//!                            fixed-effect component, delta-method standard error).
//!                            Models without
//!                            fixed effects always have an (Intercept)
//!     --vcov <V>             iid, hetero or cluster (default: cluster when --cluster is
//!                            given, iid otherwise)
//!     --cluster <C>          cluster variables: `pair_id`, `exporter,importer` (two-way),
//!                            `isoimp^isoexp` (interaction)
//!     --filter <EXPR>        sample filter, repeatable (all must hold), e.g.
//!                            "year in 1986,1990,1994", "exporter != importer",
//!                            'category == "TOTAL"', "trade > 0"
//!     --offset <EXPR>        offset (coefficient fixed at 1)
//!     --weights <EXPR>       observation weights
//!     --ssc <S>              small-sample correction: pyfixest (default; fixest too),
//!                            stata (ppml/ppmlhdfe/poisson: hetero N/(N-1), cluster
//!                            G/(G-1)), reghdfe ((N-1)/(N-K) with reghdfe's exact count of
//!                            redundant fixed-effect levels, cluster G/(G-1)), none
//!     --tol <X>              convergence tolerance (relative deviance change), 1e-8
//!     --max-iter <N>         maximum IRLS iterations, 1000
//!     --format <F>           (global) table (default), json, csv
//!     --latex                print a LaTeX tabular instead
//!     --markdown             print Markdown instead
//!     --html                 print an HTML page instead
//!     --fe-out <FILE>        write the estimated fixed effects (dimension, level, value)
//!     --fitted-out <FILE>    write the fitted values (row, fitted) of used observations
//!     --memory-limit <SIZE>  memory limit of --dataset / --sql queries (as `entrepot sql`)
//!
//! Exit codes: 2 for a formula, filter, cluster or option that cannot be used (parse
//! errors, a filter that is not a condition, a formula without regressors); 4 when a
//! column (the message suggests the closest names), cluster variable, dataset or --data
//! file does not exist; 3 when the data
//! cannot be read or violates the model (not a text file, a record over 1 MiB, negative
//! PPML outcome); 1 when the model cannot be estimated (no observations left, no
//! residual degrees of freedom, fewer than 2 clusters, no convergence).
//!
//! Examples:
//!     entrepot gravity fit --data agtpa_applications.csv \
//!         --formula "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year" \
//!         --filter "year in 1986,1990,1994,1998,2002,2006" --filter "exporter != importer" \
//!         --cluster pair_id
//!     entrepot gravity fit --data agtpa_applications.csv --model ols \
//!         --formula "log(trade) ~ log(dist) + cntg | exporter^year + importer^year" \
//!         --filter "trade > 0" --vcov hetero --latex
//!     entrepot gravity fit --data agtpa_applications.csv \
//!         --formula "log(trade) ~ log(dist) + cntg | exporter^year + importer^year" --model ols \
//!         --formula "trade ~ log(dist) + cntg | exporter^year + importer^year" --model ppml \
//!         --filter "exporter != importer" --cluster pair_id --ssc stata --markdown

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use entrepot_app::gravity::{GravityRequest, ModelChoice, SampleSource, SmallSampleChoice};
use entrepot_app::{Estimator, VcovKind};

use crate::output::{app_error, exit, exit_error, Format};
use crate::Ctx;

/// Structural gravity estimation (PPML / OLS with high-dimensional fixed effects).
#[derive(Args, Debug)]
pub struct GravityArgs {
    /// The gravity subcommand.
    #[command(subcommand)]
    pub command: GravityCommand,
}

/// Gravity subcommands.
#[derive(Subcommand, Debug)]
pub enum GravityCommand {
    /// Fit a model and print its regression table.
    Fit(FitArgs),
}

/// Estimator choice.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelArg {
    /// Poisson pseudo-maximum likelihood.
    Ppml,
    /// Ordinary least squares.
    Ols,
}

/// Variance choice.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcovArg {
    /// Classical standard errors.
    Iid,
    /// Heteroskedasticity-robust.
    Hetero,
    /// Cluster-robust (needs --cluster).
    Cluster,
}

/// Small-sample correction choice.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SscArg {
    /// pyfixest / fixest defaults.
    Pyfixest,
    /// Stata ML conventions (hetero N/(N-1), cluster G/(G-1)): ppml, ppmlhdfe.
    Stata,
    /// Stata reghdfe: (N-1)/(N-K) with the exact redundant fixed-effect levels, G/(G-1).
    Reghdfe,
    /// No correction.
    None,
}

/// Arguments of `entrepot gravity fit`.
#[derive(Args, Debug)]
pub struct FitArgs {
    /// CSV (header row), Parquet (.parquet) or Stata (.dta) file.
    #[arg(long, required_unless_present_any = ["dataset", "sql"], conflicts_with_all = ["dataset", "sql"])]
    pub data: Option<PathBuf>,
    /// A dataset of the store.
    #[arg(long, conflicts_with = "sql")]
    pub dataset: Option<String>,
    /// An SQL query over the store whose result is the estimation sample.
    #[arg(long)]
    pub sql: Option<String>,
    /// Model formula, e.g. "trade ~ log(dist) + cntg | exporter^year + importer^year";
    /// repeat it for several models side by side.
    #[arg(long, required = true)]
    pub formula: Vec<String>,
    /// Estimator (default ppml): once for all formulas, or once per formula.
    #[arg(long, value_enum)]
    pub model: Vec<ModelArg>,
    /// Report the constant of a model with fixed effects (as reghdfe/ppmlhdfe `_cons`).
    #[arg(long)]
    pub intercept: bool,
    /// Variance type (default: cluster when --cluster is given, else iid).
    #[arg(long, value_enum)]
    pub vcov: Option<VcovArg>,
    /// Cluster variables: "pair_id", "exporter,importer" (two-way), "a^b" (interaction).
    #[arg(long)]
    pub cluster: Option<String>,
    /// Sample filter (repeatable), e.g. "year in 1986,1990" or "exporter != importer".
    #[arg(long)]
    pub filter: Vec<String>,
    /// Offset expression.
    #[arg(long)]
    pub offset: Option<String>,
    /// Weight expression.
    #[arg(long)]
    pub weights: Option<String>,
    /// Small-sample correction.
    #[arg(long, value_enum, default_value_t = SscArg::Pyfixest)]
    pub ssc: SscArg,
    /// Convergence tolerance (relative change in deviance).
    #[arg(long, default_value_t = 1e-8)]
    pub tol: f64,
    /// Maximum IRLS iterations.
    #[arg(long, default_value_t = 1000)]
    pub max_iter: usize,
    /// Print the table as LaTeX (overrides the global --format).
    #[arg(long, conflicts_with_all = ["markdown", "html"])]
    pub latex: bool,
    /// Print the table as Markdown (overrides the global --format).
    #[arg(long, conflicts_with = "html")]
    pub markdown: bool,
    /// Print the table as an HTML page (overrides the global --format).
    #[arg(long)]
    pub html: bool,
    /// Write the estimated fixed effects to this CSV file.
    #[arg(long)]
    pub fe_out: Option<PathBuf>,
    /// Write the fitted values of the used observations to this CSV file.
    #[arg(long)]
    pub fitted_out: Option<PathBuf>,
    /// Memory limit of the --dataset / --sql query, e.g. 2GiB (default: half the memory).
    #[arg(long, env = "ENTREPOT_MEMORY_LIMIT", value_name = "SIZE", value_parser = crate::cmd::sql::parse_memory_limit)]
    pub memory_limit: Option<u64>,
}

/// Runs `entrepot gravity ...`.
pub fn run(args: &GravityArgs, ctx: &Ctx) -> Result<()> {
    match &args.command {
        GravityCommand::Fit(a) => run_fit(a, ctx),
    }
}

/// The request of the command line.
fn request(a: &FitArgs) -> Result<GravityRequest> {
    let source = match (&a.data, &a.dataset, &a.sql) {
        (Some(p), _, _) => SampleSource::File(p.clone()),
        (None, Some(d), _) => SampleSource::Dataset(d.clone()),
        (None, None, Some(q)) => SampleSource::Sql(q.clone()),
        (None, None, None) => {
            return Err(exit_error(
                exit::USAGE,
                "one of --data, --dataset or --sql is required",
            ))
        }
    };
    let models = models(a)?;
    let mut r = GravityRequest::new(source, models[0].formula.clone());
    r.estimator = models[0].estimator;
    r.intercept = a.intercept;
    r.vcov = a.vcov.map(|v| match v {
        VcovArg::Iid => VcovKind::Iid,
        VcovArg::Hetero => VcovKind::Hetero,
        VcovArg::Cluster => VcovKind::Cluster,
    });
    r.cluster = a.cluster.clone();
    r.filters = a.filter.clone();
    r.offset = a.offset.clone();
    r.weights = a.weights.clone();
    r.small_sample = match a.ssc {
        SscArg::Pyfixest => SmallSampleChoice::Pyfixest,
        SscArg::Stata => SmallSampleChoice::Stata,
        SscArg::Reghdfe => SmallSampleChoice::Reghdfe,
        SscArg::None => SmallSampleChoice::None,
    };
    r.tol = a.tol;
    r.max_iter = a.max_iter;
    r.memory_limit = a.memory_limit;
    Ok(r)
}

/// The models of the command line: each --formula with its --model (one --model for
/// all, or one per formula; PPML when none is given).
fn models(a: &FitArgs) -> Result<Vec<ModelChoice>> {
    let estimator = |m: ModelArg| match m {
        ModelArg::Ppml => Estimator::Ppml,
        ModelArg::Ols => Estimator::Ols,
    };
    let per_formula: Vec<Estimator> = match a.model.len() {
        0 => vec![Estimator::Ppml; a.formula.len()],
        1 => vec![estimator(a.model[0]); a.formula.len()],
        n if n == a.formula.len() => a.model.iter().map(|&m| estimator(m)).collect(),
        n => {
            return Err(exit_error(
                exit::USAGE,
                format!(
                    "--model given {n} times for {} --formula: give it once for all, or once per formula",
                    a.formula.len()
                ),
            ))
        }
    };
    Ok(a.formula
        .iter()
        .zip(per_formula)
        .map(|(f, estimator)| ModelChoice {
            formula: f.clone(),
            estimator,
        })
        .collect())
}

/// Fits several models and prints them side by side.
fn run_table(a: &FitArgs, ctx: &Ctx, req: &GravityRequest) -> Result<()> {
    if a.fe_out.is_some() || a.fitted_out.is_some() {
        return Err(exit_error(
            exit::USAGE,
            "--fe-out and --fitted-out take one model: give a single --formula",
        ));
    }
    let models = models(a)?;
    let out =
        entrepot_app::gravity::fit_gravity_models(&ctx.store, req, &models).map_err(app_error)?;
    let doc = out.document();
    let text = match ctx.format {
        _ if a.latex => entrepot_report::render_latex(&doc),
        _ if a.markdown => entrepot_report::render_markdown(&doc),
        _ if a.html => entrepot_report::render_html(&doc),
        Format::Table => {
            entrepot_report::render_terminal(&doc, &entrepot_report::TerminalOptions::default())
        }
        Format::Json => out.comparison.to_json() + "\n",
        Format::Csv => out.comparison.to_csv(),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

fn run_fit(a: &FitArgs, ctx: &Ctx) -> Result<()> {
    let req = request(a)?;
    if a.formula.len() > 1 {
        return run_table(a, ctx, &req);
    }
    let out = entrepot_app::gravity::fit_gravity(&ctx.store, &req).map_err(app_error)?;
    let text = match ctx.format {
        _ if a.latex => entrepot_report::render_latex(&out.document()),
        _ if a.markdown => entrepot_report::render_markdown(&out.document()),
        _ if a.html => entrepot_report::render_html(&out.document()),
        Format::Table => entrepot_report::render_terminal(
            &out.document(),
            &entrepot_report::TerminalOptions::default(),
        ),
        Format::Json => out.table.to_json() + "\n",
        Format::Csv => out.table.to_csv(),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    let est = &out.estimation;
    if let Some(path) = &a.fe_out {
        let mut w = create(path)?;
        writeln!(w, "dimension,level,value")?;
        for fe in &est.fixed_effects {
            for (l, v) in fe.levels.iter().zip(&fe.values) {
                writeln!(w, "{},{},{}", csv_field(&fe.name), csv_field(l), v)?;
            }
        }
        w.flush()?;
    }
    if let Some(path) = &a.fitted_out {
        let mut w = create(path)?;
        writeln!(w, "row,fitted")?;
        for (r, f) in est.rows.iter().zip(&est.fitted) {
            writeln!(w, "{r},{f}")?;
        }
        w.flush()?;
    }
    Ok(())
}

fn create(path: &std::path::Path) -> Result<std::io::BufWriter<std::fs::File>> {
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(std::io::BufWriter::new(f))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
