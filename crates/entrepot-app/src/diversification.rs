//! Concentration and diversification of a reporter's trade across partners or
//! products, year by year: [`diversification`] reads flow cubes of the store and
//! computes every index of `entrepot-indices` per year, and lays them out as a report
//! [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! Two cubes are read from one flows dataset:
//!
//! * the reporter's flows (exports or imports) by partner, or by product at an HS
//!   level, and year, with absent reported cells filled from the partners' reports
//!   ([`Mirror::Fill`], counted in the data basis); the reporter itself and world rows
//!   (`WLD`) are not partners;
//! * every exporter's exports by exporter, the same unit (partner or product) and year:
//!   the world reference of the Hummels–Klenow margins and the set of potential units
//!   of the Theil index (every partner or product that anyone in the dataset trades in
//!   the year, plus the reporter's own).

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::flow_word;
use entrepot_core::FlowKind;
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain, Side};
use entrepot_doc::{
    Basis, Block, Cell, Chart, Citations, Column, Document, Row, Section, Series, Table, Unit,
};
use entrepot_indices::{Absent, Index, Margins, Theil};
use entrepot_store::DatasetKind;
use std::collections::{BTreeMap, BTreeSet};

/// The [`Document::kind`] of a diversification report.
pub const DOCUMENT_KIND: &str = "diversification";

/// What the indices are taken across.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Across {
    /// Partners (destinations of exports, origins of imports).
    #[default]
    Partners,
    /// Products at an HS level (2, 4 or 6 digits).
    Products(u8),
}

impl Across {
    /// `destinations`/`origins` or `HS6 products`, for titles.
    fn units(self, flow: FlowKind) -> String {
        match (self, flow) {
            (Across::Partners, FlowKind::Import) => "origins".into(),
            (Across::Partners, _) => "destinations".into(),
            (Across::Products(l), _) => format!("HS{l} products"),
        }
    }
}

/// A request for the diversification report of a reporter.
#[derive(Debug, Clone)]
pub struct DiversificationRequest {
    /// The reporter, as ISO3 or any code the country registry knows.
    pub reporter: String,
    /// The flows dataset to read when several hold the reporter.
    pub dataset: Option<String>,
    /// Exports or imports.
    pub flow: FlowKind,
    /// Partners or products.
    pub across: Across,
    /// First year (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// Last year (inclusive); `None`: the last held.
    pub to: Option<i32>,
    /// The `k` of an extra top-k share column (top-1, top-3 and top-5 are always shown).
    pub top_k: usize,
}

impl Default for DiversificationRequest {
    fn default() -> Self {
        DiversificationRequest {
            reporter: String::new(),
            dataset: None,
            flow: FlowKind::Export,
            across: Across::Partners,
            from: None,
            to: None,
            top_k: 5,
        }
    }
}

/// The indices of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearIndices {
    /// The calendar year.
    pub year: i32,
    /// Total value over the units, in the dataset's currency (see the document's
    /// currency).
    pub total: f64,
    /// Units with a positive value.
    pub active: usize,
    /// Potential units (the Theil index's `N`).
    pub potential: usize,
    /// Herfindahl–Hirschman index.
    pub hhi: Index<f64>,
    /// Normalised HHI.
    pub normalised_hhi: Index<f64>,
    /// Effective number of units.
    pub effective_number: Index<f64>,
    /// Shannon entropy.
    pub entropy: Index<f64>,
    /// Top-1, top-3, top-5 and top-k shares (fractions), with their `k`.
    pub top_shares: Vec<(usize, Index<f64>)>,
    /// Theil index and its parts over the potential units.
    pub theil: Index<Theil>,
    /// Hummels–Klenow margins against the dataset's world exports, or why absent.
    pub margins: Result<Margins, String>,
}

/// A diversification report: the indices per year and the document.
#[derive(Debug, Clone)]
pub struct DiversificationOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The dataset read.
    pub dataset: String,
    /// The indices, one entry per year, in order.
    pub years: Vec<YearIndices>,
    /// The report document.
    pub document: Document,
}

/// What was read, for the data basis.
struct DataBasis {
    /// The currency of the values (the dataset's).
    currency: entrepot_doc::Currency,
    rows: u64,
    cells: usize,
    mirror_cells: usize,
    world_exporters: BTreeMap<i32, usize>,
}

/// Computes the diversification indices of a request, year by year, and the report.
pub fn diversification(
    location: &StoreLocation,
    req: &DiversificationRequest,
) -> AppResult<DiversificationOutput> {
    let reporter = entrepot_core::CountryRegistry::builtin()
        .resolve(&req.reporter)
        .map_err(|e| AppError::not_found(e.to_string()))?
        .iso3
        .clone();
    if req.top_k == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    if !matches!(req.flow, FlowKind::Export | FlowKind::Import) {
        return Err(AppError::usage("the flow must be export or import"));
    }
    if let Across::Products(l) = req.across {
        if !matches!(l, 2 | 4 | 6) {
            return Err(AppError::usage(format!("HS level {l}: expected 2, 4 or 6")));
        }
    }
    if let (Some(a), Some(b)) = (req.from, req.to) {
        if b < a {
            return Err(AppError::usage(format!("years {a}..{b} are not in order")));
        }
    }
    let store = location.open_read()?;
    let dataset = choose_dataset(&store, req.dataset.as_deref(), &reporter)?;
    let cubes = location.cubes(&store)?;
    let with_grain = |r: CubeRequest| -> CubeRequest {
        let r = match req.across {
            Across::Partners => r.by_partner(),
            Across::Products(l) => r.by_product(ProductGrain::Hs(l)),
        };
        let r = r
            .datasets([dataset.as_str()])
            .by_period(PeriodGrain::Year)
            .quantity(false);
        if req.from.is_some() || req.to.is_some() {
            r.period_range(PeriodRange::years(
                req.from.unwrap_or(1000),
                req.to.unwrap_or(9999),
            ))
        } else {
            r
        }
    };
    let own = cubes.run(
        &with_grain(CubeRequest::new())
            .reporters([reporter.as_str()])
            .flows([req.flow])
            .mirror(Mirror::Fill),
    )?;
    let world = cubes.run(
        &with_grain(CubeRequest::new())
            .by_reporter()
            .flows([FlowKind::Export])
            .mirror(Mirror::Off),
    )?;
    let unit_of = |c: &entrepot_cube::Cell<'_>| -> Option<String> {
        match req.across {
            Across::Partners => c
                .partner
                .filter(|p| *p != reporter && !matches!(*p, "WLD" | "WORLD" | "W00"))
                .map(str::to_string),
            Across::Products(_) => c.product.map(|p| p.code_string()),
        }
    };
    // The reporter's values per year and unit.
    let mut values: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    let mut basis = DataBasis {
        currency: crate::money::common_currency(&[&own, &world])?,
        rows: 0,
        cells: 0,
        mirror_cells: 0,
        world_exporters: BTreeMap::new(),
    };
    for c in own.cells() {
        let (Some(period), Some(unit)) = (c.period, unit_of(&c)) else {
            continue;
        };
        *values
            .entry(period.year())
            .or_default()
            .entry(unit)
            .or_default() += c.value;
        basis.rows += c.rows;
        basis.cells += 1;
        basis.mirror_cells += usize::from(c.side == Side::Mirror);
    }
    if values.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no {} of {reporter} by {}{}",
            flow_word(req.flow),
            req.across.units(req.flow),
            years_text(req)
        )));
    }
    // World exports per year and unit, each exporter's own exports apart.
    let mut world_units: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    let mut own_reported: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    let mut exporters: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    for c in world.cells() {
        let (Some(period), Some(exporter)) = (c.period, c.reporter) else {
            continue;
        };
        let unit = match req.across {
            Across::Partners => c
                .partner
                .filter(|p| *p != exporter && !matches!(*p, "WLD" | "WORLD" | "W00"))
                .map(str::to_string),
            Across::Products(_) => c.product.map(|p| p.code_string()),
        };
        let Some(unit) = unit else { continue };
        let year = period.year();
        exporters
            .entry(year)
            .or_default()
            .insert(exporter.to_string());
        if exporter == reporter {
            *own_reported
                .entry(year)
                .or_default()
                .entry(unit.clone())
                .or_default() += c.value;
        }
        *world_units
            .entry(year)
            .or_default()
            .entry(unit)
            .or_default() += c.value;
    }
    basis.world_exporters = exporters.iter().map(|(y, e)| (*y, e.len())).collect();
    let mut years = Vec::new();
    for (year, units) in &values {
        years.push(year_indices(
            *year,
            units,
            world_units.get(year),
            own_reported.get(year),
            exporters.get(year),
            &reporter,
            req,
        )?);
    }
    let document = document(&reporter, &dataset, req, &years, &basis);
    Ok(DiversificationOutput {
        reporter,
        dataset,
        years,
        document,
    })
}

fn years_text(req: &DiversificationRequest) -> String {
    match (req.from, req.to) {
        (None, None) => String::new(),
        (a, b) => format!(
            " in {}..{}",
            a.map(|y| y.to_string()).unwrap_or_default(),
            b.map(|y| y.to_string()).unwrap_or_default()
        ),
    }
}

/// The dataset named, or the one flows dataset that holds the reporter (as a
/// reporter; else as a partner, its flows then being mirror figures).
pub(crate) fn choose_dataset(
    store: &entrepot_store::Store,
    dataset: Option<&str>,
    reporter: &str,
) -> AppResult<String> {
    if let Some(d) = dataset {
        return match store.dataset(d) {
            Some(_) => Ok(d.to_string()),
            None => Err(AppError::not_found(format!(
                "no dataset '{d}' in the store"
            ))),
        };
    }
    let all = store.datasets();
    let flows: Vec<&entrepot_store::DatasetInfo> = all
        .iter()
        .filter(|d| d.kind == DatasetKind::Flows)
        .collect();
    let own: Vec<&str> = flows
        .iter()
        .filter(|d| d.reporters.iter().any(|r| r == reporter))
        .map(|d| d.name.as_str())
        .collect();
    match (own.as_slice(), flows.as_slice()) {
        ([one], _) => Ok(one.to_string()),
        ([], [one]) => Ok(one.name.clone()),
        ([], []) => Err(AppError::not_found("the store holds no flows dataset")),
        ([], many) => Err(AppError::usage(format!(
            "no dataset holds {reporter} as a reporter; choose one of {} with --dataset",
            many.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        (many, _) => Err(AppError::usage(format!(
            "several datasets hold flows of {reporter}: {}; choose one with --dataset",
            many.join(", ")
        ))),
    }
}

/// Maps a kernel error (a negative or non-finite cell value) to a bad-input error.
fn kernel<T>(r: Result<T, entrepot_indices::IndexError>, year: i32) -> AppResult<T> {
    r.map_err(|e| AppError::bad_input(format!("{year}: {e}")))
}

fn year_indices(
    year: i32,
    units: &BTreeMap<String, f64>,
    world: Option<&BTreeMap<String, f64>>,
    own_reported: Option<&BTreeMap<String, f64>>,
    exporters: Option<&BTreeSet<String>>,
    reporter: &str,
    req: &DiversificationRequest,
) -> AppResult<YearIndices> {
    let x: Vec<f64> = units.values().copied().collect();
    let mut ks = vec![1, 3, 5];
    if !ks.contains(&req.top_k) {
        ks.push(req.top_k);
    }
    let mut top_shares = Vec::new();
    for k in ks {
        top_shares.push((k, kernel(entrepot_indices::top_k_share(&x, k), year)?));
    }
    // Potential units: the reporter's own and every unit anyone in the dataset
    // trades that year (zeros in the reporter's vector): the destinations or products
    // of every exporter, or, for imports by origin, every exporter.
    let pool: Vec<&String> = match (req.across, req.flow) {
        (Across::Partners, FlowKind::Import) => exporters.map(|e| e.iter().collect()),
        _ => world.map(|w| w.keys().collect()),
    }
    .unwrap_or_default();
    let mut potential: Vec<f64> = x.clone();
    potential.extend(
        pool.into_iter()
            .filter(|k| !units.contains_key(*k))
            .filter(|k| !(req.across == Across::Partners && k.as_str() == reporter))
            .map(|_| 0.0),
    );
    let margins = margins(year, world, own_reported, exporters, reporter, req)?;
    Ok(YearIndices {
        year,
        total: x.iter().sum(),
        active: entrepot_indices::active_units(&x),
        potential: potential.len(),
        hhi: kernel(entrepot_indices::hhi(&x), year)?,
        normalised_hhi: kernel(entrepot_indices::normalised_hhi(&x), year)?,
        effective_number: kernel(entrepot_indices::effective_number(&x), year)?,
        entropy: kernel(entrepot_indices::entropy(&x), year)?,
        top_shares,
        theil: kernel(entrepot_indices::theil(&potential), year)?,
        margins,
    })
}

/// The Hummels–Klenow margins of the reporter's reported exports against the
/// dataset's world exports (all exporters, the reporter included), or why absent.
fn margins(
    year: i32,
    world: Option<&BTreeMap<String, f64>>,
    own_reported: Option<&BTreeMap<String, f64>>,
    exporters: Option<&BTreeSet<String>>,
    reporter: &str,
    req: &DiversificationRequest,
) -> AppResult<Result<Margins, String>> {
    if req.flow != FlowKind::Export {
        return Ok(Err(
            "defined for exports (against the world's exports)".into()
        ));
    }
    let others = exporters.map_or(0, |e| e.iter().filter(|e| *e != reporter).count());
    if others == 0 {
        return Ok(Err(format!(
            "the dataset holds no other exporter in {year}: no world reference"
        )));
    }
    let (Some(world), Some(own)) = (world, own_reported) else {
        return Ok(Err(format!(
            "{reporter} reports no exports in {year} (its flows are mirror figures)"
        )));
    };
    let w: Vec<f64> = world.values().copied().collect();
    let o: Vec<f64> = world
        .keys()
        .map(|k| own.get(k).copied().unwrap_or(0.0))
        .collect();
    Ok(kernel(entrepot_indices::hummels_klenow(&o, &w), year)?.map_err(|a| a.reason().to_string()))
}

fn number(v: &Index<f64>, unit: Unit, decimals: u8, scale: f64) -> Cell {
    match v {
        Ok(v) if (v * scale).is_finite() => Cell::Number {
            value: v * scale,
            unit,
            decimals,
            signed: false,
        },
        Ok(_) => Cell::missing("not finite"),
        Err(a) => Cell::missing(a.reason()),
    }
}

fn count(n: usize) -> Cell {
    Cell::Number {
        value: n as f64,
        unit: Unit::Count,
        decimals: 0,
        signed: false,
    }
}

/// The value of a column in a year, or why it is absent.
type ColumnValue = Box<dyn Fn(&YearIndices) -> Result<f64, String>>;

/// One column of the indices table: key, label, unit, the value of a year, decimals.
struct IndexColumn {
    key: String,
    label: String,
    unit: Unit,
    value: ColumnValue,
    decimals: u8,
}

fn columns(req: &DiversificationRequest, years: &[YearIndices]) -> Vec<IndexColumn> {
    fn absent(a: Absent) -> String {
        a.reason().to_string()
    }
    let mut cols: Vec<IndexColumn> = vec![
        IndexColumn {
            key: "hhi".into(),
            label: "HHI".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.hhi.map_err(absent)),
            decimals: 4,
        },
        IndexColumn {
            key: "hhi_normalised".into(),
            label: "HHI normalised".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.normalised_hhi.map_err(absent)),
            decimals: 4,
        },
        IndexColumn {
            key: "effective_number".into(),
            label: "Effective number".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.effective_number.map_err(absent)),
            decimals: 1,
        },
        IndexColumn {
            key: "entropy".into(),
            label: "Entropy".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.entropy.map_err(absent)),
            decimals: 3,
        },
    ];
    let ks: Vec<usize> = years
        .first()
        .map(|y| y.top_shares.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    for (i, k) in ks.into_iter().enumerate() {
        cols.push(IndexColumn {
            key: format!("top{k}_share"),
            label: format!("Top-{k} share"),
            unit: Unit::Percent,
            value: Box::new(move |y| {
                y.top_shares
                    .get(i)
                    .ok_or_else(|| "not computed".to_string())
                    .and_then(|(_, s)| s.map(|s| 100.0 * s).map_err(absent))
            }),
            decimals: 1,
        });
    }
    cols.extend([
        IndexColumn {
            key: "theil".into(),
            label: "Theil".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.theil.map(|t| t.total).map_err(absent)),
            decimals: 4,
        },
        IndexColumn {
            key: "theil_between".into(),
            label: "Theil between (extensive)".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.theil.map(|t| t.between).map_err(absent)),
            decimals: 4,
        },
        IndexColumn {
            key: "theil_within".into(),
            label: "Theil within (intensive)".into(),
            unit: Unit::Number,
            value: Box::new(|y| y.theil.map(|t| t.within).map_err(absent)),
            decimals: 4,
        },
    ]);
    if req.flow == FlowKind::Export {
        cols.extend([
            IndexColumn {
                key: "hk_extensive".into(),
                label: "HK extensive margin".into(),
                unit: Unit::Ratio,
                value: Box::new(|y| y.margins.clone().map(|m| m.extensive)),
                decimals: 4,
            },
            IndexColumn {
                key: "hk_intensive".into(),
                label: "HK intensive margin".into(),
                unit: Unit::Ratio,
                value: Box::new(|y| y.margins.clone().map(|m| m.intensive)),
                decimals: 4,
            },
        ]);
    }
    cols
}

fn document(
    reporter: &str,
    dataset: &str,
    req: &DiversificationRequest,
    years: &[YearIndices],
    basis: &DataBasis,
) -> Document {
    let units = req.across.units(req.flow);
    let flow = flow_word(req.flow);
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}–{}", a.year, b.year),
        (Some(a), _) => a.year.to_string(),
        _ => String::new(),
    };
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!("Diversification of {reporter}'s {flow} across {units}, {span}"),
    );
    doc.currency = Some(basis.currency);
    let mut cite = Citations::new();
    let data = vec![format!("flows:{dataset}")];
    let method = cite.method(
        Basis::Flows,
        &format!(
            "concentration indices of {reporter}'s {flow} across {units} per year (entrepot-indices): shares, HHI, normalised HHI, effective number 1/HHI, Shannon entropy, top-k shares, Theil index over potential units split into between and within parts (Cadot, Carrère and Strauss-Kahn 2011), Hummels–Klenow (2005) margins against the dataset's world exports"
        ),
        &data,
    );
    if let Some(last) = years.last() {
        let mut lead = format!("{}: {} {units} with {flow}", last.year, last.active);
        if let Ok(h) = last.hhi {
            lead.push_str(&format!(", HHI {h:.4}"));
        }
        if let Ok(e) = last.effective_number {
            lead.push_str(&format!(", the equivalent of {e:.1} equal-sized {units}"));
        }
        lead.push('.');
        doc.lead.push(lead);
    }
    let cols = columns(req, years);
    let column = |key: &str, label: &str| Column {
        key: key.into(),
        label: label.into(),
        detail: false,
    };
    let mut table_columns = vec![
        column("year", "Year"),
        column("units", &format!("{} ({units})", capitalise(flow))),
        column("potential_units", "Potential units"),
        column(
            "value",
            &format!("{} ({} bn)", capitalise(flow), basis.currency),
        ),
    ];
    table_columns.extend(cols.iter().map(|c| column(&c.key, &c.label)));
    let rows: Vec<Row> = years
        .iter()
        .map(|y| {
            let mut cells = vec![
                Cell::text(y.year.to_string()),
                count(y.active),
                count(y.potential),
                Cell::Number {
                    value: y.total / 1e9,
                    unit: crate::money::billions(basis.currency),
                    decimals: 2,
                    signed: false,
                },
            ];
            for c in &cols {
                cells.push(match (c.value)(y) {
                    Ok(v) => number(&Ok(v), c.unit.clone(), c.decimals, 1.0),
                    Err(reason) => Cell::missing(reason),
                });
            }
            Row::new(cells)
        })
        .collect();
    let table = Table {
        id: "indices".into(),
        title: format!("Concentration of {reporter}'s {flow} across {units}, by year"),
        source: Some(method),
        columns: table_columns,
        rows,
        footer: Vec::new(),
    };
    let x_labels: Vec<String> = years.iter().map(|y| y.year.to_string()).collect();
    let line = |label: &str, f: &dyn Fn(&YearIndices) -> Option<f64>| {
        Series::line(label, years.iter().map(f).collect())
    };
    let chart = |id: &str, title: &str, unit: Unit, series: Vec<Series>| {
        Block::Chart(Chart::series(
            id,
            title,
            unit,
            x_labels.clone(),
            series,
            "not computable for any year",
        ))
    };
    let pick = |key: &str| cols.iter().find(|c| c.key == key);
    let simple = |key: &str| -> Option<Block> {
        let c = pick(key)?;
        Some(chart(
            &format!("chart-{key}"),
            &c.label,
            c.unit.clone(),
            vec![line(&c.label, &|y| (c.value)(y).ok())],
        ))
    };
    let mut charts: Vec<Block> = ["hhi", "hhi_normalised", "effective_number", "entropy"]
        .iter()
        .filter_map(|k| simple(k))
        .collect();
    let top: Vec<Series> = cols
        .iter()
        .filter(|c| c.key.starts_with("top"))
        .map(|c| line(&c.label, &|y| (c.value)(y).ok()))
        .collect();
    charts.push(chart(
        "chart-top-shares",
        "Top-k shares",
        Unit::Percent,
        top,
    ));
    let theil: Vec<Series> = cols
        .iter()
        .filter(|c| c.key.starts_with("theil"))
        .map(|c| line(&c.label, &|y| (c.value)(y).ok()))
        .collect();
    charts.push(chart(
        "chart-theil",
        "Theil index and its parts",
        Unit::Number,
        theil,
    ));
    let hk: Vec<Series> = cols
        .iter()
        .filter(|c| c.key.starts_with("hk_"))
        .map(|c| line(&c.label, &|y| (c.value)(y).ok()))
        .collect();
    if !hk.is_empty() {
        charts.push(chart(
            "chart-hummels-klenow",
            "Hummels–Klenow margins",
            Unit::Ratio,
            hk,
        ));
    }
    let mut blocks = vec![Block::Table(table)];
    blocks.extend(charts);
    doc.sections.push(Section {
        id: "indices".into(),
        title: "Concentration and diversification".into(),
        blocks,
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(req, &units)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(reporter, dataset, req, basis)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn method_notes(req: &DiversificationRequest, units: &str) -> Vec<String> {
    let mut notes = vec![
        format!("Shares s_i = x_i / Σx over the {units} with trade in the year; N is the number of {units} with a positive value."),
        "HHI = Σ s_i² (Herfindahl 1950; Hirschman 1964), between 1/N and 1. Normalised HHI = (HHI − 1/N)/(1 − 1/N), between 0 (equal shares) and 1; with N = 1 it is 1 by convention. Effective number = 1/HHI, the number of equal-sized units giving the same HHI (Adelman 1969).".into(),
        "Entropy = −Σ s_i ln s_i (Shannon 1948, natural logarithm), between 0 and ln N. Top-k share: the share of the k largest units (a concentration ratio).".into(),
        format!("Theil index T = (1/N) Σ (x_i/μ) ln(x_i/μ) over the potential {units}: every unit anyone in the dataset trades in the year (every exporter's destinations or products; for imports by origin, every exporter), plus the reporter's own (zeros for the ones it does not trade). T = between + within, with between = ln(N/N_active), the extensive part, and within the Theil index over the active units, the intensive part (Cadot, Carrère and Strauss-Kahn 2011, \"Export diversification: what's behind the hump?\", Review of Economics and Statistics 93(2))."),
    ];
    if req.flow == FlowKind::Export {
        notes.push(format!("Hummels–Klenow (2005, American Economic Review 95(3)) margins against the world's exports in the dataset (every exporter, the reporter included): EM = Σ_{{k∈K_j}} X_wk / Σ_k X_wk, the weight in world exports of the {units} the reporter exports, and IM = Σ_{{k∈K_j}} X_jk / Σ_{{k∈K_j}} X_wk, its share of world exports in those; EM·IM is its share of world exports. Computed from the reporter's own reported exports; absent when the dataset holds no other exporter. On an extract of a few exporters, 'world' means those exporters."));
    }
    notes
}

fn data_notes(
    reporter: &str,
    dataset: &str,
    req: &DiversificationRequest,
    basis: &DataBasis,
) -> Vec<String> {
    let mut notes = vec![format!(
        "Flows dataset '{dataset}': {} cells of {reporter}'s {} by {} and year, summed from {} stored rows{}.",
        basis.cells,
        flow_word(req.flow),
        req.across.units(req.flow),
        basis.rows,
        years_text(req)
    )];
    if req.across == Across::Partners {
        notes.push(format!(
            "Trade of {reporter} with itself and world rows (WLD) are not partners and are left out."
        ));
    }
    if basis.mirror_cells > 0 {
        notes.push(format!(
            "{} of the {} cells are mirror figures: the partners' reports, where {reporter} reports none (valued as the partners declared them).",
            basis.mirror_cells, basis.cells
        ));
    } else {
        notes.push("No mirror cells: every value is the reporter's own report.".into());
    }
    let exporters: Vec<String> = basis
        .world_exporters
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    if !exporters.is_empty() {
        let shown = if exporters.len() > 6 {
            format!(
                "{} … {}",
                exporters[..3].join(", "),
                exporters[exporters.len() - 3..].join(", ")
            )
        } else {
            exporters.join(", ")
        };
        notes.push(format!(
            "Exporters in the dataset by year (the world reference): {shown}."
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(values: &[f64], potential: &[f64]) -> YearIndices {
        let x = values.to_vec();
        YearIndices {
            year: 2020,
            total: x.iter().sum(),
            active: entrepot_indices::active_units(&x),
            potential: potential.len(),
            hhi: entrepot_indices::hhi(&x).unwrap(),
            normalised_hhi: entrepot_indices::normalised_hhi(&x).unwrap(),
            effective_number: entrepot_indices::effective_number(&x).unwrap(),
            entropy: entrepot_indices::entropy(&x).unwrap(),
            top_shares: vec![(1, entrepot_indices::top_k_share(&x, 1).unwrap())],
            theil: entrepot_indices::theil(potential).unwrap(),
            margins: Err("the dataset holds no other exporter in 2020: no world reference".into()),
        }
    }

    #[test]
    fn the_document_has_one_row_per_year_and_absent_margins_with_their_reason() {
        let req = DiversificationRequest {
            reporter: "ZAF".into(),
            ..Default::default()
        };
        let y = year(&[60.0, 30.0, 10.0], &[60.0, 30.0, 10.0, 0.0]);
        let basis = DataBasis {
            currency: entrepot_doc::Currency::USD,
            rows: 12,
            cells: 3,
            mirror_cells: 1,
            world_exporters: BTreeMap::from([(2020, 1)]),
        };
        let d = document("ZAF", "d", &req, &[y], &basis);
        d.validate().expect("consistent");
        assert_eq!(d.kind, DOCUMENT_KIND);
        let t = d.tables().next().expect("table");
        assert_eq!(t.rows.len(), 1);
        let col = |k: &str| t.columns.iter().position(|c| c.key == k).expect(k);
        match &t.rows[0].cells[col("hhi")] {
            Cell::Number { value, .. } => assert!((value - 0.46).abs() < 1e-12),
            c => panic!("{c:?}"),
        }
        match &t.rows[0].cells[col("top1_share")] {
            Cell::Number { value, .. } => assert!((value - 60.0).abs() < 1e-12),
            c => panic!("{c:?}"),
        }
        match &t.rows[0].cells[col("hk_extensive")] {
            Cell::Missing { reason } => assert!(reason.contains("no other exporter")),
            c => panic!("{c:?}"),
        }
        let text = format!("{d:?}");
        assert!(text.contains("1 of the 3 cells are mirror figures"));
        assert!(text.contains("Cadot, Carrère and Strauss-Kahn"));
    }
}
