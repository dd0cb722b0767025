//! The re-routing indicator: after a date, did a reporter's exports to third
//! countries rise together with those countries' exports to a target market, product
//! by product? [`reroute`] reads two flow cubes of one flows dataset and lays the
//! result out as a report [`Document`] (kind [`DOCUMENT_KIND`]).
//!
//! For a reporter R (China), a target G (the United States), a base year B (the last
//! year before the change, such as the 2018 tariffs) and a later year C, and for every
//! third country T and product k:
//!
//! * `ΔR→T,k = x(R→T,k,C) − x(R→T,k,B)`, R's exports to T (reported, else T's
//!   reports of its imports from R: mirror);
//! * `ΔT→G,k = x(T→G,k,C) − x(T→G,k,B)`, G's imports from T (reported by G, else T's
//!   reports of its exports to G);
//! * a pair is **flagged** when both rose; the **value involved** is
//!   `min(ΔR→T,k, ΔT→G,k)`: the most that could have passed from R through T to G;
//! * beside them, the direct flow `ΔR→G,k`.
//!
//! This is the screening indicator of the re-routing literature (Freund, Mulabdic
//! and Ruta 2024, "Is 3D trade policy reshaping global supply chains?", *Journal of
//! International Economics*; Iyoha et al. 2024 on US–China tariffs and Vietnam),
//! not proof of transshipment: a flagged pair looks the same when production moved
//! to T (and T's exports are its own), when T's demand for R's inputs rose with its
//! exports, or when both grew with world demand. The report says so; unit values,
//! rules of origin and T's capacity are the next checks.

use crate::error::{AppError, AppResult};
use crate::location::StoreLocation;
use crate::money;
use entrepot_core::FlowKind;
use entrepot_core::ProductId;
use entrepot_cube::{CubeRequest, Mirror, PeriodGrain, PeriodRange, ProductGrain};
use entrepot_doc::{
    Bar, Basis, Block, Cell, Chart, Citations, Column, Currency, Document, Plot, Row, Section,
    Table, Unit,
};
use std::collections::{BTreeMap, HashMap};

/// The [`Document::kind`] of a re-routing report.
pub const DOCUMENT_KIND: &str = "reroute";

/// A request for the re-routing indicator.
#[derive(Debug, Clone)]
pub struct RerouteRequest {
    /// The origin R (ISO3 or any code the registry knows).
    pub reporter: String,
    /// The target market G.
    pub target: String,
    /// The base year B (the last year before the change).
    pub after: i32,
    /// The later year C; `None`: the last year the dataset holds.
    pub to: Option<i32>,
    /// The flows dataset; `None`: the one that holds the reporter.
    pub dataset: Option<String>,
    /// The HS level of products (2, 4 or 6); `None`: HS6 when the dataset holds
    /// product rows, else the totals.
    pub level: Option<u8>,
    /// The number of flagged (country, product) pairs listed.
    pub top: usize,
}

/// One (third country, product) pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The third country T.
    pub via: String,
    /// The product code (`TOTAL` when the data holds totals only).
    pub product: String,
    /// R→T in the base and the later year.
    pub origin_to_via: (f64, f64),
    /// T→G in the base and the later year.
    pub via_to_target: (f64, f64),
    /// R→G in the base and the later year.
    pub direct: (f64, f64),
    /// `min(ΔR→T, ΔT→G)` when both rose.
    pub involved: f64,
}

/// A re-routing report: the flagged pairs (largest value involved first) and the
/// document.
#[derive(Debug, Clone)]
pub struct RerouteOutput {
    /// Every flagged pair, by value involved (descending), then country and product.
    pub pairs: Vec<Pair>,
    /// The change of the direct flow R→G over all products.
    pub direct_change: f64,
    /// The years compared.
    pub years: (i32, i32),
    /// The report document.
    pub document: Document,
}

/// Values of one flow by (partner, product digits: [`ProductId::digits_key`], 0 for the
/// total) and year, with the product.
type Flows<'a> = HashMap<(&'a str, u32), (Option<ProductId>, [f64; 2])>;

/// The product's digits, `TOTAL` for none.
fn product_text(p: Option<ProductId>) -> String {
    p.map_or_else(|| "TOTAL".to_string(), |p| p.code_string())
}

/// Computes the re-routing indicator of a request.
pub fn reroute(location: &StoreLocation, req: &RerouteRequest) -> AppResult<RerouteOutput> {
    let registry = entrepot_core::CountryRegistry::builtin();
    let resolve = |c: &str| -> AppResult<String> {
        Ok(registry
            .resolve(c)
            .map_err(|e| AppError::not_found(e.to_string()))?
            .iso3
            .clone())
    };
    let (origin, target) = (resolve(&req.reporter)?, resolve(&req.target)?);
    if origin == target {
        return Err(AppError::usage(format!(
            "the origin and the target are both {origin}: name two countries"
        )));
    }
    if let Some(l) = req.level {
        if !matches!(l, 2 | 4 | 6) {
            return Err(AppError::usage(format!(
                "--level {l}: HS levels are 2, 4 or 6"
            )));
        }
    }
    let store = location.open_read()?;
    let dataset = crate::diversification::choose_dataset(&store, req.dataset.as_deref(), &origin)?;
    let info = store
        .dataset(&dataset)
        .ok_or_else(|| AppError::not_found(format!("no dataset '{dataset}' in the store")))?;
    let last = info
        .years
        .last()
        .copied()
        .ok_or_else(|| AppError::not_found(format!("dataset '{dataset}' holds no years")))?;
    let to = req.to.unwrap_or(last);
    if to <= req.after {
        return Err(AppError::usage(format!(
            "the later year ({to}) must come after the base year --after {}",
            req.after
        )));
    }
    for y in [req.after, to] {
        if !info.years.contains(&y) {
            return Err(AppError::not_found(format!(
                "dataset '{dataset}' holds no flows in {y} (it holds {})",
                span(&info.years)
            )));
        }
    }
    let cubes = location.cubes(&store)?;
    let run = |reporter: &str, flow: FlowKind, grain: ProductGrain| {
        let r = CubeRequest::new()
            .datasets([dataset.as_str()])
            .reporters([reporter])
            .flows([flow])
            .by_partner()
            .by_period(PeriodGrain::Year)
            .period_range(PeriodRange::years(req.after, to))
            .mirror(Mirror::Fill)
            .quantity(false);
        let r = match grain {
            ProductGrain::None => r,
            g => r.by_product(g),
        };
        cubes.run(&r)
    };
    let grain = |l: u8| ProductGrain::Hs(l);
    let (mut out_cube, mut in_cube) = (
        run(&origin, FlowKind::Export, grain(req.level.unwrap_or(6)))?,
        run(&target, FlowKind::Import, grain(req.level.unwrap_or(6)))?,
    );
    let mut totals_only = false;
    if req.level.is_none() && out_cube.is_empty() && in_cube.is_empty() {
        // No product rows: the dataset holds totals (a Comtrade TOTAL panel).
        totals_only = true;
        out_cube = run(&origin, FlowKind::Export, ProductGrain::None)?;
        in_cube = run(&target, FlowKind::Import, ProductGrain::None)?;
    }
    let currency = money::common_currency(&[&out_cube, &in_cube])?;
    fn collect(cube: &entrepot_cube::Cube, after: i32, to: i32) -> Flows<'_> {
        let mut m = Flows::new();
        for c in cube.cells() {
            let (Some(p), Some(period)) = (c.partner, c.period) else {
                continue;
            };
            let slot = if period.year() == after {
                0
            } else if period.year() == to {
                1
            } else {
                continue;
            };
            let key = c.product.map_or(0, ProductId::digits_key);
            m.entry((p, key)).or_insert((c.product, [0.0; 2])).1[slot] += c.value;
        }
        m
    }
    let from_origin = collect(&out_cube, req.after, to);
    let into_target = collect(&in_cube, req.after, to);
    if from_origin.is_empty() {
        return Err(AppError::not_found(format!(
            "dataset '{dataset}' holds no exports of {origin} in {} or {to}",
            req.after
        )));
    }
    let direct_of = |product: u32| {
        from_origin
            .get(&(target.as_str(), product))
            .map_or([0.0; 2], |v| v.1)
    };
    let direct_change: f64 = from_origin
        .iter()
        .filter(|((p, _), _)| *p == target)
        .map(|(_, (_, v))| v[1] - v[0])
        .sum();
    let mut pairs: Vec<Pair> = Vec::new();
    for ((via, key), (product, a)) in &from_origin {
        if *via == target || *via == origin || is_world(via) {
            continue;
        }
        let Some((_, b)) = into_target.get(&(*via, *key)) else {
            continue;
        };
        let (da, db) = (a[1] - a[0], b[1] - b[0]);
        if da > 0.0 && db > 0.0 {
            let d = direct_of(*key);
            pairs.push(Pair {
                via: via.to_string(),
                product: product_text(*product),
                origin_to_via: (a[0], a[1]),
                via_to_target: (b[0], b[1]),
                direct: (d[0], d[1]),
                involved: da.min(db),
            });
        }
    }
    pairs.sort_by(|x, y| {
        y.involved
            .total_cmp(&x.involved)
            .then_with(|| x.via.cmp(&y.via))
            .then_with(|| x.product.cmp(&y.product))
    });
    let years = (req.after, to);
    let context = Context {
        origin: &origin,
        target: &target,
        dataset: &dataset,
        years,
        currency,
        totals_only,
        level: req.level.unwrap_or(6),
        top: req.top,
        direct_change,
        third_pairs: from_origin
            .keys()
            .filter(|(p, _)| *p != target && *p != origin && !is_world(p))
            .count(),
    };
    let document = document(&context, &pairs);
    Ok(RerouteOutput {
        pairs,
        direct_change,
        years,
        document,
    })
}

/// A world or unallocated partner, never a third country.
fn is_world(code: &str) -> bool {
    matches!(code, "WLD" | "WORLD" | "W00")
}

/// `2016`, `2001-2019`.
fn span(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => "no year".into(),
    }
}

/// What the document needs besides the pairs.
struct Context<'a> {
    origin: &'a str,
    target: &'a str,
    dataset: &'a str,
    years: (i32, i32),
    currency: Currency,
    totals_only: bool,
    level: u8,
    top: usize,
    direct_change: f64,
    third_pairs: usize,
}

/// Billions, two decimals.
fn bn(v: f64, currency: Currency) -> Cell {
    Cell::Number {
        value: v / 1e9,
        unit: money::billions(currency),
        decimals: 2,
        signed: false,
    }
}

/// A signed change in billions.
fn change(v: f64, currency: Currency) -> Cell {
    Cell::Number {
        value: v / 1e9,
        unit: money::billions(currency),
        decimals: 2,
        signed: true,
    }
}

fn document(c: &Context<'_>, pairs: &[Pair]) -> Document {
    let (b, y) = c.years;
    let (o, g) = (c.origin, c.target);
    let products = if c.totals_only {
        "total trade (the dataset holds no product rows)".to_string()
    } else {
        format!("HS{} products", c.level)
    };
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!("Re-routing indicator: {o} → third countries → {g}, {b} to {y}"),
    );
    doc.currency = Some(c.currency);
    let mut cite = Citations::new();
    let inputs = vec![format!("flows:{}", c.dataset)];
    let method = cite.method(
        Basis::Flows,
        &format!(
            "for each third country T and product k: Δ{o}→T and ΔT→{g} from {b} to {y}; flagged when both rose; value involved = min(Δ{o}→T, ΔT→{g})"
        ),
        &inputs,
    );
    let involved: f64 = pairs.iter().map(|p| p.involved).sum();
    let amount = |v: f64, signed: bool| {
        entrepot_doc::format::quantity(
            v / 1e9,
            &money::billions(c.currency),
            2,
            signed,
            false,
            Some(c.currency),
        )
    };
    let mut lead = format!(
        "{} of {} (third country, product) pairs of {o}'s exports rose together with the third country's exports to {g} from {b} to {y}, involving at most {} ({}).",
        pairs.len(),
        c.third_pairs,
        amount(involved, false),
        c.currency
    );
    if c.direct_change < 0.0 {
        lead.push_str(&format!(
            " Direct exports {o}→{g} fell by {} over the same years.",
            amount(-c.direct_change, false)
        ));
    } else {
        lead.push_str(&format!(
            " Direct exports {o}→{g} changed by {} over the same years.",
            amount(c.direct_change, true)
        ));
    }
    doc.lead.push(lead);
    doc.lead.push(
        "An indicator of possible re-routing through third countries, not proof of transshipment: see the method notes.".into(),
    );
    let matched = if c.direct_change < 0.0 {
        Cell::Number {
            value: (involved.min(-c.direct_change) / -c.direct_change) * 100.0,
            unit: Unit::Percent,
            decimals: 1,
            signed: false,
        }
    } else {
        Cell::missing(format!("direct exports {o}→{g} did not fall"))
    };
    let summary = Table {
        id: "summary".into(),
        title: format!("{o} → {g} and through third countries, {b} to {y}"),
        source: Some(method),
        columns: vec![
            Column::new("measure", "Measure"),
            Column::new("value", format!("Value ({} bn or %)", c.currency)),
        ],
        rows: vec![
            Row::new(vec![
                Cell::text(format!("Change in direct exports {o}→{g}")),
                change(c.direct_change, c.currency),
            ]),
            Row::new(vec![
                Cell::text("Value involved in flagged pairs"),
                bn(involved, c.currency),
            ]),
            Row::new(vec![
                Cell::text(
                    "Share of the fall in direct exports the flagged pairs could account for (%)",
                ),
                matched,
            ]),
            Row::new(vec![
                Cell::text("Flagged pairs"),
                Cell::Number {
                    value: pairs.len() as f64,
                    unit: Unit::Count,
                    decimals: 0,
                    signed: false,
                },
            ]),
        ],
        footer: Vec::new(),
    };
    let shown: Vec<&Pair> = pairs.iter().take(c.top.max(1)).collect();
    let pair_rows: Vec<Row> = shown
        .iter()
        .map(|p| {
            Row::new(vec![
                Cell::text(p.via.clone()),
                Cell::text(p.product.clone()),
                bn(p.origin_to_via.0, c.currency),
                bn(p.origin_to_via.1, c.currency),
                change(p.origin_to_via.1 - p.origin_to_via.0, c.currency),
                bn(p.via_to_target.0, c.currency),
                bn(p.via_to_target.1, c.currency),
                change(p.via_to_target.1 - p.via_to_target.0, c.currency),
                change(p.direct.1 - p.direct.0, c.currency),
                bn(p.involved, c.currency),
            ])
        })
        .collect();
    let pair_table = Table {
        id: "pairs".into(),
        title: format!(
            "Flagged pairs by value involved ({} of {}, {products})",
            shown.len(),
            pairs.len()
        ),
        source: Some(method),
        // The levels are in the CSV and JSON; the terminal shows the changes.
        columns: vec![
            Column::new("via", "Third country"),
            Column {
                detail: c.totals_only,
                ..Column::new("product", "Product")
            },
            Column::detail(format!("origin_via_{b}"), format!("{o}→T {b}")),
            Column::detail(format!("origin_via_{y}"), format!("{o}→T {y}")),
            Column::new("origin_via_change", format!("Δ {o}→T")),
            Column::detail(format!("via_target_{b}"), format!("T→{g} {b}")),
            Column::detail(format!("via_target_{y}"), format!("T→{g} {y}")),
            Column::new("via_target_change", format!("Δ T→{g}")),
            Column::new("direct_change", format!("Δ {o}→{g}")),
            Column::new("involved", "Value involved"),
        ],
        rows: pair_rows,
        footer: Vec::new(),
    };
    let mut by_via: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for p in pairs {
        let e = by_via.entry(p.via.as_str()).or_default();
        e.0 += p.involved;
        e.1 += 1;
    }
    let mut via_rows: Vec<(&str, f64, usize)> =
        by_via.into_iter().map(|(k, (v, n))| (k, v, n)).collect();
    via_rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let country_table = Table {
        id: "countries".into(),
        title: "Value involved by third country".into(),
        source: Some(method),
        columns: vec![
            Column::new("via", "Third country"),
            Column::new("pairs", "Flagged products"),
            Column::new("involved", "Value involved"),
        ],
        rows: via_rows
            .iter()
            .map(|(k, v, n)| {
                Row::new(vec![
                    Cell::text(k.to_string()),
                    Cell::Number {
                        value: *n as f64,
                        unit: Unit::Count,
                        decimals: 0,
                        signed: false,
                    },
                    bn(*v, c.currency),
                ])
            })
            .collect(),
        footer: Vec::new(),
    };
    let chart = Chart {
        id: "chart-countries".into(),
        title: format!("Value involved by third country ({} bn)", c.currency),
        unit: money::billions(c.currency),
        empty_reason: via_rows
            .is_empty()
            .then(|| "no pair rose on both legs".to_string()),
        plot: Plot::Bars {
            bars: via_rows
                .iter()
                .take(15)
                .map(|(k, v, _)| Bar {
                    label: k.to_string(),
                    value: v / 1e9,
                    total: false,
                })
                .collect(),
        },
    };
    doc.sections.push(Section {
        id: "indicator".into(),
        title: "Re-routing indicator".into(),
        blocks: vec![
            Block::Table(summary),
            Block::Table(pair_table),
            Block::Table(country_table),
            Block::Chart(chart),
        ],
    });
    let notes = [
        format!(
            "For every third country T and product k, the change from {b} to {y} in {o}'s exports to T (reported by {o}, else T's reports of its imports from {o}) and in {g}'s imports from T (reported by {g}, else T's reports of its exports to {g}). A pair is flagged when both rose; the value involved, min(Δ{o}→T, ΔT→{g}), is the most that could have travelled from {o} through T to {g}."
        ),
        "This is a screening indicator, not proof of transshipment (Freund, Mulabdic and Ruta 2024, Journal of International Economics; Iyoha, Malesky, Wen and Wu 2024). A flagged pair looks the same when production moved to the third country, when the third country's own demand for the inputs rose with its exports, or when both flows grew with world demand. Unit values, rules-of-origin cases and the third country's production capacity are the next checks.".to_string(),
        format!(
            "Data: flows dataset '{}', {products}, years {b} and {y} (annual sums; for monthly data, the months held in each year). Values in {}.",
            c.dataset, c.currency
        ),
    ];
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(notes),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}
