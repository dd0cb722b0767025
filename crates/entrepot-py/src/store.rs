//! `entrepot.Store`: a store directory and the application layer's requests on it
//! (ingest, datasets, SQL, the release brief), each run with the GIL released.

use crate::error::{to_py, usage};
use crate::report::Report;
use crate::tables::{self, OutputTable};
use entrepot_app::brief::{brief, BriefRequest};
use entrepot_app::datasets::datasets;
use entrepot_app::ingest::{ingest, FactsLayout, IngestRequest, InputFormat, OnError};
use entrepot_app::sql::{sql, SqlRequest};
use entrepot_app::{AppError, StoreLocation};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// The progress stage of an ingest: bytes of the files read.
const INGEST_STAGE: &str = "reading";

/// A store: a directory the user names (`Store("trade-store")`), or the per-user
/// default store (`Store()`). `engine` says where its queries run: `"local"` (the
/// default, in this process) or `"ballista://HOST:PORT"` (an Apache Ballista cluster,
/// as `entrepot --engine`).
#[pyclass(module = "entrepot._entrepot", frozen)]
pub struct Store {
    location: StoreLocation,
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (path=None, engine=None))]
    fn new(path: Option<PathBuf>, engine: Option<&str>) -> PyResult<Self> {
        let engine = match engine {
            Some(text) => entrepot_app::sql::parse_engine(text).map_err(to_py)?,
            None => entrepot_app::Engine::Local,
        };
        Ok(Store {
            location: StoreLocation::from_option(path).with_engine(engine),
        })
    }

    /// Where the store's queries run (`local` or `ballista://HOST:PORT`).
    #[getter]
    fn engine(&self) -> String {
        self.location.engine().to_string()
    }

    /// The store directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.location.dir().to_path_buf()
    }

    /// Ingests files into a dataset (atomically: on any failure the store is left as
    /// it was), as `entrepot ingest` does; returns the one-row summary. `progress`, a
    /// callable, receives `("reading", bytes read, total bytes)`.
    #[pyo3(signature = (files, dataset=None, format=None, hs=None, map=None, delimiter=None, decimal=None, countries=None, on_error="fail", quarantine=None, facts=None, replace=false, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn ingest(
        &self,
        py: Python<'_>,
        files: Vec<PathBuf>,
        dataset: Option<String>,
        format: Option<&str>,
        hs: Option<String>,
        map: Option<String>,
        delimiter: Option<String>,
        decimal: Option<String>,
        countries: Option<PathBuf>,
        on_error: &str,
        quarantine: Option<PathBuf>,
        facts: Option<&str>,
        replace: bool,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<OutputTable> {
        let mut req = IngestRequest::new(files);
        req.dataset = dataset;
        req.format = match format {
            Some(f) => Some(
                f.parse::<InputFormat>()
                    .map_err(|e| to_py(AppError::from(e).context("--from")))?,
            ),
            None => None,
        };
        req.hs = hs;
        req.map = map;
        req.delimiter = delimiter;
        req.decimal = decimal;
        req.countries = countries;
        req.on_error = match on_error {
            "fail" => OnError::Fail,
            "quarantine" => OnError::Quarantine,
            other => {
                return Err(usage(format!(
                    "--on-error must be fail or quarantine, got {other}"
                )))
            }
        };
        req.quarantine = quarantine;
        req.facts = match facts {
            None => None,
            Some("customs") => Some(FactsLayout::Customs),
            Some("other") => Some(FactsLayout::Other),
            Some(other) => {
                return Err(usage(format!(
                    "--facts must be customs or other, got {other}"
                )))
            }
        };
        req.replace = replace;
        let location = &self.location;
        let outcome = crate::progress::run(py, progress, |hook| {
            ingest(location, &req, &|read, total| {
                hook.report(INGEST_STAGE, read, Some(total))
            })
        })?
        .map_err(to_py)?;
        tables::text_table(&outcome.summary.headers, &outcome.summary.rows)
    }

    /// The datasets of the store, one row each, and a last row for the embedded sample
    /// (as `entrepot datasets` lists them).
    fn datasets(&self, py: Python<'_>) -> PyResult<OutputTable> {
        let location = &self.location;
        let listing = py.detach(|| datasets(location)).map_err(to_py)?;
        tables::text_table(&listing.headers, &listing.rows)
    }

    /// Runs an SQL query over the store (Apache DataFusion) and returns its result;
    /// `tables=True` lists the tables and their columns instead.
    #[pyo3(signature = (query="", tables=false, memory_limit=None))]
    fn sql(
        &self,
        py: Python<'_>,
        query: &str,
        tables: bool,
        memory_limit: Option<u64>,
    ) -> PyResult<OutputTable> {
        let req = SqlRequest {
            query: query.to_string(),
            tables,
            memory_limit,
        };
        let location = &self.location;
        let batches = py
            .detach(|| sql(location, &req))
            .map_err(to_py)?
            .into_batches();
        let schema = match batches.first() {
            Some(b) => b.schema(),
            None => Arc::new(arrow::datatypes::Schema::empty()),
        };
        tables::table_of(batches, schema)
    }

    /// The release brief of a reporter for a period (`2025-11`, `2025`, `2025-Q2`;
    /// `None`: the latest held), as `entrepot brief` builds it; `sample=True` uses the
    /// embedded sample even when the store holds data for the reporter.
    #[pyo3(signature = (reporter, period=None, dataset=None, sample=false, partners=Vec::new(), groups_file=None))]
    #[allow(clippy::too_many_arguments)]
    fn brief(
        &self,
        py: Python<'_>,
        reporter: String,
        period: Option<String>,
        dataset: Option<String>,
        sample: bool,
        partners: Vec<String>,
        groups_file: Option<PathBuf>,
    ) -> PyResult<Report> {
        let req = BriefRequest {
            reporter,
            period,
            dataset,
            sample,
            partners,
            groups_file,
        };
        let location = &self.location;
        let out = py.detach(|| brief(location, &req)).map_err(to_py)?;
        let model = entrepot_report::render_json_value(&out.brief).ok();
        Ok(Report::new(out.document, model))
    }

    fn __repr__(&self) -> String {
        match self.location.engine() {
            entrepot_app::Engine::Local => format!(
                "entrepot.Store({:?})",
                self.location.dir().display().to_string()
            ),
            engine => format!(
                "entrepot.Store({:?}, engine={:?})",
                self.location.dir().display().to_string(),
                engine.to_string()
            ),
        }
    }
}
