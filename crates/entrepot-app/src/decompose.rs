//! Growth decomposition of a reporter's trade between two periods: [`decompose`]
//! reads flow cubes of the store, computes the constant-market-share (shift-share)
//! decomposition and the contributions to growth of `entrepot-indices`, and lays them
//! out as a report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! Read from one flows dataset, for each of the two periods:
//!
//! * the reporter's flows (exports or imports) by partner, and by HS product at a
//!   level when products are asked for, with absent reported cells filled from the
//!   partners' reports ([`Mirror::Fill`], counted in the data basis); the reporter
//!   itself and world rows (`WLD`) are not partners;
//! * for exports, the **reference group**: every *other* exporter of the dataset
//!   (the reporter excluded), their reported exports by market (and product) to
//!   every market other than the reporter, each exporter's trade with itself left
//!   out. The constant-market-share effects are measured against their growth.
//!
//! A dataset that holds no other exporter, or imports, have no reference: the
//! shift-share effects are then absent with the reason, and the contributions to
//! growth are still given.

mod document;
mod periods;

use crate::pair::flow_word;
pub use periods::Window;
use periods::{check_held, windows};

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use entrepot_core::{FlowKind, ProductId};
use entrepot_cube::{CubeEngine, CubePeriod, CubeRequest, Mirror, PeriodGrain, ProductGrain, Side};
use entrepot_doc::{Document, Unit};
use entrepot_indices::cms::{Cms, CmsCell};
use entrepot_indices::contributions::Contributions;
use rustc_hash::FxHashMap;
use std::collections::{BTreeSet, HashMap};

/// The [`Document::kind`] of a growth decomposition.
pub const DOCUMENT_KIND: &str = "growth_decomposition";

/// The unit of every money figure of the report: the one place it is decided.
/// Billions of the dataset's currency (US dollars unless the dataset kept its values
/// in another one).
pub fn money_unit(currency: entrepot_doc::Currency) -> Unit {
    crate::money::billions(currency)
}

/// What the decomposition is taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Partners (markets) only: world demand, market mix, competitiveness.
    Partners,
    /// HS products only: world demand, product mix, competitiveness.
    Products,
    /// Product × partner cells: all four effects.
    Both,
}

impl By {
    fn partners(self) -> bool {
        matches!(self, By::Partners | By::Both)
    }

    fn products(self) -> bool {
        matches!(self, By::Products | By::Both)
    }
}

/// A request for the growth decomposition of a reporter between two periods.
#[derive(Debug, Clone)]
pub struct DecomposeRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// The flows dataset to read when several hold the reporter.
    pub dataset: Option<String>,
    /// Exports or imports (the shift-share effects are defined for exports).
    pub flow: FlowKind,
    /// Partners, products or both; `None`: both when the dataset holds products at
    /// the HS level, partners otherwise.
    pub by: Option<By>,
    /// The HS level of products (2, 4 or 6).
    pub hs_level: u8,
    /// The base period, as `parse_brief_period` takes it (`2016`, `2018-Q2`,
    /// `2018-04`, `2018-04..2018-09`).
    pub from: String,
    /// The end period, of the same length.
    pub to: String,
    /// Partners (and products) shown by name in the contribution tables, the largest
    /// changes first; the rest are summed in one row.
    pub top: usize,
}

impl Default for DecomposeRequest {
    fn default() -> Self {
        DecomposeRequest {
            reporter: String::new(),
            dataset: None,
            flow: FlowKind::Export,
            by: None,
            hs_level: 6,
            from: String::new(),
            to: String::new(),
            top: 10,
        }
    }
}

/// The contributions of the units of one dimension (partners or products).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitContributions {
    /// The unit codes (ISO3, HS code), aligned with `contributions.units`.
    pub codes: Vec<String>,
    /// Their names (country names, HS descriptions; empty when unknown).
    pub names: Vec<String>,
    /// The contributions, from the kernel.
    pub contributions: Contributions,
}

/// A growth decomposition: the figures and the document.
#[derive(Debug, Clone)]
pub struct DecomposeOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The dataset read.
    pub dataset: String,
    /// The base period.
    pub from: Window,
    /// The end period.
    pub to: Window,
    /// What the decomposition was taken over.
    pub by: By,
    /// The shift-share decomposition, or why it is absent.
    pub cms: Result<Cms, String>,
    /// Contributions by partner (with `By::Partners` or `By::Both`).
    pub partners: Option<UnitContributions>,
    /// Contributions by product (with `By::Products` or `By::Both`).
    pub products: Option<UnitContributions>,
    /// The currency of every value (the dataset's).
    pub currency: entrepot_doc::Currency,
    /// The report document.
    pub document: Document,
}

/// A cell: its product (none when products are summed) and its partner's number in
/// [`Partners`] (0, the empty code, when partners are summed), packed in one integer
/// in that order (cells sort by product, then partner). Ids, not texts: the reference
/// group's values at HS6 hold millions of cells, each hashed and sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key(u64);

impl Key {
    fn new(product: Option<ProductId>, partner: u32) -> Key {
        let product = product.map_or(0, |p| u64::from(p.raw()) + 1);
        Key(product << 32 | u64::from(partner))
    }

    /// The product part (0: products summed), as a number that orders as the key.
    fn product_part(self) -> u64 {
        self.0 >> 32
    }

    fn product(self) -> Option<ProductId> {
        self.product_part()
            .checked_sub(1)
            .and_then(|p| u32::try_from(p).ok())
            .and_then(ProductId::from_raw)
    }

    fn partner(self) -> u32 {
        (self.0 & u64::from(u32::MAX)) as u32
    }
}

/// Values of one side per cell: `[base, end]`.
type CellValues = FxHashMap<Key, [f64; 2]>;

/// The partners' codes of the cells, numbered as met (0: the empty code, partners
/// summed); shared by the reporter's and the reference group's values.
#[derive(Debug)]
struct Partners {
    index: FxHashMap<String, u32>,
    codes: Vec<String>,
    /// The last code asked for and its number (cells come grouped by partner).
    last: Option<u32>,
}

impl Partners {
    fn new() -> Partners {
        let mut index = FxHashMap::default();
        index.insert(String::new(), 0);
        Partners {
            index,
            codes: vec![String::new()],
            last: None,
        }
    }

    /// The number of a code (a new one when not met yet).
    fn id(&mut self, code: &str) -> u32 {
        if let Some(i) = self.last.filter(|&i| self.code(i) == code) {
            return i;
        }
        let i = match self.index.get(code) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.codes.len()).unwrap_or(u32::MAX);
                self.codes.push(code.to_string());
                self.index.insert(code.to_string(), i);
                i
            }
        };
        self.last = Some(i);
        i
    }

    fn code(&self, id: u32) -> &str {
        self.codes.get(id as usize).map_or("", String::as_str)
    }
}

/// The code of a cell's product ("" when products are summed).
fn product_code(p: Option<ProductId>) -> String {
    p.map(|p| p.code_string()).unwrap_or_default()
}

/// The reporter's values.
struct Own {
    values: CellValues,
}

/// What was read, for the data basis.
#[derive(Debug, Clone, Default)]
struct DataBasis {
    rows: u64,
    cells: usize,
    mirror_cells: usize,
    /// Other exporters with exports in each period.
    exporters: [usize; 2],
    /// Those with exports in both: the reference group.
    reference_exporters: usize,
    /// Trade of the other exporters with themselves left out, per period.
    self_trade: [f64; 2],
    /// The grouping was chosen from the data (`--by` not given).
    by_auto: bool,
}

fn is_world(code: &str) -> bool {
    matches!(code, "WLD" | "WORLD" | "W00")
}

/// Computes the growth decomposition of a request and its report.
pub fn decompose(location: &StoreLocation, req: &DecomposeRequest) -> AppResult<DecomposeOutput> {
    let reporter = entrepot_core::CountryRegistry::builtin()
        .resolve(&req.reporter)
        .map_err(|e| AppError::not_found(e.to_string()))?
        .iso3
        .clone();
    if !matches!(req.flow, FlowKind::Export | FlowKind::Import) {
        return Err(AppError::usage("the flow must be export or import"));
    }
    if !matches!(req.hs_level, 2 | 4 | 6) {
        return Err(AppError::usage(format!(
            "HS level {}: expected 2, 4 or 6",
            req.hs_level
        )));
    }
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    let windows = windows(req)?;
    let store = location.open_read()?;
    let dataset =
        crate::diversification::choose_dataset(&store, req.dataset.as_deref(), &reporter)?;
    let cubes = location.cubes(&store)?;
    check_held(&cubes, &dataset, &reporter, req.flow, &windows)?;

    let mut basis = DataBasis::default();
    let mut partners = Partners::new();
    let read_own = |by: By, basis: &mut DataBasis, partners: &mut Partners| {
        own_values(
            &cubes, &dataset, &reporter, req, by, &windows, basis, partners,
        )
    };
    let (by, own) = match req.by {
        Some(by) => {
            let own = read_own(by, &mut basis, &mut partners)?;
            if by.products() && own.values.is_empty() {
                return Err(AppError::usage(format!(
                    "dataset '{dataset}' holds no HS{} product detail of {reporter}'s {}: use --by partners",
                    req.hs_level,
                    flow_word(req.flow)
                )));
            }
            (by, own)
        }
        None => {
            basis.by_auto = true;
            let own = read_own(By::Both, &mut basis, &mut partners)?;
            if own.values.is_empty() {
                basis = DataBasis {
                    by_auto: true,
                    ..DataBasis::default()
                };
                let own = read_own(By::Partners, &mut basis, &mut partners)?;
                (By::Partners, own)
            } else {
                (By::Both, own)
            }
        }
    };
    if own.values.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no {} of {reporter} by partner in {} or {}",
            flow_word(req.flow),
            windows[0].label,
            windows[1].label
        )));
    }

    let reference = if req.flow == FlowKind::Export {
        reference_values(
            &cubes,
            &store,
            &dataset,
            &reporter,
            req,
            by,
            &windows,
            &mut basis,
            &mut partners,
        )?
    } else {
        Err(format!(
            "the constant-market-share decomposition is defined for exports (against the growth of the other exporters' exports); {} have no world-demand reference",
            flow_word(req.flow)
        ))
    };
    let cms = match reference {
        Ok(reference) => shift_share(&own.values, &reference, &windows)?,
        Err(reason) => Err(reason),
    };
    let countries = entrepot_core::CountryRegistry::builtin();
    let partners = if by.partners() {
        Some(unit_contributions(
            &own.values,
            |k| u64::from(k.partner()),
            |k| (partners.code(k.partner()).to_string(), None),
            |code| countries.get(code).map(|c| c.name.clone()),
        )?)
    } else {
        None
    };
    let products = if by.products() {
        Some(unit_contributions(
            &own.values,
            Key::product_part,
            |k| {
                let product = k.product();
                let info = product.and_then(|p| p.info());
                (product_code(product), info.map(|i| i.description.clone()))
            },
            |_| None,
        )?)
    } else {
        None
    };
    // Every cube read one dataset: its values are in the dataset's currency.
    let currency = store
        .dataset(&dataset)
        .map_or("USD", |d| d.value_currency())
        .parse::<entrepot_doc::Currency>()
        .map_err(|e| AppError::failure(format!("dataset '{dataset}': {e}")))?;
    let [from, to] = windows;
    let mut out = DecomposeOutput {
        reporter,
        dataset,
        from,
        to,
        by,
        cms,
        partners,
        products,
        currency,
        document: Document::new(DOCUMENT_KIND, String::new()),
    };
    out.document = document::document(&out, req, &basis);
    Ok(out)
}

/// The cube request of one window at the grain of `by` (always by partner: partners
/// are filtered even when summed).
fn at_grain(r: CubeRequest, dataset: &str, by: By, level: u8, w: &Window) -> CubeRequest {
    let r = r.by_partner();
    let r = if by.products() {
        r.by_product(ProductGrain::Hs(level))
    } else {
        r
    };
    r.datasets([dataset]).period_range(w.range).quantity(false)
}

/// The product grain of `by` (by partner always) without a period filter.
fn product_grain(r: CubeRequest, by: By, level: u8) -> CubeRequest {
    let r = r.by_partner();
    if by.products() {
        r.by_product(ProductGrain::Hs(level))
    } else {
        r
    }
}

/// The period grain at which cells can be told apart by window: months when a
/// window is a range of months, else years.
fn window_grain(windows: &[Window; 2]) -> PeriodGrain {
    if windows.iter().any(|w| w.range.from.is_monthly()) {
        PeriodGrain::Month
    } else {
        PeriodGrain::Year
    }
}

/// The windows (0, 1 or both) whose range holds a cell's period, with the cube's
/// own filter semantics: a range of years holds every row of its years (months
/// included), a range of months the monthly rows of its months.
fn in_windows(
    windows: &[Window; 2],
    period: Option<CubePeriod>,
) -> impl Iterator<Item = usize> + '_ {
    (0..windows.len()).filter(move |&t| {
        let r = &windows[t].range;
        match (period, r.from.is_monthly()) {
            (None, _) => false,
            (Some(p), false) => (r.from.year()..=r.to.year()).contains(&p.year()),
            (Some(CubePeriod::Month { year, month }), true) => {
                let ord = |p: entrepot_core::Period| {
                    p.year() * 100 + i32::from(p.month_of_year().unwrap_or(0))
                };
                (ord(r.from)..=ord(r.to)).contains(&(year * 100 + i32::from(month)))
            }
            (Some(_), true) => false,
        }
    })
}

/// The key of a cell at the grain of `by`.
fn key(by: By, product: Option<ProductId>, partner: &str, partners: &mut Partners) -> Key {
    Key::new(
        product.filter(|_| by.products()),
        if by.partners() {
            partners.id(partner)
        } else {
            0
        },
    )
}

/// The reporter's values per cell in both windows.
#[allow(clippy::too_many_arguments)]
fn own_values(
    cubes: &CubeEngine,
    dataset: &str,
    reporter: &str,
    req: &DecomposeRequest,
    by: By,
    windows: &[Window; 2],
    basis: &mut DataBasis,
    partners: &mut Partners,
) -> AppResult<Own> {
    let mut values = CellValues::default();
    for (t, w) in windows.iter().enumerate() {
        let cube = cubes.run(
            &at_grain(CubeRequest::new(), dataset, by, req.hs_level, w)
                .reporters([reporter])
                .flows([req.flow])
                .mirror(Mirror::Fill),
        )?;
        for c in cube.iter_cells() {
            let Some(partner) = c.partner.filter(|p| *p != reporter && !is_world(p)) else {
                continue;
            };
            let k = key(by, c.product, partner, partners);
            values.entry(k).or_insert([0.0; 2])[t] += c.value;
            basis.rows += c.rows;
            basis.cells += 1;
            basis.mirror_cells += usize::from(c.side == Side::Mirror);
        }
    }
    Ok(Own { values })
}

/// The reference group's exports per cell in both windows, or why there is none: the
/// other exporters of the dataset with exports in both periods (a constant group, so
/// that a change in who reports is not read as a change in demand), to markets other
/// than the reporter, their trade with themselves left out.
#[allow(clippy::too_many_arguments)]
fn reference_values(
    cubes: &CubeEngine,
    store: &entrepot_store::Store,
    dataset: &str,
    reporter: &str,
    req: &DecomposeRequest,
    by: By,
    windows: &[Window; 2],
    basis: &mut DataBasis,
    partners: &mut Partners,
) -> AppResult<Result<CellValues, String>> {
    let others: Vec<String> = store
        .dataset(dataset)
        .map(|d| {
            d.reporters
                .iter()
                .filter(|r| *r != reporter)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if others.is_empty() {
        return Ok(Err(format!(
            "the dataset holds no exporter other than {reporter}: there is no world demand to measure its exports against"
        )));
    }
    // Both windows in one scan of each cube (the reference reads every exporter's
    // rows): one cell per period at the windows' grain, each added to the windows
    // that hold it ([`in_windows`]).
    let request = |r: CubeRequest, exporters: &[&str]| {
        windows
            .iter()
            .fold(r, |r, w| r.period_range(w.range))
            .datasets([dataset])
            .reporters(exporters.iter().copied())
            .flows([FlowKind::Export])
            .mirror(Mirror::Off)
            .by_period(window_grain(windows))
            .quantity(false)
    };
    // By exporter and market: who exports in each period, and trade with oneself.
    let all: Vec<&str> = others.iter().map(String::as_str).collect();
    let pairs_cube = cubes.run(&request(CubeRequest::new(), &all).by_reporter().by_partner())?;
    let pair_cells = pairs_cube.cells();
    let mut exporters: [BTreeSet<String>; 2] = Default::default();
    for c in &pair_cells {
        if let (Some(e), Some(p)) = (c.reporter, c.partner) {
            if c.value > 0.0 && p != e && p != reporter && !is_world(p) {
                for t in in_windows(windows, c.period) {
                    exporters[t].insert(e.to_string());
                }
            }
        }
    }
    basis.exporters = [exporters[0].len(), exporters[1].len()];
    let group: BTreeSet<&str> = exporters[0]
        .intersection(&exporters[1])
        .map(String::as_str)
        .collect();
    basis.reference_exporters = group.len();
    if group.is_empty() {
        return Ok(Err(format!(
            "no exporter of the dataset other than {reporter} has exports in both {} and {}: no world reference",
            windows[0].label, windows[1].label
        )));
    }
    let group_list: Vec<&str> = group.iter().copied().collect();
    let mut self_traders = BTreeSet::new();
    for c in &pair_cells {
        if let (Some(e), Some(p)) = (c.reporter, c.partner) {
            if e == p && group.contains(e) && c.value != 0.0 {
                self_traders.insert(e);
                for t in in_windows(windows, c.period) {
                    basis.self_trade[t] += c.value;
                }
            }
        }
    }
    let self_traders: Vec<&str> = self_traders.into_iter().collect();
    let mut values = CellValues::default();
    let mut add = |values: &mut CellValues, product, partner: &str, period, value: f64| {
        if partner != reporter && !is_world(partner) {
            for t in in_windows(windows, period) {
                values
                    .entry(key(by, product, partner, partners))
                    .or_insert([0.0; 2])[t] += value;
            }
        }
    };
    if by.products() {
        // the windows' ranges are added by `request`
        let grain = || product_grain(CubeRequest::new(), by, req.hs_level);
        let cube = cubes.run(&request(grain(), &group_list))?;
        values.reserve(cube.len());
        for c in cube.iter_cells() {
            if let Some(partner) = c.partner {
                add(&mut values, c.product, partner, c.period, c.value);
            }
        }
        if !self_traders.is_empty() {
            let own = cubes.run(
                &request(grain(), &self_traders)
                    .partners(self_traders.iter().copied())
                    .by_reporter(),
            )?;
            for c in own.cells() {
                if let (Some(e), Some(partner)) = (c.reporter, c.partner) {
                    if e == partner {
                        add(&mut values, c.product, partner, c.period, -c.value);
                    }
                }
            }
        }
    } else {
        for c in &pair_cells {
            if let (Some(e), Some(partner)) = (c.reporter, c.partner) {
                if e != partner && group.contains(e) {
                    add(&mut values, None, partner, c.period, c.value);
                }
            }
        }
    }
    // a subtraction may leave a rounding residue below zero
    for v in values.values_mut() {
        for x in v.iter_mut() {
            *x = x.max(0.0);
        }
    }
    Ok(Ok(values))
}

/// The shift-share decomposition over the cells of `own` and `reference`.
fn shift_share(
    own: &CellValues,
    reference: &CellValues,
    windows: &[Window; 2],
) -> AppResult<Result<Cms, String>> {
    // In a fixed order (product, then partner number), so that the sums do not
    // depend on the hash maps' order; products are numbered in that order.
    let mut keys: Vec<Key> = own.keys().chain(reference.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut product = 0;
    let cells: Vec<CmsCell> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if i > 0 && keys[i - 1].product_part() != k.product_part() {
                product += 1;
            }
            let x = own.get(k).copied().unwrap_or_default();
            let w = reference.get(k).copied().unwrap_or_default();
            CmsCell {
                product,
                own_base: x[0],
                own_end: x[1],
                reference_base: w[0],
                reference_end: w[1],
            }
        })
        .collect();
    let d = entrepot_indices::cms::cms(&cells).map_err(|e| {
        AppError::bad_input(format!("{}..{}: {e}", windows[0].label, windows[1].label))
    })?;
    Ok(d.map_err(|a| match a {
        entrepot_indices::Absent::ZeroReference => format!(
            "the other exporters of the dataset have no exports in {}: no world growth rate",
            windows[0].label
        ),
        a => a.reason().to_string(),
    }))
}

/// The contributions of the units of one dimension: `unit_id` gives a key's unit
/// (a partner's or product's number), `unit` its code (and its name when the key
/// knows it), `name` the name of a code otherwise.
fn unit_contributions(
    own: &CellValues,
    unit_id: impl Fn(Key) -> u64,
    unit: impl Fn(Key) -> (String, Option<String>),
    name: impl Fn(&str) -> Option<String>,
) -> AppResult<UnitContributions> {
    // By code, in the code's order; the cells in their key order so that the sums do
    // not depend on the hash map's order. Each unit's code is made once (units of
    // two HS revisions may share a code, and are then summed as one).
    let mut cells: Vec<(Key, [f64; 2])> = own.iter().map(|(k, v)| (*k, *v)).collect();
    cells.sort_unstable_by_key(|(k, _)| *k);
    let mut slot_of_unit: FxHashMap<u64, usize> = FxHashMap::default();
    let mut slot_of_code: HashMap<String, usize> = HashMap::new();
    let mut slots: Vec<(String, [f64; 2], Option<String>)> = Vec::new();
    for (k, v) in cells {
        let slot = match slot_of_unit.get(&unit_id(k)) {
            Some(&s) => s,
            None => {
                let (code, known) = unit(k);
                let s = *slot_of_code.entry(code.clone()).or_insert_with(|| {
                    slots.push((code, [0.0; 2], None));
                    slots.len() - 1
                });
                if slots[s].2.is_none() {
                    slots[s].2 = known;
                }
                slot_of_unit.insert(unit_id(k), s);
                s
            }
        };
        slots[slot].1[0] += v[0];
        slots[slot].1[1] += v[1];
    }
    slots.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let base: Vec<f64> = slots.iter().map(|s| s.1[0]).collect();
    let end: Vec<f64> = slots.iter().map(|s| s.1[1]).collect();
    let names = slots
        .iter()
        .map(|(c, _, known)| known.clone().or_else(|| name(c)).unwrap_or_default())
        .collect();
    let codes: Vec<String> = slots.into_iter().map(|s| s.0).collect();
    let contributions = entrepot_indices::contributions::contributions(&base, &end)
        .map_err(|e| AppError::bad_input(e.to_string()))?
        .map_err(|a| AppError::not_found(a.reason()))?;
    Ok(UnitContributions {
        codes,
        names,
        contributions,
    })
}
