//! [`Cube`]: the result of a request, as one Arrow record batch with interned ids,
//! plus typed views of its cells ([`Cell`]) and conversions (codes as text for
//! display and export, aggregated [`TradeFlow`]s for the brief).

use crate::cells::{
    declarant_code, declarant_of_code, flow_code, flow_of_code, sub_period_column, Candidate,
    CellKey, Interner,
};
use crate::error::CubeError;
use crate::request::{Grain, Mirror, PeriodGrain, ProductGrain, Side};
use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, RecordBatch, StringArray, UInt16Array,
    UInt32Array, UInt64Array, UInt8Array,
};
use arrow::datatypes::{
    DataType, Field, Float64Type, Int32Type, Schema, SchemaRef, UInt16Type, UInt32Type, UInt64Type,
    UInt8Type,
};
use entrepot_core::{
    CountryId, Declarant, FlowKind, Period, Product, ProductId, Provenance, Quantity, TradeFlow,
};
use std::fmt;
use std::sync::Arc;

/// Column names of a cube's record batch.
pub mod columns {
    /// Index into [`Cube::datasets`] (UInt16).
    pub const DATASET: &str = "dataset";
    /// Reporter id (UInt16, see [`Cube::country_code`]); with a reporter grain.
    pub const REPORTER: &str = "reporter";
    /// Partner id (UInt16); with a partner grain.
    pub const PARTNER: &str = "partner";
    /// Flow direction code (UInt8, see [`crate::flow_of_code`]).
    pub const FLOW: &str = "flow";
    /// [`entrepot_core::ProductId`] in packed form (UInt32); with an HS grain.
    pub const PRODUCT: &str = "product";
    /// Index into [`Cube::baskets`] (UInt16); with a basket grain.
    pub const BASKET: &str = "basket";
    /// Calendar year (Int32); with a period grain.
    pub const YEAR: &str = "year";
    /// Month 1–12 (UInt8, null for a row of annual data); with a month grain.
    pub const MONTH: &str = "month";
    /// Quarter 1–4 (UInt8, null for a row of annual data); with a quarter grain.
    pub const QUARTER: &str = "quarter";
    /// Side code (UInt8: 0 reported, 1 mirror, see [`crate::Side::from_code`]).
    pub const SIDE: &str = "side";
    /// Value (Float64) in the cube's currency ([`crate::Cube::currency`]).
    pub const VALUE: &str = "value";
    /// Quantity (Float64), null when the rows' units disagree or some rows lack one.
    /// This and the next two columns are absent when the request sums no quantity.
    pub const QUANTITY: &str = "quantity";
    /// Unit of the quantity (Utf8), null with it.
    pub const QUANTITY_UNIT: &str = "quantity_unit";
    /// Why the quantity is absent (Utf8), null when present.
    pub const QUANTITY_NOTE: &str = "quantity_note";
    /// Declarant code of the stored rows (UInt8, see [`crate::declarant_of_code`]):
    /// `mirror` for mirror cells; null when the reported rows mix declarants.
    pub const DECLARED_BY: &str = "declared_by";
    /// Number of stored rows summed (UInt64).
    pub const ROWS: &str = "rows";
    /// HS level of the stored rows summed (UInt8: 0 for totals, 2, 4 or 6).
    pub const PRODUCT_LEVEL: &str = "product_level";
}

/// The period of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CubePeriod {
    /// A calendar year (also a row of annual data under a month or quarter grain).
    Year(i32),
    /// A quarter.
    Quarter {
        /// Calendar year.
        year: i32,
        /// Quarter 1–4.
        quarter: u8,
    },
    /// A month.
    Month {
        /// Calendar year.
        year: i32,
        /// Month 1–12.
        month: u8,
    },
}

impl CubePeriod {
    /// The period as a stored [`Period`] (none for a quarter).
    pub fn to_period(self) -> Option<Period> {
        match self {
            CubePeriod::Year(y) => Some(Period::Year(y)),
            CubePeriod::Month { year, month } => Period::month(year, month).ok(),
            CubePeriod::Quarter { .. } => None,
        }
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        match self {
            CubePeriod::Year(y) => y,
            CubePeriod::Quarter { year, .. } | CubePeriod::Month { year, .. } => year,
        }
    }
}

impl fmt::Display for CubePeriod {
    /// `2020`, `2020-Q1`, `2020-03`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CubePeriod::Year(y) => write!(f, "{y}"),
            CubePeriod::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            CubePeriod::Month { year, month } => write!(f, "{year}-{month:02}"),
        }
    }
}

/// One cell of a cube, with its codes resolved (borrowed from the cube).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell<'a> {
    /// Dataset name.
    pub dataset: &'a str,
    /// Reporter code, with a reporter grain.
    pub reporter: Option<&'a str>,
    /// Partner code, with a partner grain.
    pub partner: Option<&'a str>,
    /// Flow direction (from the reporter's point of view, mirror cells included).
    pub flow: FlowKind,
    /// Product, with an HS grain.
    pub product: Option<ProductId>,
    /// Basket name, with a basket grain.
    pub basket: Option<&'a str>,
    /// Period, with a period grain.
    pub period: Option<CubePeriod>,
    /// Which side the cell comes from.
    pub side: Side,
    /// Value, in the cube's currency ([`Cube::currency`]).
    pub value: f64,
    /// Quantity and its unit, when every row summed has one and the units agree.
    pub quantity: Option<(f64, &'a str)>,
    /// Why the quantity is absent.
    pub quantity_note: Option<&'a str>,
    /// The declarant of the rows (mirror for mirror cells), none when mixed.
    pub declared_by: Option<Declarant>,
    /// Number of stored rows summed.
    pub rows: u64,
    /// HS level of the stored rows summed (0 for totals, 2, 4 or 6).
    pub product_level: u8,
}

/// The result of a [`crate::CubeRequest`]: one row per cell, sorted by dataset,
/// reporter, partner, flow, product, period (and side with [`Mirror::Both`]).
///
/// The record batch ([`Cube::batch`]) holds only the dimensions of the grain, as ids
/// (see [`columns`]); [`Cube::cells`] and [`Cube::labelled_batch`] resolve them.
#[derive(Debug, Clone)]
pub struct Cube {
    batch: RecordBatch,
    grain: Grain,
    mirror: Mirror,
    datasets: Vec<String>,
    currency: String,
    baskets: Vec<String>,
    extra_countries: Vec<String>,
    reporters: Option<Vec<String>>,
    partners_filtered: bool,
    products_filtered: bool,
}

/// What a cube is built from, besides its cells.
pub(crate) struct CubeParts {
    pub mirror: Mirror,
    pub quantity: bool,
    pub datasets: Vec<String>,
    pub currency: String,
    pub baskets: Vec<String>,
    pub reporters: Option<Vec<String>>,
    pub partners_filtered: bool,
    pub products_filtered: bool,
}

impl Cube {
    /// Builds the record batch from the chosen cells.
    pub(crate) fn build(
        cells: Vec<(CellKey, Candidate)>,
        interner: Interner,
        grain: Grain,
        parts: CubeParts,
    ) -> Result<Cube, CubeError> {
        let mut fields: Vec<Field> = vec![Field::new(columns::DATASET, DataType::UInt16, false)];
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(UInt16Array::from_iter_values(
            cells.iter().map(|(k, _)| k.dataset),
        ))];
        if grain.reporter {
            fields.push(Field::new(columns::REPORTER, DataType::UInt16, false));
            arrays.push(Arc::new(UInt16Array::from_iter_values(
                cells.iter().map(|(k, _)| k.reporter),
            )));
        }
        if grain.partner {
            fields.push(Field::new(columns::PARTNER, DataType::UInt16, false));
            arrays.push(Arc::new(UInt16Array::from_iter_values(
                cells.iter().map(|(k, _)| k.partner),
            )));
        }
        fields.push(Field::new(columns::FLOW, DataType::UInt8, false));
        arrays.push(Arc::new(UInt8Array::from_iter_values(
            cells.iter().map(|(k, _)| k.flow),
        )));
        match grain.product {
            ProductGrain::Hs(_) => {
                fields.push(Field::new(columns::PRODUCT, DataType::UInt32, false));
                arrays.push(Arc::new(UInt32Array::from_iter_values(
                    cells.iter().map(|(k, _)| k.product),
                )));
            }
            ProductGrain::Basket => {
                fields.push(Field::new(columns::BASKET, DataType::UInt16, false));
                let v = cells
                    .iter()
                    .map(|(k, _)| u16::try_from(k.product))
                    .collect::<Result<Vec<u16>, _>>()
                    .map_err(|_| CubeError::Internal("basket index".into()))?;
                arrays.push(Arc::new(UInt16Array::from(v)));
            }
            ProductGrain::None => {}
        }
        if grain.period != PeriodGrain::None {
            fields.push(Field::new(columns::YEAR, DataType::Int32, false));
            arrays.push(Arc::new(Int32Array::from_iter_values(
                cells.iter().map(|(k, _)| k.year),
            )));
        }
        if let Some(name) = sub_period_column(grain.period) {
            fields.push(Field::new(name, DataType::UInt8, true));
            arrays.push(Arc::new(UInt8Array::from_iter(
                cells.iter().map(|(k, _)| (k.sub > 0).then_some(k.sub)),
            )));
        }
        fields.push(Field::new(columns::SIDE, DataType::UInt8, false));
        arrays.push(Arc::new(UInt8Array::from_iter_values(
            cells.iter().map(|(_, c)| c.side.code()),
        )));
        fields.push(Field::new(columns::VALUE, DataType::Float64, false));
        arrays.push(Arc::new(Float64Array::from_iter_values(
            cells.iter().map(|(_, c)| c.value),
        )));
        if parts.quantity {
            let quantities: Vec<Result<(f64, u16), String>> = cells
                .iter()
                .map(|(_, c)| quantity_of(c, &interner))
                .collect();
            fields.push(Field::new(columns::QUANTITY, DataType::Float64, true));
            arrays.push(Arc::new(Float64Array::from_iter(
                quantities.iter().map(|q| q.as_ref().ok().map(|(v, _)| *v)),
            )));
            fields.push(Field::new(columns::QUANTITY_UNIT, DataType::Utf8, true));
            arrays.push(Arc::new(StringArray::from_iter(quantities.iter().map(
                |q| {
                    q.as_ref()
                        .ok()
                        .and_then(|(_, u)| interner.units.get(usize::from(*u)))
                },
            ))));
            fields.push(Field::new(columns::QUANTITY_NOTE, DataType::Utf8, true));
            arrays.push(Arc::new(StringArray::from_iter(
                quantities.iter().map(|q| q.as_ref().err()),
            )));
        }
        fields.push(Field::new(columns::DECLARED_BY, DataType::UInt8, true));
        arrays.push(Arc::new(UInt8Array::from_iter(cells.iter().map(
            |(_, c)| match c.side {
                Side::Mirror => Some(declarant_code(Declarant::Mirror)),
                Side::Reported => match (c.declared_min, c.declared_max) {
                    (Some(a), Some(b)) if a == b => Some(a),
                    _ => None,
                },
            },
        ))));
        fields.push(Field::new(columns::ROWS, DataType::UInt64, false));
        arrays.push(Arc::new(UInt64Array::from_iter_values(
            cells.iter().map(|(_, c)| c.rows),
        )));
        fields.push(Field::new(columns::PRODUCT_LEVEL, DataType::UInt8, false));
        arrays.push(Arc::new(UInt8Array::from_iter_values(
            cells.iter().map(|(_, c)| c.level),
        )));
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema, arrays)?;
        Ok(Cube {
            batch,
            grain,
            mirror: parts.mirror,
            datasets: parts.datasets,
            currency: parts.currency,
            baskets: parts.baskets,
            extra_countries: interner.extra_countries,
            reporters: parts.reporters,
            partners_filtered: parts.partners_filtered,
            products_filtered: parts.products_filtered,
        })
    }

    /// The cells as one record batch of ids (see [`columns`]).
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.batch.num_rows()
    }

    /// Whether the cube has no cell.
    pub fn is_empty(&self) -> bool {
        self.batch.num_rows() == 0
    }

    /// The grain of the cube.
    pub fn grain(&self) -> Grain {
        self.grain
    }

    /// The mirror option the cube was built with.
    pub fn mirror(&self) -> Mirror {
        self.mirror
    }

    /// Names of the datasets read (the `dataset` column indexes them).
    pub fn datasets(&self) -> &[String] {
        &self.datasets
    }

    /// The ISO 4217 currency of every value of the cube (`USD`, or the currency a
    /// dataset kept its values in). A cube never mixes currencies: a request whose
    /// rows come from datasets in two currencies is refused
    /// ([`CubeError::MixedCurrencies`]).
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// Names of the baskets (the `basket` column indexes them).
    pub fn baskets(&self) -> &[String] {
        &self.baskets
    }

    /// The country code of an id of the `reporter` and `partner` columns: a
    /// [`CountryId`] of the registry, or a code outside it numbered after the
    /// registry's entries.
    pub fn country_code(&self, id: u16) -> &str {
        match CountryId(id).iso3() {
            Some(c) => c,
            None => self
                .extra_countries
                .get(usize::from(id).saturating_sub(CountryId::count()))
                .map(String::as_str)
                .unwrap_or("???"),
        }
    }

    /// The sum of the values of all cells (in [`Cube::currency`]).
    pub fn total_value(&self) -> f64 {
        self.column(columns::VALUE)
            .and_then(|c| c.as_primitive_opt::<Float64Type>())
            .map(|a| a.values().iter().sum())
            .unwrap_or(0.0)
    }

    fn column(&self, name: &str) -> Option<&ArrayRef> {
        self.batch.column_by_name(name)
    }

    /// The cells, with their codes resolved.
    pub fn cells(&self) -> Vec<Cell<'_>> {
        self.iter_cells().collect()
    }

    /// The cells one at a time, with their codes resolved, in the order of
    /// [`Cube::cells`]: for a large cube read once, without holding them all.
    pub fn iter_cells(&self) -> impl ExactSizeIterator<Item = Cell<'_>> + '_ {
        let b = &self.batch;
        let u16s = |n: &str| {
            self.column(n)
                .and_then(|c| c.as_primitive_opt::<UInt16Type>())
        };
        let u8s = |n: &str| {
            self.column(n)
                .and_then(|c| c.as_primitive_opt::<UInt8Type>())
        };
        let dataset = u16s(columns::DATASET);
        let reporter = u16s(columns::REPORTER);
        let partner = u16s(columns::PARTNER);
        let flow = u8s(columns::FLOW);
        let product = self
            .column(columns::PRODUCT)
            .and_then(|c| c.as_primitive_opt::<UInt32Type>());
        let basket = u16s(columns::BASKET);
        let year = self
            .column(columns::YEAR)
            .and_then(|c| c.as_primitive_opt::<Int32Type>());
        let month = u8s(columns::MONTH);
        let quarter = u8s(columns::QUARTER);
        let side = u8s(columns::SIDE);
        let value = self
            .column(columns::VALUE)
            .and_then(|c| c.as_primitive_opt::<Float64Type>());
        let quantity = self
            .column(columns::QUANTITY)
            .and_then(|c| c.as_primitive_opt::<Float64Type>());
        let unit = self
            .column(columns::QUANTITY_UNIT)
            .and_then(|c| c.as_string_opt::<i32>());
        let note = self
            .column(columns::QUANTITY_NOTE)
            .and_then(|c| c.as_string_opt::<i32>());
        let declared = u8s(columns::DECLARED_BY);
        let level = u8s(columns::PRODUCT_LEVEL);
        let rows = self
            .column(columns::ROWS)
            .and_then(|c| c.as_primitive_opt::<UInt64Type>());
        let opt_u8 = |a: Option<&arrow::array::PrimitiveArray<UInt8Type>>, i: usize| {
            a.filter(|a| a.is_valid(i)).map(|a| a.value(i))
        };
        (0..b.num_rows()).map(move |i| {
            let period = year.map(|y| {
                let y = y.value(i);
                match (opt_u8(month, i), opt_u8(quarter, i)) {
                    (Some(m), _) => CubePeriod::Month { year: y, month: m },
                    (None, Some(q)) => CubePeriod::Quarter {
                        year: y,
                        quarter: q,
                    },
                    (None, None) => CubePeriod::Year(y),
                }
            });
            let q = quantity.filter(|a| a.is_valid(i)).map(|a| a.value(i));
            let u = unit.filter(|a| a.is_valid(i)).map(|a| a.value(i));
            Cell {
                dataset: dataset
                    .and_then(|d| self.datasets.get(usize::from(d.value(i))))
                    .map_or("", String::as_str),
                reporter: reporter.map(|r| self.country_code(r.value(i))),
                partner: partner.map(|p| self.country_code(p.value(i))),
                flow: opt_u8(flow, i)
                    .and_then(flow_of_code)
                    .unwrap_or(FlowKind::Export),
                product: product.and_then(|p| ProductId::from_raw(p.value(i))),
                basket: basket
                    .and_then(|bk| self.baskets.get(usize::from(bk.value(i))))
                    .map(String::as_str),
                period,
                side: opt_u8(side, i)
                    .and_then(Side::from_code)
                    .unwrap_or(Side::Reported),
                value: value.map_or(0.0, |v| v.value(i)),
                quantity: q.zip(u),
                quantity_note: note.filter(|a| a.is_valid(i)).map(|a| a.value(i)),
                declared_by: opt_u8(declared, i).and_then(declarant_of_code),
                rows: rows.map_or(0, |r| r.value(i)),
                product_level: opt_u8(level, i).unwrap_or(0),
            }
        })
    }

    /// The cells as a record batch with codes as text (`dataset`, `reporter`,
    /// `partner`, `flow`, `product` as `HS2017:854140`, `basket`, `period` as
    /// `2020`/`2020-Q1`/`2020-03`, `side`), for display and export.
    pub fn labelled_batch(&self) -> Result<RecordBatch, CubeError> {
        let cells = self.cells();
        let text = |f: &dyn Fn(&Cell<'_>) -> Option<String>| -> ArrayRef {
            Arc::new(StringArray::from_iter(cells.iter().map(f)))
        };
        let mut fields = vec![Field::new("dataset", DataType::Utf8, true)];
        let mut arrays = vec![text(&|c| Some(c.dataset.to_string()))];
        if self.grain.reporter {
            fields.push(Field::new("reporter", DataType::Utf8, true));
            arrays.push(text(&|c| c.reporter.map(str::to_string)));
        }
        if self.grain.partner {
            fields.push(Field::new("partner", DataType::Utf8, true));
            arrays.push(text(&|c| c.partner.map(str::to_string)));
        }
        fields.push(Field::new("flow", DataType::Utf8, true));
        arrays.push(text(&|c| Some(c.flow.as_str().to_string())));
        match self.grain.product {
            ProductGrain::Hs(_) => {
                fields.push(Field::new("product", DataType::Utf8, true));
                arrays.push(text(&|c| c.product.map(|p| p.to_string())));
            }
            ProductGrain::Basket => {
                fields.push(Field::new("basket", DataType::Utf8, true));
                arrays.push(text(&|c| c.basket.map(str::to_string)));
            }
            ProductGrain::None => {}
        }
        if self.grain.period != PeriodGrain::None {
            fields.push(Field::new("period", DataType::Utf8, true));
            arrays.push(text(&|c| c.period.map(|p| p.to_string())));
        }
        fields.push(Field::new("side", DataType::Utf8, true));
        arrays.push(text(&|c| Some(c.side.as_str().to_string())));
        fields.push(Field::new(columns::VALUE, DataType::Float64, false));
        arrays.push(Arc::new(Float64Array::from_iter_values(
            cells.iter().map(|c| c.value),
        )));
        if self.batch.column_by_name(columns::QUANTITY).is_some() {
            fields.push(Field::new(columns::QUANTITY, DataType::Float64, true));
            arrays.push(Arc::new(Float64Array::from_iter(
                cells.iter().map(|c| c.quantity.map(|q| q.0)),
            )));
            fields.push(Field::new(columns::QUANTITY_UNIT, DataType::Utf8, true));
            arrays.push(text(&|c| c.quantity.map(|q| q.1.to_string())));
            fields.push(Field::new(columns::QUANTITY_NOTE, DataType::Utf8, true));
            arrays.push(text(&|c| c.quantity_note.map(str::to_string)));
        }
        fields.push(Field::new(columns::ROWS, DataType::UInt64, false));
        arrays.push(Arc::new(UInt64Array::from_iter_values(
            cells.iter().map(|c| c.rows),
        )));
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
    }

    /// The cells as aggregated [`TradeFlow`]s, one per cell: the form the brief takes.
    ///
    /// Needs a cube whose cells are flows: a reporter (the grain, or a single reporter
    /// requested), a partner (the grain, or no partner filter: the cell is then the
    /// reporter's trade with the world, partner `WLD`), a month or year grain, and
    /// either an HS grain or no product filter (the cell is then the total). Mirror
    /// cells are declared by [`Declarant::Mirror`]; reported cells keep the stored
    /// declarant (reporter when the rows mix several). Values are in the cube's
    /// currency ([`Cube::currency`]): the flows' `value_usd` holds them as they are, so
    /// a caller of a cube in another currency than US dollars labels them with it.
    pub fn to_trade_flows(&self) -> Result<Vec<TradeFlow>, CubeError> {
        let fixed_reporter = match (&self.reporters, self.grain.reporter) {
            (_, true) => None,
            (Some(r), false) if r.len() == 1 => Some(r[0].clone()),
            _ => {
                return Err(CubeError::InvalidRequest(
                    "trade flows need the reporter: a reporter grain or one reporter".into(),
                ))
            }
        };
        if !self.grain.partner && self.partners_filtered {
            return Err(CubeError::InvalidRequest(
                "trade flows need the partner: a partner grain, or no partner filter (the world)"
                    .into(),
            ));
        }
        if !matches!(self.grain.period, PeriodGrain::Month | PeriodGrain::Year) {
            return Err(CubeError::InvalidRequest(
                "trade flows need a month or year grain".into(),
            ));
        }
        let product_ok = match self.grain.product {
            ProductGrain::Hs(_) => true,
            ProductGrain::None => !self.products_filtered,
            ProductGrain::Basket => false,
        };
        if !product_ok {
            return Err(CubeError::InvalidRequest(
                "trade flows need an HS grain, or no product filter (the total)".into(),
            ));
        }
        self.cells()
            .into_iter()
            .map(|c| {
                let period = c
                    .period
                    .and_then(CubePeriod::to_period)
                    .ok_or_else(|| CubeError::Internal("cell without a period".into()))?;
                let product = match c.product {
                    Some(p) => p.to_product(),
                    None => Product::Total,
                };
                let quantity = c.quantity.and_then(|(value, unit)| {
                    unit.parse().ok().map(|unit| Quantity { value, unit })
                });
                let declared_by = match c.side {
                    Side::Mirror => Declarant::Mirror,
                    Side::Reported => c.declared_by.unwrap_or(Declarant::Reporter),
                };
                Ok(TradeFlow {
                    reporter: c
                        .reporter
                        .map(str::to_string)
                        .or_else(|| fixed_reporter.clone())
                        .unwrap_or_default(),
                    partner: c.partner.unwrap_or(crate::plan::WORLD).to_string(),
                    flow: c.flow,
                    period,
                    product,
                    value_usd: c.value,
                    quantity,
                    provenance: Provenance {
                        dataset: c.dataset.to_string(),
                        source_file: None,
                        declared_by,
                    },
                })
            })
            .collect()
    }

    /// Number of cells and their summed value by side and flow: `(side, flow, cells,
    /// value)`, sorted.
    pub fn summary(&self) -> Vec<(Side, FlowKind, usize, f64)> {
        let mut m: std::collections::BTreeMap<(Side, u8), (usize, f64)> = Default::default();
        for c in self.cells() {
            let e = m.entry((c.side, flow_code(c.flow))).or_default();
            e.0 += 1;
            e.1 += c.value;
        }
        m.into_iter()
            .filter_map(|((s, f), (n, v))| flow_of_code(f).map(|f| (s, f, n, v)))
            .collect()
    }
}

/// The quantity of a chosen candidate and its unit index, or why there is none.
fn quantity_of(c: &Candidate, interner: &Interner) -> Result<(f64, u16), String> {
    let unit_name = |u: Option<u16>| {
        u.and_then(|u| interner.units.get(usize::from(u)))
            .map_or("?", String::as_str)
    };
    if c.quantity_rows == 0 {
        return Err("no quantity reported".into());
    }
    if c.quantity_rows < c.rows {
        return Err(format!(
            "quantity missing on {} of {} rows",
            c.rows - c.quantity_rows,
            c.rows
        ));
    }
    match (c.unit_min, c.unit_max) {
        (Some(a), Some(b)) if a == b => Ok((c.quantity, a)),
        (a, b) => Err(format!(
            "units differ ({} to {})",
            unit_name(a),
            unit_name(b)
        )),
    }
}
