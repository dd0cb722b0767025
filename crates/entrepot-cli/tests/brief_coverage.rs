//! The brief on data that holds only some of a reporter's partners: the headline
//! names the partners held ("Exports to China"), the table's total is "partners held",
//! no balance, records or diversion are computed from it; a world row makes the
//! same data a total again.

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

/// Ingests `csv` as dataset `d` with the tidy mapping.
fn ingest(dir: &Path, store: &Path, csv: &str) {
    let file = dir.join("flows.csv");
    std::fs::write(&file, csv).expect("write");
    ok(
        store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "d",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,value=value",
        ],
    );
}

const ONE_PARTNER: &str = "reporter,partner,period,flow,value
ZAF,CHN,2019,export,8000000000
ZAF,CHN,2020,export,9210000000
ZAF,CHN,2019,import,15000000000
ZAF,CHN,2020,import,14000000000
";

#[test]
fn a_one_partner_dataset_names_the_partner_and_computes_no_total() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ingest(dir.path(), &store, ONE_PARTNER);
    let text = ok(&store, &["brief", "ZAF", "--period", "2020"]);
    assert!(text.contains("Exports to China"), "{text}");
    assert!(text.contains("Imports from China"), "{text}");
    assert!(text.contains("Total (partners held)"), "{text}");
    assert!(!text.contains("Total (world)"), "{text}");
    assert!(!text.contains("Rest of world"), "{text}");
    // no balance, no surplus or deficit record, no diversion "ex-CHN"
    assert!(
        !text.contains("deficit") && !text.contains("surplus"),
        "{text}"
    );
    assert!(!text.contains("ex-CHN"), "{text}");
    assert!(text.contains("9.21bn"), "{text}");
    let json: Value = serde_json::from_str(&ok(
        &store,
        &["--format", "json", "brief", "ZAF", "--period", "2020"],
    ))
    .expect("json");
    let partial = json["partial_coverage"].as_array().expect("array");
    assert_eq!(partial.len(), 2);
    assert_eq!(partial[0]["label"], "Exports to China");
    assert_eq!(partial[0]["partners"], serde_json::json!(["CHN"]));
    assert!(json["headline"]["current"][0]["balance"]["level"].is_null());
    assert!(json["diversion"].is_null());
    // exports to China grew 15.1%: the growth of the partner is still right
    let yoy = json["headline"]["current"][0]["exports"]["yoy_pct"]["value"]
        .as_f64()
        .expect("growth");
    assert!((yoy - 15.125).abs() < 1e-9, "{yoy}");
}

#[test]
fn a_world_row_makes_the_total_whole_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let csv = format!(
        "{ONE_PARTNER}ZAF,WLD,2019,export,90000000000\nZAF,WLD,2020,export,85000000000\nZAF,WLD,2019,import,88000000000\nZAF,WLD,2020,import,70000000000\n"
    );
    ingest(dir.path(), &store, &csv);
    let text = ok(&store, &["brief", "ZAF", "--period", "2020"]);
    assert!(!text.contains("partners held"), "{text}");
    assert!(text.contains("Total (world)"), "{text}");
    assert!(text.contains("Rest of world"), "{text}");
    // the balance is exports less imports of the world rows: 15bn surplus
    assert!(text.contains("15.00bn"), "{text}");
}
