//! Golden test of the brief's renderings through the report document: for the sample
//! brief, a brief from synthetic flows and (when the shared data are present) the
//! penppml flows brief, every figure of the document — hence every figure of the
//! brief (see `entrepot-brief/tests/document.rs`) — appears with its marker in the
//! terminal, Markdown and HTML renderings, every figure of the partner tables in the
//! CSV, and the JSON reads back to the same document.

mod common;
use entrepot_brief::{build_brief, BriefInput};
use entrepot_core::{GroupRegistry, Period};
use entrepot_doc::{format, Block, Cell, Document, Figure};
use entrepot_report::*;

/// Every figure of `d` with whether it is shown with its value (a table cell of a
/// visible column, a headline figure, a check item) or only by its marker (a note).
fn shown_figures(d: &Document) -> Vec<(&Figure, bool)> {
    fn cell<'a>(c: &'a Cell, with_value: bool, out: &mut Vec<(&'a Figure, bool)>) {
        if let Cell::Figure { figure } = c {
            out.push((figure, with_value));
        }
    }
    let mut out = Vec::new();
    for s in &d.sections {
        for b in &s.blocks {
            match b {
                Block::Figures { items } => {
                    items.iter().for_each(|i| cell(&i.value, true, &mut out))
                }
                Block::Checks { checks } => checks
                    .iter()
                    .flat_map(|c| &c.items)
                    .for_each(|i| cell(&i.value, true, &mut out)),
                Block::Note(n) => out.extend(n.figures.iter().map(|f| (f, false))),
                Block::Table(t) => {
                    for r in t.rows.iter().chain(&t.footer) {
                        for (c, col) in r.cells.iter().zip(&t.columns) {
                            if !col.detail {
                                cell(c, true, &mut out);
                            }
                        }
                    }
                }
                Block::Chart(_) => {}
            }
        }
    }
    out
}

fn check(name: &str, d: &Document) {
    let shown = shown_figures(d);
    assert!(shown.len() > 10, "{name}: {} figures", shown.len());
    let term = render_terminal(
        d,
        &TerminalOptions {
            width: 100,
            color: false,
        },
    );
    // the terminal wraps long lines: compare on the text with line breaks as spaces
    let term_flat = term.split_whitespace().collect::<Vec<_>>().join(" ");
    let md = render_markdown(d);
    let html = render_html(d);
    for (f, with_value) in &shown {
        let id = f.source.to_string();
        let text = format::figure(f, d.currency);
        let mut cases = vec![
            (
                "terminal",
                term_flat.contains(&format!("[{id}]")) || term_flat.contains(&format!("{id}, ")),
            ),
            ("markdown", md.contains(&format!("[{id}]"))),
            ("html", html.contains(&format!(">{id}</a></sup>"))),
        ];
        if *with_value {
            cases.push((
                "terminal value",
                term_flat.contains(&format!("{text} [{id}]")),
            ));
            cases.push(("markdown value", md.contains(&format!("{text} [{id}]"))));
            cases.push((
                "html value",
                html.contains(&format!("{}<sup class=\"mark", text.replace('&', "&amp;"))),
            ));
            for a in f.conflicting() {
                let alt = format!("or {} [{}]", format::figure(&a, d.currency), a.source);
                cases.push(("terminal alternative", term_flat.contains(&alt)));
                cases.push((
                    "markdown alternative",
                    md.contains(&format!(
                        "**or** {} [{}]",
                        format::figure(&a, d.currency),
                        a.source
                    )),
                ));
            }
        }
        for (what, ok) in cases {
            assert!(ok, "{name}: {what} lacks {text} [{id}]");
        }
    }
    // computed markers count up without gaps in the order a reader meets them
    let body = term.split("COMPUTED FIGURES").next().unwrap_or_default();
    let mut met: Vec<u32> = Vec::new();
    for (i, _) in body.match_indices("[C") {
        let digits: String = body[i + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse::<u32>() {
            if !met.contains(&n) {
                met.push(n);
            }
        }
    }
    let expected: Vec<u32> = (1..=met.len() as u32).collect();
    assert_eq!(met, expected, "{name}: C markers in reading order");
    // every source and method is listed, with the same ids, in every text format
    for s in &d.sources {
        assert!(term.contains(&format!("[{}] ", s.id)), "{name}: {}", s.id);
        assert!(md.contains(&format!("**[{}]**", s.id)), "{name}: {}", s.id);
        assert!(
            html.contains(&format!("<li id=\"{}\"", s.id)),
            "{name}: {}",
            s.id
        );
    }
    for m in &d.methods {
        assert!(term.contains(&format!("[{}] ", m.id)), "{name}: {}", m.id);
        assert!(md.contains(&format!("**[{}]**", m.id)), "{name}: {}", m.id);
        assert!(
            html.contains(&format!("<li id=\"{}\"", m.id)),
            "{name}: {}",
            m.id
        );
    }
    // the partner tables' figures are in the CSV with their markers
    let csv = render_csv(d, &CsvOptions::tables_starting_with("partners-"));
    for t in d.tables().filter(|t| t.id.starts_with("partners-")) {
        for r in t.rows.iter().chain(&t.footer) {
            for c in &r.cells {
                if let Cell::Figure { figure } = c {
                    assert!(
                        csv.contains(&format!("{},{}", figure.value, figure.source)),
                        "{name}: CSV lacks {} {}",
                        figure.value,
                        figure.source
                    );
                }
            }
        }
    }
    // the JSON is the document
    let back: Document = serde_json::from_str(&render_json(d)).unwrap();
    assert_eq!(&back, d, "{name}");
}

#[test]
fn sample_brief_renderings_show_every_figure_with_its_marker() {
    check("sample", &common::sample_document());
}

#[test]
fn flows_brief_renderings_show_every_figure_with_its_marker() {
    check("flows", &common::flows_document());
}

#[test]
fn penppml_brief_renderings_show_every_figure_with_its_marker() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let mut flows = Vec::new();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (e, i) = (&rec[0], &rec[1]);
        let (Ok(year), Ok(v)) = (rec[2].parse::<i32>(), rec[3].parse::<f64>()) else {
            continue;
        };
        let (partner, kind) = match (e, i) {
            ("CHN", p) => (p, entrepot_core::FlowKind::Export),
            (p, "CHN") => (p, entrepot_core::FlowKind::Import),
            _ => continue,
        };
        flows.push(entrepot_core::TradeFlow {
            reporter: "CHN".into(),
            partner: partner.into(),
            flow: kind,
            period: Period::Year(year),
            product: entrepot_core::Product::Total,
            value_usd: v,
            quantity: None,
            provenance: entrepot_core::FlowSource {
                dataset: "penppml".into(),
                source_file: None,
                declared_by: entrepot_core::Declarant::Reconciled,
            },
        });
    }
    let mut input = BriefInput::new("CHN", &flows, &[], GroupRegistry::builtin());
    input.period = Some(Period::Year(2016));
    let d = entrepot_brief::brief_document(&build_brief(&input).unwrap());
    check("penppml", &d);
    let term = render_terminal(&d, &TerminalOptions::default());
    assert!(term.contains("384.92bn [C"), "{term}");
}
