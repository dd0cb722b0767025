//! From candidate rows to cells: interning the codes of the aggregation's result,
//! and choosing, for every cell, the one candidate the cube reports (see the crate
//! docs for the rule). Memory is one small fixed-size record per candidate, so it
//! follows the result, never the data read.

use crate::error::CubeError;
use crate::plan::k;
use crate::request::{Grain, Mirror, PeriodGrain, Side};
use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, StringViewArray,
};
use arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use entrepot_core::{CountryId, Declarant, FlowKind, HsRevision, ProductId};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// The key of a cell. Dimensions outside the grain are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CellKey {
    pub dataset: u16,
    pub reporter: u16,
    pub partner: u16,
    pub flow: u8,
    /// A [`ProductId`]'s packed form, or a basket's index.
    pub product: u32,
    pub year: i32,
    /// Month or quarter; 0 for a whole year (or no period grain).
    pub sub: u8,
    /// The side when it is a key ([`Mirror::Both`]); else 0.
    pub side: u8,
}

/// One candidate of a cell: one side, world row or not, annual row or not, stored
/// product level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub side: Side,
    pub world: bool,
    pub annual: bool,
    pub level: u8,
    pub value: f64,
    pub quantity: f64,
    pub quantity_rows: u64,
    pub rows: u64,
    pub unit_min: Option<u16>,
    pub unit_max: Option<u16>,
    /// Codes ([`declarant_code`]) of the stored rows' declarants, lowest and highest.
    pub declared_min: Option<u8>,
    pub declared_max: Option<u8>,
}

impl Candidate {
    /// Whether `other` is the same candidate of the same cell (summed together).
    fn same_kind(&self, other: &Candidate) -> bool {
        self.side == other.side
            && self.world == other.world
            && self.annual == other.annual
            && self.level == other.level
    }

    /// Adds another candidate of the same kind.
    fn absorb(&mut self, o: &Candidate) {
        self.value += o.value;
        self.quantity += o.quantity;
        self.quantity_rows += o.quantity_rows;
        self.rows += o.rows;
        self.unit_min = min_opt(self.unit_min, o.unit_min);
        self.unit_max = max_opt(self.unit_max, o.unit_max);
        self.declared_min = min_opt(self.declared_min, o.declared_min);
        self.declared_max = max_opt(self.declared_max, o.declared_max);
    }
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn max_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    a.max(b)
}

/// The code of a flow direction in a cube's `flow` column.
pub fn flow_code(f: FlowKind) -> u8 {
    match f {
        FlowKind::Export => 0,
        FlowKind::Import => 1,
        FlowKind::ReExport => 2,
        FlowKind::ReImport => 3,
    }
}

/// The flow direction of a code of a cube's `flow` column.
pub fn flow_of_code(code: u8) -> Option<FlowKind> {
    Some(match code {
        0 => FlowKind::Export,
        1 => FlowKind::Import,
        2 => FlowKind::ReExport,
        3 => FlowKind::ReImport,
        _ => return None,
    })
}

/// The code of a declarant in a cube's `declared_by` column.
pub fn declarant_code(d: Declarant) -> u8 {
    match d {
        Declarant::Reporter => 0,
        Declarant::Mirror => 1,
        Declarant::Reconciled => 2,
    }
}

/// The declarant of a code of a cube's `declared_by` column.
pub fn declarant_of_code(code: u8) -> Option<Declarant> {
    Some(match code {
        0 => Declarant::Reporter,
        1 => Declarant::Mirror,
        2 => Declarant::Reconciled,
        _ => return None,
    })
}

/// The declarant whose canonical name ([`Declarant::as_str`]) is `len` bytes long:
/// `mirror` 6, `reporter` 8, `reconciled` 10. The cube's plan aggregates the
/// declarants of a candidate's rows by these lengths (an integer minimum and
/// maximum); a test keeps the lengths distinct.
pub(crate) fn declarant_of_length(len: i32) -> Option<Declarant> {
    [
        Declarant::Reporter,
        Declarant::Mirror,
        Declarant::Reconciled,
    ]
    .into_iter()
    .find(|d| usize::try_from(len).is_ok_and(|l| d.as_str().len() == l))
}

/// Interned strings of one cube: countries outside the registry, quantity units.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// Country codes outside the built-in registry, numbered after it.
    pub extra_countries: Vec<String>,
    extra_index: HashMap<String, u16>,
    country_cache: FxHashMap<String, u16>,
    pub units: Vec<String>,
    unit_index: HashMap<String, u16>,
}

impl Interner {
    /// The cube id of a stored country code.
    fn country(&mut self, code: &str) -> Result<u16, CubeError> {
        if let Some(&id) = self.country_cache.get(code) {
            return Ok(id);
        }
        let id = match CountryId::from_iso3(code) {
            Some(id) => id.0,
            None => match self.extra_index.get(code) {
                Some(&id) => id,
                None => {
                    let id = u16::try_from(CountryId::count() + self.extra_countries.len())
                        .map_err(|_| {
                            CubeError::Internal("too many distinct country codes".into())
                        })?;
                    self.extra_countries.push(code.to_string());
                    self.extra_index.insert(code.to_string(), id);
                    id
                }
            },
        };
        self.country_cache.insert(code.to_string(), id);
        Ok(id)
    }

    /// The index of a quantity unit.
    fn unit(&mut self, unit: &str) -> Result<u16, CubeError> {
        if let Some(&i) = self.unit_index.get(unit) {
            return Ok(i);
        }
        let i = u16::try_from(self.units.len())
            .map_err(|_| CubeError::Internal("too many distinct quantity units".into()))?;
        self.units.push(unit.to_string());
        self.unit_index.insert(unit.to_string(), i);
        Ok(i)
    }
}

/// The candidates of a cube as they arrive from the aggregations.
#[derive(Debug)]
pub(crate) struct Candidates {
    pub grain: Grain,
    pub mirror: Mirror,
    /// Whether totals (product level 0) are preferred: no product filter and no
    /// product grain.
    pub totals_preferred: bool,
    pub rows: Vec<(CellKey, Candidate)>,
    pub interner: Interner,
}

/// A text column of a candidate batch: `Utf8` (literal keys) or string views (the
/// stored columns), read in place.
enum Texts {
    Utf8(StringArray),
    View(StringViewArray),
}

impl Texts {
    /// The text of row `i` (none when null).
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Texts::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A text column, cast to `Utf8` when the engine produced another text type than
/// `Utf8` or `Utf8View`.
fn strings(batch: &RecordBatch, name: &str) -> Result<Texts, CubeError> {
    let c = column(batch, name)?;
    if let Some(v) = c.as_string_view_opt() {
        return Ok(Texts::View(v.clone()));
    }
    let c: ArrayRef = if c.data_type() == &DataType::Utf8 {
        c.clone()
    } else {
        arrow::compute::cast(c, &DataType::Utf8)?
    };
    c.as_string_opt::<i32>()
        .cloned()
        .map(Texts::Utf8)
        .ok_or_else(|| CubeError::Internal(format!("column {name} is not text")))
}

/// The last value met in a column and what it gave: result rows come in runs of
/// equal codes, which are then parsed or looked up once.
struct Last<'a, T>(Option<(&'a str, T)>);

impl<'a, T: Copy> Last<'a, T> {
    fn get(
        &mut self,
        text: &'a str,
        f: impl FnOnce(&'a str) -> Result<T, CubeError>,
    ) -> Result<T, CubeError> {
        if let Some((t, v)) = self.0 {
            if t == text {
                return Ok(v);
            }
        }
        let v = f(text)?;
        self.0 = Some((text, v));
        Ok(v)
    }
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, CubeError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| CubeError::Internal(format!("no column {name}")))
}

fn ints(batch: &RecordBatch, name: &str) -> Result<Int32Array, CubeError> {
    let c = column(batch, name)?;
    let c = arrow::compute::cast(c, &DataType::Int32)?;
    Ok(c.as_primitive::<Int32Type>().clone())
}

fn longs(batch: &RecordBatch, name: &str) -> Result<Int64Array, CubeError> {
    let c = column(batch, name)?;
    let c = arrow::compute::cast(c, &DataType::Int64)?;
    Ok(c.as_primitive::<Int64Type>().clone())
}

fn floats(batch: &RecordBatch, name: &str) -> Result<Float64Array, CubeError> {
    let c = column(batch, name)?;
    let c = arrow::compute::cast(c, &DataType::Float64)?;
    Ok(c.as_primitive::<Float64Type>().clone())
}

fn bools(batch: &RecordBatch, name: &str) -> Result<BooleanArray, CubeError> {
    let c = column(batch, name)?;
    c.as_boolean_opt()
        .cloned()
        .ok_or_else(|| CubeError::Internal(format!("column {name} is not boolean")))
}

impl Candidates {
    /// An empty set of candidates.
    pub(crate) fn new(grain: Grain, mirror: Mirror, totals_preferred: bool) -> Self {
        Candidates {
            grain,
            mirror,
            totals_preferred,
            rows: Vec::new(),
            interner: Interner::default(),
        }
    }

    /// Adds the rows of one batch of a side's aggregation of dataset `dataset`.
    pub(crate) fn add_batch(
        &mut self,
        dataset: u16,
        side: Side,
        batch: &RecordBatch,
    ) -> Result<(), CubeError> {
        let reporter = strings(batch, k::REPORTER)?;
        let partner = strings(batch, k::PARTNER)?;
        let flow = strings(batch, k::FLOW)?;
        let revision = strings(batch, k::REVISION)?;
        let code = strings(batch, k::CODE)?;
        let basket = ints(batch, k::BASKET)?;
        let year = ints(batch, k::YEAR)?;
        let sub = ints(batch, k::SUB)?;
        let level = ints(batch, k::LEVEL)?;
        let world = bools(batch, k::WORLD)?;
        let annual = bools(batch, k::ANNUAL)?;
        let value = floats(batch, k::VALUE)?;
        let rows = longs(batch, k::ROWS)?;
        // Aggregated only when asked for (quantities) or useful (declarants).
        let has = |name: &str| batch.column_by_name(name).is_some();
        let quantity = has(k::QUANTITY)
            .then(|| floats(batch, k::QUANTITY))
            .transpose()?;
        let quantity_rows = has(k::QUANTITY_ROWS)
            .then(|| longs(batch, k::QUANTITY_ROWS))
            .transpose()?;
        let unit_min = has(k::UNIT_MIN)
            .then(|| strings(batch, k::UNIT_MIN))
            .transpose()?;
        let unit_max = has(k::UNIT_MAX)
            .then(|| strings(batch, k::UNIT_MAX))
            .transpose()?;
        let declared_min = has(k::DECLARED_MIN)
            .then(|| ints(batch, k::DECLARED_MIN))
            .transpose()?;
        let declared_max = has(k::DECLARED_MAX)
            .then(|| ints(batch, k::DECLARED_MAX))
            .transpose()?;
        let bad = |what: &str, v: &str| {
            CubeError::Internal(format!(
                "stored {what} '{}' not understood",
                entrepot_core::text::display_value(v)
            ))
        };
        self.rows.reserve(batch.num_rows());
        let (mut last_flow, mut last_revision) = (Last(None), Last(None));
        let (mut last_reporter, mut last_partner) = (Last(None), Last(None));
        for i in 0..batch.num_rows() {
            let flow_text = flow.get(i).unwrap_or_default();
            let stored_flow: FlowKind =
                last_flow.get(flow_text, |t| t.parse().map_err(|_| bad("flow", t)))?;
            let flow_kind = match side {
                Side::Reported => stored_flow,
                // A partner's export to the reporter is the reporter's import.
                Side::Mirror => {
                    crate::plan::mirror_flow(stored_flow).ok_or_else(|| bad("flow", flow_text))?
                }
            };
            let interner = &mut self.interner;
            let reporter_id = match reporter.get(i) {
                Some(c) => last_reporter.get(c, |c| interner.country(c))?,
                None => 0,
            };
            let partner_id = match partner.get(i) {
                Some(c) => last_partner.get(c, |c| interner.country(c))?,
                None => 0,
            };
            let product = if basket.is_valid(i) {
                u32::try_from(basket.value(i))
                    .map_err(|_| CubeError::Internal("basket index".into()))?
            } else {
                match (revision.get(i), code.get(i)) {
                    (Some(r), Some(c)) => {
                        let rev: HsRevision = last_revision
                            .get(r, |r| r.parse().map_err(|_| bad("HS revision", r)))?;
                        ProductId::from_digits(rev, c)
                            .ok_or_else(|| bad("product code", c))?
                            .raw()
                    }
                    _ => 0,
                }
            };
            let sub_value = if sub.is_valid(i) {
                u8::try_from(sub.value(i)).map_err(|_| CubeError::Internal("month".into()))?
            } else {
                0
            };
            let key = CellKey {
                dataset,
                reporter: reporter_id,
                partner: partner_id,
                flow: flow_code(flow_kind),
                product,
                year: if year.is_valid(i) { year.value(i) } else { 0 },
                sub: sub_value,
                side: if self.mirror == Mirror::Both {
                    side.code()
                } else {
                    0
                },
            };
            let unit = |a: &Option<Texts>, it: &mut Interner| -> Result<Option<u16>, CubeError> {
                a.as_ref()
                    .and_then(|a| a.get(i))
                    .map(|u| it.unit(u))
                    .transpose()
            };
            let declarant = |a: &Option<Int32Array>| -> Option<u8> {
                a.as_ref()
                    .filter(|a| a.is_valid(i))
                    .and_then(|a| declarant_of_length(a.value(i)))
                    .map(declarant_code)
            };
            let cand = Candidate {
                side,
                world: world.is_valid(i) && world.value(i),
                annual: annual.is_valid(i) && annual.value(i),
                level: u8::try_from(level.value(i)).unwrap_or(0),
                value: if value.is_valid(i) {
                    value.value(i)
                } else {
                    0.0
                },
                quantity: quantity
                    .as_ref()
                    .filter(|q| q.is_valid(i))
                    .map_or(0.0, |q| q.value(i)),
                quantity_rows: quantity_rows
                    .as_ref()
                    .map_or(0, |q| u64::try_from(q.value(i)).unwrap_or(0)),
                rows: u64::try_from(rows.value(i)).unwrap_or(0),
                unit_min: unit(&unit_min, &mut self.interner)?,
                unit_max: unit(&unit_max, &mut self.interner)?,
                declared_min: declarant(&declared_min),
                declared_max: declarant(&declared_max),
            };
            self.rows.push((key, cand));
        }
        Ok(())
    }

    /// Chooses each cell's candidate: sorted by key, one chosen per key.
    pub(crate) fn choose(mut self) -> (Vec<(CellKey, Candidate)>, Interner, Grain) {
        let rows = std::mem::take(&mut self.rows);
        // The keys are sorted with the candidates' positions, not the candidates
        // (small records move faster); a cell has one candidate in most cubes.
        let mut order: Vec<(CellKey, u32)> = rows
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        order.sort_unstable();
        let mut out: Vec<(CellKey, Candidate)> = Vec::with_capacity(order.len());
        let mut pool: Vec<&Candidate> = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let key = order[start].0;
            let mut end = start + 1;
            while end < order.len() && order[end].0 == key {
                end += 1;
            }
            let candidate = |j: usize| &rows[order[j].1 as usize].1;
            if end == start + 1 {
                out.push((key, *candidate(start)));
            } else {
                pool.clear();
                pool.extend((start..end).map(candidate));
                if let Some(c) = choose_one(&mut pool, self.totals_preferred) {
                    out.push((key, c));
                }
            }
            start = end;
        }
        (out, self.interner, self.grain)
    }
}

/// The rule of the crate docs, applied to the candidates of one cell: the reported
/// side when it has any; then rows with the world (partner `WLD`) when the partner is
/// summed over and such rows exist; then annual rows when periods are summed to years
/// and such rows exist; then the totals when they are preferred and exist, else the
/// most detailed product level. Candidates left of the same kind are summed.
/// One candidate is chosen as it is. `pool` holds the cell's candidates in the order
/// they arrived; it is filtered in place.
fn choose_one(pool: &mut Vec<&Candidate>, totals_preferred: bool) -> Option<Candidate> {
    let side = if pool.iter().any(|c| c.side == Side::Reported) {
        Side::Reported
    } else {
        Side::Mirror
    };
    pool.retain(|c| c.side == side);
    if pool.iter().any(|c| c.world) {
        pool.retain(|c| c.world);
    }
    if pool.iter().any(|c| c.annual) {
        pool.retain(|c| c.annual);
    }
    let level = if totals_preferred && pool.iter().any(|c| c.level == 0) {
        0
    } else {
        pool.iter().map(|c| c.level).max()?
    };
    pool.retain(|c| c.level == level);
    let mut chosen = **pool.first()?;
    for c in &pool[1..] {
        if c.same_kind(&chosen) {
            chosen.absorb(c);
        }
    }
    Some(chosen)
}

/// Whether the period grain keeps a sub-period column, and its name.
pub(crate) fn sub_period_column(grain: PeriodGrain) -> Option<&'static str> {
    match grain {
        PeriodGrain::Month => Some("month"),
        PeriodGrain::Quarter => Some("quarter"),
        PeriodGrain::None | PeriodGrain::Year => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarants_are_told_apart_by_the_length_of_their_names() {
        for d in [
            Declarant::Reporter,
            Declarant::Mirror,
            Declarant::Reconciled,
        ] {
            let len = i32::try_from(d.as_str().len()).unwrap();
            assert_eq!(declarant_of_length(len), Some(d), "{}", d.as_str());
        }
        assert_eq!(declarant_of_length(7), None);
        assert_eq!(declarant_of_length(-1), None);
    }
}
