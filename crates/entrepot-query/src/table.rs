//! [`ManifestTable`]: a DataFusion table over exactly the files that a dataset
//! version's manifest entry lists — never a directory listing, so a file planted
//! in the store is not read and a missing or altered one fails the query (with the
//! file named) instead of silently returning partial data.
//!
//! A flows table has the columns of [`entrepot_store::flows_file_schema`] followed by
//! `reporter` (Utf8) and `year` (Int32), whatever the layout of its files:
//!
//! * files of layout 2 (`year=<YYYY>/part-<k>.parquet`) hold `reporter` as a column;
//!   `year` comes from the manifest, as a hive partition value;
//! * files of layout 1 (stores written before manifest version 2,
//!   `reporter=<R>/year=<YYYY>/part-<k>.parquet`) hold neither; both come from the
//!   manifest.
//!
//! Each layout is one Parquet scan, and a table with both is their union. Before any
//! file is opened, filters on `reporter` and `year` prune files: by the manifest's
//! reporter range and year of each file (a [`PruningPredicate`] over them, so `=`,
//! `IN`, ranges and their combinations prune), and, where a file's reporter and year
//! are exact (layout 1, or a layout-2 file of one reporter), by evaluating the filter
//! on them. Parquet row-group statistics and page indexes then prune inside the files
//! that remain (DataFusion pushes the filters into the scans).
//!
//! [`PruningPredicate`]: datafusion::physical_optimizer::pruning::PruningPredicate

use arrow::array::{
    Array, ArrayRef, BooleanArray, Int32Array, RecordBatch, StringViewArray, UInt64Array,
};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::{project_schema, Column, DFSchema, ScalarValue};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::object_store::ObjectStoreUrl;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr_rewriter::unnormalize_col;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::create_physical_expr;
use datafusion::physical_optimizer::pruning::PruningPredicateBuilder;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::ExecutionPlan;
use entrepot_store::{DatasetInfo, FileLayout, PartitionFile, Store};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Name of the reporter column of flows tables.
const REPORTER: &str = "reporter";
/// Name of the year column of flows tables.
const YEAR: &str = "year";

/// A file of the table: where it is and what the manifest says of it.
#[derive(Debug, Clone)]
struct StoredFile {
    path: PathBuf,
    meta: PartitionFile,
}

impl StoredFile {
    /// The file's one reporter when it holds a single one (layout 1, or a layout-2
    /// file whose range is one code).
    fn exact_reporter(&self) -> Option<&str> {
        self.meta
            .reporter_bounds()
            .and_then(|(min, max)| (min == max).then_some(min))
    }
}

/// A table over the files of one dataset version, as listed in the manifest.
#[derive(Debug)]
pub(crate) struct ManifestTable {
    /// The columns before `reporter` and `year` (flows), or all columns (facts).
    file_schema: SchemaRef,
    table_schema: SchemaRef,
    /// Whether this is a flows table (`reporter` and `year` appended).
    flows: bool,
    files: Vec<StoredFile>,
}

impl ManifestTable {
    /// The table of dataset `d` of `store`. With `flows`, `file_schema` is
    /// [`entrepot_store::flows_file_schema`] and the table appends `reporter` and
    /// `year`; otherwise the files hold exactly `file_schema` (facts).
    pub(crate) fn new(
        store: &Store,
        d: &DatasetInfo,
        file_schema: SchemaRef,
        flows: bool,
    ) -> ManifestTable {
        // Flows are read with their text columns as string views: the codes are short
        // (3 to 6 bytes) and live inline in the views, so grouping and comparing them
        // needs no pointer chasing or memcmp, and decoding copies no bytes.
        let file_schema = if flows {
            text_as_views(&file_schema)
        } else {
            file_schema
        };
        let mut fields: Vec<FieldRef> = file_schema.fields().iter().cloned().collect();
        if flows {
            fields.push(reporter_field());
            fields.push(year_field());
        }
        let base = store.dir().join(&d.path);
        let files = d
            .partitions
            .iter()
            .map(|p| StoredFile {
                path: base.join(&p.path),
                meta: p.clone(),
            })
            .collect();
        ManifestTable {
            file_schema,
            table_schema: Arc::new(Schema::new(fields)),
            flows,
            files,
        }
    }

    /// What a [`crate::codec`] needs to rebuild the table elsewhere: whether it is a
    /// flows table, and each file's absolute path with its manifest entry.
    pub(crate) fn parts(&self) -> (bool, Vec<(PathBuf, PartitionFile)>) {
        let files = self
            .files
            .iter()
            .map(|f| (f.path.clone(), f.meta.clone()))
            .collect();
        (self.flows, files)
    }

    /// The table rebuilt from [`ManifestTable::parts`] and its table schema (the
    /// schema a plan's scan carries): for flows, the file schema is the table schema
    /// without its trailing `reporter` and `year`.
    pub(crate) fn from_parts(
        table_schema: SchemaRef,
        flows: bool,
        files: Vec<(PathBuf, PartitionFile)>,
    ) -> Result<ManifestTable, String> {
        let fields = table_schema.fields();
        let file_schema = if flows {
            let n = fields.len();
            let tail: Vec<&str> = fields
                .iter()
                .skip(n.saturating_sub(2))
                .map(|f| f.name().as_str())
                .collect();
            if tail != [REPORTER, YEAR] {
                return Err(format!(
                    "a flows table's schema must end with `{REPORTER}` and `{YEAR}`, not {tail:?}"
                ));
            }
            Arc::new(Schema::new(
                fields.iter().take(n - 2).cloned().collect::<Vec<_>>(),
            ))
        } else {
            table_schema.clone()
        };
        Ok(ManifestTable {
            file_schema,
            table_schema,
            flows,
            files: files
                .into_iter()
                .map(|(path, meta)| StoredFile { path, meta })
                .collect(),
        })
    }

    /// The files that can hold rows passing `filters` (see the module doc). A filter
    /// that cannot be evaluated prunes nothing: DataFusion applies every filter to
    /// the rows again, so pruning only ever saves work.
    fn prune(&self, state: &dyn Session, filters: &[Expr]) -> Vec<&StoredFile> {
        if !self.flows || filters.is_empty() || self.files.is_empty() {
            return self.files.iter().collect();
        }
        let filters: Vec<Expr> = filters
            .iter()
            .filter(|f| !f.is_volatile())
            .map(|f| unnormalize_col(f.clone()))
            .collect();
        let mut keep = self.prune_by_ranges(state, &filters);
        self.prune_exact(state, &filters, &mut keep);
        self.files
            .iter()
            .zip(keep)
            .filter_map(|(f, k)| k.then_some(f))
            .collect()
    }

    /// Which files the filters' min/max reasoning keeps, from each file's reporter
    /// range and year.
    fn prune_by_ranges(&self, state: &dyn Session, filters: &[Expr]) -> Vec<bool> {
        let all = vec![true; self.files.len()];
        let Some(predicate) = conjunction(filters.iter().cloned()) else {
            return all;
        };
        let Ok(df_schema) = DFSchema::try_from(self.table_schema.as_ref().clone()) else {
            return all;
        };
        let pruned = create_physical_expr(
            &predicate,
            &df_schema,
            state.execution_props(),
            &PhysicalPlanningContext::default(),
        )
        .and_then(|e| {
            PruningPredicateBuilder::new()
                .with_file_schema(self.table_schema.clone())
                .try_build(e)
        })
        .and_then(|p| p.prune(&FileStatistics(&self.files)));
        match pruned {
            Ok(keep) if keep.len() == self.files.len() => keep,
            _ => all,
        }
    }

    /// Evaluates the filters that refer only to `reporter` and `year` on the files
    /// whose values of those columns are exact: every file for filters on `year`
    /// alone, the files of one reporter for the others.
    fn prune_exact(&self, state: &dyn Session, filters: &[Expr], keep: &mut [bool]) {
        let on_partitions: Vec<(&Expr, bool)> = filters
            .iter()
            .filter_map(|f| {
                let cols = f.column_refs();
                let ok =
                    !cols.is_empty() && cols.iter().all(|c| c.name == REPORTER || c.name == YEAR);
                ok.then(|| (f, cols.iter().all(|c| c.name == YEAR)))
            })
            .collect();
        if on_partitions.is_empty() {
            return;
        }
        let schema = Arc::new(Schema::new(vec![reporter_field(), year_field()]));
        let reporters: StringViewArray =
            self.files.iter().map(StoredFile::exact_reporter).collect();
        let years: Int32Array = self.files.iter().map(|f| f.meta.year).collect();
        let Ok(batch) =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(reporters), Arc::new(years)])
        else {
            return;
        };
        let Ok(df_schema) = DFSchema::try_from(schema.as_ref().clone()) else {
            return;
        };
        for (f, year_only) in on_partitions {
            let evaluated = create_physical_expr(
                f,
                &df_schema,
                state.execution_props(),
                &PhysicalPlanningContext::default(),
            )
            .and_then(|e| e.evaluate(&batch))
            .and_then(|v| v.into_array(batch.num_rows()));
            let Ok(array) = evaluated else { continue };
            let Some(mask) = array.as_any().downcast_ref::<BooleanArray>() else {
                continue;
            };
            for (i, k) in keep.iter_mut().enumerate() {
                let exact = year_only || self.files[i].exact_reporter().is_some();
                if exact {
                    *k &= mask.is_valid(i) && mask.value(i);
                }
            }
        }
    }

    /// One Parquet scan over `files` (all of one layout), producing the table's
    /// columns in table order.
    async fn scan_files(
        &self,
        state: &dyn Session,
        files: &[&StoredFile],
        layout: FileLayout,
        projection: Option<&Vec<usize>>,
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        // The columns read from the files, and those taken from the manifest (hive
        // partition values), which come last.
        let (file_schema, partition_cols) = match layout {
            FileLayout::Facts => (self.file_schema.clone(), Vec::new()),
            FileLayout::ReporterYear => (
                self.file_schema.clone(),
                vec![reporter_field(), year_field()],
            ),
            FileLayout::Year => {
                let mut fields: Vec<FieldRef> = self.file_schema.fields().iter().cloned().collect();
                fields.push(reporter_field());
                (Arc::new(Schema::new(fields)), vec![year_field()])
            }
        };
        let mut partitioned = Vec::with_capacity(files.len());
        let mut store_url: Option<String> = None;
        for f in files {
            // A file of an object-store store (`s3://…`): read through the session's
            // object stores, its size checked by the reader against the manifest's.
            // A local file: a missing, replaced or resized file fails the query,
            // naming the file.
            let location = match entrepot_store::object::split_object_path(&f.path) {
                Some((url, key)) => {
                    match &store_url {
                        Some(u) if *u != url => {
                            return Err(DataFusionError::Internal(format!(
                                "one table over two object stores ({u}, {url})"
                            )))
                        }
                        _ => store_url = Some(url),
                    }
                    key
                }
                None => {
                    entrepot_store::check_stored_file(&f.path, &f.meta)
                        .map_err(|e| DataFusionError::External(Box::new(e)))?;
                    datafusion::object_store::path::Path::from_absolute_path(&f.path)
                        .map_err(|e| DataFusionError::External(Box::new(e)))?
                }
            };
            let values = match layout {
                FileLayout::Facts => Vec::new(),
                FileLayout::ReporterYear => vec![
                    ScalarValue::Utf8View(f.meta.reporter.clone()),
                    ScalarValue::Int32(f.meta.year),
                ],
                FileLayout::Year => vec![ScalarValue::Int32(f.meta.year)],
            };
            let mut pf = PartitionedFile::new(location.to_string(), f.meta.bytes)
                .with_partition_values(values);
            pf.object_meta.location = location;
            partitioned.push(pf);
        }
        let groups = state.config().target_partitions().max(1);
        let per_group = partitioned.len().div_ceil(groups);
        let file_groups: Vec<FileGroup> = partitioned
            .chunks(per_group.max(1))
            .map(|c| FileGroup::new(c.to_vec()))
            .collect();
        let format = ParquetFormat::default();
        let source = format.file_source(
            TableSchema::builder(file_schema)
                .with_table_partition_cols(partition_cols)
                .build(),
        );
        let store = match store_url {
            Some(url) => ObjectStoreUrl::parse(url)?,
            None => ObjectStoreUrl::local_filesystem(),
        };
        let config = FileScanConfigBuilder::new(store, source)
            .with_file_groups(file_groups)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        format.create_physical_plan(state, config).await
    }
}

fn reporter_field() -> FieldRef {
    Arc::new(Field::new(REPORTER, DataType::Utf8View, false))
}

/// The schema with its `Utf8` columns as `Utf8View`.
fn text_as_views(schema: &Schema) -> SchemaRef {
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => Arc::new(f.as_ref().clone().with_data_type(DataType::Utf8View)),
            _ => f.clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

fn year_field() -> FieldRef {
    Arc::new(Field::new(YEAR, DataType::Int32, false))
}

/// The manifest's knowledge of each file as pruning statistics: the reporter range
/// and the year (min = max); nothing about other columns.
struct FileStatistics<'a>(&'a [StoredFile]);

impl PruningStatistics for FileStatistics<'_> {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        match column.name.as_str() {
            REPORTER => Some(Arc::new(
                self.0
                    .iter()
                    .map(|f| f.meta.reporter_bounds().map(|b| b.0))
                    .collect::<StringViewArray>(),
            )),
            YEAR => Some(Arc::new(
                self.0.iter().map(|f| f.meta.year).collect::<Int32Array>(),
            )),
            _ => None,
        }
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        match column.name.as_str() {
            REPORTER => Some(Arc::new(
                self.0
                    .iter()
                    .map(|f| f.meta.reporter_bounds().map(|b| b.1))
                    .collect::<StringViewArray>(),
            )),
            YEAR => self.min_values(column),
            _ => None,
        }
    }

    fn num_containers(&self) -> usize {
        self.0.len()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        match column.name.as_str() {
            // Neither column is ever null in a flows file.
            REPORTER | YEAR => Some(Arc::new(UInt64Array::from(vec![0u64; self.0.len()]))),
            _ => None,
        }
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        Some(Arc::new(
            self.0.iter().map(|f| f.meta.rows).collect::<UInt64Array>(),
        ))
    }

    fn contained(&self, _column: &Column, _values: &HashSet<ScalarValue>) -> Option<BooleanArray> {
        None
    }
}

#[async_trait::async_trait]
impl TableProvider for ManifestTable {
    fn schema(&self) -> SchemaRef {
        self.table_schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let files = self.prune(state, filters);
        let mut scans = Vec::new();
        for layout in [
            FileLayout::Year,
            FileLayout::ReporterYear,
            FileLayout::Facts,
        ] {
            let of_layout: Vec<&StoredFile> = files
                .iter()
                .copied()
                .filter(|f| f.meta.layout() == layout)
                .collect();
            if !of_layout.is_empty() {
                scans.push(
                    self.scan_files(state, &of_layout, layout, projection, limit)
                        .await?,
                );
            }
        }
        if scans.is_empty() {
            let schema = project_schema(&self.table_schema, projection)?;
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        UnionExec::try_new(scans)
    }
}
