//! Reading flows and published figures back (the manifest's files only, pruned by
//! their recorded years and reporter ranges and by row-group statistics).

use super::*;
use crate::verify::check_file;

impl Store {
    /// Loads the flows matching `filter`. Files are pruned by year and reporter range
    /// from the manifest before any is opened, row groups by their `reporter`
    /// statistics; then the rows are filtered. Reads both layouts.
    pub fn load_flows(&self, filter: &FlowFilter) -> Result<Vec<TradeFlow>, StoreError> {
        if self.object.is_some() {
            return Err(StoreError::ObjectStore {
                url: self.dir.display().to_string(),
                message: "flows are not loaded row by row from an object store; query \
                          them (`entrepot sql`, the brief and the analyses)"
                    .into(),
            });
        }
        let datasets: Vec<&DatasetInfo> = match &filter.dataset {
            Some(n) => vec![self.flows_dataset(n)?],
            None => self
                .manifest
                .datasets
                .values()
                .filter(|d| d.kind == DatasetKind::Flows)
                .collect(),
        };
        let mut out = Vec::new();
        for d in datasets {
            if d.value_currency() != "USD" {
                return Err(StoreError::NotUsd {
                    name: d.name.clone(),
                    currency: d.value_currency().to_string(),
                    column: d.value_column(),
                });
            }
            let base = self.dir.join(&d.path);
            for p in &d.partitions {
                let Some(year) = p.year else { continue };
                if filter.years.as_ref().is_some_and(|y| !y.contains(&year))
                    || filter
                        .reporter
                        .as_ref()
                        .is_some_and(|r| !p.may_hold_reporter(r))
                {
                    continue;
                }
                // Layout 1 files hold one reporter, named only in the manifest.
                let path_reporter = match p.layout() {
                    FileLayout::ReporterYear => p.reporter.as_deref(),
                    FileLayout::Year => None,
                    FileLayout::Facts => continue,
                };
                let path = base.join(&p.path);
                let reporter = filter
                    .reporter
                    .as_deref()
                    .filter(|_| path_reporter.is_none());
                for batch in open_stored_pruned(&path, p, reporter)? {
                    let batch = batch.map_err(|e| StoreError::from(e).in_file(&path))?;
                    let batch = filter_rows(&batch, filter).map_err(|e| e.in_file(&path))?;
                    if batch.num_rows() == 0 {
                        continue;
                    }
                    let full =
                        to_canonical(&batch, path_reporter, year).map_err(|e| e.in_file(&path))?;
                    out.extend(batch_to_flows(&full, &d.name)?);
                }
            }
        }
        Ok(out)
    }

    /// Loads the published figures of one facts dataset, or of all of them.
    pub fn load_facts(&self, dataset: Option<&str>) -> Result<Vec<PublishedFigure>, StoreError> {
        let datasets: Vec<&DatasetInfo> = match dataset {
            Some(n) => {
                let d = self
                    .dataset(n)
                    .ok_or_else(|| StoreError::NotFound(n.to_string()))?;
                check_kind(d, DatasetKind::Facts)?;
                vec![d]
            }
            None => self
                .manifest
                .datasets
                .values()
                .filter(|d| d.kind == DatasetKind::Facts)
                .collect(),
        };
        if let Some(location) = &self.object {
            return crate::object::load_facts(location, &datasets);
        }
        let mut out = Vec::new();
        for d in datasets {
            for p in &d.partitions {
                let path = self.dir.join(&d.path).join(&p.path);
                for batch in open_stored(&path, p)? {
                    let batch = batch.map_err(|e| StoreError::from(e).in_file(&path))?;
                    out.extend(facts::batch_to_figures(&batch).map_err(|e| e.in_file(&path))?);
                }
            }
        }
        Ok(out)
    }
}

/// Opens a stored Parquet file after checking it against the manifest; errors name
/// the file.
pub(crate) fn open_stored(
    path: &Path,
    f: &PartitionFile,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, StoreError> {
    open_stored_pruned(path, f, None)
}

/// [`open_stored`], reading only the row groups whose `reporter` statistics admit
/// `reporter` (all of them when `None` or when the file has no such statistics).
pub(crate) fn open_stored_pruned(
    path: &Path,
    f: &PartitionFile,
    reporter: Option<&str>,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, StoreError> {
    check_file(path, f)?;
    let file = File::open(path).at(path)?;
    let named = |e: parquet::errors::ParquetError| StoreError::from(e).in_file(path);
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(named)?;
    let builder = match reporter {
        Some(r) => {
            let groups = row_groups_admitting(builder.metadata(), col::REPORTER, r);
            builder.with_row_groups(groups)
        }
        None => builder,
    };
    builder.build().map_err(named)
}

/// The row groups whose min/max statistics of the text column `column` admit
/// `value` (a row group without them is kept).
pub(crate) fn row_groups_admitting(
    meta: &parquet::file::metadata::ParquetMetaData,
    column: &str,
    value: &str,
) -> Vec<usize> {
    use parquet::file::statistics::Statistics;
    let schema = meta.file_metadata().schema_descr();
    let Some(c) = (0..schema.num_columns()).find(|&i| schema.column(i).name() == column) else {
        return (0..meta.num_row_groups()).collect();
    };
    (0..meta.num_row_groups())
        .filter(|&g| {
            let Some(Statistics::ByteArray(s)) = meta.row_group(g).column(c).statistics() else {
                return true;
            };
            let v = value.as_bytes();
            // Truncated statistics are still bounds (a shorter minimum, a larger
            // maximum).
            let below = s.min_opt().is_some_and(|m| v < m.data());
            let above = s.max_opt().is_some_and(|m| v > m.data());
            !(below || above)
        })
        .collect()
}

/// Keeps the rows of a stored-file batch that pass the filters on its columns (the
/// reporter too when the file holds it).
pub(crate) fn filter_rows(batch: &RecordBatch, f: &FlowFilter) -> Result<RecordBatch, StoreError> {
    let reporter = match (&f.reporter, batch.column_by_name(col::REPORTER)) {
        (Some(r), Some(_)) => Some((r.as_str(), writer::string_col(batch, col::REPORTER)?)),
        _ => None,
    };
    if reporter.is_none() && f.partner.is_none() && f.flow.is_none() && f.product_level.is_none() {
        return Ok(batch.clone());
    }
    let partner = writer::string_col(batch, col::PARTNER)?;
    let flow = writer::string_col(batch, col::FLOW)?;
    let level = batch
        .column_by_name(col::PRODUCT_LEVEL)
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
        .ok_or_else(|| StoreError::Corrupt("column 'product_level' missing or not Int32".into()))?;
    let mask: BooleanArray = (0..batch.num_rows())
        .map(|i| {
            Some(
                reporter.is_none_or(|(r, col)| col.value(i) == r)
                    && f.partner.as_deref().is_none_or(|p| partner.value(i) == p)
                    && f.flow.is_none_or(|k| flow.value(i) == k.as_str())
                    && f.product_level
                        .is_none_or(|l| level.value(i) == i32::from(l)),
            )
        })
        .collect();
    Ok(filter_record_batch(batch, &mask)?)
}

/// Rebuilds a canonical batch from a stored-file batch: `year` from the manifest,
/// `reporter` from the file (layout 2) or, for layout 1, from the manifest
/// (`path_reporter`).
pub(crate) fn to_canonical(
    batch: &RecordBatch,
    path_reporter: Option<&str>,
    year: i32,
) -> Result<RecordBatch, StoreError> {
    let n = batch.num_rows();
    let schema = flows_schema();
    let cols = schema
        .fields()
        .iter()
        .map(|f| -> Result<ArrayRef, StoreError> {
            Ok(match (f.name().as_str(), path_reporter) {
                (col::REPORTER, Some(reporter)) => Arc::new(StringArray::from_iter_values(
                    std::iter::repeat_n(reporter, n),
                )),
                (col::YEAR, _) => Arc::new(Int32Array::from(vec![year; n])),
                (name, _) => batch.column_by_name(name).cloned().ok_or_else(|| {
                    StoreError::Corrupt(format!("stored flows file lacks column '{name}'"))
                })?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema, cols)?)
}
