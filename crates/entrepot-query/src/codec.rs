//! The logical extension codec that lets the store's tables travel to a Ballista
//! scheduler inside a plan ([`EntrepotCodec`]).
//!
//! DataFusion's protobuf form of a logical plan knows the built-in table providers
//! (listing tables, views); any other provider is handed to the session's
//! [`LogicalExtensionCodec`]. The store's tables are [`crate::table`]'s manifest
//! provider, and `datasets` (and an empty `flows` or `facts`) are in-memory tables, so
//! a plan over them can only reach a cluster through a codec that knows them. The
//! client sets this codec on its session ([`crate::engine`]); the scheduler must use it
//! too (`entrepot cluster scheduler` does: crate `entrepot-cluster`).
//!
//! **Why a codec, not plain Parquet listing tables on Ballista.** Listing tables
//! would serialise without help, but they are a different plan: they read a directory
//! listing (a file planted in the store would be read, a missing one silently
//! skipped), they cannot union the two flows layouts (the year layout's `reporter`
//! column and the old layout's `reporter=` directories) in one table with one schema,
//! and they cannot prune files by the reporter ranges the manifest records. With the
//! codec, the optimised logical plan that runs locally is the plan the scheduler
//! receives, byte for byte the same tables: the provider is rebuilt on the scheduler
//! from the manifest entries it was built from (each file's absolute path, size,
//! checksum, year and reporter range), so the scheduler prunes, checks and scans
//! exactly the files the client would have, and nothing in the analyses knows which
//! engine runs them. The physical plan it makes is plain DataFusion (Parquet scans,
//! unions, aggregations), which Ballista's default physical codec carries to the
//! executors.
//!
//! Everything else (Ballista's own nodes, file formats, functions) goes to Ballista's
//! codec, which this one wraps.
//!
//! Wire format of a table: one tag byte ([`MANIFEST_TAG`] or [`MEMORY_TAG`]), then a
//! JSON document ([`ManifestWire`]) or Arrow IPC streams (one per partition of an
//! in-memory table, each preceded by its length as a little-endian `u64`). Bytes
//! without a tag are Ballista's.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use ballista_core::serde::BallistaLogicalExtensionCodec;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{AggregateUDF, Extension, LogicalPlan, ScalarUDF, WindowUDF};
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use entrepot_store::PartitionFile;
use serde::{Deserialize, Serialize};

use crate::table::ManifestTable;

/// First byte of an encoded manifest table.
pub const MANIFEST_TAG: u8 = 0xE1;
/// First byte of an encoded in-memory table.
pub const MEMORY_TAG: u8 = 0xE2;

/// A manifest table on the wire.
#[derive(Debug, Serialize, Deserialize)]
pub struct ManifestWire {
    /// Whether the table is a flows table (`reporter` and `year` appended to the
    /// file columns).
    pub flows: bool,
    /// The files, as the manifest lists them.
    pub files: Vec<FileWire>,
}

/// One file of a [`ManifestWire`].
#[derive(Debug, Serialize, Deserialize)]
pub struct FileWire {
    /// The absolute path of the file (every node must see the store at it).
    pub path: PathBuf,
    /// The file's manifest entry.
    pub meta: PartitionFile,
}

/// The codec of the store's tables, wrapping Ballista's (see the module docs).
#[derive(Debug, Default)]
pub struct EntrepotCodec {
    inner: BallistaLogicalExtensionCodec,
}

fn codec_error(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Internal(format!("entrepot codec: {what}: {e}"))
}

fn encode_memory(table: &MemTable, buf: &mut Vec<u8>) -> Result<()> {
    buf.push(MEMORY_TAG);
    let schema = table.schema();
    for partition in &table.batches {
        let batches = partition
            .try_read()
            .map_err(|e| codec_error("an in-memory table is being written", e))?;
        let mut stream = Vec::new();
        {
            let mut w = StreamWriter::try_new(&mut stream, &schema)?;
            for b in batches.iter() {
                w.write(b)?;
            }
            w.finish()?;
        }
        buf.extend_from_slice(&(stream.len() as u64).to_le_bytes());
        buf.extend_from_slice(&stream);
    }
    Ok(())
}

fn decode_memory(mut bytes: &[u8], schema: SchemaRef) -> Result<MemTable> {
    let mut partitions: Vec<Vec<RecordBatch>> = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or_else(|| codec_error("in-memory table", "truncated length"))?;
        let len = usize::try_from(u64::from_le_bytes(*len))
            .map_err(|e| codec_error("in-memory table", e))?;
        if rest.len() < len {
            return Err(codec_error("in-memory table", "truncated stream"));
        }
        let (stream, rest) = rest.split_at(len);
        let reader = StreamReader::try_new(stream, None)?;
        partitions.push(reader.collect::<std::result::Result<Vec<_>, _>>()?);
        bytes = rest;
    }
    if partitions.is_empty() {
        partitions.push(Vec::new());
    }
    MemTable::try_new(schema, partitions)
}

impl LogicalExtensionCodec for EntrepotCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match buf.split_first() {
            Some((&MANIFEST_TAG, json)) => {
                let wire: ManifestWire = serde_json::from_slice(json)
                    .map_err(|e| codec_error(&format!("table {table_ref}"), e))?;
                let files = wire.files.into_iter().map(|f| (f.path, f.meta)).collect();
                let table = ManifestTable::from_parts(schema, wire.flows, files)
                    .map_err(|e| codec_error(&format!("table {table_ref}"), e))?;
                Ok(Arc::new(table))
            }
            Some((&MEMORY_TAG, bytes)) => Ok(Arc::new(decode_memory(bytes, schema)?)),
            _ => self
                .inner
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        if let Some(table) = node.downcast_ref::<ManifestTable>() {
            let (flows, files) = table.parts();
            let wire = ManifestWire {
                flows,
                files: files
                    .into_iter()
                    .map(|(path, meta)| FileWire { path, meta })
                    .collect(),
            };
            buf.push(MANIFEST_TAG);
            serde_json::to_writer(&mut *buf, &wire)
                .map_err(|e| codec_error(&format!("table {table_ref}"), e))?;
            return Ok(());
        }
        if let Some(table) = node.downcast_ref::<MemTable>() {
            return encode_memory(table, buf);
        }
        self.inner.try_encode_table_provider(table_ref, node, buf)
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}
