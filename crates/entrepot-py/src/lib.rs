//! The Python package of Entrepôt (`pip install entrepot`): the engine's gravity
//! estimator, economic complexity, the store and the release brief for notebooks, Arrow
//! tables in and out.
//!
//! This crate is the compiled module `entrepot._entrepot`; the package users import is
//! `python/entrepot/__init__.py`, a thin layer that turns pandas and polars frames into
//! pyarrow tables, wraps results in pyfixest-like objects, and carries the docstrings
//! and type hints (`__init__.pyi`). Every function here is a thin wrapper over the
//! application layer (`entrepot-app`) or a kernel crate, so a figure computed from
//! Python is the one the `entrepot` command computes, and an error carries the
//! command's message.
//!
//! | Python | Rust | module |
//! |---|---|---|
//! | `fepois`, `feols` → `Fit` | [`entrepot_app::gravity::fit_gravity_on`] | [`gravity`] |
//! | `complexity` | [`entrepot_complexity::complexity()`], one call per year | [`complexity`] |
//! | `Store`: `ingest`, `datasets`, `sql`, `brief` → `Report` | [`entrepot_app::ingest::ingest`], [`entrepot_app::datasets::datasets`], [`entrepot_app::sql::sql`], [`entrepot_app::brief::brief`] | [`store`] |
//! | `Report`: `to_dict`, `to_json`, `to_html`, `_repr_html_`, `to_text` | the renderers of `entrepot-report` | [`report`] |
//! | `ge` (flows in memory), `scenario` (a scenario file) → `ScenarioResult` | [`entrepot_app::scenario::run_scenario`] | [`ge`] |
//! | `progress=` of the long calls | an [`entrepot_core::Progress`] hook polled from the calling thread | [`progress`] |
//! | exceptions (`EntrepotError` and its classes) | [`entrepot_app::ErrorClass`] | [`error`] |
//!
//! # Arrow
//!
//! Tables cross the boundary through the Arrow C stream interface (`__arrow_c_stream__`,
//! the PyCapsule protocol, via `arrow-pyarrow`): a pyarrow table is read without a
//! copy; results are built as Arrow record batches and handed to pyarrow likewise.
//!
//! # The GIL
//!
//! Every estimation, scenario, query, ingest and brief runs with the GIL released
//! ([`Python::detach`]), so other Python threads (a notebook's progress widgets, a
//! server) keep running. With a progress callback the computation runs on a worker
//! thread and the calling thread, asleep without the GIL between looks, hands its
//! reports to the callback ([`progress`]).
//!
//! # Building
//!
//! `maturin build` in this folder (see `pyproject.toml`) builds one abi3 wheel for
//! CPython 3.9 and later. The `extension-module` feature, which maturin turns on, keeps
//! libpython out of the link, as an extension module must; without it (`cargo test`,
//! `cargo clippy`) the crate links libpython like any embedding program.

use pyo3::prelude::*;

pub mod complexity;
pub mod error;
pub mod ge;
pub mod gravity;
pub mod progress;
pub mod report;
pub mod store;
mod tables;

/// The compiled module `entrepot._entrepot`.
#[pymodule]
fn _entrepot(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    m.add_function(wrap_pyfunction!(gravity::fit, m)?)?;
    m.add_class::<gravity::Fit>()?;
    m.add_function(wrap_pyfunction!(complexity::complexity, m)?)?;
    m.add_class::<store::Store>()?;
    m.add_class::<report::Report>()?;
    m.add_function(wrap_pyfunction!(ge::ge, m)?)?;
    m.add_function(wrap_pyfunction!(ge::scenario, m)?)?;
    m.add_class::<ge::ScenarioResult>()?;
    Ok(())
}
