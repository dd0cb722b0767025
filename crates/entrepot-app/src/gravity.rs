//! Structural gravity fits: the estimation sample from a file (CSV, Parquet, Stata) or
//! from the store (a dataset, or an SQL query), the model of the request, the fit and
//! its regression table as a report document. [`fit_gravity_models`] fits several
//! formulas on one sample (loaded once) and lays them out side by side, one column per
//! model, as published tables are (Yotov et al. 2016, Table 1).

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use arrow::array::{Array, Float64Array, StringArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use entrepot_core::text::display_value;
use entrepot_core::Progress;
use entrepot_doc::Document;
use entrepot_gravity::{
    fit, Dataset, Estimate, Estimator, FitOptions, ModelComparison, ModelSpec, RegressionTable,
    SmallSample, VcovKind,
};
use std::path::{Path, PathBuf};

/// Where the estimation sample comes from.
#[derive(Debug, Clone)]
pub enum SampleSource {
    /// A file: Parquet (`.parquet`, `.pq`) and Stata (`.dta`) by extension, CSV with
    /// a header row otherwise.
    File(PathBuf),
    /// A flows dataset of the store (every column, see `entrepot sql --tables`).
    Dataset(String),
    /// The result of an SQL query over the store.
    Sql(String),
}

/// The small-sample correction of the standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmallSampleChoice {
    /// pyfixest / fixest defaults.
    #[default]
    Pyfixest,
    /// Stata ML conventions (hetero N/(N-1), cluster G/(G-1)): `ppml`, `ppmlhdfe`,
    /// `poisson`.
    Stata,
    /// Stata `reghdfe` (and `regress` with dummies): `(N-1)/(N-K)` with reghdfe's exact
    /// count of redundant fixed-effect levels, cluster `G/(G-1)`
    /// ([`SmallSample::reghdfe`]).
    Reghdfe,
    /// No correction.
    None,
    /// Settings given field by field (the Python package's `ssc={...}`, as pyfixest's
    /// `pf.ssc(...)` spells them).
    Custom(SmallSample),
}

impl SmallSampleChoice {
    /// The small-sample settings of this choice.
    pub fn settings(self) -> SmallSample {
        match self {
            SmallSampleChoice::Pyfixest => SmallSample::pyfixest(),
            SmallSampleChoice::Stata => SmallSample::stata(),
            SmallSampleChoice::Reghdfe => SmallSample::reghdfe(),
            SmallSampleChoice::None => SmallSample::none(),
            SmallSampleChoice::Custom(s) => s,
        }
    }
}

/// A request to fit a gravity model.
#[derive(Debug, Clone)]
pub struct GravityRequest {
    /// The estimation sample.
    pub source: SampleSource,
    /// The formula, `depvar ~ regressors | fixed effects`.
    pub formula: String,
    /// PPML or OLS.
    pub estimator: Estimator,
    /// The variance; `None`: cluster-robust when clusters are given, iid otherwise.
    pub vcov: Option<VcovKind>,
    /// Cluster variables (`pair_id`, `exporter,importer`, `a^b`).
    pub cluster: Option<String>,
    /// Sample filters, all of which must hold.
    pub filters: Vec<String>,
    /// An offset expression (coefficient fixed at 1).
    pub offset: Option<String>,
    /// A weight expression.
    pub weights: Option<String>,
    /// The small-sample correction.
    pub small_sample: SmallSampleChoice,
    /// Convergence tolerance (relative change in deviance), in (0, 1).
    pub tol: f64,
    /// Maximum IRLS iterations.
    pub max_iter: usize,
    /// Target tolerance of the fixed-effect demeaning, in (0, 1) (default 1e-8, as
    /// pyfixest's `fixef_tol`).
    pub demean_tol: f64,
    /// Memory limit of a dataset or SQL sample query, in bytes.
    pub memory_limit: Option<u64>,
    /// Report the constant of a model with fixed effects (as reghdfe/ppmlhdfe `_cons`).
    pub intercept: bool,
    /// Watches the fit's iterations ([`FitOptions::progress`]); none by default.
    pub progress: Progress,
}

/// One model of a side-by-side table: its formula and estimator; everything else (sample,
/// filters, variance, clusters, options) comes from the shared [`GravityRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChoice {
    /// The formula, `depvar ~ regressors | fixed effects`.
    pub formula: String,
    /// PPML or OLS.
    pub estimator: Estimator,
}

impl GravityRequest {
    /// A PPML request with the default options (tolerance 1e-8, 1,000 iterations).
    pub fn new(source: SampleSource, formula: impl Into<String>) -> Self {
        GravityRequest {
            source,
            formula: formula.into(),
            estimator: Estimator::Ppml,
            vcov: None,
            cluster: None,
            filters: Vec::new(),
            offset: None,
            weights: None,
            small_sample: SmallSampleChoice::Pyfixest,
            tol: 1e-8,
            max_iter: 1000,
            demean_tol: 1e-8,
            memory_limit: None,
            intercept: false,
            progress: Progress::none(),
        }
    }
}

/// A fitted model: the estimation (coefficients, fixed effects, fitted values) and
/// its regression table.
#[derive(Debug)]
pub struct GravityOutput {
    /// The estimation.
    pub estimation: Estimate,
    /// The regression table.
    pub table: RegressionTable,
}

impl GravityOutput {
    /// The regression table as a report document.
    pub fn document(&self) -> Document {
        self.table.to_document()
    }
}

/// Several models fitted on one sample, side by side.
#[derive(Debug)]
pub struct GravityTableOutput {
    /// Each model's fit, in column order.
    pub models: Vec<GravityOutput>,
    /// The side-by-side table.
    pub comparison: ModelComparison,
}

impl GravityTableOutput {
    /// The side-by-side table as a report document.
    pub fn document(&self) -> Document {
        self.comparison.to_document()
    }
}

/// Fits the model of a request. Errors name the option or file at fault
/// (`--formula: …`, `reading data.csv: …`).
pub fn fit_gravity(location: &StoreLocation, req: &GravityRequest) -> AppResult<GravityOutput> {
    let (spec, opts) = prepare(req)?;
    let data = load_sample(location, req)?;
    fit_one(&data, &spec, &opts, "estimating the model")
}

/// Fits the model of a request on a sample already in memory (the Python package's data
/// frames); `req.source` and `req.memory_limit` are not read. Errors are those of
/// [`fit_gravity`].
pub fn fit_gravity_on(data: &Dataset, req: &GravityRequest) -> AppResult<GravityOutput> {
    let (spec, opts) = prepare(req)?;
    fit_one(data, &spec, &opts, "estimating the model")
}

/// Fits each of `models` (formula and estimator) with the rest of `req` (sample source,
/// filters, variance, clusters, options) on the same sample, loaded once, and lays the
/// fits out side by side. Every formula is checked before the sample is loaded; errors
/// name the model at fault (`--formula 2: …`).
pub fn fit_gravity_models(
    location: &StoreLocation,
    req: &GravityRequest,
    models: &[ModelChoice],
) -> AppResult<GravityTableOutput> {
    if models.is_empty() {
        return Err(AppError::usage("at least one --formula is needed"));
    }
    let mut prepared = Vec::with_capacity(models.len());
    for (i, m) in models.iter().enumerate() {
        let mut r = req.clone();
        r.formula = m.formula.clone();
        r.estimator = m.estimator;
        let (spec, opts) = prepare(&r).map_err(|e| e.context(&format!("model {}", i + 1)))?;
        prepared.push((spec, opts));
    }
    let data = load_sample(location, req)?;
    let mut outputs = Vec::with_capacity(models.len());
    for (i, (spec, opts)) in prepared.iter().enumerate() {
        outputs.push(fit_one(
            &data,
            spec,
            opts,
            &format!("estimating model {}", i + 1),
        )?);
    }
    let comparison = ModelComparison::new(outputs.iter().map(|o| o.table.clone()).collect());
    Ok(GravityTableOutput {
        models: outputs,
        comparison,
    })
}

/// The model and the fit options of a request, checked.
fn prepare(req: &GravityRequest) -> AppResult<(ModelSpec, FitOptions)> {
    if !(req.tol > 0.0 && req.tol < 1.0) {
        return Err(AppError::usage(format!(
            "--tol must be in (0, 1), got {}",
            req.tol
        )));
    }
    if !(req.demean_tol > 0.0 && req.demean_tol < 1.0) {
        return Err(AppError::usage(format!(
            "the demeaning tolerance must be in (0, 1), got {}",
            req.demean_tol
        )));
    }
    let spec = model_spec(req)?;
    if req.vcov == Some(VcovKind::Cluster) && spec.cluster.is_empty() {
        return Err(AppError::usage("--vcov cluster needs --cluster"));
    }
    let opts = FitOptions {
        estimator: req.estimator,
        vcov: req.vcov,
        small_sample: req.small_sample.settings(),
        tol: req.tol,
        max_iter: req.max_iter,
        demean_tol: req.demean_tol,
        report_intercept: req.intercept,
        progress: req.progress.clone(),
        ..FitOptions::default()
    };
    Ok((spec, opts))
}

/// Fits one model on a loaded sample.
fn fit_one(
    data: &Dataset,
    spec: &ModelSpec,
    opts: &FitOptions,
    what: &str,
) -> AppResult<GravityOutput> {
    let estimation = fit(data, spec, opts).map_err(|e| AppError::from(e).context(what))?;
    let table = estimation.table();
    Ok(GravityOutput { estimation, table })
}

/// The model of the request: formula, filters, cluster, offset and weights.
fn model_spec(req: &GravityRequest) -> AppResult<ModelSpec> {
    fn bad(what: &'static str) -> impl Fn(entrepot_gravity::GravityError) -> AppError {
        move |e| AppError::from(e).context(what)
    }
    let mut spec = ModelSpec::parse(&req.formula).map_err(bad("--formula"))?;
    for f in &req.filters {
        spec = spec.with_filter(f).map_err(bad("--filter"))?;
    }
    if let Some(c) = &req.cluster {
        spec = spec.with_cluster(c).map_err(bad("--cluster"))?;
    }
    if let Some(o) = &req.offset {
        spec = spec.with_offset(o).map_err(bad("--offset"))?;
    }
    if let Some(w) = &req.weights {
        spec = spec.with_weights(w).map_err(bad("--weights"))?;
    }
    Ok(spec)
}

/// Loads the estimation sample from a file or from the store.
fn load_sample(location: &StoreLocation, req: &GravityRequest) -> AppResult<Dataset> {
    load_source(location, &req.source, req.memory_limit)
}

/// Loads a sample source (a file, a dataset or an SQL query) as a gravity dataset.
pub(crate) fn load_source(
    location: &StoreLocation,
    source: &SampleSource,
    memory_limit: Option<u64>,
) -> AppResult<Dataset> {
    if let SampleSource::File(path) = source {
        return load_file(path);
    }
    let store = location.open_read()?;
    let options = location.query_options(memory_limit);
    let engine = entrepot_query::QueryEngine::with_options(&store, &options)?;
    let query = match source {
        SampleSource::Dataset(d) => {
            let table = engine.table_of(d).ok_or_else(|| {
                AppError::not_found(format!(
                    "no dataset `{}` in the store (see `entrepot datasets`)",
                    display_value(d)
                ))
            })?;
            format!("SELECT * FROM {table}")
        }
        SampleSource::Sql(q) => q.clone(),
        SampleSource::File(path) => return load_file(path),
    };
    let batches = engine.sql_blocking(&query)?;
    batches_to_dataset(&batches).map_err(AppError::failure)
}

/// Reads a sample file: Parquet and Stata by extension, CSV otherwise. Errors name
/// the file; a missing file is not found, unreadable content bad input.
fn load_file(path: &Path) -> AppResult<Dataset> {
    let shown = display_value(&path.display().to_string());
    if !path.exists() {
        return Err(AppError::not_found(format!("--data {shown}: no such file")));
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" | "pq" => {
            let bad = |e: String| AppError::bad_input(format!("reading Parquet file {shown}: {e}"));
            let batches = read_parquet(path).map_err(bad)?;
            batches_to_dataset(&batches).map_err(bad)
        }
        "dta" => dta_to_dataset(path)
            .map_err(|e| AppError::bad_input(format!("reading Stata file {shown}: {e}"))),
        _ => Dataset::from_csv_path(path)
            .map_err(|e| AppError::from(e).context(&format!("reading {shown}"))),
    }
}

/// All record batches of a Parquet file.
fn read_parquet(path: &Path) -> Result<Vec<RecordBatch>, String> {
    let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Converts Arrow record batches (a table handed over by Python, say) to a gravity
/// [`Dataset`], as the store's samples are: see [`batches_to_dataset`]. Bad input
/// (no rows, a column that cannot be read) is a bad-input error.
pub fn dataset_from_batches(batches: &[RecordBatch]) -> AppResult<Dataset> {
    batches_to_dataset(batches).map_err(AppError::bad_input)
}

/// Converts Arrow record batches to a gravity [`Dataset`]: numeric and boolean columns
/// become numeric (null = missing), strings and dictionaries become categorical.
fn batches_to_dataset(batches: &[RecordBatch]) -> Result<Dataset, String> {
    let Some(first) = batches.first() else {
        return Err("the query or file returned no rows".into());
    };
    let schema = first.schema();
    let mut data = Dataset::new();
    for (i, field) in schema.fields().iter().enumerate() {
        let numeric = field.data_type().is_numeric() || *field.data_type() == DataType::Boolean;
        if numeric {
            let mut v = Vec::new();
            for b in batches {
                let c = arrow::compute::cast(b.column(i), &DataType::Float64)
                    .map_err(|e| e.to_string())?;
                let c = c
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .ok_or("numeric column did not cast to Float64")?;
                v.extend((0..c.len()).map(|r| if c.is_null(r) { f64::NAN } else { c.value(r) }));
            }
            data.add_numeric(field.name(), v)
                .map_err(|e| e.to_string())?;
        } else {
            let mut v: Vec<Option<String>> = Vec::new();
            for b in batches {
                let c = arrow::compute::cast(b.column(i), &DataType::Utf8)
                    .map_err(|e| format!("column {} cannot be read as text: {e}", field.name()))?;
                let c = c
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or("text column did not cast to Utf8")?;
                v.extend((0..c.len()).map(|r| (!c.is_null(r)).then(|| c.value(r).to_string())));
            }
            data.add_column(field.name(), entrepot_gravity::Column::from_strings(&v))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(data)
}

/// Reads a Stata file into a gravity [`Dataset`].
fn dta_to_dataset(path: &Path) -> Result<Dataset, String> {
    use entrepot_io::dta::{read_dta, DtaValue};
    let (names, rows) = read_dta(path).map_err(|e| e.to_string())?;
    let mut cols: Vec<Vec<DtaValue>> = vec![Vec::new(); names.len()];
    for row in rows {
        for (c, v) in cols.iter_mut().zip(row.map_err(|e| e.to_string())?) {
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
            data.add_column(name, entrepot_gravity::Column::from_strings(&v))
                .map_err(|e| e.to_string())?;
        } else {
            data.add_numeric(
                name,
                col.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(data)
}
