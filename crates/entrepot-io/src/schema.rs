//! The canonical Arrow schema of stored trade flows, and conversions between
//! [`TradeFlow`]s and Arrow record batches.
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `reporter` | Utf8 | reporter ISO3 |
//! | `partner` | Utf8 | partner ISO3 (`WLD` = world) |
//! | `flow` | Utf8 | `export`, `import`, `re_export`, `re_import` |
//! | `period` | Utf8 | `YYYY` or `YYYY-MM` |
//! | `year` | Int32 | calendar year of `period` |
//! | `month` | Int32, nullable | month of `period` (null for annual data) |
//! | `hs_revision` | Utf8, nullable | `HS2017`, … (null for totals) |
//! | `product` | Utf8 | HS code or `TOTAL` |
//! | `product_level` | Int32 | 0 (total), 2, 4 or 6 |
//! | `value_usd` | Float64 | value in US dollars |
//! | `quantity` | Float64, nullable | physical quantity |
//! | `quantity_unit` | Utf8, nullable | unit of `quantity` (never null when `quantity` is set) |
//! | `declared_by` | Utf8 | `reporter`, `mirror` or `reconciled` |
//! | `source_file` | Utf8, nullable | the file the row was read from |
//! | `source_line` | Int64, nullable | its line in that file |
//!
//! In the store the rows are partitioned (hive style) by dataset, reporter and year;
//! the partition columns live in the directory names.

use crate::error::IoError;
use arrow::array::BooleanBufferBuilder;
use arrow::array::{
    Array, ArrayRef, Float64Array, Float64Builder, Int32Array, Int64Builder, StringArray,
    StringBuilder,
};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use entrepot_core::{
    Declarant, FlowKind, HsCode, HsRevision, Period, Product, Provenance, Quantity, QuantityUnit,
    TradeFlow,
};
use std::sync::{Arc, OnceLock};

/// Column names, in schema order.
pub mod col {
    /// Reporter ISO3.
    pub const REPORTER: &str = "reporter";
    /// Partner ISO3.
    pub const PARTNER: &str = "partner";
    /// Flow kind.
    pub const FLOW: &str = "flow";
    /// Period text.
    pub const PERIOD: &str = "period";
    /// Calendar year.
    pub const YEAR: &str = "year";
    /// Month or null.
    pub const MONTH: &str = "month";
    /// HS revision or null.
    pub const HS_REVISION: &str = "hs_revision";
    /// Product code or TOTAL.
    pub const PRODUCT: &str = "product";
    /// Product level.
    pub const PRODUCT_LEVEL: &str = "product_level";
    /// Value in USD.
    pub const VALUE_USD: &str = "value_usd";
    /// Quantity.
    pub const QUANTITY: &str = "quantity";
    /// Quantity unit.
    pub const QUANTITY_UNIT: &str = "quantity_unit";
    /// Declarant.
    pub const DECLARED_BY: &str = "declared_by";
    /// Source file.
    pub const SOURCE_FILE: &str = "source_file";
    /// Source line.
    pub const SOURCE_LINE: &str = "source_line";
}

/// The name of the value column of flows stored in `currency` (an ISO 4217 code):
/// `value_usd` for US dollars, `value_<code>` in lower case for any other currency
/// (`value_jpy`), so that no value in another currency sits in a column that says
/// US dollars.
pub fn value_column(currency: &str) -> String {
    if currency == "USD" {
        col::VALUE_USD.to_string()
    } else {
        format!("value_{}", currency.to_ascii_lowercase())
    }
}

/// `schema` with its `value_usd` column renamed for values in `currency` (see
/// [`value_column`]); the same schema for US dollars.
pub fn with_value_currency(schema: &SchemaRef, currency: &str) -> SchemaRef {
    if currency == "USD" {
        return schema.clone();
    }
    let name = value_column(currency);
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if f.name() == col::VALUE_USD {
                f.as_ref().clone().with_name(name.clone())
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// The canonical schema of a flows table (without partition columns).
pub fn flows_schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        Arc::new(Schema::new(vec![
            Field::new(col::REPORTER, DataType::Utf8, false),
            Field::new(col::PARTNER, DataType::Utf8, false),
            Field::new(col::FLOW, DataType::Utf8, false),
            Field::new(col::PERIOD, DataType::Utf8, false),
            Field::new(col::YEAR, DataType::Int32, false),
            Field::new(col::MONTH, DataType::Int32, true),
            Field::new(col::HS_REVISION, DataType::Utf8, true),
            Field::new(col::PRODUCT, DataType::Utf8, false),
            Field::new(col::PRODUCT_LEVEL, DataType::Int32, false),
            Field::new(col::VALUE_USD, DataType::Float64, false),
            Field::new(col::QUANTITY, DataType::Float64, true),
            Field::new(col::QUANTITY_UNIT, DataType::Utf8, true),
            Field::new(col::DECLARED_BY, DataType::Utf8, false),
            Field::new(col::SOURCE_FILE, DataType::Utf8, true),
            Field::new(col::SOURCE_LINE, DataType::Int64, true),
        ]))
    })
    .clone()
}

/// Column-wise builder of canonical flow batches. Readers push validated rows into it
/// and call [`FlowBatchBuilder::finish`] every `batch_size` rows.
///
/// The text columns other than `product` repeat their value over long runs of rows
/// (one reporter, year, file…): they keep each run once and expand it when the batch
/// is finished, which is much cheaper than appending every value.
pub struct FlowBatchBuilder {
    reporter: RunStrings,
    partner: RunStrings,
    flow: RunStrings,
    period: RunStrings,
    year: RunI32,
    month: RunI32,
    hs_revision: RunStrings,
    product: StringBuilder,
    product_level: RunI32,
    value_usd: Float64Builder,
    quantity: Float64Builder,
    quantity_unit: RunStrings,
    declared_by: RunStrings,
    source_file: RunStrings,
    source_line: Int64Builder,
    len: usize,
    capacity: usize,
    /// The coded columns of the last row pushed since the last `finish`.
    last: Option<Coded>,
}

/// A Utf8 column kept as runs of equal values (see [`FlowBatchBuilder`]).
#[derive(Default)]
struct RunStrings {
    /// The values of the runs, concatenated.
    arena: String,
    runs: Vec<Run>,
    len: usize,
    /// Bytes of the expanded values.
    bytes: usize,
    nulls: usize,
    /// The last array finished with a single value (or null) throughout, returned
    /// again (shared, arrays are immutable) when the next batch is the same.
    constant: Option<(Option<String>, StringArray)>,
}

/// `count` rows with the value `arena[start..end]` (or null).
struct Run {
    start: usize,
    end: usize,
    null: bool,
    count: usize,
}

impl RunStrings {
    #[inline]
    fn append(&mut self, v: Option<&str>) {
        self.len += 1;
        self.bytes += v.map_or(0, str::len);
        if v.is_none() {
            self.nulls += 1;
        }
        if let Some(last) = self.runs.last_mut() {
            let same = match v {
                None => last.null,
                Some(s) => {
                    !last.null
                        && same_bytes(&self.arena.as_bytes()[last.start..last.end], s.as_bytes())
                }
            };
            if same {
                last.count += 1;
                return;
            }
        }
        let start = self.arena.len();
        if let Some(s) = v {
            self.arena.push_str(s);
        }
        self.runs.push(Run {
            start,
            end: self.arena.len(),
            null: v.is_none(),
            count: 1,
        });
    }

    /// Appends the value of the previous row again (which must exist).
    #[inline]
    fn repeat_last(&mut self) {
        if let Some(last) = self.runs.last_mut() {
            last.count += 1;
            self.len += 1;
            self.bytes += last.end - last.start;
            if last.null {
                self.nulls += 1;
            }
        }
    }

    /// Expands the runs into a `StringArray` and resets the column.
    fn finish(&mut self) -> Result<StringArray, IoError> {
        let single = match self.runs.as_slice() {
            [run] => Some((!run.null).then(|| &self.arena[run.start..run.end])),
            _ => None,
        };
        if let (Some(value), Some((cached, array))) = (single, &self.constant) {
            if array.len() == self.len && cached.as_deref() == value {
                let array = array.clone();
                self.reset();
                return Ok(array);
            }
        }
        let array = self.expand()?;
        if let Some(value) = single {
            self.constant = Some((value.map(str::to_string), array.clone()));
        }
        self.reset();
        Ok(array)
    }

    fn reset(&mut self) {
        self.arena.clear();
        self.runs.clear();
        self.len = 0;
        self.bytes = 0;
        self.nulls = 0;
    }

    /// The runs as a `StringArray`.
    fn expand(&self) -> Result<StringArray, IoError> {
        let total = i32::try_from(self.bytes).map_err(|_| {
            IoError::Schema(format!(
                "a batch holds {} bytes of text in one column (at most 2 GiB)",
                self.bytes
            ))
        })?;
        let mut offsets: Vec<i32> = Vec::with_capacity(self.len + 1);
        offsets.push(0);
        let mut values: Vec<u8> = Vec::with_capacity(total as usize);
        let mut nulls = (self.nulls > 0).then(|| BooleanBufferBuilder::new(self.len));
        for run in &self.runs {
            let v = &self.arena.as_bytes()[run.start..run.end];
            let start = values.len();
            let want = v.len() * run.count;
            if !v.is_empty() {
                // Doubling copies: memcpy speed whatever the run length.
                values.extend_from_slice(v);
                while values.len() - start < want {
                    let have = values.len() - start;
                    values.extend_from_within(start..start + have.min(want - have));
                }
            }
            let (base, len) = (start as i32, v.len() as i32);
            offsets.extend((1..=run.count as i32).map(|k| base + k * len));
            if let Some(n) = nulls.as_mut() {
                n.append_n(run.count, !run.null);
            }
        }
        Ok(StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(values),
            nulls.map(|mut n| NullBuffer::new(n.finish())),
        )?)
    }
}

/// An Int32 column kept as runs of equal values (see [`FlowBatchBuilder`]).
#[derive(Default)]
struct RunI32 {
    runs: Vec<(Option<i32>, usize)>,
    len: usize,
    nulls: usize,
    /// As in [`RunStrings`].
    constant: Option<(Option<i32>, Int32Array)>,
}

impl RunI32 {
    #[inline]
    fn append(&mut self, v: Option<i32>) {
        self.len += 1;
        if v.is_none() {
            self.nulls += 1;
        }
        match self.runs.last_mut() {
            Some(last) if last.0 == v => last.1 += 1,
            _ => self.runs.push((v, 1)),
        }
    }

    fn finish(&mut self) -> Result<Int32Array, IoError> {
        let single = match self.runs.as_slice() {
            [(v, _)] => Some(*v),
            _ => None,
        };
        if let (Some(v), Some((cached, array))) = (single, &self.constant) {
            if array.len() == self.len && *cached == v {
                let array = array.clone();
                self.reset();
                return Ok(array);
            }
        }
        let mut values: Vec<i32> = Vec::with_capacity(self.len);
        let mut nulls = (self.nulls > 0).then(|| BooleanBufferBuilder::new(self.len));
        for &(v, count) in &self.runs {
            values.extend(std::iter::repeat_n(v.unwrap_or(0), count));
            if let Some(n) = nulls.as_mut() {
                n.append_n(count, v.is_some());
            }
        }
        let array = Int32Array::try_new(
            ScalarBuffer::from(values),
            nulls.map(|mut n| NullBuffer::new(n.finish())),
        )?;
        if let Some(v) = single {
            self.constant = Some((v, array.clone()));
        }
        self.reset();
        Ok(array)
    }

    fn reset(&mut self) {
        self.runs.clear();
        self.len = 0;
        self.nulls = 0;
    }
}

/// Byte equality, without a call to `memcmp` for short values.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() <= 16 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    a == b
}

/// The enum-valued columns of the previous row, to extend their runs without
/// formatting or comparing text.
#[derive(Clone, Copy, PartialEq)]
struct Coded {
    flow: FlowKind,
    period: Period,
    hs_revision: Option<HsRevision>,
    unit: Option<QuantityUnit>,
    declared_by: Declarant,
}

impl Default for FlowBatchBuilder {
    fn default() -> Self {
        Self::with_capacity(8192)
    }
}

/// One validated row, borrowed, as pushed into a [`FlowBatchBuilder`].
#[derive(Debug, Clone, Copy)]
pub struct FlowRow<'a> {
    /// Reporter ISO3.
    pub reporter: &'a str,
    /// Partner ISO3.
    pub partner: &'a str,
    /// Flow kind.
    pub flow: FlowKind,
    /// Period.
    pub period: Period,
    /// HS revision (None for totals).
    pub hs_revision: Option<HsRevision>,
    /// Product code or `TOTAL`.
    pub product: &'a str,
    /// Value in USD.
    pub value_usd: f64,
    /// Quantity with unit.
    pub quantity: Option<Quantity>,
    /// Declarant.
    pub declared_by: Declarant,
    /// Source file.
    pub source_file: Option<&'a str>,
    /// Source line.
    pub source_line: Option<u64>,
}

impl FlowBatchBuilder {
    /// A builder with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        FlowBatchBuilder {
            reporter: RunStrings::default(),
            partner: RunStrings::default(),
            flow: RunStrings::default(),
            period: RunStrings::default(),
            year: RunI32::default(),
            month: RunI32::default(),
            hs_revision: RunStrings::default(),
            product: StringBuilder::with_capacity(n, n * 6),
            product_level: RunI32::default(),
            value_usd: Float64Builder::with_capacity(n),
            quantity: Float64Builder::with_capacity(n),
            quantity_unit: RunStrings::default(),
            declared_by: RunStrings::default(),
            source_file: RunStrings::default(),
            source_line: Int64Builder::with_capacity(n),
            len: 0,
            capacity: n,
            last: None,
        }
    }

    /// Number of rows pushed since the last `finish`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row was pushed since the last `finish`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one validated row.
    pub fn push(&mut self, r: &FlowRow<'_>) {
        let coded = Coded {
            flow: r.flow,
            period: r.period,
            hs_revision: r.hs_revision,
            unit: r.quantity.map(|q| q.unit),
            declared_by: r.declared_by,
        };
        self.reporter.append(Some(r.reporter));
        self.partner.append(Some(r.partner));
        if self.last == Some(coded) {
            self.flow.repeat_last();
            self.period.repeat_last();
            self.hs_revision.repeat_last();
            self.quantity_unit.repeat_last();
            self.declared_by.repeat_last();
        } else {
            self.flow.append(Some(r.flow.as_str()));
            let mut buf = [0u8; 7];
            self.period.append(Some(period_str(&r.period, &mut buf)));
            self.hs_revision.append(r.hs_revision.map(revision_str));
            self.quantity_unit
                .append(r.quantity.map(|q| q.unit.as_str()));
            self.declared_by.append(Some(r.declared_by.as_str()));
            self.last = Some(coded);
        }
        self.year.append(Some(r.period.year()));
        self.month.append(r.period.month_of_year().map(i32::from));
        self.product.append_value(r.product);
        let level = if r.product == "TOTAL" {
            0
        } else {
            r.product.len() as i32
        };
        self.product_level.append(Some(level));
        self.value_usd.append_value(r.value_usd);
        self.quantity.append_option(r.quantity.map(|q| q.value));
        self.source_file.append(r.source_file);
        self.source_line
            .append_option(r.source_line.map(|l| l as i64));
        self.len += 1;
    }

    /// Appends an owned [`TradeFlow`].
    pub fn push_flow(&mut self, f: &TradeFlow, source_line: Option<u64>) {
        self.push(&FlowRow {
            reporter: &f.reporter,
            partner: &f.partner,
            flow: f.flow,
            period: f.period,
            hs_revision: f.product.revision(),
            product: f.product.code_str(),
            value_usd: f.value_usd,
            quantity: f.quantity,
            declared_by: f.provenance.declared_by,
            source_file: f.provenance.source_file.as_deref(),
            source_line,
        });
    }

    /// Builds the record batch of the rows pushed so far and resets the builder (which
    /// keeps room for as many rows for the next batch).
    pub fn finish(&mut self) -> Result<RecordBatch, IoError> {
        let n = self.capacity.max(self.len);
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.reporter.finish()?),
            Arc::new(self.partner.finish()?),
            Arc::new(self.flow.finish()?),
            Arc::new(self.period.finish()?),
            Arc::new(self.year.finish()?),
            Arc::new(self.month.finish()?),
            Arc::new(self.hs_revision.finish()?),
            Arc::new(
                std::mem::replace(&mut self.product, StringBuilder::with_capacity(n, n * 6))
                    .finish(),
            ),
            Arc::new(self.product_level.finish()?),
            Arc::new(
                std::mem::replace(&mut self.value_usd, Float64Builder::with_capacity(n)).finish(),
            ),
            Arc::new(
                std::mem::replace(&mut self.quantity, Float64Builder::with_capacity(n)).finish(),
            ),
            Arc::new(self.quantity_unit.finish()?),
            Arc::new(self.declared_by.finish()?),
            Arc::new(self.source_file.finish()?),
            Arc::new(
                std::mem::replace(&mut self.source_line, Int64Builder::with_capacity(n)).finish(),
            ),
        ];
        self.len = 0;
        self.last = None;
        Ok(RecordBatch::try_new(flows_schema(), cols)?)
    }
}

/// The canonical text of an HS revision (`HS2017`), without allocating.
pub fn revision_str(rev: HsRevision) -> &'static str {
    match rev {
        HsRevision::Hs1992 => "HS1992",
        HsRevision::Hs1996 => "HS1996",
        HsRevision::Hs2002 => "HS2002",
        HsRevision::Hs2007 => "HS2007",
        HsRevision::Hs2012 => "HS2012",
        HsRevision::Hs2017 => "HS2017",
        HsRevision::Hs2022 => "HS2022",
    }
}

fn period_str<'b>(p: &Period, buf: &'b mut [u8; 7]) -> &'b str {
    let y = p.year().clamp(0, 9999) as u32;
    buf[0] = b'0' + (y / 1000) as u8;
    buf[1] = b'0' + (y / 100 % 10) as u8;
    buf[2] = b'0' + (y / 10 % 10) as u8;
    buf[3] = b'0' + (y % 10) as u8;
    match p.month_of_year() {
        None => std::str::from_utf8(&buf[..4]).unwrap_or("0000"),
        Some(m) => {
            buf[4] = b'-';
            buf[5] = b'0' + m / 10;
            buf[6] = b'0' + m % 10;
            std::str::from_utf8(&buf[..7]).unwrap_or("0000-00")
        }
    }
}

/// Converts a canonical record batch back into [`TradeFlow`]s, attaching `dataset` as
/// provenance. Fails if the batch does not have the canonical columns.
pub fn batch_to_flows(batch: &RecordBatch, dataset: &str) -> Result<Vec<TradeFlow>, IoError> {
    fn s<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a StringArray, IoError> {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| IoError::Schema(format!("column '{name}' missing or not Utf8")))
    }
    fn f<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a Float64Array, IoError> {
        b.column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
            .ok_or_else(|| IoError::Schema(format!("column '{name}' missing or not Float64")))
    }
    let reporter = s(batch, col::REPORTER)?;
    let partner = s(batch, col::PARTNER)?;
    let flow = s(batch, col::FLOW)?;
    let period = s(batch, col::PERIOD)?;
    let rev = s(batch, col::HS_REVISION)?;
    let product = s(batch, col::PRODUCT)?;
    let value = f(batch, col::VALUE_USD)?;
    let qty = f(batch, col::QUANTITY)?;
    let unit = s(batch, col::QUANTITY_UNIT)?;
    let decl = s(batch, col::DECLARED_BY)?;
    let file = batch
        .column_by_name(col::SOURCE_FILE)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>());
    let _ = batch
        .column_by_name(col::YEAR)
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>());
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let bad = |what: &str, v: &str| IoError::Schema(format!("row {i}: invalid {what} '{v}'"));
        let p = if product.value(i) == "TOTAL" || rev.is_null(i) {
            Product::Total
        } else {
            let r: HsRevision = rev
                .value(i)
                .parse()
                .map_err(|_| bad("hs_revision", rev.value(i)))?;
            Product::Hs {
                revision: r,
                code: HsCode::parse(product.value(i))
                    .map_err(|_| bad("product", product.value(i)))?,
            }
        };
        let quantity = if qty.is_null(i) {
            None
        } else {
            let u: QuantityUnit = unit
                .value(i)
                .parse()
                .map_err(|_| bad("quantity_unit", unit.value(i)))?;
            Some(Quantity {
                value: qty.value(i),
                unit: u,
            })
        };
        out.push(TradeFlow {
            reporter: reporter.value(i).to_string(),
            partner: partner.value(i).to_string(),
            flow: flow
                .value(i)
                .parse()
                .map_err(|_| bad("flow", flow.value(i)))?,
            period: period
                .value(i)
                .parse()
                .map_err(|_| bad("period", period.value(i)))?,
            product: p,
            value_usd: value.value(i),
            quantity,
            provenance: Provenance {
                dataset: dataset.to_string(),
                source_file: file
                    .filter(|a| !a.is_null(i))
                    .map(|a| a.value(i).to_string()),
                declared_by: decl
                    .value(i)
                    .parse()
                    .map_err(|_| bad("declared_by", decl.value(i)))?,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run-based builder gives the same batches as appending every value, over
    /// changing values, nulls, runs across batches and constant batches (reused).
    #[test]
    fn builder_matches_plain_arrays() {
        let files = ["a.csv", "a.csv", "b.csv"];
        let rows: Vec<FlowRow<'static>> = (0..2000u64)
            .map(|i| {
                let period = if i % 700 < 350 {
                    Period::Year(2020)
                } else {
                    "2021-03".parse().unwrap_or(Period::Year(2021))
                };
                let total = i % 97 == 0;
                FlowRow {
                    reporter: ["CHN", "CHN", "USA"][(i / 300 % 3) as usize],
                    partner: ["DEU", "FRA", "WLD"][(i / 7 % 3) as usize],
                    flow: if i % 500 < 400 {
                        FlowKind::Export
                    } else {
                        FlowKind::Import
                    },
                    period,
                    hs_revision: (!total).then_some(HsRevision::Hs2017),
                    product: if total {
                        "TOTAL"
                    } else {
                        ["01", "0101", "010121"][(i % 3) as usize]
                    },
                    value_usd: i as f64,
                    quantity: (i % 5 != 0).then_some(Quantity {
                        value: 1.5,
                        unit: if i % 900 < 450 {
                            QuantityUnit::Tonnes
                        } else {
                            QuantityUnit::Kg
                        },
                    }),
                    declared_by: Declarant::Reporter,
                    source_file: if i < 1500 {
                        Some(files[(i / 1000) as usize])
                    } else {
                        None
                    },
                    source_line: (i % 11 != 0).then_some(i + 2),
                }
            })
            .collect();
        for size in [1, 7, 256, 1000, 5000] {
            let mut b = FlowBatchBuilder::with_capacity(size);
            for chunk in rows.chunks(size) {
                for r in chunk {
                    b.push(r);
                }
                let got = b.finish().expect("batch");
                let s = |f: &dyn Fn(&FlowRow<'static>) -> Option<String>| -> ArrayRef {
                    Arc::new(StringArray::from(chunk.iter().map(f).collect::<Vec<_>>()))
                };
                let i = |f: &dyn Fn(&FlowRow<'static>) -> Option<i32>| -> ArrayRef {
                    Arc::new(Int32Array::from(chunk.iter().map(f).collect::<Vec<_>>()))
                };
                let want = RecordBatch::try_new(
                    flows_schema(),
                    vec![
                        s(&|r| Some(r.reporter.into())),
                        s(&|r| Some(r.partner.into())),
                        s(&|r| Some(r.flow.as_str().into())),
                        s(&|r| Some(r.period.to_string())),
                        i(&|r| Some(r.period.year())),
                        i(&|r| r.period.month_of_year().map(i32::from)),
                        s(&|r| r.hs_revision.map(|h| revision_str(h).into())),
                        s(&|r| Some(r.product.into())),
                        i(&|r| {
                            Some(if r.product == "TOTAL" {
                                0
                            } else {
                                r.product.len() as i32
                            })
                        }),
                        Arc::new(Float64Array::from(
                            chunk.iter().map(|r| r.value_usd).collect::<Vec<_>>(),
                        )),
                        Arc::new(Float64Array::from(
                            chunk
                                .iter()
                                .map(|r| r.quantity.map(|q| q.value))
                                .collect::<Vec<_>>(),
                        )),
                        s(&|r| r.quantity.map(|q| q.unit.as_str().into())),
                        s(&|r| Some(r.declared_by.as_str().into())),
                        s(&|r| r.source_file.map(String::from)),
                        Arc::new(arrow::array::Int64Array::from(
                            chunk
                                .iter()
                                .map(|r| r.source_line.map(|l| l as i64))
                                .collect::<Vec<_>>(),
                        )),
                    ],
                )
                .expect("reference batch");
                assert_eq!(got, want, "batch size {size}");
            }
        }
    }
}
