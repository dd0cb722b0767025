//! Estimate structural gravity models (PPML or OLS with high-dimensional fixed effects).
//!
//! Usage:
//!     entrepot gravity fit --data <FILE.csv> --formula <FORMULA> [options]
//!
//! Formula:
//!     depvar ~ regressors | fixed effects
//!     e.g. "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year"
//!     Regressors are expressions separated by top-level `+`: columns, log(x), ln(x),
//!     log(1 + coalesce(x, 0)), comparisons in parentheses such as
//!     (exporter != importer) (a 0/1 dummy). `a^b` is the interaction of columns a and b.
//!
//! Options:
//!     --data <FILE>          CSV file with a header row (required)
//!     --formula <F>          model formula (required)
//!     --model <M>            ppml (default) or ols
//!     --vcov <V>             iid, hetero or cluster (default: cluster when --cluster is
//!                            given, iid otherwise)
//!     --cluster <C>          cluster variables: `pair_id`, `exporter,importer` (two-way),
//!                            `isoimp^isoexp` (interaction)
//!     --filter <EXPR>        sample filter, repeatable (all must hold), e.g.
//!                            "year in 1986,1990,1994", "exporter != importer",
//!                            'category == "TOTAL"', "trade > 0"
//!     --offset <EXPR>        offset (coefficient fixed at 1)
//!     --weights <EXPR>       observation weights
//!     --ssc <S>              small-sample correction: pyfixest (default), stata, none
//!     --tol <X>              convergence tolerance (relative deviance change), 1e-8
//!     --max-iter <N>         maximum IRLS iterations, 1000
//!     --format <F>           (global) table (default), json, csv
//!     --latex                print a LaTeX tabular instead
//!     --fe-out <FILE>        write the estimated fixed effects (dimension, level, value)
//!     --fitted-out <FILE>    write the fitted values (row, fitted) of used observations
//!
//! Examples:
//!     entrepot gravity fit --data agtpa_applications.csv \
//!         --formula "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year" \
//!         --filter "year in 1986,1990,1994,1998,2002,2006" --filter "exporter != importer" \
//!         --cluster pair_id
//!     entrepot gravity fit --data agtpa_applications.csv --model ols \
//!         --formula "log(trade) ~ log(dist) + cntg | exporter^year + importer^year" \
//!         --filter "trade > 0" --vcov hetero --latex

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use entrepot_gravity::{fit, Dataset, Estimator, FitOptions, ModelSpec, SmallSample, VcovKind};

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
    /// Stata ML conventions (hetero N/(N-1), cluster G/(G-1)).
    Stata,
    /// No correction.
    None,
}

/// Arguments of `entrepot gravity fit`.
#[derive(Args, Debug)]
pub struct FitArgs {
    /// CSV file with a header row.
    #[arg(long)]
    pub data: PathBuf,
    /// Model formula, e.g. "trade ~ log(dist) + cntg | exporter^year + importer^year".
    #[arg(long)]
    pub formula: String,
    /// Estimator.
    #[arg(long, value_enum, default_value_t = ModelArg::Ppml)]
    pub model: ModelArg,
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
    #[arg(long)]
    pub latex: bool,
    /// Write the estimated fixed effects to this CSV file.
    #[arg(long)]
    pub fe_out: Option<PathBuf>,
    /// Write the fitted values of the used observations to this CSV file.
    #[arg(long)]
    pub fitted_out: Option<PathBuf>,
}

/// Runs `entrepot gravity ...`.
pub fn run(args: &GravityArgs, format: crate::output::Format) -> Result<()> {
    match &args.command {
        GravityCommand::Fit(a) => run_fit(a, format),
    }
}

fn run_fit(a: &FitArgs, format: crate::output::Format) -> Result<()> {
    if !(a.tol > 0.0 && a.tol < 1.0) {
        bail!("--tol must be in (0, 1), got {}", a.tol);
    }
    let mut spec = ModelSpec::parse(&a.formula).context("parsing --formula")?;
    for f in &a.filter {
        spec = spec
            .with_filter(f)
            .with_context(|| format!("parsing --filter {f:?}"))?;
    }
    if let Some(c) = &a.cluster {
        spec = spec.with_cluster(c).context("parsing --cluster")?;
    }
    if let Some(o) = &a.offset {
        spec = spec.with_offset(o).context("parsing --offset")?;
    }
    if let Some(w) = &a.weights {
        spec = spec.with_weights(w).context("parsing --weights")?;
    }
    let vcov = a.vcov.map(|v| match v {
        VcovArg::Iid => VcovKind::Iid,
        VcovArg::Hetero => VcovKind::Hetero,
        VcovArg::Cluster => VcovKind::Cluster,
    });
    if vcov == Some(VcovKind::Cluster) && spec.cluster.is_empty() {
        bail!("--vcov cluster needs --cluster");
    }
    let opts = FitOptions {
        estimator: match a.model {
            ModelArg::Ppml => Estimator::Ppml,
            ModelArg::Ols => Estimator::Ols,
        },
        vcov,
        small_sample: match a.ssc {
            SscArg::Pyfixest => SmallSample::pyfixest(),
            SscArg::Stata => SmallSample::stata(),
            SscArg::None => SmallSample::none(),
        },
        tol: a.tol,
        max_iter: a.max_iter,
        ..FitOptions::default()
    };
    let data =
        Dataset::from_csv_path(&a.data).with_context(|| format!("reading {}", a.data.display()))?;
    let est = fit(&data, &spec, &opts).context("estimating the model")?;
    let table = est.table();
    use crate::output::Format;
    let out = match format {
        _ if a.latex => table.to_latex(),
        Format::Table => table.to_text(),
        Format::Json => table.to_json() + "\n",
        Format::Csv => table.to_csv(),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())?;
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
