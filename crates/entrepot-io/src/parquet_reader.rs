//! Parquet files in the canonical schema (or any schema with a [`ColumnMapping`]),
//! streamed batch by batch with `ParquetRecordBatchReaderBuilder`. Each row is
//! validated exactly like a CSV row; the `line` of a row in errors is its 1-based row
//! number + 1 (as if the file had a header line), so the first row is line 2.

use crate::csvsrc::open_file;
use crate::error::{IoError, RowError};
use crate::mapping::{Cell, ColumnMapping, Mapper, RowAccess};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::Core;
use arrow::array::{Array, ArrayRef, Float64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use entrepot_core::HsRevision;
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::file::reader::ChunkReader;
use std::path::Path;

/// A streaming reader of flows from a Parquet file.
pub struct ParquetFlowReader {
    file: String,
    batches: ParquetRecordBatchReader,
    mapper: Mapper,
    core: Core,
    /// Current input batch, as typed column views, and the next row in it.
    current: Option<(Vec<ColView>, usize, usize)>,
    rows_before: u64,
    total_rows: u64,
    size: Option<u64>,
    done: bool,
}

enum ColView {
    Str(StringArray),
    Num(Float64Array),
}

fn view(a: &ArrayRef) -> Result<ColView, IoError> {
    let numeric = a.data_type().is_numeric();
    if numeric {
        let c = cast(a, &DataType::Float64)?;
        let f = c.as_any().downcast_ref::<Float64Array>().cloned();
        return f
            .map(ColView::Num)
            .ok_or_else(|| IoError::Schema("cast to Float64 failed".into()));
    }
    let c = cast(a, &DataType::Utf8)?;
    let s = c.as_any().downcast_ref::<StringArray>().cloned();
    s.map(ColView::Str)
        .ok_or_else(|| IoError::Schema("cast to Utf8 failed".into()))
}

/// Runs a call into the Parquet and Arrow decoders, turning a panic of theirs on a
/// damaged file (found by fuzzing, e.g. in decoding an embedded schema) into an
/// error naming the file, so that a bad file never takes the process down.
fn guarded<T>(file: &str, f: impl FnOnce() -> Result<T, IoError>) -> Result<T, IoError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no details".into());
            Err(IoError::Format {
                path: file.to_string(),
                message: format!(
                    "damaged Parquet file: the decoder failed ({})",
                    entrepot_core::text::display_value(&why)
                ),
            })
        }
    }
}

struct ArrowRow<'a> {
    cols: &'a [ColView],
    row: usize,
}

impl RowAccess for ArrowRow<'_> {
    fn cell(&self, idx: usize) -> Cell<'_> {
        match self.cols.get(idx) {
            Some(ColView::Str(s)) if !s.is_null(self.row) => {
                Cell::Text(s.value(self.row).as_bytes())
            }
            Some(ColView::Num(f)) if !f.is_null(self.row) => Cell::Num(f.value(self.row)),
            _ => Cell::Null,
        }
    }
}

impl ParquetFlowReader {
    /// Opens a Parquet file. Without a mapping the file must have the canonical
    /// columns (see [`crate::schema`]; `source_file`/`source_line` are ignored).
    pub fn open(
        path: &Path,
        mapping: Option<&ColumnMapping>,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let file = path.display().to_string();
        let (f, size) = open_file(path)?;
        Self::build(file, f, size, mapping, hs_revision, options)
    }

    /// Reads a Parquet file held in memory; `name` is used in messages.
    pub fn from_bytes(
        name: &str,
        data: Vec<u8>,
        mapping: Option<&ColumnMapping>,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let size = Some(data.len() as u64);
        let bytes = bytes::Bytes::from(data);
        Self::build(name.to_string(), bytes, size, mapping, hs_revision, options)
    }

    fn build<T: ChunkReader + 'static>(
        file: String,
        input: T,
        size: Option<u64>,
        mapping: Option<&ColumnMapping>,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        // The Arrow schema embedded in the file's metadata is not needed (every column
        // is cast to Float64 or Utf8) and its decoder panics on damaged input.
        let opts = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
        let builder = guarded(&file, || {
            Ok(ParquetRecordBatchReaderBuilder::try_new_with_options(
                input, opts,
            )?)
        })?;
        let total_rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
        let header: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let canonical = ColumnMapping::canonical();
        let mapper = Mapper::new(&file, &header, mapping.unwrap_or(&canonical), hs_revision)?;
        let batch_size = options.batch_size.clamp(1, 1 << 20);
        let batches = guarded(&file, || Ok(builder.with_batch_size(batch_size).build()?))?;
        let core = Core::new(file.clone(), Some(file.clone()), options);
        Ok(ParquetFlowReader {
            file,
            batches,
            mapper,
            core,
            current: None,
            rows_before: 0,
            total_rows,
            size,
            done: false,
        })
    }

    /// See [`crate::tidy::CsvFlowReader::with_extra_country_codes`].
    pub fn with_extra_country_codes(mut self, codes: &[String]) -> Result<Self, IoError> {
        self.core.set_extra_codes(codes)?;
        Ok(self)
    }
}

impl FlowReader for ParquetFlowReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.done && !self.core.batch_full() {
            if self.current.is_none() {
                let batches = &mut self.batches;
                let next = guarded(&self.file, || {
                    let Some(b) = batches.next() else {
                        return Ok(None);
                    };
                    let b = b?;
                    let cols = b
                        .columns()
                        .iter()
                        .map(view)
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Some((cols, b.num_rows())))
                });
                match next {
                    Ok(None) => {
                        self.done = true;
                        break;
                    }
                    Ok(Some((cols, n))) => self.current = Some((cols, 0, n)),
                    Err(e) => {
                        // A damaged file: nothing more can be read from it.
                        self.done = true;
                        return Err(e);
                    }
                }
            }
            if let Some((cols, next, n)) = &mut self.current {
                while *next < *n && !self.core.batch_full() {
                    let line = self.rows_before + *next as u64 + 2;
                    let row = ArrowRow { cols, row: *next };
                    *next += 1;
                    self.mapper.process(&mut self.core, &row, line)?;
                }
                if *next >= *n {
                    self.rows_before += *n as u64;
                    self.current = None;
                }
            }
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        self.core.take_rejected()
    }

    fn progress(&self) -> (u64, Option<u64>) {
        let done_rows = self.rows_before + self.current.as_ref().map(|c| c.1 as u64).unwrap_or(0);
        match self.size {
            Some(size) if self.total_rows > 0 => (
                (size as f64 * done_rows as f64 / self.total_rows as f64) as u64,
                Some(size),
            ),
            other => (if self.done { other.unwrap_or(0) } else { 0 }, other),
        }
    }

    fn describe(&self) -> String {
        format!("Parquet {}{}", self.file, self.mapper.fx_note())
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }

    fn currency(&self) -> Option<crate::fx::CurrencyCode> {
        self.mapper.currency()
    }
}
