//! The mirror statistics laid out as a [`Document`]: headline gaps of the last year,
//! both directions by year with charts, the products of the year of the product
//! tables, the method and the data basis.

use super::{MirrorFlow, MirrorRequest, DOCUMENT_KIND};
use crate::pair::{
    code_name, money_cell, money_decimals, money_unit, money_value, percent_text, plural,
};
use entrepot_doc::{
    Basis, Block, Cell, Chart, Citations, Column, Currency, Document, FigureItem, Note, Provenance,
    Row, Section, Series, SourceId, Table, Unit,
};
use entrepot_indices::TYPICAL_CIF_FOB_RATIO;
use std::collections::BTreeSet;

/// What the document is made of.
pub(super) struct Inputs<'a> {
    pub reporter: &'a str,
    pub partner: &'a str,
    pub dataset: &'a str,
    pub against: &'a str,
    pub req: &'a MirrorRequest,
    pub years: &'a [MirrorFlow],
    pub products: &'a [MirrorFlow],
    pub product_year: i32,
    /// Stored rows summed into the overall cells: exporters' side, importers' side.
    pub rows: (u64, u64),
    /// HS revisions of the product cells of each dataset (exporters', importers').
    pub revisions: &'a [(String, BTreeSet<String>)],
}

fn column(key: &str, label: &str, detail: bool) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        detail,
    }
}

fn arrow(exporter: &str, importer: &str) -> String {
    format!("{exporter} → {importer}")
}

/// How a ratio `M/X` reads against the usual CIF/FOB margin.
fn reading(ratio: f64) -> &'static str {
    let (lo, hi) = TYPICAL_CIF_FOB_RATIO;
    if ratio < 1.0 {
        "importer reports less"
    } else if ratio < lo {
        "under the margin"
    } else if ratio <= hi {
        "within the margin"
    } else {
        "over the margin"
    }
}

fn money_text(usd: f64, signed: bool) -> String {
    let v = money_value(usd);
    entrepot_doc::format::quantity(
        v,
        &money_unit(),
        money_decimals(v),
        signed,
        false,
        Some(Currency::USD),
    )
}

/// The cells of one flow: exports, imports, gap, gap %, ratio, reading.
fn flow_cells(f: &MirrorFlow) -> Vec<Cell> {
    let value = |v: &Result<f64, String>| match v {
        Ok(v) => money_cell(*v, false),
        Err(reason) => Cell::missing(reason.clone()),
    };
    let mut cells = vec![value(&f.exports), value(&f.imports)];
    match &f.gap {
        Ok(g) => {
            cells.push(money_cell(g.gap, true));
            cells.push(match g.percent {
                Ok(p) => Cell::Number {
                    value: p,
                    unit: Unit::Percent,
                    decimals: 1,
                    signed: true,
                },
                Err(_) => Cell::missing("the exporter reports none: no percent"),
            });
            match g.ratio {
                Ok(r) => {
                    cells.push(Cell::Number {
                        value: r,
                        unit: Unit::Ratio,
                        decimals: 3,
                        signed: false,
                    });
                    cells.push(Cell::text(reading(r)));
                }
                Err(_) => {
                    cells.push(Cell::missing("the exporter reports none: no ratio"));
                    cells.push(Cell::text("only the importer reports"));
                }
            }
        }
        Err(reason) => {
            for _ in 0..3 {
                cells.push(Cell::missing(reason.clone()));
            }
            cells.push(Cell::text(""));
        }
    }
    cells
}

fn gap_columns() -> Vec<Column> {
    vec![
        column("exports", "X (exporter)", false),
        column("imports", "M (importer)", false),
        column("gap", "M − X", false),
        column("gap_pct", "Gap %", false),
        column("ratio", "M/X", false),
        column("reading", "Reading", false),
    ]
}

/// Builds the document.
pub(super) fn document(i: &Inputs<'_>) -> Document {
    let (r, p) = (i.reporter, i.partner);
    let first = i.years.first().map(|f| f.year);
    let last = i.years.last().map(|f| f.year);
    let span = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let mut doc = Document::new(
        DOCUMENT_KIND,
        format!("Mirror statistics of {r} and {p}, {span}"),
    );
    doc.currency = Some(Currency::USD);
    let (lo, hi) = TYPICAL_CIF_FOB_RATIO;
    let sources = if i.dataset == i.against {
        format!("dataset '{}'", i.dataset)
    } else {
        format!(
            "the exporters' reports in dataset '{}', the importers' in '{}'",
            i.dataset, i.against
        )
    };
    let mut cite = Citations::new();
    let mut data = vec![format!("flows:{}", i.dataset)];
    if i.against != i.dataset {
        data.push(format!("flows:{}", i.against));
    }
    let method_text = format!(
        "mirror gaps (entrepot-indices): each exporter's reported exports X against the importer's reported imports M of the same flow, gap M − X, 100 (M − X)/X and M/X, from {sources}"
    );
    let method = cite.method(Basis::Flows, &method_text, &data);
    let provenance = Provenance::Computed {
        basis: Basis::Flows,
        method: method_text.clone(),
        inputs: data.clone(),
    };
    let latest: Vec<&MirrorFlow> = i.years.iter().filter(|f| Some(f.year) == last).collect();
    for f in &latest {
        doc.lead.push(lead(f));
    }
    let mut items = Vec::new();
    for f in &latest {
        let dir = arrow(&f.exporter, &f.importer);
        let mut push = |label: String, v: Result<(f64, Unit, u8, bool), String>| {
            let value = match v {
                Ok((v, unit, decimals, signed)) if v.is_finite() => {
                    let mut fig = cite.figure(v, unit, decimals, &provenance);
                    fig.signed = signed;
                    Cell::figure(fig)
                }
                Ok(_) => Cell::missing("not finite"),
                Err(reason) => Cell::missing(reason),
            };
            items.push(FigureItem {
                label,
                value,
                note: None,
            });
        };
        let gap = f.gap.clone();
        push(
            format!("Gap M − X, {dir}"),
            gap.clone().map(|g| {
                let v = money_value(g.gap);
                (v, money_unit(), money_decimals(v), true)
            }),
        );
        push(
            format!("Gap in percent of X, {dir}"),
            gap.clone().and_then(|g| {
                g.percent
                    .map(|p| (p, Unit::Percent, 1, true))
                    .map_err(|_| format!("{} reports no exports to {}", f.exporter, f.importer))
            }),
        );
        push(
            format!("Ratio M/X, {dir}"),
            gap.and_then(|g| {
                g.ratio
                    .map(|r| (r, Unit::Ratio, 3, false))
                    .map_err(|_| format!("{} reports no exports to {}", f.exporter, f.importer))
            }),
        );
        if let (Some(item), Ok(g)) = (items.last_mut(), &f.gap) {
            if let Ok(ratio) = g.ratio {
                item.note = Some(format!(
                    "{} (the CIF/FOB valuation alone usually gives {lo:.2}–{hi:.2})",
                    reading(ratio)
                ));
            }
        }
    }
    if !items.is_empty() {
        doc.sections.push(Section {
            id: "headline".into(),
            title: format!("Headline, {}", last.unwrap_or_default()),
            blocks: vec![Block::Figures { items }],
        });
    }
    doc.sections.push(Section {
        id: "over-time".into(),
        title: "Both directions, by year".into(),
        blocks: over_time(i, method),
    });
    doc.sections.push(Section {
        id: "products".into(),
        title: format!("By product, {} (HS{})", i.product_year, i.req.level),
        blocks: product_blocks(i, method),
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes()),
    });
    doc.sections.push(Section {
        id: "data".into(),
        title: "Data basis".into(),
        blocks: Block::notes(data_notes(i)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

fn lead(f: &MirrorFlow) -> String {
    let (x, m, y) = (&f.exporter, &f.importer, f.year);
    match (&f.exports, &f.imports, &f.gap) {
        (Ok(xv), Ok(mv), Ok(g)) => {
            let mut t = format!(
                "{y}: {x} reports exports to {m} of {}; {m} reports imports from {x} of {}: a gap of {}",
                money_text(*xv, false),
                money_text(*mv, false),
                money_text(g.gap, true)
            );
            if let (Ok(pct), Ok(ratio)) = (g.percent, g.ratio) {
                let sign = if pct > 0.0 { "+" } else { "" };
                t.push_str(&format!(
                    " ({sign}{} of X), M/X {ratio:.3}: {}",
                    percent_text(pct),
                    reading(ratio)
                ));
            }
            t.push('.');
            t
        }
        (_, _, Err(reason)) | (Err(reason), _, _) | (_, Err(reason), _) => {
            format!("{y}, {}: no comparison ({reason}).", arrow(x, m))
        }
    }
}

fn over_time(i: &Inputs<'_>, method: SourceId) -> Vec<Block> {
    let mut columns = vec![
        column("year", "Year", false),
        column("direction", "Direction", false),
        column("exporter", "Exporter", true),
        column("importer", "Importer", true),
    ];
    columns.extend(gap_columns());
    let rows = i
        .years
        .iter()
        .map(|f| {
            let mut cells = vec![
                Cell::text(f.year.to_string()),
                Cell::text(arrow(&f.exporter, &f.importer)),
                Cell::text(f.exporter.clone()),
                Cell::text(f.importer.clone()),
            ];
            cells.extend(flow_cells(f));
            Row::new(cells)
        })
        .collect();
    let (lo, hi) = TYPICAL_CIF_FOB_RATIO;
    let table = Table {
        id: "mirror".into(),
        title: format!(
            "Each exporter's report (X, FOB) against the importer's report (M, CIF) of the same flow, by year. Reading: M/X against the usual CIF/FOB margin of {lo:.2}–{hi:.2} (not applied)"
        ),
        source: Some(method),
        columns,
        rows,
        footer: Vec::new(),
    };
    let mut years: Vec<i32> = i.years.iter().map(|f| f.year).collect();
    years.dedup();
    let x_labels: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let series = |label: String, x: &str, m: &str, get: &dyn Fn(&MirrorFlow) -> Option<f64>| {
        Series::line(
            label,
            years
                .iter()
                .map(|y| {
                    i.years
                        .iter()
                        .find(|f| f.year == *y && f.exporter == x && f.importer == m)
                        .and_then(get)
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
            "no year with both reports",
        ))
    };
    let (r, p) = (i.reporter, i.partner);
    let ratio = |f: &MirrorFlow| f.gap.as_ref().ok().and_then(|g| g.ratio.ok());
    let x_of = |f: &MirrorFlow| f.exports.as_ref().ok().map(|v| money_value(*v));
    let m_of = |f: &MirrorFlow| f.imports.as_ref().ok().map(|v| money_value(*v));
    vec![
        Block::Table(table),
        chart(
            "chart-mirror-ratio",
            format!("Ratio M/X (CIF/FOB margin usually {lo:.2}–{hi:.2})"),
            Unit::Ratio,
            vec![
                series(arrow(r, p), r, p, &ratio),
                series(arrow(p, r), p, r, &ratio),
            ],
        ),
        chart(
            "chart-mirror-values",
            "The two reports of each flow".into(),
            money_unit(),
            vec![
                series(format!("{r}'s exports to {p} (X)"), r, p, &x_of),
                series(format!("{p}'s imports from {r} (M)"), r, p, &m_of),
                series(format!("{p}'s exports to {r} (X)"), p, r, &x_of),
                series(format!("{r}'s imports from {p} (M)"), p, r, &m_of),
            ],
        ),
    ]
}

fn product_blocks(i: &Inputs<'_>, method: SourceId) -> Vec<Block> {
    let level = i.req.level;
    // names from the exporters' dataset revision, else the importers'
    let revision = i
        .revisions
        .iter()
        .flat_map(|(_, r)| r.iter())
        .find_map(|r| r.parse::<entrepot_core::HsRevision>().ok());
    let mut blocks = Vec::new();
    for (x, m) in [(i.reporter, i.partner), (i.partner, i.reporter)] {
        let flows: Vec<&MirrorFlow> = i
            .products
            .iter()
            .filter(|f| f.exporter == x && f.importer == m)
            .collect();
        let overall = i
            .years
            .iter()
            .find(|f| f.year == i.product_year && f.exporter == x && f.importer == m);
        if flows.is_empty() {
            let why = match overall.map(|f| &f.gap) {
                Some(Err(reason)) => reason.clone(),
                _ => format!("no HS{level} product of this flow is reported on either side"),
            };
            blocks.push(Block::Note(Note::text(format!(
                "{}, {}: no product comparison: {why}.",
                arrow(x, m),
                i.product_year
            ))));
            continue;
        }
        let mut columns = vec![
            column("hs", &format!("HS{level}"), false),
            column("product", "Product", false),
            column("description", "Description", true),
        ];
        columns.extend(gap_columns());
        let rows: Vec<Row> = flows
            .iter()
            .take(i.req.top)
            .map(|f| {
                let code = f.product.clone().unwrap_or_default();
                let mut cells = vec![
                    Cell::text(code.clone()),
                    Cell::text(code_name(revision, &code, 28)),
                    Cell::text(code_name(revision, &code, usize::MAX)),
                ];
                cells.extend(flow_cells(f));
                Row::new(cells)
            })
            .collect();
        blocks.push(Block::Table(Table {
            id: format!("mirror-products-{x}-{m}"),
            title: format!(
                "{} by product, {}: {} compared, the {} largest gaps (by the size of M − X) shown",
                arrow(x, m),
                i.product_year,
                plural(flows.len(), "product"),
                rows.len()
            ),
            source: Some(method),
            columns,
            rows,
            footer: Vec::new(),
        }));
    }
    blocks
}

fn method_notes() -> Vec<String> {
    let (lo, hi) = TYPICAL_CIF_FOB_RATIO;
    vec![
        "Mirror statistics set two declarations of the same flow side by side: the exporter's report of its exports to the importer (X) and the importer's report of its imports from the exporter (M). Gap = M − X; gap in percent = 100 (M − X)/X, against the exporter's report; ratio M/X. With no exporter's report (X = 0) the percent and the ratio are absent.".into(),
        format!("Valuation: exports are recorded free on board (FOB) at the exporter's border, imports with cost, insurance and freight (CIF) at the importer's (UN Statistics Division, International Merchandise Trade Statistics: Concepts and Definitions 2010), so M/X is usually above 1 by the transport margin, commonly {lo:.2}–{hi:.2} (the IMF's Direction of Trade Statistics has long used 1.10 to derive imports from exports; CEPII's BACI estimates the margin flow by flow, Gaulier and Zignago 2010). The margin is noted, never taken off. Gaps beyond it come from timing, re-exports and the country of origin recorded by the importer against the destination recorded by the exporter, confidential or unallocated trade, classification, exchange rates and errors."),
        "Only reported figures are compared (no mirror filling): a country that reports a flow in a year but not with the other country reports zero to it; a country with no report of the flow in the year leaves the comparison absent, with the reason.".into(),
    ]
}

fn data_notes(i: &Inputs<'_>) -> Vec<String> {
    let mut notes = Vec::new();
    if i.dataset == i.against {
        notes.push(format!(
            "Both reports from flows dataset '{}': {} stored rows summed into the exports and {} into the imports between {} and {}.",
            i.dataset, i.rows.0, i.rows.1, i.reporter, i.partner
        ));
    } else {
        notes.push(format!(
            "Exporters' reports from flows dataset '{}' ({} stored rows summed), importers' reports from '{}' ({} rows).",
            i.dataset, i.rows.0, i.against, i.rows.1
        ));
    }
    let missing: Vec<String> = i
        .years
        .iter()
        .filter_map(|f| f.gap.as_ref().err().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "Comparisons not possible for want of one report: {}.",
            missing.join("; ")
        ));
    }
    let revs: Vec<String> = i
        .revisions
        .iter()
        .filter(|(_, r)| !r.is_empty())
        .map(|(d, r)| format!("'{d}' {}", r.iter().cloned().collect::<Vec<_>>().join("/")))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let distinct: BTreeSet<&String> = i.revisions.iter().flat_map(|(_, r)| r.iter()).collect();
    if distinct.len() > 1 {
        notes.push(format!(
            "Products are matched on their HS{} digits across different HS revisions ({}): codes changed between revisions do not match.",
            i.req.level,
            revs.join(", ")
        ));
    } else if !revs.is_empty() {
        notes.push(format!(
            "Products are HS{} codes of {}; descriptions from the built-in nomenclature.",
            i.req.level,
            distinct.into_iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(
        year: i32,
        x: &str,
        m: &str,
        exports: Result<f64, String>,
        imports: Result<f64, String>,
    ) -> MirrorFlow {
        let gap = match (&exports, &imports) {
            (Ok(a), Ok(b)) => Ok(entrepot_indices::mirror_gap(*a, *b).expect("gap")),
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        MirrorFlow {
            year,
            exporter: x.into(),
            importer: m.into(),
            product: None,
            exports,
            imports,
            gap,
        }
    }

    #[test]
    fn ratios_read_against_the_cif_fob_margin() {
        assert_eq!(reading(0.9), "importer reports less");
        assert_eq!(reading(1.02), "under the margin");
        assert_eq!(reading(1.05), "within the margin");
        assert_eq!(reading(1.10), "within the margin");
        assert_eq!(reading(1.2), "over the margin");
    }

    #[test]
    fn the_document_is_consistent_and_keeps_absent_reports_absent() {
        let req = MirrorRequest::default();
        let years = vec![
            flow(2020, "ZAF", "AFG", Ok(100.0), Ok(108.0)),
            flow(
                2020,
                "AFG",
                "ZAF",
                Ok(20.0),
                Err("ZAF reports no imports in 2020 in 'd'".into()),
            ),
        ];
        let d = document(&Inputs {
            reporter: "ZAF",
            partner: "AFG",
            dataset: "d",
            against: "d",
            req: &req,
            years: &years,
            products: &[],
            product_year: 2020,
            rows: (2, 1),
            revisions: &[],
        });
        d.validate().expect("consistent");
        assert_eq!(d.kind, DOCUMENT_KIND);
        let t = d.tables().next().expect("table");
        assert_eq!(t.id, "mirror");
        let col = |k: &str| t.columns.iter().position(|c| c.key == k).expect(k);
        match &t.rows[0].cells[col("ratio")] {
            Cell::Number { value, .. } => assert!((value - 1.08).abs() < 1e-12),
            c => panic!("{c:?}"),
        }
        match &t.rows[1].cells[col("imports")] {
            Cell::Missing { reason } => assert!(reason.contains("reports no imports")),
            c => panic!("{c:?}"),
        }
        assert!(d.lead[0].contains("within the margin"), "{:?}", d.lead);
        assert!(format!("{d:?}").contains("never taken off"));
    }
}
