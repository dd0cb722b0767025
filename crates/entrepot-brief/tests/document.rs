//! Golden test of the move to the report document: every figure of the brief — value,
//! unit, precision and provenance — is in the brief's document, with the brief's own
//! source ids; the document is consistent and matches its JSON schema. Checked on the
//! embedded sample (several periods), on a brief from synthetic flows, and on the
//! penppml flows brief when the shared data are present.

mod common;
use common::flow;
use entrepot_brief::*;
use entrepot_core::{FlowKind, GroupRegistry, Period};
use entrepot_doc::{Block, Cell, Currency, Document, Scale, Unit};
use serde_json::Value;

/// One figure as the golden test compares it: the value's bits, decimals, the
/// provenance in words, and the alternatives.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    value: u64,
    decimals: u64,
    approximate: bool,
    provenance: String,
    alternatives: Vec<(u64, String)>,
}

/// The provenance in words: published source and line, or computed method and
/// inputs (the brief's ids are the document's ids).
fn provenance(p: &Value) -> String {
    match p["kind"].as_str() {
        Some("published") => format!(
            "published {} {} {} {}",
            p["source_id"], p["source_url"], p["origin"], p["note"]
        ),
        _ => format!("computed {} {} {}", p["basis"], p["method"], p["inputs"]),
    }
}

fn key(f: &Value) -> Key {
    Key {
        value: f["value"].as_f64().unwrap_or(f64::NAN).to_bits(),
        decimals: f["decimals"].as_u64().unwrap_or(99),
        approximate: f["approximate"].as_bool().unwrap_or(false),
        provenance: provenance(&f["provenance"]),
        alternatives: f["alternatives"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x["value"].as_f64().unwrap_or(f64::NAN).to_bits(),
                            provenance(&x["provenance"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Every figure object (one with a value, a unit and a provenance) in a JSON tree.
fn figures(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("value") && m.contains_key("unit") && m.contains_key("provenance") {
                out.push(v.clone());
            }
            m.values().for_each(|x| figures(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| figures(x, out)),
        _ => {}
    }
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!(
        "../../entrepot-doc/schema/document.schema.json"
    ))
    .expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

/// The golden checks for one brief; returns its document.
fn check(b: &Brief) -> Document {
    let d = brief_document(b);
    d.validate().expect("the brief's document is consistent");
    // every figure of the brief is in the document, as often as in the brief
    let mut want = Vec::new();
    figures(&serde_json::to_value(b).unwrap(), &mut want);
    let mut have: Vec<Key> = d
        .figures()
        .iter()
        .map(|(_, f)| key(&serde_json::to_value(f).unwrap()))
        .collect();
    assert!(!want.is_empty());
    for f in &want {
        let k = key(f);
        let i = have
            .iter()
            .position(|h| *h == k)
            .unwrap_or_else(|| panic!("figure of the brief missing from the document: {f:#}"));
        have.swap_remove(i);
    }
    // ... and the document holds no figure the brief does not have
    assert!(have.is_empty(), "figures not in the brief: {have:#?}");
    // the brief's source ids are the document's, with the same URLs and lines
    assert_eq!(d.sources.len(), b.sources.len());
    for (s, ds) in b.sources.iter().zip(&d.sources) {
        assert_eq!(s.id, ds.id.to_string());
        assert_eq!(s.url, ds.url);
        assert_eq!(s.origins, ds.origins);
    }
    // every method is used by some figure (numbering in reading order is checked on the
    // renderings, in entrepot-report/tests/golden.rs)
    for m in &d.methods {
        assert!(
            d.figures()
                .iter()
                .any(|(_, f)| f.source == m.id || f.alternatives.iter().any(|a| a.source == m.id)),
            "{} unused",
            m.id
        );
    }
    let errors: Vec<String> = validator()
        .iter_errors(&serde_json::to_value(&d).unwrap())
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
    d
}

fn sample(period: &str) -> Brief {
    let facts = entrepot_io::sample::sample_facts();
    let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
    input.period = Some(period.parse().unwrap());
    build_brief(&input).unwrap()
}

#[test]
fn sample_brief_figures_are_all_in_the_document() {
    for p in ["2025-11", "2025-10", "2025", "2024"] {
        check(&sample(p));
    }
    let b = sample("2025-11");
    let d = check(&b);
    assert_eq!(d.kind, "release_brief");
    assert_eq!(d.title, "Release brief: China (CHN), 2025-11");
    assert_eq!(d.currency, Some(Currency::USD));
    // the headline's first figure: 330.3bn quoted from P1, as money in USD bn
    let (_, exports) = d.figures()[0];
    assert_eq!(exports.value, 330.3);
    assert_eq!(exports.source.to_string(), "P1");
    assert_eq!(exports.unit, Unit::money(Currency::USD, Scale::Billions));
    assert_eq!(entrepot_doc::format::figure(exports, d.currency), "330.3bn");
    // the EU27 row: no level (missing, with a reason), growth with its conflict
    let t = d
        .tables()
        .find(|t| t.id == "partners-export-2025-11")
        .unwrap();
    let eu = t
        .rows
        .iter()
        .find(|r| r.cells[4] == Cell::text("EU27"))
        .unwrap();
    let col = |k: &str| t.columns.iter().position(|c| c.key == k).unwrap();
    assert!(
        matches!(&eu.cells[col("value_usd_bn")], Cell::Missing { reason } if !reason.is_empty())
    );
    let g = eu.cells[col("yoy_pct")].as_figure().unwrap();
    assert_eq!(
        (g.value, g.signed, g.source.to_string()),
        (14.8, true, "P17".into())
    );
    assert_eq!(g.conflicting()[0].source.to_string(), "P20");
    // the world total is the table's footer
    let total = &t.footer[0].cells;
    assert_eq!(total[col("value_usd_bn")].as_figure().unwrap().value, 330.3);
    // yuan figures are money in CNY, not USD
    let other = d.tables().find(|t| t.id == "other-figures").unwrap();
    assert!(other.rows.iter().any(|r| r.cells[2]
        .as_figure()
        .is_some_and(|f| f.unit == Unit::money(Currency::CNY, Scale::Trillions))));
    // every section of the brief is there, in order
    let ids: Vec<&str> = d.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "headline",
            "records",
            "partners",
            "diversion",
            "context",
            "checks",
            "notes"
        ]
    );
    let charts: Vec<&str> = d
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Chart(c) => Some(c.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        charts,
        ["chart-monthly", "chart-contributions", "chart-shares"]
    );
}

#[test]
fn flows_brief_figures_are_all_in_the_document() {
    let mut flows = Vec::new();
    for (y, k) in [(2020, 1.0), (2021, 1.2)] {
        let p = Period::Year(y);
        for (c, x) in [("USA", 50e9), ("DEU", 20e9), ("VNM", 10e9), ("BRA", 5e9)] {
            flows.push(flow("CHN", c, FlowKind::Export, p, x * k));
            flows.push(flow("CHN", c, FlowKind::Import, p, x * 0.5));
        }
    }
    let b = build_brief(&BriefInput::new(
        "CHN",
        &flows,
        &[],
        GroupRegistry::builtin(),
    ))
    .unwrap();
    let d = check(&b);
    assert!(d.sources.is_empty());
    assert!(d
        .methods
        .iter()
        .all(|m| m.data.iter().any(|x| x.starts_with("flows:"))));
}

#[test]
fn penppml_brief_figures_are_all_in_the_document() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let flows = common::penppml_flows(&path, "CHN");
    let mut input = BriefInput::new("CHN", &flows, &[], GroupRegistry::builtin());
    input.period = Some(Period::Year(2016));
    let d = check(&build_brief(&input).unwrap());
    let t = d.tables().find(|t| t.id == "partners-export-2016").unwrap();
    let col = |k: &str| t.columns.iter().position(|c| c.key == k).unwrap();
    let us = t
        .rows
        .iter()
        .find(|r| r.cells[col("partner")] == Cell::text("USA"))
        .unwrap();
    let v = us.cells[col("value_usd_bn")].as_figure().unwrap();
    assert_eq!(entrepot_doc::format::figure(v, d.currency), "384.92bn");
    assert!(v.provenance.is_from_flows());
}
