//! The report document of a sectoral edge: summary by year, the products table, the
//! top gainers and losers, charts, method notes and the data basis.

use super::{revision_list, DataBasis, EdgeOutput, EdgeRequest, GroupYear, ProductEdge, Selection};
use crate::pair::{count_cell, number_cell, percent_decimals};
use entrepot_doc::{
    Bar, Basis, Block, Cell, Chart, Citations, Column, Document, Note, Plot, Row, Section, Series,
    Table, Unit,
};

/// Lines of the share chart at most (products beyond are in the table only).
const CHART_LINES: usize = 8;

fn column(key: &str, label: &str, detail: bool) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        detail,
    }
}

fn money(value: f64, basis: &DataBasis) -> Cell {
    let v = value / 1e9;
    Cell::Number {
        value: v,
        unit: crate::money::billions(basis.currency),
        decimals: if v.abs() >= 1.0 || v == 0.0 { 2 } else { 6 },
        signed: false,
    }
}

fn share(v: &Result<f64, String>) -> Cell {
    let d = v.as_ref().map_or(2, |s| percent_decimals(*s).max(4));
    number_cell(v, Unit::Percent, 1.0, d, false)
}

fn rca(v: &Result<f64, String>) -> Cell {
    number_cell(v, Unit::Ratio, 1.0, 4, false)
}

fn pp(v: &Result<f64, String>) -> Cell {
    let d = v.as_ref().map_or(2, |s| percent_decimals(*s).max(4));
    number_cell(v, Unit::PercentagePoints, 1.0, d, true)
}

fn text_of(v: &Result<f64, String>, suffix: &str, d: usize) -> String {
    match v {
        Ok(x) => format!("{x:.d$}{suffix}"),
        Err(e) => format!("absent ({e})"),
    }
}

/// The report of an edge output.
pub(super) fn document(
    out: &EdgeOutput,
    req: &EdgeRequest,
    basis: &DataBasis,
    top: usize,
) -> Document {
    let years: Vec<i32> = out.total.iter().map(|y| y.year).collect();
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let r = &out.reporter;
    let what = match (&req.selection, &out.basket) {
        (_, Some((name, _))) => format!("basket {name}"),
        (Selection::Products(_), _) => "selected products".to_string(),
        _ => "every product".to_string(),
    };
    let mut doc = Document::new(
        super::DOCUMENT_KIND,
        format!("Sectoral edge of {r}: world market shares and RCA, {what}, {span}"),
    );
    doc.currency = Some(basis.currency);
    let mut cite = Citations::new();
    let data = vec![format!("flows:{}", out.dataset)];
    let method = cite.method(
        Basis::Flows,
        &format!("world market shares X_rk/X_wk and Balassa (1965) revealed comparative advantage (X_rk/X_r)/(X_wk/X_w) of {r} by HS6 product and year, against every exporter's reported exports in the dataset"),
        &data,
    );
    // Lead.
    if let (Some(a), Some(b)) = (out.total.first(), out.total.last()) {
        let mut lead = format!(
            "{}: {r} holds {} of the exports of the dataset's {} exporters",
            b.year,
            text_of(&b.share, "%", 4),
            out.exporters.get(&b.year).copied().unwrap_or(0)
        );
        if a.year != b.year {
            let c = super::change(&out.total);
            lead.push_str(&format!(" ({} pp since {})", text_of(&c, "", 4), a.year));
        }
        lead.push('.');
        doc.lead.push(lead);
    }
    if let Some((name, ys)) = &out.basket {
        if let Some(b) = ys.last() {
            doc.lead.push(format!(
                "Basket {name} in {}: share {}, RCA {}.",
                b.year,
                text_of(&b.share, "%", 4),
                text_of(&b.rca, "", 4)
            ));
        }
    }
    if !out.coverage.values().all(|c| c.covers_world()) {
        doc.lead.push(format!(
            "The dataset does not cover world trade: 'world' means the {} exporters it holds, and shares are shares of their exports.",
            out.exporters.values().max().copied().unwrap_or(0)
        ));
    }
    let mut blocks = vec![Block::Table(summary_table(out, basis, method))];
    blocks.push(Block::Chart(share_chart(out, &years)));
    doc.sections.push(Section {
        id: "summary".into(),
        title: "Shares of world exports by year".into(),
        blocks,
    });
    doc.sections.push(Section {
        id: "products".into(),
        title: format!("Products ({})", out.products.len()),
        blocks: vec![Block::Table(products_table(out, basis, &years, method))],
    });
    let mut movers = Vec::new();
    if let Some(reason) = &out.no_change {
        movers.push(Block::Note(Note::text(format!(
            "No gainers or losers: {reason}."
        ))));
    } else {
        for (id, title, idx) in [
            ("gainers", "Top gaining products", &out.gainers),
            ("losers", "Top losing products", &out.losers),
        ] {
            let rows: Vec<&ProductEdge> = idx.iter().filter_map(|i| out.products.get(*i)).collect();
            movers.push(Block::Table(movers_table(
                id, title, &rows, basis, &years, method,
            )));
            movers.push(Block::Chart(Chart {
                id: format!("chart-{id}"),
                title: format!("{title}: change in world market share (pp)"),
                unit: Unit::PercentagePoints,
                empty_reason: rows.is_empty().then(|| {
                    format!(
                        "no product whose share {}",
                        if id == "gainers" { "rose" } else { "fell" }
                    )
                }),
                plot: Plot::Bars {
                    bars: rows
                        .iter()
                        .filter_map(|p| {
                            p.change_pp.as_ref().ok().map(|c| Bar {
                                label: p.product.code_string(),
                                value: *c,
                                total: false,
                            })
                        })
                        .collect(),
                },
            }));
        }
    }
    doc.sections.push(Section {
        id: "movers".into(),
        title: format!("Top {top} gaining and losing products (change in share, {span})"),
        blocks: movers,
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(out)),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(out, req, basis)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

fn summary_table(out: &EdgeOutput, basis: &DataBasis, source: entrepot_doc::SourceId) -> Table {
    let cur = basis.currency;
    let mut columns = vec![
        column("year", "Year", false),
        column("exporters", "Exporters (world)", false),
        column("exports", &format!("Exports ({cur} bn)"), false),
        column("world_exports", &format!("World exports ({cur} bn)"), false),
        column("share", "Share of world exports (%)", false),
    ];
    if let Some((name, _)) = &out.basket {
        columns.extend([
            column(
                "basket_exports",
                &format!("{name} exports ({cur} bn)"),
                false,
            ),
            column(
                "basket_world_exports",
                &format!("{name} world exports ({cur} bn)"),
                false,
            ),
            column("basket_share", &format!("{name} share (%)"), false),
            column("basket_rca", &format!("{name} RCA"), false),
        ]);
    }
    let rows = out
        .total
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut cells = vec![
                Cell::text(t.year.to_string()),
                count_cell(out.exporters.get(&t.year).copied().unwrap_or(0)),
                money(t.exports, basis),
                money(t.world_exports, basis),
                share(&t.share),
            ];
            if let Some(b) = out.basket.as_ref().and_then(|(_, ys)| ys.get(i)) {
                cells.extend([
                    money(b.exports, basis),
                    money(b.world_exports, basis),
                    share(&b.share),
                    rca(&b.rca),
                ]);
            }
            Row::new(cells)
        })
        .collect();
    Table {
        id: "summary".into(),
        title: format!("{}'s share of world exports, by year", out.reporter),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn share_chart(out: &EdgeOutput, years: &[i32]) -> Chart {
    let line = |label: &str, ys: &[GroupYear]| {
        Series::line(
            label,
            ys.iter().map(|y| y.share.as_ref().ok().copied()).collect(),
        )
    };
    let mut series = vec![line("Every product", &out.total)];
    if let Some((name, ys)) = &out.basket {
        series.push(line(name, ys));
    }
    let shown: Vec<&ProductEdge> = if out.basket.is_some() || out.no_change.is_some() {
        out.products.iter().take(CHART_LINES).collect()
    } else {
        out.gainers
            .iter()
            .take(CHART_LINES / 2)
            .chain(out.losers.iter().take(CHART_LINES / 2))
            .filter_map(|i| out.products.get(*i))
            .collect()
    };
    for p in shown {
        series.push(line(&p.product.code_string(), &p.years));
    }
    Chart::series(
        "chart-shares",
        format!("{}'s share of world exports (%)", out.reporter),
        Unit::Percent,
        years.iter().map(|y| y.to_string()).collect(),
        series,
        "not computable for any year",
    )
}

/// The cells common to the products and movers tables.
fn product_cells(p: &ProductEdge, basis: &DataBasis) -> Vec<Cell> {
    let (first, last) = (p.years.first(), p.years.last());
    let missing = || Cell::missing("no years");
    vec![
        Cell::text(p.product.code_string()),
        Cell::text(p.description.clone()),
        last.map_or_else(missing, |y| money(y.exports, basis)),
        last.map_or_else(missing, |y| money(y.world_exports, basis)),
        last.map_or_else(missing, |y| share(&y.share)),
        last.map_or_else(missing, |y| rca(&y.rca)),
        first.map_or_else(missing, |y| share(&y.share)),
        first.map_or_else(missing, |y| rca(&y.rca)),
        pp(&p.change_pp),
    ]
}

fn product_columns(basis: &DataBasis, years: &[i32]) -> Vec<Column> {
    let cur = basis.currency;
    let (a, b) = (
        years.first().copied().unwrap_or_default(),
        years.last().copied().unwrap_or_default(),
    );
    vec![
        column("hs6", "HS6", false),
        column("description", "Description", false),
        column("exports", &format!("Exports {b} ({cur} bn)"), false),
        column(
            "world_exports",
            &format!("World exports {b} ({cur} bn)"),
            false,
        ),
        column("share", &format!("Share {b} (%)"), false),
        column("rca", &format!("RCA {b}"), false),
        column("share_first", &format!("Share {a} (%)"), true),
        column("rca_first", &format!("RCA {a}"), true),
        // With one year held there is no change to show: the column stays in the data
        // renderers (every cell says why it is absent) and leaves the reading ones.
        if a == b {
            column("change_pp", &format!("Change (pp; only {b} held)"), true)
        } else {
            column("change_pp", &format!("Change {a}–{b} (pp)"), false)
        },
    ]
}

fn products_table(
    out: &EdgeOutput,
    basis: &DataBasis,
    years: &[i32],
    source: entrepot_doc::SourceId,
) -> Table {
    let mut columns = product_columns(basis, years);
    if years.len() > 1 {
        for y in years {
            columns.push(column(
                &format!("share_{y}"),
                &format!("Share {y} (%)"),
                true,
            ));
            columns.push(column(&format!("rca_{y}"), &format!("RCA {y}"), true));
        }
    }
    let rows = out
        .products
        .iter()
        .map(|p| {
            let mut cells = product_cells(p, basis);
            if years.len() > 1 {
                for y in &p.years {
                    cells.push(share(&y.share));
                    cells.push(rca(&y.rca));
                }
            }
            Row::new(cells)
        })
        .collect();
    Table {
        id: "products".into(),
        title: format!(
            "{}'s world market share and RCA by HS6 product (largest exports first)",
            out.reporter
        ),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn movers_table(
    id: &str,
    title: &str,
    rows: &[&ProductEdge],
    basis: &DataBasis,
    years: &[i32],
    source: entrepot_doc::SourceId,
) -> Table {
    Table {
        id: id.into(),
        title: title.into(),
        source: Some(source),
        columns: product_columns(basis, years),
        rows: rows
            .iter()
            .map(|p| Row::new(product_cells(p, basis)))
            .collect(),
        footer: Vec::new(),
    }
}

fn method_notes(out: &EdgeOutput) -> Vec<String> {
    vec![
        "World market share s_rk = X_rk / X_wk, where X_rk is the reporter's exports of HS6 product k and X_wk = Σ_r X_rk the exports of k by every exporter in the dataset (the reporter included); the shares of all exporters in a product add up to 100%. Total share X_r / X_w over every product.".into(),
        "Revealed comparative advantage RCA_rk = (X_rk / X_r) / (X_wk / X_w) (B. Balassa 1965, \"Trade liberalisation and 'revealed' comparative advantage\", The Manchester School 33(2)): above 1 the reporter exports relatively more of k than the world does. For a basket B, X_rk and X_wk are summed over the products of B.".into(),
        "Change in share: last year's share minus the first year's, in percentage points; the top gainers and losers are the products with the largest rise and fall. A figure that cannot be computed (no world exports of a product in a year, no exports of the reporter in a year) is absent with the reason, never zero.".into(),
        format!(
            "Values are the exporters' own reports (no mirror figures), summed from HS6 rows ({}); rows stored at a coarser level (totals, chapters) are not split and are left out, so X_r and X_w are sums over HS6 products.",
            revision_list(&out.revisions)
        ),
    ]
}

fn data_notes(out: &EdgeOutput, req: &EdgeRequest, basis: &DataBasis) -> Vec<String> {
    let mut notes = vec![format!(
        "Flows dataset '{}': {} cells of exports by exporter, HS6 product and year, summed from {} stored rows{}.",
        out.dataset,
        basis.cells,
        basis.rows,
        crate::pair::years_text(req.from, req.to)
    )];
    let exporters: Vec<String> = out
        .exporters
        .iter()
        .map(|(y, n)| format!("{y}: {n}"))
        .collect();
    notes.push(format!(
        "Exporters in the dataset by year (the world reference): {}.",
        exporters.join(", ")
    ));
    let (covered, not): (Vec<_>, Vec<_>) = out.coverage.iter().partition(|(_, c)| c.covers_world());
    if !not.is_empty() {
        let ys: Vec<String> = not
            .iter()
            .map(|(y, c)| {
                format!(
                    "{y} ({:.1}% of the value reported is trade among the reporters)",
                    100.0 * c.within
                )
            })
            .collect();
        notes.push(format!(
            "The dataset does not cover world trade in {}: at least {:.0}% of the value its exporters report would be trade with one another if every trading country reported. 'World' here means the exporters the dataset holds, and each share is a share of their exports only.",
            ys.join(", "),
            100.0 * crate::dependence::WORLD_COVERAGE
        ));
    }
    if !covered.is_empty() && not.is_empty() {
        let ys: Vec<String> = covered.iter().map(|(y, _)| y.to_string()).collect();
        notes.push(format!("It covers world trade in {}.", ys.join(", ")));
    }
    if !basis.basket_codes.is_empty() {
        let codes: Vec<String> = basis
            .basket_codes
            .iter()
            .map(|(r, cs)| {
                format!(
                    "{r}: {}",
                    cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        notes.push(format!(
            "Basket codes used (the dataset's revision): {}.",
            codes.join("; ")
        ));
    }
    if !basis.missing_codes.is_empty() {
        notes.push(format!(
            "Not held in the dataset (no exporter reports them): {}.",
            basis.missing_codes.join(", ")
        ));
    }
    notes
}
