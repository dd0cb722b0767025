//! The JSON output validates against `schema/brief.schema.json`, for a brief built from
//! published figures and one built from flows.

mod common;
use common::flow;
use entrepot_brief::*;
use entrepot_core::{FlowKind, GroupRegistry, Period};

fn validator() -> jsonschema::Validator {
    let text = include_str!("../schema/brief.schema.json");
    let schema: serde_json::Value = serde_json::from_str(text).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, b: &Brief) {
    let json = serde_json::to_value(b).unwrap();
    let errors: Vec<String> = v
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sample_brief_matches_schema() {
    let v = validator();
    let facts = entrepot_io::sample::sample_facts();
    for p in [None, Some("2025-10"), Some("2025"), Some("2024")] {
        let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
        input.period = p.map(|p| p.parse().unwrap());
        let b = build_brief(&input).unwrap();
        assert_valid(&v, &b);
    }
}

#[test]
fn flows_brief_matches_schema() {
    let v = validator();
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
    assert_valid(&v, &b);
    // an extra field is rejected: the schema documents every field
    let mut json = serde_json::to_value(&b).unwrap();
    json["unexpected"] = serde_json::json!(1);
    assert!(!v.is_valid(&json));
    // a figure without provenance is rejected
    let mut json = serde_json::to_value(&b).unwrap();
    json["headline"]["current"][0]["exports"]["level"]
        .as_object_mut()
        .unwrap()
        .remove("provenance");
    assert!(!v.is_valid(&json));
}
