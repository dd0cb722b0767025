//! The dependence report laid out as a [`Document`]: headline figures of the year of
//! the product tables, the figures of both directions by year with charts, the
//! chokepoints and products of each direction, the method and the data basis.

use super::{
    Coverage, DataBasis, DependenceRequest, DirectionProducts, DirectionYear, Measure,
    DOCUMENT_KIND, WORLD_COVERAGE,
};
use crate::pair::{
    and_list, count_cell, money_cell, money_decimals, money_unit, money_value, number_cell,
    percent_text, product_name, share_cell, years_text,
};
use entrepot_core::FlowKind;
use entrepot_cube::Side;
use entrepot_doc::{
    Basis, Block, Cell, Chart, Citations, Column, Currency, Document, FigureItem, Note, Provenance,
    Row, Section, Series, SourceId, Table, Unit,
};
use std::collections::BTreeMap;

/// What the document is made of.
pub(super) struct Inputs<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub dataset: &'a str,
    pub req: &'a DependenceRequest,
    pub years: &'a [DirectionYear],
    pub products: &'a [DirectionProducts],
    pub coverage: &'a BTreeMap<i32, Coverage>,
    pub basis: &'a DataBasis,
    pub any_product: bool,
}

fn column(key: &str, label: &str, detail: bool) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        detail,
    }
}

fn measure_money(m: &Measure) -> Cell {
    match m {
        Ok(v) => money_cell(*v, false),
        Err(reason) => Cell::missing(reason.clone()),
    }
}

fn plural_products(n: usize) -> String {
    crate::pair::plural(n, "product")
}

/// `ZAF → AFG`.
fn arrow(supplier: &str, buyer: &str) -> String {
    format!("{supplier} → {buyer}")
}

/// Builds the document.
pub(super) fn document(i: &Inputs<'_>) -> Document {
    let (r, p) = (i.reporter, i.partner);
    let first = i.years.first().map(|y| y.year);
    let last = i.years.last().map(|y| y.year);
    let span = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!("Dependence and leverage between {r} and {p}, {span}"),
    );
    doc.currency = Some(Currency::USD);
    let mut cite = Citations::new();
    let data = vec![format!("flows:{}", i.dataset)];
    let method_text = format!(
        "import shares, export shares, their asymmetry, the trade intensity index and chokepoints (entrepot-indices) of {r} and {p}, both directions, from flow cubes of dataset '{}' (each share read from one side, see the method)",
        i.dataset
    );
    let method = cite.method(Basis::Flows, &method_text, &data);
    let provenance = Provenance::Computed {
        basis: Basis::Flows,
        method: method_text.clone(),
        inputs: data.clone(),
    };
    let product_year = i.products.first().map(|d| d.year);
    if let Some(year) = product_year {
        for d in i.years.iter().filter(|d| d.year == year) {
            doc.lead.push(lead(d));
        }
    }
    // Headline: the year of the product tables.
    let mut items = Vec::new();
    let threshold = i.req.threshold;
    for d in i.years.iter().filter(|d| Some(d.year) == product_year) {
        let (s, b) = (&d.supplier, &d.buyer);
        let mut fig = |label: String, v: &Measure, unit: Unit, scale: f64, decimals: u8| {
            let value = match v {
                Ok(v) if (v * scale).is_finite() => {
                    let decimals = if unit == Unit::Percent {
                        crate::pair::percent_decimals(v * scale)
                    } else {
                        decimals
                    };
                    let mut f = cite.figure(v * scale, unit.clone(), decimals, &provenance);
                    f.signed = unit == Unit::PercentagePoints;
                    Cell::figure(f)
                }
                Ok(_) => Cell::missing("not finite"),
                Err(reason) => Cell::missing(reason.clone()),
            };
            items.push(FigureItem {
                label,
                value,
                note: None,
            });
        };
        fig(
            format!("Share of {b}'s imports supplied by {s}"),
            &d.import_share,
            Unit::Percent,
            100.0,
            2,
        );
        fig(
            format!("Share of {s}'s exports taken by {b}"),
            &d.export_share,
            Unit::Percent,
            100.0,
            2,
        );
        fig(
            format!("Asymmetry, {b} on {s} less {s} on {b}"),
            &d.asymmetry,
            Unit::PercentagePoints,
            100.0,
            2,
        );
        fig(
            format!("Trade intensity {}", arrow(s, b)),
            &d.intensity,
            Unit::Index,
            1.0,
            3,
        );
        let at_stake = d.chokepoints.as_ref().map(|c| c.1).map_err(Clone::clone);
        let scaled = at_stake
            .as_ref()
            .map(|v| money_value(*v))
            .map_err(Clone::clone);
        let decimals = scaled.as_ref().map_or(2, |v| money_decimals(*v));
        fig(
            format!("At stake in {b}'s chokepoints on {s}"),
            &scaled,
            money_unit(),
            1.0,
            decimals,
        );
        if let (Ok((n, _)), Some(item)) = (&d.chokepoints, items.last_mut()) {
            item.note = Some(format!(
                "{} of which {s} supplies more than {}% of {b}'s imports",
                plural_products(*n),
                100.0 * threshold
            ));
        }
    }
    if !items.is_empty() {
        doc.sections.push(Section {
            id: "headline".into(),
            title: product_year.map_or("Headline".into(), |y| format!("Headline, {y}")),
            blocks: vec![Block::Figures { items }],
        });
    }
    doc.sections.push(Section {
        id: "over-time".into(),
        title: "Both directions, by year".into(),
        blocks: over_time(i, method),
    });
    doc.sections.push(Section {
        id: "chokepoints".into(),
        title: match product_year {
            Some(y) => format!("Chokepoints and products, {y} (HS{})", i.req.level),
            None => "Chokepoints and products".into(),
        },
        blocks: i
            .products
            .iter()
            .flat_map(|d| product_blocks(d, i, method))
            .collect(),
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(i.req)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(i)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

/// A sentence of one direction in the year of the product tables.
fn lead(d: &DirectionYear) -> String {
    let (s, b, y) = (&d.supplier, &d.buyer, d.year);
    let money = |usd: f64| {
        let v = money_value(usd);
        entrepot_doc::format::quantity(
            v,
            &money_unit(),
            money_decimals(v),
            false,
            false,
            Some(Currency::USD),
        )
    };
    let mut text = format!(
        "{y}: {b} imported {} from {s}",
        money(d.imports_from_supplier)
    );
    match &d.import_share {
        Ok(v) => text.push_str(&format!(", {} of its imports", percent_text(100.0 * v))),
        Err(_) => text.push_str(&format!(" (the share of {b}'s imports is not computable)")),
    }
    match &d.export_share {
        Ok(v) => text.push_str(&format!(
            "; {b} took {} of {s}'s exports",
            percent_text(100.0 * v)
        )),
        Err(_) => text.push_str(&format!("; {b}'s share of {s}'s exports is not computable")),
    }
    if let Ok(a) = &d.asymmetry {
        let who = if *a > 0.0 {
            format!("{b} depends more on {s} than {s} on {b}")
        } else if *a < 0.0 {
            format!("{s} depends more on {b} than {b} on {s}")
        } else {
            "the two dependences are equal".to_string()
        };
        text.push_str(&format!(" ({who}: asymmetry {:+.2} pp)", 100.0 * a));
    }
    text.push('.');
    text
}

fn over_time(i: &Inputs<'_>, method: SourceId) -> Vec<Block> {
    let columns = vec![
        column("year", "Year", false),
        column("direction", "Direction", false),
        column("supplier", "Supplier", true),
        column("buyer", "Buyer", true),
        column("trade_value", "Trade", false),
        column("buyer_imports", "Buyer's imports", true),
        column("import_share", "Import share", false),
        column("exports_to_buyer", "Supplier's exports to buyer", true),
        column("supplier_exports", "Supplier's exports", true),
        column("export_share", "Export share", false),
        column("asymmetry", "Asymmetry", false),
        column("trade_intensity", "TII", false),
        column("chokepoints", "Chokepoints", false),
        column("value_at_stake", "At stake", false),
    ];
    let rows = i
        .years
        .iter()
        .map(|d| {
            let (n, stake) = match &d.chokepoints {
                Ok((n, v)) => (count_cell(*n), money_cell(*v, false)),
                Err(reason) => (Cell::missing(reason.clone()), Cell::missing(reason.clone())),
            };
            Row::new(vec![
                Cell::text(d.year.to_string()),
                Cell::text(arrow(&d.supplier, &d.buyer)),
                Cell::text(d.supplier.clone()),
                Cell::text(d.buyer.clone()),
                money_cell(d.imports_from_supplier, false),
                measure_money(&d.buyer_imports),
                share_cell(&d.import_share),
                money_cell(d.exports_to_buyer, false),
                measure_money(&d.supplier_exports),
                share_cell(&d.export_share),
                number_cell(&d.asymmetry, Unit::PercentagePoints, 100.0, 2, true),
                number_cell(&d.intensity, Unit::Index, 1.0, 3, false),
                n,
                stake,
            ])
        })
        .collect();
    let table = Table {
        id: "dependence".into(),
        title: format!(
            "Dependence of {} and {} on each other, by year. Trade: the buyer's imports from the supplier; import share: of the buyer's imports; export share: of the supplier's exports; asymmetry: import share less export share; TII: trade intensity index; chokepoints and the value at stake: products of which the supplier provides more than {}% of the buyer's imports",
            i.partner, i.reporter, 100.0 * i.req.threshold
        ),
        source: Some(method),
        columns,
        rows,
        footer: Vec::new(),
    };
    let years: Vec<i32> = {
        let mut y: Vec<i32> = i.years.iter().map(|d| d.year).collect();
        y.dedup();
        y
    };
    let x_labels: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let series = |label: String, s: &str, b: &str, f: &dyn Fn(&DirectionYear) -> Option<f64>| {
        Series::line(
            label,
            years
                .iter()
                .map(|y| {
                    i.years
                        .iter()
                        .find(|d| d.year == *y && d.supplier == s && d.buyer == b)
                        .and_then(f)
                })
                .collect(),
        )
    };
    let chart = |id: &str, title: String, unit: Unit, series: Vec<Series>| {
        Block::Chart(Chart::series(
            id,
            title,
            unit,
            x_labels.clone(),
            series,
            "not computable for any year",
        ))
    };
    let (r, p) = (i.reporter, i.partner);
    let pct = |m: &Measure| m.as_ref().ok().map(|v| 100.0 * v);
    let shares = vec![
        series(format!("{p}'s imports from {r}"), r, p, &|d| {
            pct(&d.import_share)
        }),
        series(format!("{r}'s exports to {p}"), r, p, &|d| {
            pct(&d.export_share)
        }),
        series(format!("{r}'s imports from {p}"), p, r, &|d| {
            pct(&d.import_share)
        }),
        series(format!("{p}'s exports to {r}"), p, r, &|d| {
            pct(&d.export_share)
        }),
    ];
    let intensity = vec![
        series(arrow(r, p), r, p, &|d| d.intensity.as_ref().ok().copied()),
        series(arrow(p, r), p, r, &|d| d.intensity.as_ref().ok().copied()),
    ];
    vec![
        Block::Table(table),
        chart(
            "chart-dependence",
            "Shares of each other's imports and exports".into(),
            Unit::Percent,
            shares,
        ),
        chart(
            "chart-intensity",
            "Trade intensity index (1 = neutral)".into(),
            Unit::Index,
            intensity,
        ),
    ]
}

fn product_columns(s: &str, b: &str, level: u8) -> Vec<Column> {
    vec![
        column("hs", &format!("HS{level}"), false),
        column("product", "Product", false),
        column("description", "Description", true),
        column("value_at_stake", &format!("From {s}"), false),
        column("buyer_imports", &format!("{b}'s imports"), true),
        column("import_share", "Import share", false),
        column("exports_to_buyer", &format!("{s}'s exports to {b}"), true),
        column("supplier_exports", &format!("{s}'s exports"), true),
        column("export_share", "Export share", false),
        column("chokepoint", "Chokepoint", false),
    ]
}

fn product_row(p: &super::ProductDependence) -> Row {
    Row::new(vec![
        Cell::text(p.product.code_string()),
        Cell::text(product_name(p.product, 36)),
        Cell::text(product_name(p.product, usize::MAX)),
        money_cell(p.value_at_stake, false),
        measure_money(&p.buyer_imports),
        share_cell(&p.import_share),
        money_cell(p.exports_to_buyer, false),
        measure_money(&p.supplier_exports),
        share_cell(&p.export_share),
        match &p.chokepoint {
            Ok(true) => Cell::text("yes"),
            Ok(false) => Cell::text("no"),
            Err(reason) => Cell::missing(reason.clone()),
        },
    ])
}

/// The chokepoint table (or why there is none) and the product table of a direction.
fn product_blocks(d: &DirectionProducts, i: &Inputs<'_>, method: SourceId) -> Vec<Block> {
    let (s, b, y, level) = (&d.supplier, &d.buyer, d.year, i.req.level);
    let threshold = 100.0 * i.req.threshold;
    let mut blocks = Vec::new();
    if d.products.is_empty() {
        let why = if i.any_product {
            format!("{b} imports no HS{level} product from {s} in {y}, and {s} reports none.")
        } else {
            format!("{}: the dataset holds no HS{level} product detail (its rows are totals), so no product of {b}'s imports from {s} can be shown.", arrow(s, b))
        };
        blocks.push(Block::Note(Note::text(why)));
        return blocks;
    }
    let total_stake: f64 = d.products.iter().map(|p| p.value_at_stake).sum();
    match &d.chokepoints {
        Ok(c) if c.is_empty() => blocks.push(Block::Note(Note::text(format!(
            "{}: no product of which {s} supplies more than {threshold}% of {b}'s imports in {y}.",
            arrow(s, b)
        )))),
        Ok(c) => {
            let rows: Vec<Row> = c
                .iter()
                .take(i.req.top)
                .map(|&k| product_row(&d.products[k]))
                .collect();
            let stake: f64 = c.iter().map(|&k| d.products[k].value_at_stake).sum();
            let mut footer = vec![Cell::text(""); 10];
            footer[1] = Cell::text(if c.len() > i.req.top {
                format!("All {} chokepoints ({} shown)", c.len(), i.req.top)
            } else {
                format!("All: {}", plural_products(c.len()))
            });
            footer[3] = money_cell(stake, false);
            footer[5] = if total_stake > 0.0 {
                share_cell(&Ok(stake / total_stake))
            } else {
                Cell::missing("no trade")
            };
            blocks.push(Block::Table(Table {
                id: format!("dependence-chokepoints-{s}-{b}"),
                title: format!(
                    "Chokepoints of {b} on {s}, {y}: products of which {s} supplies more than {threshold}% of {b}'s imports, by value at stake ({b}'s imports of the product from {s}). Import share: of {b}'s imports of the product; export share: of {s}'s exports of the product; footer: all chokepoints, and their share of {b}'s imports from {s}"
                ),
                source: Some(method),
                columns: product_columns(s, b, level),
                rows,
                footer: vec![Row {
                    cells: footer,
                    indent: 0,
                    emphasis: true,
                }],
            }));
        }
        Err(reason) => blocks.push(Block::Note(Note::text(format!(
            "{}: chokepoints cannot be listed for {y}: {reason}.",
            arrow(s, b)
        )))),
    }
    let rows: Vec<Row> = d.products.iter().take(i.req.top).map(product_row).collect();
    let shown = rows.len();
    blocks.push(Block::Table(Table {
        id: format!("dependence-products-{s}-{b}"),
        title: format!(
            "{b}'s imports from {s} by product, {y}: {} by value at stake. Import share: of {b}'s imports of the product; export share: of {s}'s exports of the product",
            if shown == d.products.len() {
                format!("all {}", plural_products(shown))
            } else {
                format!("the {shown} largest of {}", plural_products(d.products.len()))
            }
        ),
        source: Some(method),
        columns: product_columns(s, b, level),
        rows,
        footer: Vec::new(),
    }));
    blocks
}

fn method_notes(req: &DependenceRequest) -> Vec<String> {
    vec![
        "For each direction, a supplier i and a buyer j. Import share (the buyer's dependence on the supplier) d = m_ji / M_j: the buyer's imports from the supplier over its imports from everyone, overall and per product (Hirschman 1945, National Power and the Structure of Foreign Trade). Export share (the supplier's dependence on the buyer as a market, or absorption) a = x_ij / X_i: the supplier's exports to the buyer over its exports to everyone. Both in [0, 1]; a buyer with no imports has no import share (absent, not zero).".into(),
        "Asymmetry = d − a, in percentage points, between −100 and +100: positive when the buyer depends on the supplier for its imports more than the supplier depends on the buyer for its exports (leverage on the supplier's side), negative the other way (asymmetric interdependence: Hirschman 1945; Keohane and Nye 1977, Power and Interdependence). A difference rather than a log-ratio, so that it is defined when either share is zero.".into(),
        "Trade intensity index TII = (x_ij / X_i) / (m_j / (M_w − M_i)): the buyer's share of the supplier's exports over its share of the imports of the world less the supplier's own (Brown 1949, Applied Economics; Kojima 1964, Hitotsubashi Journal of Economics 5(1); the form netting out M_i as in Drysdale and Garnaut 1982). 1 is neutral, above 1 the pair trades more than the buyer's size predicts. World imports M_w are the sum of every country's imports in the dataset (its own reports, else its partners'), and are held only in years that cover world trade.".into(),
        format!("Chokepoints: the HS{} products of which the supplier provides more than {}% of the buyer's imports by value (--threshold {}), listed by value at stake (the buyer's imports of the product from the supplier). The product tables show the {} largest products; the figures by year count every chokepoint.", req.level, 100.0 * req.threshold, req.threshold, req.top),
        "Sides: a country's total exports or imports are its own reports when it has any in the year (for a product: of that product), else the sum of its partners' reports of the opposite flow (mirror figures, valued as the partners declared them: exports FOB, imports CIF; no CIF/FOB adjustment). The flow between the two countries is read from the same side as the total it is divided by, so no share divides one country's report by another's; the two directions of the same flow (the buyer's imports and the supplier's exports) can therefore differ when both report.".into(),
        format!("Coverage: a total made of partners' reports is complete only when every partner reports. A year of the dataset is taken to cover world trade when at least {:.0}% of the value its reporters report is trade with one another; otherwise (an extract of a few exporters, say) mirror totals and world imports are not held, and the shares and intensities that need them are absent with the reason. Trade with countries that report nothing is missing from mirror totals even in a covered year: those totals are then lower bounds and the shares upper bounds.", 100.0 * WORLD_COVERAGE),
    ]
}

fn side_words(country: &str, flow: FlowKind) -> (String, String) {
    match flow {
        FlowKind::Import => (
            format!("{country}'s own reports of its imports"),
            format!("mirror figures: the exporters' reports of their exports to {country}"),
        ),
        _ => (
            format!("{country}'s own reports of its exports"),
            format!("mirror figures: the importers' reports of their imports from {country}"),
        ),
    }
}

fn data_notes(i: &Inputs<'_>) -> Vec<String> {
    let (r, p, d) = (i.reporter, i.partner, i.dataset);
    let mut notes = vec![format!(
        "Flows dataset '{d}'{}: {} stored rows summed into the totals of {r} and {p} by year (a row that is one's exports and the other's imports counts in both); products at HS{} for the product tables and chokepoint counts.",
        years_text(i.req.from, i.req.to),
        i.basis.rows,
        i.req.level
    )];
    for ((country, flow), sides) in &i.basis.sides {
        let (own, mirror) = side_words(country, *flow);
        let name = if *flow == FlowKind::Import {
            "imports"
        } else {
            "exports"
        };
        let years = |s: Side| -> Vec<String> {
            sides
                .get(&s)
                .map(|y| y.iter().map(|y| y.to_string()).collect())
                .unwrap_or_default()
        };
        let (rep, mir) = (years(Side::Reported), years(Side::Mirror));
        let text = match (rep.is_empty(), mir.is_empty()) {
            (false, true) => format!("{country}'s {name}: {own}."),
            (true, false) => format!("{country}'s {name}: {mirror} ({country} reports none)."),
            _ => format!(
                "{country}'s {name}: {own} in {}; {mirror} in {}.",
                and_list(&rep),
                and_list(&mir)
            ),
        };
        notes.push(text);
    }
    type Years<'c> = Vec<(&'c i32, &'c Coverage)>;
    let (covered, not): (Years<'_>, Years<'_>) =
        i.coverage.iter().partition(|(_, c)| c.covers_world());
    let describe = |list: &[(&i32, &Coverage)]| -> String {
        let parts: Vec<String> = list
            .iter()
            .map(|(y, c)| {
                format!(
                    "{y}: {} reporters, {} other countries, {} of the value reported between reporters",
                    c.reporters,
                    c.others,
                    percent_text(100.0 * c.within)
                )
            })
            .collect();
        if parts.len() > 4 {
            format!(
                "{}; … {}",
                parts[..2].join("; "),
                parts[parts.len() - 2..].join("; ")
            )
        } else {
            parts.join("; ")
        }
    };
    if !covered.is_empty() {
        notes.push(format!(
            "Taken to cover world trade ({} year{}): {}. Mirror totals there leave out trade with the countries that report nothing.",
            covered.len(),
            if covered.len() == 1 { "" } else { "s" },
            describe(&covered)
        ));
    }
    if !not.is_empty() {
        notes.push(format!(
            "Not covering world trade ({} year{}): {}. There, totals made of partners' reports and world imports are not held, and the figures that need them are absent.",
            not.len(),
            if not.len() == 1 { "" } else { "s" },
            describe(&not)
        ));
    }
    if i.any_product {
        let revisions: std::collections::BTreeSet<String> = i
            .products
            .iter()
            .flat_map(|d| d.products.iter())
            .filter_map(|p| p.product.revision())
            .map(|r| r.to_string())
            .collect();
        if !revisions.is_empty() {
            notes.push(format!(
                "Products are HS{} codes of {} as the dataset stores them; descriptions from the built-in nomenclature.",
                i.req.level,
                revisions.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    notes
}
