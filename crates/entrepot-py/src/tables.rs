//! Arrow tables across the boundary: a pyarrow table (or anything with
//! `__arrow_c_stream__`) in as record batches, record batches out as a pyarrow table.

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow_pyarrow::{PyArrowType, Table};
use pyo3::prelude::*;
use std::sync::Arc;

/// An input table: the Python layer hands over a pyarrow table (or any object with
/// `__arrow_c_stream__`); the batches are imported without a copy.
pub type InputTable = PyArrowType<Table>;

/// An output table: built in Rust, handed to pyarrow as a `pyarrow.Table`.
pub type OutputTable = PyArrowType<Table>;

/// The record batches of an input table.
pub fn batches(t: InputTable) -> Vec<RecordBatch> {
    t.0.into_inner().0
}

/// A column of an output table under construction.
pub enum Col {
    /// Text, with missing values.
    Text(Vec<Option<String>>),
    /// Floating point, with missing values.
    Float(Vec<Option<f64>>),
    /// Unsigned counts.
    Count(Vec<u64>),
    /// Signed integers (counts and indicators, as pandas' `int64`).
    Int(Vec<i64>),
    /// An Arrow array as it is (a column taken from the input).
    Array(ArrayRef),
}

impl Col {
    fn array(self) -> ArrayRef {
        match self {
            Col::Text(v) => Arc::new(StringArray::from(v)),
            Col::Float(v) => Arc::new(Float64Array::from(v)),
            Col::Count(v) => Arc::new(UInt64Array::from(v)),
            Col::Int(v) => Arc::new(Int64Array::from(v)),
            Col::Array(a) => a,
        }
    }
}

/// One record batch from named columns of equal length.
pub fn batch(columns: Vec<(&str, Col)>) -> PyResult<RecordBatch> {
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for (name, col) in columns {
        let a = col.array();
        fields.push(Field::new(name, a.data_type().clone(), true));
        arrays.push(a);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| crate::error::EntrepotError::new_err(e.to_string()))
}

/// A pyarrow table of one batch.
pub fn table(batch: RecordBatch) -> PyResult<OutputTable> {
    let schema = batch.schema();
    Table::try_new(vec![batch], schema)
        .map(PyArrowType)
        .map_err(|e| crate::error::EntrepotError::new_err(e.to_string()))
}

/// A pyarrow table of several batches sharing `schema` (an SQL result).
pub fn table_of(batches: Vec<RecordBatch>, schema: Arc<Schema>) -> PyResult<OutputTable> {
    Table::try_new(batches, schema)
        .map(PyArrowType)
        .map_err(|e| crate::error::EntrepotError::new_err(e.to_string()))
}

/// A table of text columns (a listing: `datasets()`, an ingest summary).
pub fn text_table(headers: &[String], rows: &[Vec<String>]) -> PyResult<OutputTable> {
    let cols = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let v = rows.iter().map(|r| r.get(i).cloned()).collect();
            (h.as_str(), Col::Text(v))
        })
        .collect();
    table(batch(cols)?)
}

/// Whether a column type is read as numbers (as the gravity sample reads them).
pub fn is_numeric(t: &DataType) -> bool {
    t.is_numeric() || *t == DataType::Boolean
}
