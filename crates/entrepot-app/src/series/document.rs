//! The report document of a series: the years and what each read, a chart, the values
//! by code and year with their make-up, the weights of the conversion, the unmapped
//! rows and the method.

use super::{SeriesOutput, SeriesRequest, WeightSource};
use crate::edge::Selection;
use entrepot_doc::{
    Basis, Block, Cell, Chart, Citations, Column, Document, Row, Section, Series, Table,
};

/// Lines of the chart at most besides the total (codes beyond are in the table only).
const CHART_LINES: usize = 8;

fn money(value: f64, out: &SeriesOutput) -> Cell {
    let v = value / 1e9;
    Cell::Number {
        value: v,
        unit: crate::money::billions(out.currency),
        decimals: if v.abs() >= 1.0 || v == 0.0 { 3 } else { 6 },
        signed: false,
    }
}

fn ratio(value: f64) -> Cell {
    Cell::Number {
        value,
        unit: entrepot_doc::Unit::Ratio,
        decimals: 4,
        signed: false,
    }
}

fn describe(out: &SeriesOutput, code: &str) -> String {
    crate::pair::code_name(Some(out.target), code, 100)
}

/// The report of a series output.
pub(super) fn document(out: &SeriesOutput, req: &SeriesRequest) -> Document {
    let r = &out.reporter;
    let t = out.target;
    let flow = crate::pair::flow_word(out.flow);
    let whom = out
        .partner
        .as_deref()
        .map(|p| format!(" {} {p}", if flow == "exports" { "to" } else { "from" }))
        .unwrap_or_default();
    let what = match &req.selection {
        Selection::All => "every product".to_string(),
        Selection::Basket(b) => format!("basket {b} ({} codes)", out.selected.len()),
        Selection::Products(_) => format!("{} selected codes", out.selected.len()),
    };
    let span = match (out.years.first(), out.years.last()) {
        (Some(a), Some(b)) if a.year != b.year => format!("{}–{}", a.year, b.year),
        (Some(a), _) => a.year.to_string(),
        _ => String::new(),
    };
    let mut doc = Document::new(
        super::DOCUMENT_KIND,
        format!("{r}'s {flow}{whom} of {what}, {span}, in {t} codes"),
    );
    doc.currency = Some(out.currency);
    let mut cite = Citations::new();
    let data: Vec<String> = out
        .years
        .iter()
        .flat_map(|y| y.datasets.iter())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|d| format!("flows:{d}"))
        .collect();
    let weighting = weighting_text(out);
    let method = cite.method(
        Basis::Flows,
        &format!(
            "{r}'s {flow}{whom} by HS6 code and year, years held in another revision converted to {t} through the built-in concordance; {weighting}"
        ),
        &data,
    );
    let converted: Vec<i32> = out
        .years
        .iter()
        .filter(|y| y.converted(t))
        .map(|y| y.year)
        .collect();
    if converted.is_empty() {
        doc.lead.push(format!(
            "Every year is held in {t}: no conversion was needed."
        ));
    } else {
        let revs: std::collections::BTreeSet<String> = out
            .years
            .iter()
            .filter(|y| y.converted(t))
            .map(|y| y.revision.to_string())
            .collect();
        doc.lead.push(format!(
            "{} of {} years converted from {} to {t} ({}); {weighting}.",
            converted.len(),
            out.years.len(),
            revs.into_iter().collect::<Vec<_>>().join(" and "),
            years_list(&converted),
        ));
    }
    let unmapped: f64 = out.years.iter().map(|y| y.unmapped).sum();
    if unmapped > 0.0 {
        doc.lead.push(format!(
            "{} rows ({} {} bn) have codes without a link to {t}; they are listed apart, not dropped.",
            out.unmapped.len(),
            out.currency,
            entrepot_doc::format::number(unmapped / 1e9, 3)
        ));
    }
    let mut years = vec![Block::Table(years_table(out, method))];
    years.extend(Block::notes(year_notes(out)));
    years.push(Block::Chart(chart(out)));
    doc.sections.push(Section {
        id: "years".into(),
        title: "What each year reads".into(),
        blocks: years,
    });
    doc.sections.push(Section {
        id: "series".into(),
        title: format!("Values by {t} code and year ({})", out.values.len()),
        blocks: vec![Block::Table(values_table(out, method))],
    });
    let weights = if out.used_weights.is_empty() {
        Block::notes([if converted.is_empty() {
            "No weights: no year was converted.".to_string()
        } else {
            "No link into the selected codes was used.".to_string()
        }])
    } else {
        vec![Block::Table(weights_table(out, method))]
    };
    doc.sections.push(Section {
        id: "weights".into(),
        title: "Weights of the conversion".into(),
        blocks: weights,
    });
    doc.sections.push(Section {
        id: "unmapped".into(),
        title: "Codes without a link".into(),
        blocks: if out.unmapped.is_empty() {
            Block::notes(["None: every code read has a link to the target revision."])
        } else {
            vec![Block::Table(unmapped_table(out, method))]
        },
    });
    doc.sections.push(Section {
        id: "method".into(),
        title: "Method".into(),
        blocks: Block::notes(method_notes(out)),
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

fn years_list(years: &[i32]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if years.len() as i32 == b - a + 1 && a != b => format!("{a}–{b}"),
        _ => years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The datasets read and the values held in another revision and not read.
fn year_notes(out: &SeriesOutput) -> Vec<String> {
    let mut by_dataset: std::collections::BTreeMap<&str, Vec<i32>> = Default::default();
    for y in &out.years {
        for d in &y.datasets {
            by_dataset.entry(d.as_str()).or_default().push(y.year);
        }
    }
    let read: Vec<String> = by_dataset
        .iter()
        .map(|(d, ys)| format!("'{d}' for {}", years_list(ys)))
        .collect();
    let mut notes = vec![format!("Datasets read: {}.", read.join("; "))];
    let aside: Vec<String> = out
        .years
        .iter()
        .flat_map(|y| {
            y.set_aside.iter().map(move |(r, v)| {
                format!(
                    "{}: {} {} bn in {r}",
                    y.year,
                    out.currency,
                    entrepot_doc::format::number(v / 1e9, 3)
                )
            })
        })
        .collect();
    if !aside.is_empty() {
        notes.push(format!(
            "Held in another revision and not read (the year is read in {}): {}.",
            out.target,
            aside.join("; ")
        ));
    }
    notes
}

fn weighting_text(out: &SeriesOutput) -> String {
    match (out.weights, out.overlap_year) {
        (WeightSource::Equal, _) | (_, None) => {
            "a code with several targets is split equally among them".into()
        }
        (WeightSource::Own, Some(y)) => format!(
            "a code with several targets is split by {}'s own {} of the targets in {y} (Pierce and Schott 2012)",
            out.reporter,
            crate::pair::flow_word(out.flow)
        ),
        (WeightSource::World, Some(y)) => format!(
            "a code with several targets is split by every reporter's {} of the targets in {y} in the datasets read (Pierce and Schott 2012)",
            crate::pair::flow_word(out.flow)
        ),
    }
}

fn years_table(out: &SeriesOutput, source: entrepot_doc::SourceId) -> Table {
    let cur = out.currency;
    let t = out.target;
    let columns = vec![
        Column::new("year", "Year"),
        Column::new("revision", "Revision read"),
        Column::detail("datasets", "Datasets"),
        Column::new("read", format!("Read, every code ({cur} bn)")),
        Column::new("in_target", format!("In {t} codes ({cur} bn)")),
        Column::new("unmapped", format!("Without a link ({cur} bn)")),
        Column::new(
            "series",
            format!(
                "{} ({cur} bn)",
                if out.selected.is_empty() {
                    "Series"
                } else {
                    "Selected codes"
                }
            ),
        ),
        Column::detail("set_aside", "Held in another revision, not read"),
    ];
    let rows = out
        .years
        .iter()
        .zip(&out.totals)
        .map(|(y, total)| {
            let aside: Vec<String> = y
                .set_aside
                .iter()
                .map(|(r, v)| format!("{r}: {cur} {} bn", entrepot_doc::format::number(v / 1e9, 3)))
                .collect();
            Row::new(vec![
                Cell::text(y.year.to_string()),
                Cell::text(if y.converted(t) {
                    format!("{} (converted)", y.revision)
                } else {
                    y.revision.to_string()
                }),
                Cell::text(y.datasets.join(", ")),
                money(y.read, out),
                money(y.in_target, out),
                money(y.unmapped, out),
                money(*total, out),
                Cell::text(aside.join("; ")),
            ])
        })
        .collect();
    Table {
        id: "years".into(),
        title: format!("{}'s series by year, in {t} codes", out.reporter),
        source: Some(source),
        columns,
        rows,
        footer: Vec::new(),
    }
}

fn chart(out: &SeriesOutput) -> Chart {
    let years: Vec<i32> = out.years.iter().map(|y| y.year).collect();
    let mut series = vec![Series::line(
        if out.selected.is_empty() {
            "Every code"
        } else {
            "Selected codes"
        },
        out.totals.iter().map(|v| Some(v / 1e9)).collect(),
    )];
    if !out.selected.is_empty() {
        let mut by_code: std::collections::BTreeMap<&str, Vec<Option<f64>>> = Default::default();
        for v in &out.values {
            if let Some(i) = years.iter().position(|y| *y == v.year) {
                by_code
                    .entry(v.code.as_str())
                    .or_insert_with(|| vec![None; years.len()])[i] = Some(v.value / 1e9);
            }
        }
        let mut codes: Vec<(&str, Vec<Option<f64>>)> = by_code.into_iter().collect();
        let last = |v: &Vec<Option<f64>>| v.iter().rev().find_map(|x| *x).unwrap_or(0.0);
        codes.sort_by(|a, b| last(&b.1).total_cmp(&last(&a.1)));
        for (code, values) in codes.into_iter().take(CHART_LINES) {
            series.push(Series::line(code, values));
        }
    }
    Chart::series(
        "chart-series",
        format!(
            "{}'s {} in {} codes ({} bn)",
            out.reporter,
            crate::pair::flow_word(out.flow),
            out.target,
            out.currency
        ),
        crate::money::billions(out.currency),
        years.iter().map(|y| y.to_string()).collect(),
        series,
        "no year held",
    )
}

fn values_table(out: &SeriesOutput, source: entrepot_doc::SourceId) -> Table {
    let cur = out.currency;
    let t = out.target;
    let rows = out
        .values
        .iter()
        .map(|v| {
            let basis = if v.from.is_empty() {
                format!("reported in {t}")
            } else {
                v.from
                    .iter()
                    .map(|(r, c, w)| {
                        if (*w - 1.0).abs() < 1e-12 {
                            format!("{r} {c}")
                        } else {
                            format!("{r} {c} × {w:.4}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            Row::new(vec![
                Cell::text(v.code.clone()),
                Cell::text(describe(out, &v.code)),
                Cell::text(v.year.to_string()),
                money(v.value, out),
                Cell::text(basis),
            ])
        })
        .collect();
    Table {
        id: "series".into(),
        title: format!("Values by {t} code and year"),
        source: Some(source),
        columns: vec![
            Column::new("code", format!("{t} code")),
            Column::new("description", "Description"),
            Column::new("year", "Year"),
            Column::new("value", format!("Value ({cur} bn)")),
            Column::new("from", "Made of"),
        ],
        rows,
        footer: Vec::new(),
    }
}

fn weights_table(out: &SeriesOutput, source: entrepot_doc::SourceId) -> Table {
    let rows = out
        .used_weights
        .iter()
        .map(|u| {
            let w = &u.weight;
            Row::new(vec![
                Cell::text(format!("{} {}", u.revision, w.from)),
                Cell::text(w.to.clone()),
                Cell::text(w.kind.as_str()),
                ratio(w.weight),
                Cell::text(w.basis.label()),
            ])
        })
        .collect();
    Table {
        id: "weights".into(),
        title: format!(
            "Share of each source code's value that goes to each {} code",
            out.target
        ),
        source: Some(source),
        columns: vec![
            Column::new("from", "From"),
            Column::new("to", format!("To ({})", out.target)),
            Column::new("kind", "Link"),
            Column::new("weight", "Weight"),
            Column::new("basis", "Basis"),
        ],
        rows,
        footer: Vec::new(),
    }
}

fn unmapped_table(out: &SeriesOutput, source: entrepot_doc::SourceId) -> Table {
    let cur = out.currency;
    let rows = out
        .unmapped
        .iter()
        .map(|(rev, r)| {
            Row::new(vec![
                Cell::text(format!("{rev} {}", r.code)),
                Cell::text(crate::pair::code_name(Some(*rev), &r.code, 60)),
                Cell::text(r.year.to_string()),
                money(r.value, out),
            ])
        })
        .collect();
    Table {
        id: "unmapped".into(),
        title: format!("Rows whose code has no link to {}", out.target),
        source: Some(source),
        columns: vec![
            Column::new("code", "Code"),
            Column::new("description", "Description"),
            Column::new("year", "Year"),
            Column::new("value", format!("Value ({cur} bn)")),
        ],
        rows,
        footer: Vec::new(),
    }
}

fn method_notes(out: &SeriesOutput) -> Vec<String> {
    let t = out.target;
    vec![
        format!("Each year is read in {t} where the data holds it, otherwise in the newest revision it holds, which is converted; a year held in two revisions is read in one only (the other is shown as set aside), so nothing is counted twice."),
        "Conversion: the value x_a,t of a source code a goes to its target codes b_j by weights w_a→b_j that add up to 1 (x_b,t = Σ_a w_a→b x_a,t), so each year's total is kept: read = in target codes + without a link.".into(),
        "Weights: one target takes the whole value; several targets share it by their trade values V_b in an overlap year, w_a→b = V_b / Σ_j V_b_j (the proportional method of J. R. Pierce and P. K. Schott 2012, \"A concordance between ten-digit U.S. Harmonized System codes and SIC/NAICS product classes and industries\", Journal of Economic and Social Measurement 37(1–2)), or equally when the targets have no value that year or --weights equal is asked for. The weights table states the basis of each.".into(),
        "Concordance: the built-in HS 2012 ↔ 2017 ↔ 2022 links (see `entrepot products --concord CODE --to REV`), from the MIT-licensed `concordance` tables plus links added by the project; each link's kind (one-to-one, split, merge, many-to-many) is in the weights table.".into(),
        format!(
            "Values are {}'s own reports, with partners' reports (mirror) where the reporter's own are absent, summed from HS6 rows; rows stored at a coarser level are left out.",
            out.reporter
        ),
    ]
}
