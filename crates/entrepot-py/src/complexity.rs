//! `entrepot.complexity`: economic complexity of a long table (one row per time,
//! location, product and value), year by year, with `entrepot-complexity`, laid out as
//! the Harvard Growth Lab's `ecomplexity` package lays out its result: one row per
//! location × product kept in each year (locations and products with zero total
//! exports dropped, as `ecomplexity` does), columns `loc, prod, val, time, diversity,
//! ubiquity, mcp, eci, pci, density, coi, cog, rca` under the caller's column names.
//! Repeated (time, location, product) rows are summed. Where `ecomplexity` would return
//! NaN or an arbitrary vector for a year (a disconnected network, a product without
//! presence), this raises with the year and the reason.

use crate::error::{to_py, usage};
use crate::tables::{self, batch, Col, InputTable, OutputTable};
use arrow::array::{Array, ArrayRef, Float64Array, StringArray, UInt32Array};
use arrow::compute::{cast, concat, take};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use entrepot_app::complexity::sorted_codes;
use entrepot_app::AppError;
use entrepot_complexity::{ExportMatrix, Options};
use pyo3::prelude::*;
use std::collections::BTreeMap;

/// The figures' columns, after the input's four (`ecomplexity`'s names and order).
const FIGURES: [&str; 9] = [
    "diversity",
    "ubiquity",
    "mcp",
    "eci",
    "pci",
    "density",
    "coi",
    "cog",
    "rca",
];

/// Computes economic complexity per `time` of the table `data` (columns named by
/// `time`, `loc`, `prod`, `val`), with RCA presence at `rca_mcp_threshold` and symmetric
/// (or, `asymmetric=True`, asymmetric) proximity. Runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (data, time, loc, prod, val, rca_mcp_threshold=1.0, asymmetric=false))]
#[allow(clippy::too_many_arguments)]
pub fn complexity(
    py: Python<'_>,
    data: InputTable,
    time: String,
    loc: String,
    prod: String,
    val: String,
    rca_mcp_threshold: f64,
    asymmetric: bool,
) -> PyResult<OutputTable> {
    let names = [time, loc, prod, val];
    if let Some(n) = names.iter().find(|n| FIGURES.contains(&n.as_str())) {
        return Err(usage(format!(
            "the column `{n}` has the name of an output column ({})",
            FIGURES.join(", ")
        )));
    }
    let batches = tables::batches(data);
    let options = Options {
        rca_threshold: rca_mcp_threshold,
        asymmetric_proximity: asymmetric,
        ..Options::default()
    };
    let columns = py
        .detach(|| compute(&batches, &names, &options))
        .map_err(to_py)?;
    let [time, loc, prod, val] = &names;
    let heads = [loc.as_str(), prod.as_str(), val.as_str(), time.as_str()];
    let out: Vec<(&str, Col)> = heads.into_iter().chain(FIGURES).zip(columns).collect();
    tables::table(batch(out)?)
}

/// One input column, all batches concatenated.
fn column(batches: &[RecordBatch], name: &str) -> Result<ArrayRef, AppError> {
    let Some(first) = batches.first() else {
        return Err(AppError::bad_input("the table has no rows"));
    };
    let Ok(i) = first.schema().index_of(name) else {
        let have: Vec<String> = first
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        return Err(AppError::not_found(format!(
            "no column `{name}` in the data (columns: {})",
            have.join(", ")
        )));
    };
    let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
    concat(&parts).map_err(|e| AppError::bad_input(format!("column `{name}`: {e}")))
}

/// A column read as text (codes, and the time key).
fn text(a: &ArrayRef, name: &str) -> Result<StringArray, AppError> {
    let c = cast(a, &DataType::Utf8)
        .map_err(|e| AppError::bad_input(format!("column `{name}` cannot be read as text: {e}")))?;
    c.as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| AppError::failure(format!("column `{name}` did not cast to text")))
}

/// The output columns (loc, prod, val, time, then the nine figures) of every year.
fn compute(
    batches: &[RecordBatch],
    names: &[String; 4],
    options: &Options,
) -> Result<Vec<Col>, AppError> {
    let [time_n, loc_n, prod_n, val_n] = names;
    let time_a = column(batches, time_n)?;
    let time = text(&time_a, time_n)?;
    let loc = text(&column(batches, loc_n)?, loc_n)?;
    let prod = text(&column(batches, prod_n)?, prod_n)?;
    let val_a = column(batches, val_n)?;
    if !crate::tables::is_numeric(val_a.data_type()) {
        return Err(AppError::bad_input(format!(
            "column `{val_n}` is not numeric ({})",
            val_a.data_type()
        )));
    }
    let val = cast(&val_a, &DataType::Float64)
        .map_err(|e| AppError::bad_input(format!("column `{val_n}`: {e}")))?;
    let val = val
        .as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| AppError::failure("value column did not cast to Float64"))?;
    // Rows by time, in time order (numeric when every key is a number).
    let mut years: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for r in 0..time.len() {
        for (a, n) in [(&time, time_n), (&loc, loc_n), (&prod, prod_n)] {
            if a.is_null(r) {
                return Err(AppError::bad_input(format!(
                    "row {}: `{n}` is missing",
                    r + 1
                )));
            }
        }
        if val.is_null(r) {
            return Err(AppError::bad_input(format!(
                "row {}: `{val_n}` is missing",
                r + 1
            )));
        }
        years.entry(time.value(r).to_string()).or_default().push(r);
    }
    let mut keys: Vec<&String> = years.keys().collect();
    if keys.iter().all(|k| k.parse::<f64>().is_ok()) {
        keys.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    let mut out = Output::default();
    for key in keys {
        let rows = &years[key];
        one_year(rows, &loc, &prod, val, options, &mut out)
            .map_err(|e| e.context(&format!("{time_n} {key}")))?;
    }
    let time_idx = UInt32Array::from(out.time_rows);
    let time_out = take(&time_a, &time_idx, None).map_err(|e| AppError::failure(e.to_string()))?;
    Ok(vec![
        Col::Text(out.loc),
        Col::Text(out.prod),
        Col::Float(out.val),
        Col::Array(time_out),
        Col::Int(out.diversity),
        Col::Int(out.ubiquity),
        Col::Int(out.mcp),
        Col::Float(out.eci),
        Col::Float(out.pci),
        Col::Float(out.density),
        Col::Float(out.coi),
        Col::Float(out.cog),
        Col::Float(out.rca),
    ])
}

/// The output rows under construction.
#[derive(Default)]
struct Output {
    loc: Vec<Option<String>>,
    prod: Vec<Option<String>>,
    val: Vec<Option<f64>>,
    /// An input row of the year, whose time value each output row repeats.
    time_rows: Vec<u32>,
    diversity: Vec<i64>,
    ubiquity: Vec<i64>,
    mcp: Vec<i64>,
    eci: Vec<Option<f64>>,
    pci: Vec<Option<f64>>,
    density: Vec<Option<f64>>,
    coi: Vec<Option<f64>>,
    cog: Vec<Option<f64>>,
    rca: Vec<Option<f64>>,
}

/// Every figure of one year, appended to `out` (locations, then products, in sorted
/// code order as `ecomplexity`'s pandas index).
fn one_year(
    rows: &[usize],
    loc: &StringArray,
    prod: &StringArray,
    val: &Float64Array,
    options: &Options,
    out: &mut Output,
) -> Result<(), AppError> {
    let (loc_codes, loc_at) = sorted_codes(rows.iter().map(|&r| loc.value(r)));
    let (prod_codes, prod_at) = sorted_codes(rows.iter().map(|&r| prod.value(r)));
    let matrix = ExportMatrix::from_triplets(
        loc_codes.len(),
        prod_codes.len(),
        rows.iter()
            .zip(loc_at.iter().zip(&prod_at))
            .map(|(&r, (&c, &p))| (c, p, val.value(r))),
    )
    .map_err(|e| AppError::bad_input(e.to_string()))?;
    let res = entrepot_complexity::complexity(&matrix, options)
        .map_err(|e| AppError::bad_input(e.to_string()))?;
    let first = rows.first().copied().unwrap_or(0);
    let first = u32::try_from(first)
        .map_err(|_| AppError::usage("tables of more than 4,294,967,295 rows are not supported"))?;
    for (ci, &c) in res.countries.iter().enumerate() {
        for (pi, &p) in res.products.iter().enumerate() {
            let cell = res.cell(ci, pi);
            out.loc.push(Some(loc_codes[c].clone()));
            out.prod.push(Some(prod_codes[p].clone()));
            out.val.push(Some(matrix.get(c, p)));
            out.time_rows.push(first);
            out.diversity.push(i64::from(res.diversity[ci]));
            out.ubiquity.push(i64::from(res.ubiquity[pi]));
            out.mcp.push(i64::from(res.presence[cell]));
            out.eci.push(Some(res.eci[ci]));
            out.pci.push(Some(res.pci[pi]));
            out.density.push(Some(res.density[cell]));
            out.coi.push(Some(res.coi[ci]));
            out.cog.push(Some(res.cog[cell]));
            out.rca.push(Some(res.rca[cell]));
        }
    }
    Ok(())
}
