//! [`ManifestTable`]: a DataFusion table over exactly the files that a dataset
//! version's manifest entry lists — never a directory listing, so a file planted
//! in the store is not read and a missing or altered one fails the query (with the
//! file named) instead of silently returning partial data.
//!
//! Flows files carry their hive partition values (`reporter`, `year`) in the
//! manifest; they are appended as the last two columns, as a hive listing would,
//! and filters on them prune whole files before any is opened. Parquet row-group
//! statistics and page indexes then prune inside the files that remain.

use arrow::array::{Array, BooleanArray, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{project_schema, DFSchema, ScalarValue};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::object_store::ObjectStoreUrl;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr_rewriter::unnormalize_col;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_expr::create_physical_expr;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::ExecutionPlan;
use entrepot_store::{DatasetInfo, PartitionFile, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// A file of the table: where it is and what the manifest says of it.
#[derive(Debug, Clone)]
struct StoredFile {
    path: PathBuf,
    meta: PartitionFile,
}

/// A table over the files of one dataset version, as listed in the manifest.
#[derive(Debug)]
pub(crate) struct ManifestTable {
    file_schema: SchemaRef,
    table_schema: SchemaRef,
    partition_cols: Vec<FieldRef>,
    files: Vec<StoredFile>,
}

impl ManifestTable {
    /// The table of dataset `d` of `store`; `partitioned` appends the `reporter`
    /// and `year` partition columns (flows).
    pub(crate) fn new(
        store: &Store,
        d: &DatasetInfo,
        file_schema: SchemaRef,
        partitioned: bool,
    ) -> ManifestTable {
        let partition_cols: Vec<FieldRef> = if partitioned {
            vec![
                Arc::new(Field::new("reporter", DataType::Utf8, false)),
                Arc::new(Field::new("year", DataType::Int32, false)),
            ]
        } else {
            Vec::new()
        };
        let mut fields: Vec<FieldRef> = file_schema.fields().iter().cloned().collect();
        fields.extend(partition_cols.iter().cloned());
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
            partition_cols,
            files,
        }
    }

    /// The partition values of a file, in the order of `partition_cols`.
    fn partition_values(&self, f: &StoredFile) -> Vec<ScalarValue> {
        if self.partition_cols.is_empty() {
            return Vec::new();
        }
        vec![
            ScalarValue::Utf8(f.meta.reporter.clone()),
            ScalarValue::Int32(f.meta.year),
        ]
    }

    /// The files that can hold rows passing `filters`: each filter that refers only
    /// to partition columns is evaluated on the files' partition values; a filter
    /// that cannot be evaluated prunes nothing (DataFusion applies every filter to
    /// the rows again, so pruning only ever saves work).
    fn prune(&self, state: &dyn Session, filters: &[Expr]) -> Vec<&StoredFile> {
        let all = || self.files.iter().collect();
        if self.partition_cols.is_empty() || filters.is_empty() || self.files.is_empty() {
            return all();
        }
        let names: Vec<&str> = self.partition_cols.iter().map(|f| f.name().as_str()).collect();
        let on_partitions: Vec<Expr> = filters
            .iter()
            .filter(|f| {
                let cols = f.column_refs();
                !cols.is_empty()
                    && cols.iter().all(|c| names.contains(&c.name.as_str()))
                    && !f.is_volatile()
            })
            .map(|f| unnormalize_col(f.clone()))
            .collect();
        if on_partitions.is_empty() {
            return all();
        }
        let schema = Arc::new(Schema::new(self.partition_cols.clone()));
        let reporters: StringArray = self
            .files
            .iter()
            .map(|f| f.meta.reporter.as_deref())
            .collect();
        let years: Int32Array = self.files.iter().map(|f| f.meta.year).collect();
        let Ok(batch) =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(reporters), Arc::new(years)])
        else {
            return all();
        };
        let Ok(df_schema) = DFSchema::try_from(schema.as_ref().clone()) else {
            return all();
        };
        let mut keep = vec![true; self.files.len()];
        for f in &on_partitions {
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
                *k &= mask.is_valid(i) && mask.value(i);
            }
        }
        self.files
            .iter()
            .zip(keep)
            .filter_map(|(f, k)| k.then_some(f))
            .collect()
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
        if files.is_empty() {
            let schema = project_schema(&self.table_schema, projection)?;
            return Ok(Arc::new(EmptyExec::new(schema)));
        }
        let mut partitioned = Vec::with_capacity(files.len());
        for f in files {
            // A missing, replaced or resized file fails the query, naming the file.
            entrepot_store::check_stored_file(&f.path, &f.meta)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let location = datafusion::object_store::path::Path::from_absolute_path(&f.path)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let mut pf = PartitionedFile::new(location.to_string(), f.meta.bytes)
                .with_partition_values(self.partition_values(f));
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
            TableSchema::builder(self.file_schema.clone())
                .with_table_partition_cols(self.partition_cols.clone())
                .build(),
        );
        let config = FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), source)
            .with_file_groups(file_groups)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        format.create_physical_plan(state, config).await
    }
}
