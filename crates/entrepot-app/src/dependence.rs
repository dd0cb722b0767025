//! Dependence and leverage between two countries, in both directions and year by
//! year: [`dependence`] reads flow cubes of one flows dataset and computes, with the
//! kernels of `entrepot-indices`, for each direction (a supplier and a buyer):
//!
//! * the buyer's **import share** from the supplier (its dependence on it), overall and
//!   per HS product, and the **chokepoints**: the products of which the supplier
//!   provides more than a threshold of the buyer's imports, with the value at stake;
//! * the supplier's **export share** to the buyer (the buyer's absorption of its
//!   exports), overall and per product;
//! * the **asymmetry** of the two (import share − export share);
//! * the **trade intensity index** `(x_ij/X_i)/(m_j/(M_w − M_i))`;
//!
//! and lays them out as a report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! ## Which side each number comes from
//!
//! A country's total exports or imports are read from its own reports when it has
//! any in the year (for the product, at the product grain), else from its partners'
//! reports of the opposite flow ([`Mirror::Fill`]): CEPII BACI holds each flow once,
//! on the exporter's side, so every import there is a mirror figure. The flow between
//! the two countries is then read from the same side as the total it is a part of
//! (both sides are read with [`Mirror::Both`]), so that a share never divides one
//! country's report by another's.
//!
//! A total read from the partners' reports is complete only when the dataset holds
//! the reports of (nearly) every country: an extract of a few exporters holds a
//! buyer's imports from those exporters only, and a share of that would be a share of
//! nothing in particular. A year is taken to **cover world trade** when at least
//! [`WORLD_COVERAGE`] of the value its reporters report is trade with one another
//! (every trading country reports, up to small ones). Where it does not, mirror totals
//! and world imports are **absent**, with the reason, and so are the shares and
//! intensities that need them — never zero.

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::pair::{choose_dataset, is_world, resolve_pair, year_range, years_text};
use entrepot_core::{FlowKind, ProductId};
use entrepot_cube::{Cube, CubeRequest, Mirror, PeriodGrain, ProductGrain, Side};
use entrepot_doc::Document;
use entrepot_indices::{Absent, Index, IndexError};
use std::collections::{BTreeMap, BTreeSet};

mod document;
#[cfg(test)]
mod tests;

/// The [`Document::kind`] of a dependence report.
pub const DOCUMENT_KIND: &str = "dependence";

/// The default chokepoint threshold: more than half of the buyer's imports.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The share of the trade its reporters report that must be with one another for a
/// dataset's year to cover world trade (see the module docs).
pub const WORLD_COVERAGE: f64 = 0.9;

/// A request for the dependence report of a pair of countries.
#[derive(Debug, Clone)]
pub struct DependenceRequest {
    /// The reporter (the supplier of the first direction), as any code the country
    /// registry knows.
    pub reporter: String,
    /// The partner (the buyer of the first direction).
    pub partner: String,
    /// The flows dataset to read when several hold the countries.
    pub dataset: Option<String>,
    /// First year (inclusive); `None`: the first held.
    pub from: Option<i32>,
    /// Last year (inclusive); `None`: the last held.
    pub to: Option<i32>,
    /// The year of the product tables; `None`: the last year held.
    pub period: Option<i32>,
    /// HS level of the products (2, 4 or 6).
    pub level: u8,
    /// Chokepoint threshold: a product is a chokepoint when the supplier provides
    /// more than this share of the buyer's imports of it.
    pub threshold: f64,
    /// Rows of each product table.
    pub top: usize,
}

impl Default for DependenceRequest {
    fn default() -> Self {
        DependenceRequest {
            reporter: String::new(),
            partner: String::new(),
            dataset: None,
            from: None,
            to: None,
            period: None,
            level: 6,
            threshold: DEFAULT_THRESHOLD,
            top: 20,
        }
    }
}

/// A number, or why it is absent.
pub type Measure = Result<f64, String>;

/// One direction (supplier to buyer) in one year, overall.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionYear {
    /// The calendar year.
    pub year: i32,
    /// The supplier (exporter), ISO3.
    pub supplier: String,
    /// The buyer (importer), ISO3.
    pub buyer: String,
    /// The buyer's imports from the supplier, US dollars (read from the side of the
    /// buyer's total, see the module docs).
    pub imports_from_supplier: f64,
    /// The buyer's total imports, US dollars.
    pub buyer_imports: Measure,
    /// The supplier's exports to the buyer, US dollars.
    pub exports_to_buyer: f64,
    /// The supplier's total exports, US dollars.
    pub supplier_exports: Measure,
    /// `imports_from_supplier / buyer_imports`, a fraction.
    pub import_share: Measure,
    /// `exports_to_buyer / supplier_exports`, a fraction.
    pub export_share: Measure,
    /// `import_share − export_share`.
    pub asymmetry: Measure,
    /// The trade intensity index of the supplier's exports to the buyer.
    pub intensity: Measure,
    /// The number of chokepoint products and their value at stake (US dollars).
    pub chokepoints: Result<(usize, f64), String>,
}

/// One product of one direction in the year of the product tables.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDependence {
    /// The product (HS code at the level asked for, in the dataset's revision).
    pub product: ProductId,
    /// The buyer's imports of the product from the supplier, US dollars: the value at
    /// stake.
    pub value_at_stake: f64,
    /// The buyer's imports of the product, US dollars.
    pub buyer_imports: Measure,
    /// `value_at_stake / buyer_imports`.
    pub import_share: Measure,
    /// The supplier's exports of the product to the buyer, US dollars.
    pub exports_to_buyer: f64,
    /// The supplier's exports of the product, US dollars.
    pub supplier_exports: Measure,
    /// `exports_to_buyer / supplier_exports`.
    pub export_share: Measure,
    /// Whether the import share is above the threshold.
    pub chokepoint: Result<bool, String>,
}

/// The products of one direction in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectionProducts {
    /// The supplier, ISO3.
    pub supplier: String,
    /// The buyer, ISO3.
    pub buyer: String,
    /// The year.
    pub year: i32,
    /// Every product traded in the direction, by value at stake from the largest.
    pub products: Vec<ProductDependence>,
    /// Positions of the chokepoints in `products`, by value at stake, or why none can
    /// be listed.
    pub chokepoints: Result<Vec<usize>, String>,
}

/// Whether a year of the dataset covers world trade.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Countries with reports of their own in the year.
    pub reporters: usize,
    /// Countries that appear only as partners.
    pub others: usize,
    /// The share of the value reported that is trade between reporters.
    pub within: f64,
}

impl Coverage {
    /// Whether the year is taken to cover world trade ([`WORLD_COVERAGE`]).
    pub fn covers_world(&self) -> bool {
        self.within >= WORLD_COVERAGE
    }
}

/// A dependence report: the figures per year and direction, the products of the
/// year of the product tables, and the document.
#[derive(Debug, Clone)]
pub struct DependenceOutput {
    /// The reporter (ISO3).
    pub reporter: String,
    /// The partner (ISO3).
    pub partner: String,
    /// The dataset read.
    pub dataset: String,
    /// One entry per year and direction (reporter → partner first).
    pub years: Vec<DirectionYear>,
    /// The products of each direction in the year of the product tables.
    pub products: Vec<DirectionProducts>,
    /// Coverage of world trade, by year.
    pub coverage: BTreeMap<i32, Coverage>,
    /// The report document.
    pub document: Document,
}

/// A country's total of one flow (a product, or [`ProductId::TOTAL`]) in a year.
type TotalKey = (String, FlowKind, i32, ProductId);
/// One side of a flow between the two countries: (reporter, partner, flow, year,
/// product, side).
type PairKey = (String, String, FlowKind, i32, ProductId, Side);

/// The cells read, by key.
#[derive(Debug, Default)]
struct Held {
    /// Totals (partners summed, mirror filled), with their side.
    totals: BTreeMap<TotalKey, (f64, Side)>,
    /// Both sides of the flows between the two countries.
    pair: BTreeMap<PairKey, f64>,
    /// World imports by year (only for years that cover world trade).
    world: BTreeMap<i32, f64>,
    /// Coverage by year.
    coverage: BTreeMap<i32, Coverage>,
    /// Stored rows summed into the overall totals.
    rows: u64,
    /// Whether any product cell was read.
    any_product: bool,
}

/// What the report says about where the numbers came from.
#[derive(Debug, Clone, Default)]
struct DataBasis {
    rows: u64,
    /// (country, flow) → years by side of its overall total.
    sides: BTreeMap<(String, FlowKind), BTreeMap<Side, Vec<i32>>>,
}

/// Computes the dependence report of a request.
pub fn dependence(
    location: &StoreLocation,
    req: &DependenceRequest,
) -> AppResult<DependenceOutput> {
    let (reporter, partner) = resolve_pair(&req.reporter, &req.partner)?;
    if req.top == 0 {
        return Err(AppError::usage("--top must be at least 1"));
    }
    if !matches!(req.level, 2 | 4 | 6) {
        return Err(AppError::usage(format!(
            "HS level {}: expected 2, 4 or 6",
            req.level
        )));
    }
    if !(0.0..=1.0).contains(&req.threshold) {
        return Err(AppError::usage(format!(
            "--threshold {}: expected a share between 0 and 1 (0.5 is half)",
            req.threshold
        )));
    }
    let range = year_range(req.from, req.to, req.period)?;
    let store = location.open_read()?;
    let dataset = choose_dataset(
        &store,
        req.dataset.as_deref(),
        &[&reporter, &partner],
        "--dataset",
    )?;
    let cubes = location.cubes(&store)?;
    let base = |r: CubeRequest| -> CubeRequest {
        let r = r
            .datasets([dataset.as_str()])
            .by_period(PeriodGrain::Year)
            .quantity(false);
        match range {
            Some(range) => r.period_range(range),
            None => r,
        }
    };
    let both = [reporter.as_str(), partner.as_str()];
    let flows = [FlowKind::Export, FlowKind::Import];
    let totals = |r: CubeRequest| r.reporters(both).flows(flows).by_reporter();
    let pair = |r: CubeRequest| totals(r).partners(both).by_partner();
    let mut held = Held::default();
    let overall = cubes.run(&base(totals(CubeRequest::new())).mirror(Mirror::Fill))?;
    if overall.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no trade of {reporter} or {partner}{}",
            years_text(req.from, req.to)
        )));
    }
    read_totals(&overall, &mut held);
    held.rows = overall.cells().iter().map(|c| c.rows).sum();
    read_pair(
        &cubes.run(&base(pair(CubeRequest::new())).mirror(Mirror::Both))?,
        &mut held,
    );
    let hs = ProductGrain::Hs(req.level);
    read_totals(
        &cubes.run(
            &base(totals(CubeRequest::new()))
                .by_product(hs)
                .mirror(Mirror::Fill),
        )?,
        &mut held,
    );
    read_pair(
        &cubes.run(
            &base(pair(CubeRequest::new()))
                .by_product(hs)
                .mirror(Mirror::Both),
        )?,
        &mut held,
    );
    held.coverage = coverage(
        &cubes.run(
            &base(CubeRequest::new())
                .flows(flows)
                .by_reporter()
                .by_partner()
                .mirror(Mirror::Off),
        )?,
    );
    if held.coverage.values().any(Coverage::covers_world) {
        let world = cubes.run(
            &base(CubeRequest::new())
                .flows([FlowKind::Import])
                .by_reporter()
                .mirror(Mirror::Fill),
        )?;
        for c in world.cells() {
            let (Some(r), Some(period)) = (c.reporter, c.period) else {
                continue;
            };
            let year = period.year();
            if !is_world(r) && held.coverage.get(&year).is_some_and(Coverage::covers_world) {
                *held.world.entry(year).or_default() += c.value;
            }
        }
    }
    let years: BTreeSet<i32> = held.totals.keys().map(|k| k.2).collect();
    let product_year = match req.period {
        Some(p) if years.contains(&p) => p,
        Some(p) => {
            return Err(AppError::not_found(format!(
                "dataset '{dataset}' holds no trade of {reporter} or {partner} in {p}"
            )))
        }
        None => *years
            .last()
            .ok_or_else(|| AppError::not_found("no year held"))?,
    };
    let mut out_years = Vec::new();
    let mut out_products = Vec::new();
    for year in &years {
        for (s, b) in [(&reporter, &partner), (&partner, &reporter)] {
            let products = direction_products(&held, s, b, *year, req.threshold)?;
            out_years.push(direction_year(&held, s, b, *year, &products, req.level)?);
            if *year == product_year {
                out_products.push(products);
            }
        }
    }
    let mut basis = DataBasis {
        rows: held.rows,
        ..Default::default()
    };
    for ((country, flow, year, product), (_, side)) in &held.totals {
        if product.is_total() {
            basis
                .sides
                .entry((country.clone(), *flow))
                .or_default()
                .entry(*side)
                .or_default()
                .push(*year);
        }
    }
    let document = document::document(&document::Inputs {
        reporter: &reporter,
        partner: &partner,
        dataset: &dataset,
        req,
        years: &out_years,
        products: &out_products,
        coverage: &held.coverage,
        basis: &basis,
        any_product: held.any_product,
    });
    // Every cube read the one dataset: the report's money is in its currency.
    let mut document = document;
    document.label_money_in(crate::money::dataset_currency(&store, &dataset)?);
    Ok(DependenceOutput {
        reporter,
        partner,
        dataset,
        years: out_years,
        products: out_products,
        coverage: held.coverage,
        document,
    })
}

/// Reads a totals cube (reporter grain, partners summed) into `held`.
fn read_totals(cube: &Cube, held: &mut Held) {
    for c in cube.cells() {
        let (Some(r), Some(period)) = (c.reporter, c.period) else {
            continue;
        };
        let product = c.product.unwrap_or(ProductId::TOTAL);
        held.any_product |= !product.is_total();
        held.totals.insert(
            (r.to_string(), c.flow, period.year(), product),
            (c.value, c.side),
        );
    }
}

/// Reads a cube of the flows between the two countries (both sides) into `held`.
fn read_pair(cube: &Cube, held: &mut Held) {
    for c in cube.cells() {
        let (Some(r), Some(p), Some(period)) = (c.reporter, c.partner, c.period) else {
            continue;
        };
        let product = c.product.unwrap_or(ProductId::TOTAL);
        held.pair.insert(
            (
                r.to_string(),
                p.to_string(),
                c.flow,
                period.year(),
                product,
                c.side,
            ),
            c.value,
        );
    }
}

/// Coverage of world trade by year, from every reporter's own reports by partner.
pub(crate) fn coverage(cube: &Cube) -> BTreeMap<i32, Coverage> {
    let mut reporters: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
    let mut partners: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
    let cells = cube.cells();
    let trade: Vec<(i32, &str, f64)> = cells
        .iter()
        .filter_map(|c| {
            let (r, p, period) = (c.reporter?, c.partner?, c.period?);
            (!is_world(r) && !is_world(p) && r != p).then_some((period.year(), r, p, c.value))
        })
        .map(|(y, r, p, v)| {
            reporters.entry(y).or_default().insert(r);
            partners.entry(y).or_default().insert(p);
            (y, p, v)
        })
        .collect();
    let mut sums: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for (y, p, v) in trade {
        let e = sums.entry(y).or_default();
        e.0 += v;
        if reporters.get(&y).is_some_and(|r| r.contains(p)) {
            e.1 += v;
        }
    }
    sums.into_iter()
        .map(|(y, (all, within))| {
            let r = reporters.get(&y).map_or(0, BTreeSet::len);
            let others = partners.get(&y).map_or(0, |p| {
                p.iter()
                    .filter(|p| !reporters.get(&y).is_some_and(|r| r.contains(*p)))
                    .count()
            });
            let within = if all > 0.0 { within / all } else { 0.0 };
            (
                y,
                Coverage {
                    reporters: r,
                    others,
                    within,
                },
            )
        })
        .collect()
}

/// Why a country's total read from its partners' reports is not held (the data basis
/// gives the coverage in full).
fn not_held(held: &Held, country: &str, flow: FlowKind, year: i32, product: ProductId) -> String {
    let verb = crate::pair::flow_word(flow);
    let reports_some = matches!(
        held.totals
            .get(&(country.to_string(), flow, year, ProductId::TOTAL)),
        Some((_, Side::Reported))
    );
    let (what, none) = if reports_some && !product.is_total() {
        let code = product.code_string();
        (format!("{verb} of {code}"), format!("none of {code}"))
    } else {
        (verb.to_string(), "none".to_string())
    };
    match held.coverage.get(&year) {
        Some(c) => format!(
            "{country}'s {what} in {year} are not held: {country} reports {none}, and the dataset's {} reporter{} do not cover world trade",
            c.reporters,
            if c.reporters == 1 { "" } else { "s" }
        ),
        None => format!("{country}'s {what} in {year} are not held"),
    }
}

/// A country's total of a flow, with the side read, or why it is not held. A total
/// the cubes do not have is zero when the country reports the flow in the year (at
/// any product) or the year covers world trade.
fn total(
    held: &Held,
    country: &str,
    flow: FlowKind,
    year: i32,
    product: ProductId,
) -> Result<(f64, Side), String> {
    let covered = held.coverage.get(&year).is_some_and(Coverage::covers_world);
    let key = |p: ProductId| (country.to_string(), flow, year, p);
    match held.totals.get(&key(product)) {
        Some((v, Side::Reported)) => Ok((*v, Side::Reported)),
        Some((v, Side::Mirror)) if covered => Ok((*v, Side::Mirror)),
        Some(_) => Err(not_held(held, country, flow, year, product)),
        None => match held.totals.get(&key(ProductId::TOTAL)) {
            Some((_, Side::Reported)) => Ok((0.0, Side::Reported)),
            _ if covered => Ok((0.0, Side::Mirror)),
            _ => Err(not_held(held, country, flow, year, product)),
        },
    }
}

/// The flow of `country` with `partner` on `side`, or, with no side given, its own
/// report when it has one, else the mirror (zero when neither is held).
fn part(
    held: &Held,
    country: &str,
    partner: &str,
    flow: FlowKind,
    year: i32,
    product: ProductId,
    side: Option<Side>,
) -> f64 {
    let get = |s: Side| {
        held.pair.get(&(
            country.to_string(),
            partner.to_string(),
            flow,
            year,
            product,
            s,
        ))
    };
    match side {
        Some(s) => get(s).copied().unwrap_or(0.0),
        None => get(Side::Reported)
            .or_else(|| get(Side::Mirror))
            .copied()
            .unwrap_or(0.0),
    }
}

/// A kernel's result as a measure: absent with `reason`; a part above its total is
/// absent too (the data disagree); other kernel errors are bad input.
fn measure(
    r: Result<Index<f64>, IndexError>,
    reason: impl Fn(Absent) -> String,
) -> AppResult<Measure> {
    match r {
        Ok(Ok(v)) => Ok(Ok(v)),
        Ok(Err(a)) => Ok(Err(reason(a))),
        Err(e @ IndexError::PartExceedsTotal { .. }) => Ok(Err(format!(
            "{e}: the reports the two are read from disagree"
        ))),
        Err(e) => Err(AppError::bad_input(e.to_string())),
    }
}

/// The shares of one direction for one product (or overall).
struct Shares {
    imports_from_supplier: f64,
    buyer_imports: Measure,
    exports_to_buyer: f64,
    supplier_exports: Measure,
    import_share: Measure,
    export_share: Measure,
}

fn shares(
    held: &Held,
    supplier: &str,
    buyer: &str,
    year: i32,
    product: ProductId,
) -> AppResult<Shares> {
    let what = if product.is_total() {
        String::new()
    } else {
        format!(" of {}", product.code_string())
    };
    let m_total = total(held, buyer, FlowKind::Import, year, product);
    let x_total = total(held, supplier, FlowKind::Export, year, product);
    let side = |t: &Result<(f64, Side), String>| t.as_ref().ok().map(|t| t.1);
    let m = part(
        held,
        buyer,
        supplier,
        FlowKind::Import,
        year,
        product,
        side(&m_total),
    );
    let x = part(
        held,
        supplier,
        buyer,
        FlowKind::Export,
        year,
        product,
        side(&x_total),
    );
    let import_share = match &m_total {
        Ok((t, _)) => measure(entrepot_indices::import_share(m, *t), |_| {
            format!("{buyer} imports nothing{what} in {year}")
        })?,
        Err(e) => Err(e.clone()),
    };
    let export_share = match &x_total {
        Ok((t, _)) => measure(entrepot_indices::export_share(x, *t), |_| {
            format!("{supplier} exports nothing{what} in {year}")
        })?,
        Err(e) => Err(e.clone()),
    };
    Ok(Shares {
        imports_from_supplier: m,
        buyer_imports: m_total.map(|t| t.0),
        exports_to_buyer: x,
        supplier_exports: x_total.map(|t| t.0),
        import_share,
        export_share,
    })
}

fn asymmetry(import_share: &Measure, export_share: &Measure) -> AppResult<Measure> {
    match (import_share, export_share) {
        (Ok(d), Ok(a)) => entrepot_indices::asymmetry(*d, *a)
            .map(Ok)
            .map_err(|e| AppError::bad_input(e.to_string())),
        (Err(e), _) | (_, Err(e)) => Ok(Err(e.clone())),
    }
}

/// The products of a direction in a year, with the chokepoints.
fn direction_products(
    held: &Held,
    supplier: &str,
    buyer: &str,
    year: i32,
    threshold: f64,
) -> AppResult<DirectionProducts> {
    let codes: BTreeSet<ProductId> = held
        .pair
        .iter()
        .filter(|((r, p, flow, y, product, _), v)| {
            *y == year
                && !product.is_total()
                && **v > 0.0
                && ((r == buyer && p == supplier && *flow == FlowKind::Import)
                    || (r == supplier && p == buyer && *flow == FlowKind::Export))
        })
        .map(|(k, _)| k.4)
        .collect();
    let mut products = Vec::with_capacity(codes.len());
    for product in codes {
        let s = shares(held, supplier, buyer, year, product)?;
        products.push(ProductDependence {
            product,
            value_at_stake: s.imports_from_supplier,
            chokepoint: s.import_share.clone().map(|d| d > threshold),
            buyer_imports: s.buyer_imports,
            import_share: s.import_share,
            exports_to_buyer: s.exports_to_buyer,
            supplier_exports: s.supplier_exports,
            export_share: s.export_share,
        });
    }
    products.sort_by(|a, b| {
        b.value_at_stake
            .total_cmp(&a.value_at_stake)
            .then(a.product.cmp(&b.product))
    });
    let valid: Vec<(usize, f64)> = products
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.import_share.as_ref().ok().map(|s| (i, *s)))
        .collect();
    let chokepoints = match products.iter().find_map(|p| p.import_share.as_ref().err()) {
        Some(reason) if valid.is_empty() => Err(reason.clone()),
        _ => {
            let s: Vec<f64> = valid.iter().map(|v| v.1).collect();
            let v: Vec<f64> = valid.iter().map(|v| products[v.0].value_at_stake).collect();
            let picked = entrepot_indices::chokepoints(&s, &v, threshold)
                .map_err(|e| AppError::bad_input(e.to_string()))?;
            Ok(picked.into_iter().map(|i| valid[i].0).collect())
        }
    };
    Ok(DirectionProducts {
        supplier: supplier.to_string(),
        buyer: buyer.to_string(),
        year,
        products,
        chokepoints,
    })
}

/// The overall figures of a direction in a year.
fn direction_year(
    held: &Held,
    supplier: &str,
    buyer: &str,
    year: i32,
    products: &DirectionProducts,
    level: u8,
) -> AppResult<DirectionYear> {
    let s = shares(held, supplier, buyer, year, ProductId::TOTAL)?;
    let asym = asymmetry(&s.import_share, &s.export_share)?;
    let intensity = match (
        &s.supplier_exports,
        &s.buyer_imports,
        &total(held, supplier, FlowKind::Import, year, ProductId::TOTAL),
        held.world.get(&year),
    ) {
        (Ok(x_i), Ok(m_j), Ok((m_i, _)), Some(m_w)) => measure(
            entrepot_indices::trade_intensity(s.exports_to_buyer, *x_i, *m_j, *m_w, *m_i),
            |a| match a {
                Absent::ZeroTotal => format!("{supplier} exports nothing in {year}"),
                _ => format!("{buyer} imports nothing in {year}"),
            },
        )?,
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) => Err(e.clone()),
        (_, _, _, None) => Err(match held.coverage.get(&year) {
            Some(c) => format!(
                "world imports in {year} are not held: the dataset's {} reporter{} do not cover world trade",
                c.reporters,
                if c.reporters == 1 { "" } else { "s" }
            ),
            None => format!("world imports in {year} are not held"),
        }),
    };
    let chokepoints = if products.products.is_empty() {
        if held.any_product {
            Ok((0, 0.0))
        } else {
            Err(format!("the dataset holds no HS{level} product detail"))
        }
    } else {
        products
            .chokepoints
            .as_ref()
            .map_err(Clone::clone)
            .map(|c| {
                (
                    c.len(),
                    c.iter().map(|&i| products.products[i].value_at_stake).sum(),
                )
            })
    };
    Ok(DirectionYear {
        year,
        supplier: supplier.to_string(),
        buyer: buyer.to_string(),
        imports_from_supplier: s.imports_from_supplier,
        buyer_imports: s.buyer_imports,
        exports_to_buyer: s.exports_to_buyer,
        supplier_exports: s.supplier_exports,
        import_share: s.import_share,
        export_share: s.export_share,
        asymmetry: asym,
        intensity,
        chokepoints,
    })
}
