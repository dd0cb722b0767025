//! The report document of a firm's exposure: concentration by year, growth markets,
//! market shares, one-market products, the method and the data basis.

use super::{
    has_products, scale_for, ExposureOutput, ExposureRequest, MarketShare, Sales, Store,
    YearIndices, DOCUMENT_KIND, TOTAL,
};
use entrepot_doc::{
    format, Axis, Bar, Basis, Block, Cell, Chart, Citations, Column, Currency, Document, Mark,
    Note, Plot, Row, Section, Series, SourceId, Table, Unit,
};
use entrepot_indices::contributions::{contributions, Contribution};
use entrepot_indices::Index;
use std::collections::BTreeMap;

/// The money unit of the report and its factor.
#[derive(Clone, Copy)]
struct Money {
    currency: Currency,
    scale: entrepot_doc::Scale,
}

impl Money {
    fn unit(self) -> Unit {
        Unit::money(self.currency, self.scale)
    }

    fn cell(self, value: f64, signed: bool) -> Cell {
        Cell::Number {
            value: value / self.scale.factor(),
            unit: self.unit(),
            decimals: 2,
            signed,
        }
    }

    fn text(self, value: f64, signed: bool) -> String {
        format::quantity(
            value / self.scale.factor(),
            &self.unit(),
            2,
            signed,
            false,
            Some(self.currency),
        )
    }

    /// `USD m`, `EUR`.
    fn label(self) -> String {
        self.unit().label()
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

/// A number of an index, or the reason it is absent.
fn index(v: &Index<f64>, unit: Unit, decimals: u8, factor: f64) -> Cell {
    match v {
        Ok(v) if (v * factor).is_finite() => Cell::Number {
            value: v * factor,
            unit,
            decimals,
            signed: false,
        },
        Ok(_) => Cell::missing("not finite"),
        Err(a) => Cell::missing(a.reason()),
    }
}

/// A signed percentage or percentage-point cell, or the reason it is absent.
fn rate(v: Index<f64>, unit: Unit) -> Cell {
    match v {
        Ok(v) if v.is_finite() => Cell::Number {
            value: v,
            decimals: if unit == Unit::PercentagePoints { 2 } else { 1 },
            unit,
            signed: true,
        },
        Ok(_) => Cell::missing("not finite"),
        Err(a) => Cell::missing(a.reason()),
    }
}

/// A share (a fraction) as a percentage cell, or the reason it is absent.
fn percent(v: &Result<f64, String>, decimals: u8) -> Cell {
    match v {
        Ok(v) => Cell::Number {
            value: v * 100.0,
            unit: Unit::Percent,
            decimals,
            signed: false,
        },
        Err(reason) => Cell::missing(reason.clone()),
    }
}

/// The decimals that show a percentage with at least `digits` significant digits
/// (and at least two decimals): a small firm's share of a large market reads
/// `0.00206%`, not `0.00%`.
fn share_decimals(pct: f64, digits: i32) -> u8 {
    if !(pct.is_finite() && pct > 0.0) {
        return 2;
    }
    let d = digits - 1 - pct.log10().floor() as i32;
    d.clamp(2, 8) as u8
}

/// A market share (a fraction) as a percentage cell with three significant digits,
/// or the reason it is absent.
fn market_share(v: &Result<f64, String>) -> Cell {
    let d = v.as_ref().map_or(2, |s| share_decimals(s * 100.0, 3));
    percent(v, d)
}

fn notes(texts: Vec<String>) -> Vec<Block> {
    Block::notes(texts)
}

/// `2021–2023`, `2023`.
fn span(years: &[YearIndices]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}–{}", a.year, b.year),
        (Some(a), _) => a.year.to_string(),
        _ => String::new(),
    }
}

/// The citation ids of the methods.
struct Methods {
    concentration: SourceId,
    growth: SourceId,
    shares: SourceId,
    one_market: SourceId,
}

/// Builds the document of an exposure report.
pub(super) fn document(
    out: &ExposureOutput,
    req: &ExposureRequest,
    sales: &Sales,
    store: &Store,
) -> Document {
    let name = req
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| req.file.display().to_string());
    let max = out.years.iter().map(|y| y.total).fold(0.0, f64::max);
    let money = Money {
        currency: out.currency,
        scale: scale_for(max),
    };
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!(
            "Firm exposure: sales in {name} from {}, {}",
            out.origins.join(", "),
            span(&out.years)
        ),
    );
    doc.currency = Some(out.currency);
    let mut cite = Citations::new();
    let file = format!("file:{}", req.file.display());
    let mut with_store = vec![file.clone()];
    if let Some(d) = &out.dataset {
        with_store.push(format!("flows:{d}"));
    }
    let methods = Methods {
        concentration: cite.method(
            Basis::Flows,
            "concentration of the firm's sales across destinations and products per year (entrepot-indices): shares, HHI, effective number 1/HHI, Shannon entropy, top-1 and top-3 shares",
            std::slice::from_ref(&file),
        ),
        growth: cite.method(
            Basis::Flows,
            "contributions of each destination to the growth of the firm's sales from the first to the last year, in percentage points (entrepot-indices contributions)",
            std::slice::from_ref(&file),
        ),
        shares: cite.method(
            Basis::Flows,
            "the firm's sales to a destination divided by the destination's imports of the same products from every origin (reported, else partners' reports: mirror), per year (entrepot-indices import_share)",
            &with_store,
        ),
        one_market: cite.method(
            Basis::Flows,
            "per product, the share of the firm's sales going to its largest destination; products above the threshold (entrepot-indices top_k_share, chokepoints)",
            std::slice::from_ref(&file),
        ),
    };
    doc.lead = lead(out, req, money);
    doc.sections.push(Section {
        id: "concentration".into(),
        title: "Concentration across destinations".into(),
        blocks: concentration_blocks(out, req, sales, money, methods.concentration),
    });
    doc.sections.push(Section {
        id: "growth".into(),
        title: match &out.growth {
            Ok(g) => format!("Growth markets, {} to {}", g.from, g.to),
            Err(_) => "Growth markets".into(),
        },
        blocks: growth_blocks(out, req, money, methods.growth),
    });
    doc.sections.push(Section {
        id: "markets".into(),
        title: "Share of the destinations' imports".into(),
        blocks: market_blocks(out, req, sales, money, methods.shares),
    });
    doc.sections.push(Section {
        id: "one-market".into(),
        title: format!(
            "Products that depend on one destination (more than {} of their sales)",
            pct_text(req.threshold)
        ),
        blocks: one_market_blocks(out, req, money, methods.one_market),
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: notes(method_notes(req)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: notes(data_notes(out, req, sales, store, money)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

/// `50%`, `66.7%`.
fn pct_text(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn lead(out: &ExposureOutput, req: &ExposureRequest, money: Money) -> Vec<String> {
    let mut lead = Vec::new();
    if let Some(last) = out.years.last() {
        let mut s = format!(
            "{}: sales of {} ({}) to {} destination{}",
            last.year,
            money.text(last.total, false),
            money.label(),
            last.destinations,
            if last.destinations == 1 { "" } else { "s" }
        );
        if let Ok(h) = last.hhi {
            s.push_str(&format!(", HHI {h:.4}"));
        }
        if let Ok(e) = last.effective_number {
            s.push_str(&format!(", the equivalent of {e:.1} equal-sized markets"));
        }
        if let (Some((d, _)), Ok(t)) = (&last.largest, last.top1) {
            s.push_str(&format!("; the largest, {d}, took {:.1}%", t * 100.0));
        }
        s.push('.');
        lead.push(s);
    }
    match &out.growth {
        Ok(g) => {
            let c = &g.contributions;
            let mut s = match c.growth_pct {
                Ok(p) => format!("From {} to {} sales changed by {p:+.1}%", g.from, g.to),
                Err(a) => format!("From {} to {}: {}", g.from, g.to, a.reason()),
            };
            let best = c
                .units
                .iter()
                .enumerate()
                .filter_map(|(i, u)| u.contribution_pp.ok().map(|v| (i, v)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((i, v)) = best.filter(|(_, v)| *v > 0.0) {
                s.push_str(&format!(
                    "; {} contributed most ({v:+.2} pp)",
                    g.destinations[i]
                ));
            }
            s.push('.');
            lead.push(s);
        }
        Err(reason) => lead.push(format!("Growth by destination: {reason}.")),
    }
    let last_year = out.years.last().map(|y| y.year);
    let shares: Vec<&MarketShare> = out
        .markets
        .iter()
        .filter(|m| m.product.is_none() && Some(m.year) == last_year)
        .collect();
    let best = shares
        .iter()
        .filter_map(|m| m.share.as_ref().ok().map(|s| (m, *s)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match (best, shares.first()) {
        (Some((m, s)), _) => lead.push(format!(
            "Its largest share of a destination's imports of its products in {}: {:.*}% of {}'s (dataset '{}').",
            m.year,
            usize::from(share_decimals(s * 100.0, 3)),
            s * 100.0,
            m.destination,
            out.dataset.as_deref().unwrap_or("")
        )),
        (None, Some(m)) => lead.push(format!(
            "Shares of the destinations' imports are absent: {}.",
            m.share.as_ref().err().cloned().unwrap_or_default()
        )),
        (None, None) => {}
    }
    if let Some(p) = out.products.first().filter(|p| p.product != TOTAL) {
        let n = out.products.len();
        let k = out.one_market.len();
        lead.push(format!(
            "{k} of {n} product{} sold more than {} of their {} sales to one destination.",
            if n == 1 { "" } else { "s" },
            pct_text(req.threshold),
            p.year
        ));
    }
    lead
}

fn concentration_blocks(
    out: &ExposureOutput,
    req: &ExposureRequest,
    sales: &Sales,
    money: Money,
    source: SourceId,
) -> Vec<Block> {
    let products = has_products(sales);
    let partial = out.years.iter().any(|y| y.months.is_some());
    let mut columns = vec![Column::new("year", "Year")];
    if partial {
        columns.push(Column::new("months", "Months"));
    }
    columns.extend([
        Column::new("sales", format!("Sales ({})", money.label())),
        Column::new("destinations", "Destinations"),
        Column::new("hhi", "HHI"),
        Column::new("effective_number", "Effective number"),
        Column::new("entropy", "Entropy"),
        Column::new("top1_share", "Top-1"),
        Column::new("top3_share", "Top-3"),
        Column::new("largest", "Largest"),
    ]);
    if products {
        // In the CSV and JSON; the terminal keeps to the destinations.
        columns.extend([
            Column::detail("products", "Products"),
            Column::detail("hhi_products", "HHI across products"),
            Column::detail("effective_products", "Effective number of products"),
        ]);
    }
    let rows = out
        .years
        .iter()
        .map(|y| {
            let mut cells = vec![Cell::text(y.year.to_string())];
            if partial {
                cells.push(count(y.months.unwrap_or(12)));
            }
            cells.extend([
                money.cell(y.total, false),
                count(y.destinations),
                index(&y.hhi, Unit::Number, 4, 1.0),
                index(&y.effective_number, Unit::Number, 2, 1.0),
                index(&y.entropy, Unit::Number, 3, 1.0),
                index(&y.top1, Unit::Percent, 1, 100.0),
                index(&y.top3, Unit::Percent, 1, 100.0),
                y.largest
                    .as_ref()
                    .map_or_else(|| Cell::missing("no sales"), |(d, _)| Cell::text(d)),
            ]);
            if products {
                match &y.products {
                    Some(p) => cells.extend([
                        count(p.products),
                        index(&p.hhi, Unit::Number, 4, 1.0),
                        index(&p.effective_number, Unit::Number, 2, 1.0),
                    ]),
                    None => cells.extend((0..3).map(|_| Cell::missing("no sales"))),
                }
            }
            Row::new(cells)
        })
        .collect();
    let table = Table {
        id: "indices".into(),
        title: "Concentration of the firm's sales, by year".into(),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    };
    let x_labels: Vec<String> = out.years.iter().map(|y| y.year.to_string()).collect();
    let mut series = vec![Series {
        label: "Effective number of markets".into(),
        mark: Mark::Line,
        axis: Axis::Left,
        values: out.years.iter().map(|y| y.effective_number.ok()).collect(),
        breaks: Vec::new(),
    }];
    if products {
        series.push(Series {
            label: "Effective number of products".into(),
            mark: Mark::DashedLine,
            axis: Axis::Left,
            values: out
                .years
                .iter()
                .map(|y| y.products.as_ref().and_then(|p| p.effective_number.ok()))
                .collect(),
            breaks: Vec::new(),
        });
    }
    let effective = Chart {
        id: "chart-effective-number".into(),
        title: "Effective number of markets (1/HHI)".into(),
        unit: Unit::Number,
        empty_reason: None,
        plot: Plot::Series {
            x_labels,
            series,
            right_unit: None,
        },
    };
    let (last_year, mut last): (i32, Vec<(String, f64)>) = match out.years.last() {
        Some(y) => (
            y.year,
            sales
                .cells
                .iter()
                .filter(|((_, _, yy), _)| *yy == y.year)
                .fold(BTreeMap::<String, f64>::new(), |mut m, ((d, _, _), v)| {
                    *m.entry(d.clone()).or_default() += v;
                    m
                })
                .into_iter()
                .collect(),
        ),
        None => (0, Vec::new()),
    };
    last.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let bars = Chart {
        id: "chart-destinations".into(),
        title: format!("Sales by destination, {last_year} ({})", money.label()),
        unit: money.unit(),
        empty_reason: last.is_empty().then(|| "no sales".to_string()),
        plot: Plot::Bars {
            bars: last
                .iter()
                .take(req.top.min(20))
                .map(|(d, v)| Bar {
                    label: d.clone(),
                    value: v / money.scale.factor(),
                    total: false,
                })
                .collect(),
        },
    };
    vec![
        Block::Table(table),
        Block::Chart(effective),
        Block::Chart(bars),
    ]
}

fn growth_blocks(
    out: &ExposureOutput,
    req: &ExposureRequest,
    money: Money,
    source: SourceId,
) -> Vec<Block> {
    let g = match &out.growth {
        Ok(g) => g,
        Err(reason) => {
            return vec![Block::Note(Note::text(format!(
                "Contributions to growth by destination are absent: {reason}."
            )))]
        }
    };
    let c = &g.contributions;
    let (p0, p1) = (g.from.to_string(), g.to.to_string());
    let mut order: Vec<usize> = (0..c.units.len()).collect();
    order.sort_by(|a, b| {
        c.units[*b]
            .change
            .abs()
            .total_cmp(&c.units[*a].change.abs())
            .then(g.destinations[*a].cmp(&g.destinations[*b]))
    });
    let (shown, rest) = order.split_at(req.top.min(order.len()));
    let mut shown = shown.to_vec();
    shown.sort_by(|a, b| {
        c.units[*b]
            .change
            .total_cmp(&c.units[*a].change)
            .then(g.destinations[*a].cmp(&g.destinations[*b]))
    });
    // The rest as one unit: the kernel again over the shown units and the rest.
    let rest_unit: Option<Contribution> = (!rest.is_empty())
        .then(|| {
            let mut base: Vec<f64> = shown.iter().map(|i| c.units[*i].base).collect();
            let mut end: Vec<f64> = shown.iter().map(|i| c.units[*i].end).collect();
            base.push(rest.iter().map(|i| c.units[*i].base).sum());
            end.push(rest.iter().map(|i| c.units[*i].end).sum());
            contributions(&base, &end).ok()?.ok()?.units.pop()
        })
        .flatten();
    let row = |label: &str, x: &Contribution| {
        Row::new(vec![
            Cell::text(label),
            money.cell(x.base, false),
            money.cell(x.end, false),
            money.cell(x.change, true),
            rate(x.growth_pct, Unit::Percent),
            rate(x.contribution_pp, Unit::PercentagePoints),
            rate(x.growth_without_pct, Unit::Percent),
            rate(x.offset_pct, Unit::Percent),
        ])
    };
    let mut rows: Vec<Row> = shown
        .iter()
        .map(|i| row(&g.destinations[*i], &c.units[*i]))
        .collect();
    if let Some(x) = &rest_unit {
        let mut r = row(&format!("Others ({})", rest.len()), x);
        r.indent = 1;
        rows.push(r);
    }
    let mut total = Row::new(vec![
        Cell::text("Total"),
        money.cell(c.base, false),
        money.cell(c.end, false),
        money.cell(c.change, true),
        rate(c.growth_pct, Unit::Percent),
        rate(c.growth_pct, Unit::PercentagePoints),
        Cell::text(""),
        Cell::text(""),
    ]);
    total.emphasis = true;
    let table = Table {
        id: "growth".into(),
        title: format!("Contributions to the growth of sales by destination, {p0} to {p1}"),
        source: Some(source),
        columns: vec![
            Column::new("destination", "Destination"),
            Column::new("base", &p0),
            Column::new("end", &p1),
            Column::new("change", "Change"),
            Column::new("growth_pct", "Growth"),
            Column::new("contribution_pp", "Contribution"),
            Column::new("growth_without_pct", "Growth without"),
            Column::new("offset_pct", "Loss made up"),
        ],
        rows,
        footer: vec![total],
    };
    let mut bars: Vec<Bar> = shown
        .iter()
        .filter_map(|i| {
            c.units[*i].contribution_pp.ok().map(|v| Bar {
                label: g.destinations[*i].clone(),
                value: v,
                total: false,
            })
        })
        .collect();
    if let Some(v) = rest_unit.and_then(|x| x.contribution_pp.ok()) {
        bars.push(Bar {
            label: "Other destinations".into(),
            value: v,
            total: false,
        });
    }
    if let Ok(v) = c.growth_pct {
        bars.push(Bar {
            label: "Total".into(),
            value: v,
            total: true,
        });
    }
    let chart = Chart {
        id: "chart-growth".into(),
        title: "Contributions to growth by destination (pp)".into(),
        unit: Unit::PercentagePoints,
        empty_reason: c.growth_pct.err().map(|a| a.reason().to_string()),
        plot: Plot::Bars { bars },
    };
    let legend = format!(
        "Values in {}. Contribution: the destination's change in percentage points of the firm's {p0} sales (the contributions add up to the growth of the total). Growth without: the growth of the other destinations together. Loss made up: for a destination whose sales fell, the other destinations' net change as a percentage of the loss (100%: all of it).",
        money.label()
    );
    vec![
        Block::Table(table),
        Block::Note(Note::text(legend)),
        Block::Chart(chart),
    ]
}

/// The destinations by the firm's sales in the last year (then earlier years), largest
/// first.
fn destination_order(out: &ExposureOutput) -> Vec<String> {
    let mut last: BTreeMap<&str, (i32, f64)> = BTreeMap::new();
    for m in out.markets.iter().filter(|m| m.product.is_none()) {
        let e = last.entry(m.destination.as_str()).or_insert((m.year, 0.0));
        if m.year > e.0 {
            *e = (m.year, m.sales);
        } else if m.year == e.0 {
            e.1 = m.sales;
        }
    }
    let mut v: Vec<(&str, (i32, f64))> = last.into_iter().collect();
    v.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(b.1 .1.total_cmp(&a.1 .1))
            .then(a.0.cmp(b.0))
    });
    v.into_iter().map(|(d, _)| d.to_string()).collect()
}

fn market_blocks(
    out: &ExposureOutput,
    req: &ExposureRequest,
    sales: &Sales,
    money: Money,
    source: SourceId,
) -> Vec<Block> {
    let totals: BTreeMap<i32, f64> = out.years.iter().map(|y| (y.year, y.total)).collect();
    // The destinations' imports in their own scale (billions beside a firm's millions).
    let largest = out
        .markets
        .iter()
        .filter_map(|m| m.imports.as_ref().ok())
        .fold(0.0, |a: f64, b| a.max(*b));
    let imports_money = Money {
        scale: scale_for(largest.max(money.scale.factor())),
        ..money
    };
    let order = destination_order(out);
    let shown: Vec<&String> = order.iter().take(req.top).collect();
    let mut rows = Vec::new();
    for d in &shown {
        for m in out
            .markets
            .iter()
            .filter(|m| m.product.is_none() && &&m.destination == d)
        {
            let of_sales = totals
                .get(&m.year)
                .filter(|t| **t > 0.0)
                .map(|t| m.sales / t)
                .ok_or_else(|| "no sales in the year".to_string());
            rows.push(Row::new(vec![
                Cell::text(m.destination.clone()),
                Cell::text(m.year.to_string()),
                money.cell(m.sales, false),
                percent(&of_sales, 1),
                match &m.imports {
                    Ok(v) => imports_money.cell(*v, false),
                    Err(r) => Cell::missing(r.clone()),
                },
                market_share(&m.share),
                m.side
                    .as_ref()
                    .map_or_else(|| Cell::missing("no imports read"), Cell::text),
            ]));
        }
    }
    let what = if has_products(sales) {
        "its products"
    } else {
        "all products (the file has no products)"
    };
    let table = Table {
        id: "markets".into(),
        title: format!(
            "The firm's share of each destination's imports of {what} ({} of {} destinations)",
            shown.len(),
            order.len()
        ),
        source: Some(source),
        columns: vec![
            Column::new("destination", "Destination"),
            Column::new("year", "Year"),
            Column::new("sales", format!("Sales ({})", money.label())),
            Column::new("share_of_sales", "Share of the firm's sales"),
            Column::new("imports", "Destination's imports"),
            Column::new("market_share", "Market share"),
            Column::detail("side", "Imports from"),
        ],
        rows,
        footer: Vec::new(),
    };
    let mut blocks = vec![Block::Table(table)];
    if has_products(sales) {
        // The (destination, product) pairs by the firm's sales in their last year.
        let mut pairs: BTreeMap<(&str, &str), (i32, f64)> = BTreeMap::new();
        for m in &out.markets {
            if let Some(k) = &m.product {
                let e = pairs
                    .entry((m.destination.as_str(), k.as_str()))
                    .or_insert((m.year, 0.0));
                if m.year > e.0 {
                    *e = (m.year, m.sales);
                } else if m.year == e.0 {
                    e.1 = m.sales;
                }
            }
        }
        let mut order: Vec<_> = pairs.into_iter().collect();
        order.sort_by(|a, b| {
            b.1 .0
                .cmp(&a.1 .0)
                .then(b.1 .1.total_cmp(&a.1 .1))
                .then(a.0.cmp(&b.0))
        });
        let n = order.len();
        let shown: Vec<(&str, &str)> = order.into_iter().take(req.top).map(|(k, _)| k).collect();
        let mut rows = Vec::new();
        for (d, k) in &shown {
            for m in out
                .markets
                .iter()
                .filter(|m| m.destination == *d && m.product.as_deref() == Some(*k))
            {
                rows.push(Row::new(vec![
                    Cell::text(m.destination.clone()),
                    Cell::text(k.to_string()),
                    Cell::text(m.year.to_string()),
                    money.cell(m.sales, false),
                    match &m.imports {
                        Ok(v) => imports_money.cell(*v, false),
                        Err(r) => Cell::missing(r.clone()),
                    },
                    market_share(&m.share),
                    m.side
                        .as_ref()
                        .map_or_else(|| Cell::missing("no imports read"), Cell::text),
                ]));
            }
        }
        blocks.push(Block::Table(Table {
            id: "market-products".into(),
            title: format!(
                "The firm's share of each destination's imports, by product ({} of {} destination–product pairs)",
                shown.len(),
                n
            ),
            source: Some(source),
            columns: vec![
                Column::new("destination", "Destination"),
                Column::new("product", "Product"),
                Column::new("year", "Year"),
                Column::new("sales", format!("Sales ({})", money.label())),
                Column::new("imports", "Destination's imports"),
                Column::new("market_share", "Market share"),
                Column::detail("side", "Imports from"),
            ],
            rows,
            footer: Vec::new(),
        }));
    }
    if let Some(n) = absent_note(out) {
        blocks.push(Block::Note(Note::text(n)));
    }
    blocks.push(Block::Note(Note::text(format!(
        "Values in {}. Market share: the firm's sales to the destination divided by the destination's imports of the same products from every origin in the year; per destination, over all the firm's products. Imports from: the destination's own reports (reported) or, where it reports none, every exporter's reports of its exports to it (mirror, as on BACI).",
        money.label()
    ))));
    blocks
}

/// Why market shares are absent, each reason once with the destinations and years
/// (and products) it concerns.
fn absent_note(out: &ExposureOutput) -> Option<String> {
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for m in &out.markets {
        let Err(r) = &m.share else { continue };
        let at = match &m.product {
            None => format!("{} {}", m.destination, m.year),
            Some(k) => format!("{} {k} {}", m.destination, m.year),
        };
        match reasons.iter_mut().find(|(x, _)| *x == r.as_str()) {
            Some((_, v)) => v.push(at),
            None => reasons.push((r.as_str(), vec![at])),
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let parts: Vec<String> = reasons
        .into_iter()
        .map(|(r, at)| {
            let shown = if at.len() > 8 {
                format!("{} and {} more", at[..8].join(", "), at.len() - 8)
            } else {
                at.join(", ")
            };
            format!("{shown}: {r}")
        })
        .collect();
    Some(format!("Shares absent — {}.", parts.join("; ")))
}

fn one_market_blocks(
    out: &ExposureOutput,
    req: &ExposureRequest,
    money: Money,
    source: SourceId,
) -> Vec<Block> {
    let year = out.products.first().map(|p| p.year).unwrap_or_default();
    if let [p] = out.products.as_slice() {
        if p.product == TOTAL {
            return vec![Block::Note(Note::text(format!(
                "The file has no products: the share of all sales going to the largest destination is the top-1 share above ({}, {:.1}% of {year} sales).",
                p.largest,
                p.share * 100.0
            )))];
        }
    }
    let rows: Vec<Row> = out
        .one_market
        .iter()
        .map(|&i| {
            let p = &out.products[i];
            Row::new(vec![
                Cell::text(if p.product == TOTAL {
                    "all products".to_string()
                } else {
                    p.product.clone()
                }),
                money.cell(p.sales, false),
                count(p.destinations),
                Cell::text(p.largest.clone()),
                money.cell(p.largest_sales, false),
                Cell::Number {
                    value: p.share * 100.0,
                    unit: Unit::Percent,
                    decimals: 1,
                    signed: false,
                },
            ])
        })
        .collect();
    let table = Table {
        id: "one-market".into(),
        title: format!(
            "Products selling more than {} to one destination, {year} ({} of {} products)",
            pct_text(req.threshold),
            out.one_market.len(),
            out.products.len()
        ),
        source: Some(source),
        columns: vec![
            Column::new("product", "Product"),
            Column::new("sales", format!("Sales ({})", money.label())),
            Column::new("destinations", "Destinations"),
            Column::new("largest", "Largest destination"),
            Column::new("largest_sales", "Sales there"),
            Column::new("largest_share", "Share"),
        ],
        rows,
        footer: Vec::new(),
    };
    let mut blocks = vec![Block::Table(table)];
    if out.one_market.is_empty() {
        blocks.push(Block::Note(Note::text(format!(
            "No product sold more than {} of its {year} sales to one destination.",
            pct_text(req.threshold)
        ))));
    }
    blocks
}

fn method_notes(req: &ExposureRequest) -> Vec<String> {
    vec![
        "Shares s_d = x_d / X of the firm's sales x_d to destination d in a year, X = Σ_d x_d over the destinations with sales (N of them); rows to the world (WLD) are no destination and are left out.".into(),
        "HHI = Σ_d s_d² (Herfindahl 1950; Hirschman 1964), between 1/N and 1. Effective number of markets = 1/HHI, the number of equal-sized destinations giving the same HHI (Adelman 1969). Entropy = −Σ_d s_d ln s_d (Shannon 1948, natural logarithm), between 0 and ln N. Top-1 and top-3 shares: the share of the largest and of the three largest destinations. The same HHI and effective number are taken across products (each product's sales to every destination) when the file has products.".into(),
        "Growth markets: contribution of destination d = 100·(x_d¹ − x_d⁰)/X⁰ percentage points from the first year (0) to the last (1), adding up to the growth of the firm's sales 100·(X¹/X⁰ − 1) (the additive contribution to growth of the national accounts); growth without d = 100·((X¹ − x_d¹)/(X⁰ − x_d⁰) − 1); for a destination whose sales fell, the loss made up by the others = 100·Δ_rest/|x_d¹ − x_d⁰|. A destination new in the last year has a contribution but no growth rate of its own.".into(),
        "Market share of the firm in destination d, product k, year t: x_{d,k,t} / M_{d,k,t}, with M_{d,k,t} d's imports of k (at the digits of the firm's code: a heading sums its subheadings) from every origin, the firm's own country included; per destination, Σ_k x_{d,k,t} / Σ_k M_{d,k,t} over all the firm's products, which is the firm's weight in d's market for the range it sells (Hirschman 1945's partner share, read from the seller's side). M is d's reported imports, else the sum of every exporter's reported exports to d (mirror: BACI holds only these), the latter only in a year the dataset covers world trade (at least 90% of the value its reporters report is trade with one another, as in entrepot dependence): on an extract of a few exporters, their exports to d are not d's imports. Absent, never zero, when the dataset holds nothing for d in t or does not cover world trade, for sales in the firm's own country (not imports), for a year the file holds only in part, when the sales are in another currency than the dataset, and when the sales exceed the recorded imports (the two sources disagree).".into(),
        "Valuation: imports reported by the destination are valued CIF (cost, insurance and freight, typically 5–10% above the exporters' FOB values); BACI's values are FOB (Gaulier and Zignago 2010, CEPII Working Paper 2010-23). A firm's invoice values (ex works, FOB or delivered) differ from both by transport and insurance, so a market share is a close measure, not an exact one. The firm's product codes are matched to the dataset's by their digits: when the two use different HS revisions a code may cover different goods (the data basis says which revisions were read).".into(),
        format!("One-market products: for each product, the share of the firm's sales of it in the last year that goes to its largest destination (the top-1 share); the products where it is more than {} are listed by sales, the screen of single-partner dependence (as the European Commission's 2021 screen of strategic dependencies, SWD(2021) 352, applies to a country's imports), applied to one firm's sales.", pct_text(req.threshold)),
    ]
}

/// Whether the mapping names the currency of the values.
fn currency_mapped(req: &ExposureRequest) -> bool {
    req.map.as_deref().is_some_and(|m| {
        m.split(',')
            .filter_map(|p| p.split_once('='))
            .any(|(k, _)| k.trim().eq_ignore_ascii_case("currency"))
    })
}

fn data_notes(
    out: &ExposureOutput,
    req: &ExposureRequest,
    sales: &Sales,
    store: &Store,
    money: Money,
) -> Vec<String> {
    let dests: std::collections::BTreeSet<&String> =
        sales.cells.keys().map(|(d, _, _)| d).collect();
    let products: std::collections::BTreeSet<&String> =
        sales.cells.keys().map(|(_, k, _)| k).collect();
    let levels: std::collections::BTreeSet<usize> = products
        .iter()
        .filter(|k| k.as_str() != TOTAL)
        .map(|k| k.len())
        .collect();
    let product_text = if has_products(sales) {
        format!(
            "{} product{} (HS{}{})",
            products.len(),
            if products.len() == 1 { "" } else { "s" },
            levels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("/HS"),
            if sales.revisions.is_empty() {
                String::new()
            } else {
                format!(
                    ", {}",
                    sales
                        .revisions
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )
    } else {
        "no products (every row is the firm's total)".to_string()
    };
    let currency = if req.fx.is_some() {
        format!(
            "Values converted to {} with the exchange-rate table of --fx ({})",
            out.currency,
            req.fx
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_default()
        )
    } else if out.currency == Currency::USD && !currency_mapped(req) {
        "Values in USD: the mapping names no currency, and the values of a mapped file are then US dollars, as entrepot ingest reads them (name another with currency=CODE in --map)".to_string()
    } else {
        format!("Values in {} as the file gives them", out.currency)
    };
    let mut notes = vec![format!(
        "Sales file {}: {} rows, from {} to {} destination{}, {product_text}, years {}. {currency}; shown in {}.",
        sales.reader,
        sales.rows,
        out.origins.join(", "),
        dests.len(),
        if dests.len() == 1 { "" } else { "s" },
        span(&out.years),
        money.label()
    )];
    if sales.world_rows.0 > 0 {
        notes.push(format!(
            "{} row(s) to the world (WLD), {} in all, name no destination and are left out.",
            sales.world_rows.0,
            money.text(sales.world_rows.1, false)
        ));
    }
    let partial: Vec<String> = out
        .years
        .iter()
        .filter_map(|y| {
            y.months
                .filter(|m| *m < 12)
                .map(|m| format!("{}: {m} months", y.year))
        })
        .collect();
    if !partial.is_empty() {
        notes.push(format!(
            "Years held in part: {}. Their concentration is that of the months held; market shares are not computed for them.",
            partial.join(", ")
        ));
    }
    let domestic: Vec<&String> = dests
        .iter()
        .filter(|d| sales.origins.contains(d.as_str()))
        .copied()
        .collect();
    if !domestic.is_empty() {
        notes.push(format!(
            "Sales in the firm's own country ({}) count as a market in the concentration and growth figures; they are not imports, and have no market share.",
            domestic
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    match store {
        Ok(i) => {
            let cells = if has_products(sales) {
                format!(
                    "{} cells of the destinations' imports by year ({} of all products, {} by product of the firm's)",
                    i.cells,
                    i.totals.len(),
                    i.cells.saturating_sub(i.totals.len())
                )
            } else {
                format!(
                    "{} cells of the destinations' imports of all products by year",
                    i.cells
                )
            };
            let mut s = format!(
                "Flows dataset '{}' (values in {}): {cells}, {} of them mirror figures (the partners' reports of their exports, where the destination reports no imports)",
                i.dataset, out.currency, i.mirror_cells
            );
            if !i.revisions.is_empty() {
                s.push_str(&format!(
                    "; product codes of {}",
                    i.revisions
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                if !sales.revisions.is_empty() && sales.revisions != i.revisions {
                    s.push_str(" (the sales file's codes are of another revision: matched by their digits)");
                }
            }
            s.push('.');
            notes.push(s);
            let cover: Vec<String> = i
                .coverage
                .iter()
                .filter(|(y, _)| out.years.iter().any(|x| x.year == **y))
                .map(|(y, c)| {
                    format!(
                        "{y}: {} reporter{}, {:.1}% of their reported trade with one another{}",
                        c.reporters,
                        if c.reporters == 1 { "" } else { "s" },
                        c.within * 100.0,
                        if c.covers_world() {
                            ""
                        } else {
                            " (does not cover world trade)"
                        }
                    )
                })
                .collect();
            if !cover.is_empty() {
                notes.push(format!(
                    "Coverage of world trade by year ({}% needed for a destination's imports to be read from its partners' reports): {}.",
                    crate::dependence::WORLD_COVERAGE * 100.0,
                    cover.join("; ")
                ));
            }
        }
        Err(reason) => notes.push(format!(
            "No destination imports were read: {reason}. Shares of the destinations' imports are absent."
        )),
    }
    notes
}
