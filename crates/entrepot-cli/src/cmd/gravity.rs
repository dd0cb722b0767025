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
//!     --memory-limit <SIZE>  memory limit of --dataset / --sql queries (as `entrepot sql`)
//!
//! Exit codes: 2 for a formula, filter, cluster or option that cannot be used (parse
//! errors, a filter that is not a condition, a formula without regressors); 4 when a
//! column, cluster variable, dataset or --data file does not exist; 3 when the data
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

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use entrepot_core::text::display_value;
use entrepot_gravity::{
    fit, Dataset, Estimator, FitOptions, GravityError, ModelSpec, SmallSample, VcovKind,
};

use crate::output::{exit, exit_error};

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
    /// CSV (header row), Parquet (.parquet) or Stata (.dta) file.
    #[arg(long, required_unless_present_any = ["dataset", "sql"], conflicts_with_all = ["dataset", "sql"])]
    pub data: Option<PathBuf>,
    /// A dataset of the store.
    #[arg(long, conflicts_with = "sql")]
    pub dataset: Option<String>,
    /// An SQL query over the store whose result is the estimation sample.
    #[arg(long)]
    pub sql: Option<String>,
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
    /// Memory limit of the --dataset / --sql query, e.g. 2GiB (default: half the memory).
    #[arg(long, env = "ENTREPOT_MEMORY_LIMIT", value_name = "SIZE", value_parser = crate::cmd::sql::parse_memory_limit)]
    pub memory_limit: Option<u64>,
}

/// The exit code of a gravity error (see the module docs); matched variant by variant so
/// that a new variant needs a decision.
fn exit_code(e: &GravityError) -> i32 {
    use GravityError as G;
    match e {
        G::Parse { .. } | G::NotACondition { .. } | G::Type { .. } | G::InvalidSpec(_) => {
            exit::USAGE
        }
        G::UnknownColumn { .. } => exit::NOT_FOUND,
        G::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => exit::NOT_FOUND,
        G::Io { .. } => exit::FAILURE,
        G::Csv(_)
        | G::InvalidData(_)
        | G::NotText { .. }
        | G::RecordTooLong { .. }
        | G::NegativeDependent { .. }
        | G::NonFinite { .. }
        | G::NegativeWeight { .. } => exit::BAD_INPUT,
        G::NoObservations(_)
        | G::AllCollinear(_)
        | G::NotConverged { .. }
        | G::DemeanNotConverged { .. }
        | G::SeparationNotConverged(_)
        | G::Numerical(_)
        | G::NoDegreesOfFreedom { .. }
        | G::TooFewClusters { .. }
        | G::InvalidVariance { .. } => exit::FAILURE,
    }
}

/// A gravity error as an exit error: `context: message`, with the code of [`exit_code`].
fn failure(context: &str, e: GravityError) -> anyhow::Error {
    exit_error(exit_code(&e), format!("{context}: {e}"))
}

/// Runs `entrepot gravity ...`.
pub fn run(args: &GravityArgs, format: crate::output::Format, store: &Path) -> Result<()> {
    match &args.command {
        GravityCommand::Fit(a) => run_fit(a, format, store),
    }
}

fn run_fit(a: &FitArgs, format: crate::output::Format, store: &Path) -> Result<()> {
    if !(a.tol > 0.0 && a.tol < 1.0) {
        return Err(exit_error(
            exit::USAGE,
            format!("--tol must be in (0, 1), got {}", a.tol),
        ));
    }
    let spec = model_spec(a)?;
    let vcov = a.vcov.map(|v| match v {
        VcovArg::Iid => VcovKind::Iid,
        VcovArg::Hetero => VcovKind::Hetero,
        VcovArg::Cluster => VcovKind::Cluster,
    });
    if vcov == Some(VcovKind::Cluster) && spec.cluster.is_empty() {
        return Err(exit_error(exit::USAGE, "--vcov cluster needs --cluster"));
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
    let data = load_data(a, store)?;
    let est = fit(&data, &spec, &opts).map_err(|e| failure("estimating the model", e))?;
    let table = est.table();
    use crate::output::Format;
    let out = match format {
        _ if a.latex => entrepot_report::render_latex(&table.to_document()),
        Format::Table => entrepot_report::render_terminal(
            &table.to_document(),
            &entrepot_report::TerminalOptions::default(),
        ),
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

/// The model of the command line: formula, filters, cluster, offset and weights.
fn model_spec(a: &FitArgs) -> Result<ModelSpec> {
    let mut spec = ModelSpec::parse(&a.formula).map_err(|e| failure("--formula", e))?;
    for f in &a.filter {
        spec = spec.with_filter(f).map_err(|e| failure("--filter", e))?;
    }
    if let Some(c) = &a.cluster {
        spec = spec.with_cluster(c).map_err(|e| failure("--cluster", e))?;
    }
    if let Some(o) = &a.offset {
        spec = spec.with_offset(o).map_err(|e| failure("--offset", e))?;
    }
    if let Some(w) = &a.weights {
        spec = spec.with_weights(w).map_err(|e| failure("--weights", e))?;
    }
    Ok(spec)
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

/// Loads the estimation sample from a file (CSV, Parquet, Stata) or from the store.
fn load_data(a: &FitArgs, store: &Path) -> Result<Dataset> {
    if let Some(path) = &a.data {
        return load_file(path);
    }
    let st = entrepot_store::Store::open_read(store)
        .map_err(|e| exit_error(exit::NOT_FOUND, e.to_string()))?;
    let options = entrepot_query::QueryOptions {
        memory_limit: a.memory_limit,
    };
    let engine = entrepot_query::QueryEngine::with_options(&st, &options)
        .map_err(crate::cmd::sql::query_failure)?;
    let query = match (&a.dataset, &a.sql) {
        (Some(d), _) => {
            let table = engine.table_of(d).ok_or_else(|| {
                exit_error(
                    exit::NOT_FOUND,
                    format!(
                        "no dataset `{}` in the store (see `entrepot datasets`)",
                        display_value(d)
                    ),
                )
            })?;
            format!("SELECT * FROM {table}")
        }
        (None, Some(q)) => q.clone(),
        (None, None) => {
            return Err(exit_error(
                exit::USAGE,
                "one of --data, --dataset or --sql is required",
            ))
        }
    };
    let batches = engine
        .sql_blocking(&query)
        .map_err(crate::cmd::sql::query_failure)?;
    batches_to_dataset(&batches)
}

/// Reads `--data`: Parquet and Stata by extension, CSV otherwise. Errors name the file;
/// a missing file exits 4, unreadable content 3.
fn load_file(path: &Path) -> Result<Dataset> {
    let shown = display_value(&path.display().to_string());
    if !path.exists() {
        return Err(exit_error(
            exit::NOT_FOUND,
            format!("--data {shown}: no such file"),
        ));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" | "pq" => {
            let bad = |e: &dyn std::fmt::Display| {
                exit_error(
                    exit::BAD_INPUT,
                    format!("reading Parquet file {shown}: {e}"),
                )
            };
            let batches = read_parquet(path).map_err(|e| bad(&e))?;
            batches_to_dataset(&batches).map_err(|e| bad(&e))
        }
        "dta" => dta_to_dataset(path).map_err(|e| {
            exit_error(
                exit::BAD_INPUT,
                format!("reading Stata file {shown}: {e:#}"),
            )
        }),
        _ => Dataset::from_csv_path(path).map_err(|e| failure(&format!("reading {shown}"), e)),
    }
}

/// All record batches of a Parquet file.
fn read_parquet(path: &Path) -> Result<Vec<arrow::record_batch::RecordBatch>> {
    let f = std::fs::File::open(path)?;
    let reader =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)?.build()?;
    Ok(reader.collect::<std::result::Result<Vec<_>, _>>()?)
}

/// Converts Arrow record batches to a gravity [`Dataset`]: numeric and boolean columns
/// become numeric (null = missing), strings and dictionaries become categorical.
fn batches_to_dataset(batches: &[arrow::record_batch::RecordBatch]) -> Result<Dataset> {
    use arrow::array::{Array, Float64Array, StringArray};
    use arrow::datatypes::DataType;
    let Some(first) = batches.first() else {
        anyhow::bail!("the query or file returned no rows");
    };
    let schema = first.schema();
    let mut data = Dataset::new();
    for (i, field) in schema.fields().iter().enumerate() {
        let numeric = field.data_type().is_numeric() || *field.data_type() == DataType::Boolean;
        if numeric {
            let mut v = Vec::new();
            for b in batches {
                let c = arrow::compute::cast(b.column(i), &DataType::Float64)?;
                let c = c
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .context("numeric column did not cast to Float64")?;
                v.extend((0..c.len()).map(|r| if c.is_null(r) { f64::NAN } else { c.value(r) }));
            }
            data.add_numeric(field.name(), v)?;
        } else {
            let mut v: Vec<Option<String>> = Vec::new();
            for b in batches {
                let c = arrow::compute::cast(b.column(i), &DataType::Utf8)
                    .with_context(|| format!("column {} cannot be read as text", field.name()))?;
                let c = c
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .context("text column did not cast to Utf8")?;
                v.extend((0..c.len()).map(|r| (!c.is_null(r)).then(|| c.value(r).to_string())));
            }
            data.add_column(field.name(), entrepot_gravity::Column::from_strings(&v))?;
        }
    }
    Ok(data)
}

/// Reads a Stata file into a gravity [`Dataset`].
fn dta_to_dataset(path: &Path) -> Result<Dataset> {
    use entrepot_io::dta::{read_dta, DtaValue};
    let (names, rows) = read_dta(path)?;
    let mut cols: Vec<Vec<DtaValue>> = vec![Vec::new(); names.len()];
    for row in rows {
        for (c, v) in cols.iter_mut().zip(row?) {
            c.push(v);
        }
    }
    let mut data = Dataset::new();
    for (name, col) in names.iter().zip(cols) {
        let is_text = col.iter().any(|v| matches!(v, DtaValue::Str(_)));
        if is_text {
            let v: Vec<Option<String>> = col
                .iter()
                .map(|x| match x {
                    DtaValue::Missing => None,
                    other => Some(other.to_text()),
                })
                .collect();
            data.add_column(name, entrepot_gravity::Column::from_strings(&v))?;
        } else {
            data.add_numeric(
                name,
                col.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
            )?;
        }
    }
    Ok(data)
}
