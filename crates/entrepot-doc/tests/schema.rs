//! The JSON form of a document validates against `schema/document.schema.json`, and
//! the schema rejects what the types reject (unknown fields, untyped source ids,
//! currencies that are not ISO codes, missing provenance).

use entrepot_doc::*;
use serde_json::{json, Value};

fn validator() -> jsonschema::Validator {
    let text = include_str!("../schema/document.schema.json");
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["properties"]["schema_version"]["const"], SCHEMA_VERSION,
        "the schema file and SCHEMA_VERSION must move together"
    );
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, json: &Value) -> Vec<String> {
    v.iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect()
}

fn published(key: &str) -> Provenance {
    Provenance::Published {
        source_id: key.into(),
        source_url: "https://stats.example/release".into(),
        origin: "facts.csv:2".into(),
        note: "approx.".into(),
    }
}

/// A document with every kind of section, cell, chart and check.
fn every_kind() -> Document {
    let mut cite = Citations::new();
    cite.add_source("P1", "https://stats.example/release", &[]);
    let usd = Unit::money(Currency::USD, Scale::Billions);
    let mut level = cite.figure(330.3, usd.clone(), 1, &published("P1"));
    level.approximate = true;
    let growth = cite
        .figure(
            5.9,
            Unit::Percent,
            1,
            &Provenance::Computed {
                basis: Basis::Published,
                method: "growth".into(),
                inputs: vec!["P1".into(), "flows:x".into()],
            },
        )
        .as_change();
    let mut conflicted = cite.figure(14.8, Unit::Percent, 1, &published("P1"));
    conflicted.alternatives.push(cite.alternative(
        14.3,
        false,
        1,
        &Provenance::Published {
            source_id: "other".into(),
            source_url: "https://other.example/".into(),
            origin: "facts.csv:9".into(),
            note: String::new(),
        },
        -0.5,
        false,
    ));
    let method = cite.method(Basis::Flows, "PPML", &["sample of 10 rows".into()]);
    let mut doc = Document::new("test", "Every kind");
    doc.lead.push("Lead paragraph.".into());
    doc.currency = Some(Currency::USD);
    doc.sections.push(Section {
        id: "all".into(),
        title: "All".into(),
        blocks: vec![
            Block::Figures {
                items: vec![FigureItem {
                    label: "Exports".into(),
                    value: Cell::figure(level.clone()),
                    note: Some("a note".into()),
                }],
            },
            Block::Table(Table {
                id: "t".into(),
                title: "Table".into(),
                source: Some(method),
                columns: vec![
                    Column {
                        key: "name".into(),
                        label: "Name".into(),
                        detail: false,
                    },
                    Column {
                        key: "v".into(),
                        label: "Value".into(),
                        detail: false,
                    },
                    Column {
                        key: "code".into(),
                        label: "Code".into(),
                        detail: true,
                    },
                ],
                rows: vec![
                    Row::new(vec![Cell::text("a"), Cell::figure(growth), Cell::text("A")]),
                    Row {
                        cells: vec![
                            Cell::text("b"),
                            Cell::Number {
                                value: 3.0,
                                unit: Unit::Count,
                                decimals: 0,
                                signed: false,
                            },
                            Cell::missing("not held"),
                        ],
                        indent: 1,
                        emphasis: true,
                    },
                ],
                footer: vec![Row::new(vec![
                    Cell::text("est"),
                    Cell::Estimate {
                        estimate: -0.84,
                        std_error: 0.03,
                        p_value: 0.001,
                        stars: 3,
                        decimals: 3,
                    },
                    Cell::figure(conflicted),
                ])],
            }),
            Block::Chart(Chart {
                id: "c1".into(),
                title: "Series".into(),
                unit: usd.clone(),
                empty_reason: None,
                plot: Plot::Series {
                    x_labels: vec!["2025-01".into(), "2025-02".into()],
                    series: vec![Series {
                        label: "x".into(),
                        mark: Mark::DashedLine,
                        axis: Axis::Right,
                        values: vec![Some(1.0), None],
                        breaks: vec![1],
                    }],
                    right_unit: Some(Unit::Other {
                        label: "tonnes".into(),
                    }),
                },
            }),
            Block::Chart(Chart {
                id: "c2".into(),
                title: "Bars".into(),
                unit: Unit::PercentagePoints,
                empty_reason: Some("none".into()),
                plot: Plot::Bars {
                    bars: vec![Bar {
                        label: "a".into(),
                        value: -1.0,
                        total: true,
                    }],
                },
            }),
            Block::Chart(Chart {
                id: "c3".into(),
                title: "Heat".into(),
                unit: Unit::Ratio,
                empty_reason: None,
                plot: Plot::HeatMap {
                    x_labels: vec!["a".into()],
                    y_labels: vec!["b".into(), "c".into()],
                    values: vec![vec![Some(1.0)], vec![None]],
                },
            }),
            Block::Note(Note {
                text: "Record.".into(),
                figures: vec![level],
                emphasis: true,
            }),
            Block::Checks {
                checks: vec![Check {
                    status: CheckStatus::NotCheckable,
                    subject: "s".into(),
                    detail: "d".into(),
                    items: vec![FigureItem {
                        label: "x".into(),
                        value: Cell::missing("n/a"),
                        note: None,
                    }],
                }],
            },
        ],
    });
    (doc.sources, doc.methods) = cite.into_parts();
    doc
}

#[test]
fn a_document_of_every_kind_is_valid_and_matches_the_schema() {
    let doc = every_kind();
    doc.validate().expect("consistent");
    let v = validator();
    let json = serde_json::to_value(&doc).unwrap();
    let e = errors(&v, &json);
    assert!(e.is_empty(), "schema violations:\n{}", e.join("\n"));
    // the JSON reads back to the same document
    let back: Document = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, doc);
    assert_eq!(json["schema_version"], "1.0");
    assert_eq!(
        json["sources"][1]["id"], "P2",
        "the alternative's source was registered"
    );
    assert_eq!(json["methods"][1]["data"][0], "sample of 10 rows");
}

#[test]
fn the_schema_rejects_what_the_types_reject() {
    let v = validator();
    let good = serde_json::to_value(every_kind()).unwrap();
    let fig = "/sections/0/blocks/0/items/0/value/figure";
    let cases: Vec<(String, Value)> = vec![
        ("/unexpected".into(), json!(1)),
        (format!("{fig}/source"), json!("P01")),
        (format!("{fig}/source"), json!("X1")),
        (format!("{fig}/unit/currency"), json!("usd")),
        (format!("{fig}/unit/kind"), json!("money_assumed")),
        (
            "/sections/0/blocks/1/rows/1/cells/2/reason".into(),
            json!(""),
        ),
        ("/currency".into(), json!("US")),
        ("/schema_version".into(), json!("0.9")),
    ];
    for (path, value) in cases {
        let path = path.as_str();
        let mut bad = good.clone();
        let (parent, key) = path.rsplit_once('/').unwrap();
        bad.pointer_mut(parent).unwrap()[key] = value.clone();
        assert!(!v.is_valid(&bad), "{path} = {value} accepted by the schema");
        // typed values (ids, currencies, units) are refused by the types too
        let typed = path.contains("/source") || path.contains("currency") || path.contains("unit");
        if typed {
            assert!(
                serde_json::from_value::<Document>(bad).is_err(),
                "{path} = {value} accepted by the types"
            );
        }
    }
    // a figure without provenance, or a money unit without currency
    let unit = format!("{fig}/unit");
    for (path, key) in [(fig, "provenance"), (unit.as_str(), "currency")] {
        let mut bad = good.clone();
        bad.pointer_mut(path)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key);
        assert!(!v.is_valid(&bad), "{path} without {key}");
        assert!(serde_json::from_value::<Document>(bad).is_err());
    }
}

#[test]
fn validation_finds_inconsistent_markers_and_shapes() {
    let good = every_kind();
    // a marker past the end of the sources
    let mut d = good.clone();
    d.sources.pop();
    assert!(
        matches!(d.validate(), Err(DocError::UnlistedSource { .. })),
        "{:?}",
        d.validate()
    );
    // sources out of order
    let mut d = good.clone();
    d.sources.swap(0, 1);
    assert!(matches!(d.validate(), Err(DocError::Numbering { .. })));
    // a published provenance under a computed marker
    let mut d = good.clone();
    if let Block::Table(t) = &mut d.sections[0].blocks[1] {
        if let Cell::Figure { figure } = &mut t.rows[0].cells[1] {
            figure.provenance = published("P1");
        }
    }
    assert!(matches!(
        d.validate(),
        Err(DocError::ProvenanceMismatch { .. })
    ));
    // a row with a missing cell
    let mut d = good.clone();
    if let Block::Table(t) = &mut d.sections[0].blocks[1] {
        t.rows[0].cells.pop();
    }
    assert!(matches!(d.validate(), Err(DocError::Shape { .. })));
    // a series shorter than its categories
    let mut d = good;
    if let Block::Chart(c) = &mut d.sections[0].blocks[2] {
        if let Plot::Series { series, .. } = &mut c.plot {
            series[0].values.pop();
        }
    }
    assert!(matches!(d.validate(), Err(DocError::Shape { .. })));
}

#[test]
fn methods_are_renumbered_in_reading_order_with_detail_columns_last() {
    let mut cite = Citations::new();
    let m = |name: &str| Provenance::Computed {
        basis: Basis::Flows,
        method: name.into(),
        inputs: vec!["flows:x".into()],
    };
    // cited in the order: detail (C1), note (C2), visible cell (C3), alternative (C4)
    let hidden = cite.figure(1.0, Unit::Number, 0, &m("hidden"));
    let noted = cite.figure(2.0, Unit::Number, 0, &m("noted"));
    let mut shown = cite.figure(3.0, Unit::Number, 0, &m("shown"));
    shown
        .alternatives
        .push(cite.alternative(3.5, false, 1, &m("other"), 0.5, false));
    let mut d = Document::new("t", "t");
    d.sections.push(Section {
        id: "s".into(),
        title: "s".into(),
        blocks: vec![
            Block::Table(Table {
                id: "t".into(),
                title: String::new(),
                source: None,
                columns: vec![
                    Column {
                        key: "a".into(),
                        label: "a".into(),
                        detail: true,
                    },
                    Column {
                        key: "b".into(),
                        label: "b".into(),
                        detail: false,
                    },
                ],
                rows: vec![Row::new(vec![Cell::figure(hidden), Cell::figure(shown)])],
                footer: vec![],
            }),
            Block::Note(Note {
                text: "n".into(),
                figures: vec![noted],
                emphasis: false,
            }),
        ],
    });
    (d.sources, d.methods) = cite.into_parts();
    d.validate().unwrap();
    d.number_methods_in_reading_order();
    d.validate().expect("still consistent");
    let names: Vec<(String, &str)> = d
        .methods
        .iter()
        .map(|m| (m.id.to_string(), m.method.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("C1".to_string(), "shown"),
            ("C2".to_string(), "other"),
            ("C3".to_string(), "noted"),
            ("C4".to_string(), "hidden")
        ]
    );
}
