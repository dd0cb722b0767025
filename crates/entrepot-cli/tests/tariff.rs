//! `entrepot tariff`: SMART partial equilibrium on flows in the store — the report's
//! figures against a hand computation on a small market built by hand, the invariants
//! (a zero change moves nothing, diversion sums to zero), the errors of bad requests,
//! and the invariants on the BACI extract with the real CEPII elasticity table.

mod common;
use common::*;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (exporter, importer, product, value in bn), all exporter-reported as in BACI: the
/// United States' imports are mirror figures.
const ROWS: [(&str, &str, &str, f64); 7] = [
    ("CHN", "USA", "870380", 60.0),
    ("DEU", "USA", "870380", 40.0),
    ("CHN", "USA", "850760", 10.0),
    ("KOR", "USA", "850760", 30.0),
    ("CHN", "USA", "854140", 5.0),
    ("MYS", "USA", "854140", 3.0),
    ("VNM", "USA", "854140", 2.0),
];

fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    let mut csv = String::from("reporter,partner,period,flow,product,value\n");
    for (r, p, k, v) in ROWS {
        csv.push_str(&format!("{r},{p},2020,export,{k},{}\n", v * 1e9));
    }
    std::fs::write(&file, csv).expect("write");
    ok(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "d",
            "--hs",
            "HS2017",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value",
        ],
    );
    (dir, store)
}

/// The report document of `entrepot tariff ARGS --format json`, checked against the
/// document's consistency rules.
fn report(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "tariff"];
    a.extend_from_slice(args);
    let text = ok(store, &a);
    let typed: entrepot_doc::Document = serde_json::from_str(&text).expect("a document");
    typed.validate().expect("a valid document");
    let doc: Value = serde_json::from_str(&text).expect("document JSON");
    assert_eq!(doc["kind"], "tariff");
    doc
}

/// The summary's values by id (bn or %).
fn summary(doc: &Value) -> BTreeMap<String, f64> {
    doc_table(doc, "summary")
        .rows
        .iter()
        .map(|r| (text(&r["id"]).to_string(), number(&r["value"])))
        .collect()
}

/// `x` rounded to two decimals, as printed.
fn printed(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[track_caller]
fn assert_printed(what: &str, got: f64, expected: f64) {
    assert_eq!(printed(got), expected, "{what}: got {got}");
}

/// A row of a table by the text of one of its cells.
fn row<'a>(rows: &'a [DocRow], key: &str, value: &str) -> &'a DocRow {
    rows.iter()
        .find(|r| r[key]["text"] == value)
        .unwrap_or_else(|| panic!("no row {key} = {value}"))
}

#[test]
fn a_20_point_tariff_on_one_supplier_gives_the_hand_computed_smart_effects() {
    let (_dir, store) = store();
    let doc = report(
        &store,
        &[
            "USA",
            "--on",
            "CHN",
            "--points",
            "20",
            "--sigma",
            "2",
            "--products",
            "870380",
        ],
    );
    // By hand, ε = −1, σ = 2, CHN 60 and DEU 40, t 0 → 0.2 on CHN:
    // creation −1·60·0.2 = −12; after creation CHN 48, DEU 40, total 88; CES weights
    // 1.2^−2 = 0.69444 and 1: CHN 88·33.333/73.333 = 40, DEU 48: diversion ∓8.
    // Price index +0.6·0.2 = 12 %; revenue 0 → 0.2·40 = 8; consumer surplus
    // −0.2·(60 − 12/2) = −10.8; welfare −10.8 + 8 = −2.8.
    let s = summary(&doc);
    for (id, expected) in [
        ("imports_targeted", 60.0),
        ("imports_others", 40.0),
        ("trade_creation", -12.0),
        ("trade_diversion", 8.0),
        ("change_targeted", -20.0),
        ("change_targeted_pct", -33.33),
        ("change_others", 8.0),
        ("change_total", -12.0),
        ("change_total_pct", -12.0),
        ("price_index", 12.0),
        ("revenue_before", 0.0),
        ("revenue_after", 8.0),
        ("revenue_change", 8.0),
        ("consumer_surplus", -10.8),
        ("welfare", -2.8),
    ] {
        assert_printed(id, s[id], expected);
    }
    let suppliers = doc_table(&doc, "suppliers").rows;
    assert_eq!(suppliers.len(), 2);
    let chn = row(&suppliers, "supplier", "CHN");
    assert_eq!(text(&chn["targeted"]), "targeted");
    assert_printed("CHN creation", number(&chn["trade_creation"]), -12.0);
    assert_printed("CHN diversion", number(&chn["trade_diversion"]), -8.0);
    assert_printed("CHN after", number(&chn["new_value"]), 40.0);
    let deu = row(&suppliers, "supplier", "DEU");
    assert_printed("DEU creation", number(&deu["trade_creation"]), 0.0);
    assert_printed("DEU diversion", number(&deu["trade_diversion"]), 8.0);
    assert_printed("DEU %", number(&deu["change_pct"]), 20.0);
    let product = &doc_table(&doc, "products").rows[0];
    assert_eq!(text(&product["hs6"]), "870380");
    assert_eq!(number(&product["sigma"]), 2.0);
    assert!(text(&product["sigma_source_detail"]).starts_with("given"));
    assert!(text(&product["description"]).contains("electric motor"));
    // The terminal report prints the same figures and says what was assumed.
    let text = ok(
        &store,
        &[
            "tariff",
            "USA",
            "--on",
            "CHN",
            "--points",
            "20",
            "--sigma",
            "2",
            "--products",
            "870380",
        ],
    );
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in [
        "imports from CHN of 60.00bn would change by -20.00bn (-33.33%)",
        "trade creation -12.00bn and diversion -8.00bn",
        "Tariff revenue goes from 0bn to 8.00bn",
        "consumer surplus changes by -10.80bn",
        "by -2.80bn",
        "baseline tariff of 0.00% (an assumption, the default",
        "ε_m = -1.00 for every product (the default)",
        "mirror",
    ] {
        assert!(words.contains(phrase), "{phrase}: {text}");
    }
}

#[test]
fn the_elasticity_table_sets_sigma_per_product_and_baskets_sum_their_products() {
    let (dir, store) = store();
    let table = dir.path().join("ptle.csv");
    std::fs::write(
        &table,
        "HS6,zero,positive,sigma\n010110,1,0,\n870380,0,0,-2\n",
    )
    .expect("write");
    let doc = report(
        &store,
        &[
            "USA",
            "--on",
            "CHN",
            "--points",
            "20",
            "--basket",
            "electric_vehicles,lithium_ion_batteries",
            "--elasticities",
            table.to_str().expect("path"),
        ],
    );
    let products = doc_table(&doc, "products").rows;
    assert_eq!(products.len(), 2);
    let ev = row(&products, "hs6", "870380");
    assert_eq!(number(&ev["sigma"]), 2.0, "σ = −sigma");
    assert_eq!(text(&ev["sigma_source"]), "CEPII");
    assert_eq!(text(&ev["in_table"]), "yes");
    assert_printed("EV to others", number(&ev["trade_diversion"]), 8.0);
    // 850760 is not in the table: the fallback 1.5, listed with its reason. By hand:
    // creation −2, CHN 8 and KOR 30 after creation (38); weights 1.2^−1.5 = 0.760726
    // and 1: CHN 38·6.085806/36.085806 = 6.408706, diversion ∓1.591294.
    let bat = row(&products, "hs6", "850760");
    assert_eq!(number(&bat["sigma"]), 1.5);
    assert_eq!(text(&bat["sigma_source"]), "fallback");
    assert_eq!(text(&bat["in_table"]), "no");
    assert_printed("battery creation", number(&bat["trade_creation"]), -2.0);
    assert_printed("battery to others", number(&bat["trade_diversion"]), 1.59);
    assert_printed("battery Δ CHN", number(&bat["change_targeted"]), -3.59);
    let fallbacks = doc_table(&doc, "elasticity-fallbacks").rows;
    assert_eq!(fallbacks.len(), 1);
    assert_eq!(text(&fallbacks[0]["hs6"]), "850760");
    assert!(text(&fallbacks[0]["reason"]).contains("not in the table"));
    let baskets = doc_table(&doc, "baskets").rows;
    let ev = row(&baskets, "basket", "electric_vehicles");
    assert_printed("EV basket from CHN", number(&ev["imports_targeted"]), 60.0);
    assert_printed("EV basket creation", number(&ev["trade_creation"]), -12.0);
    let bat = row(&baskets, "basket", "lithium_ion_batteries");
    assert_printed(
        "battery basket others",
        number(&bat["imports_others"]),
        30.0,
    );
    assert_printed(
        "battery basket to others",
        number(&bat["trade_diversion"]),
        1.59,
    );
    let s = summary(&doc);
    assert_printed("total creation", s["trade_creation"], -14.0);
    assert_printed("total to others", s["trade_diversion"], 9.59);
}

#[test]
fn a_zero_change_moves_nothing_and_the_baseline_tariff_is_collected() {
    let (_dir, store) = store();
    let doc = report(
        &store,
        &[
            "USA",
            "--on",
            "CHN",
            "--points",
            "0",
            "--baseline-tariff",
            "10",
            "--sigma",
            "5",
        ],
    );
    let s = summary(&doc);
    for id in [
        "trade_creation",
        "trade_diversion",
        "change_targeted",
        "change_others",
        "change_total",
        "price_index",
        "revenue_change",
        "consumer_surplus",
        "welfare",
    ] {
        assert_eq!(s[id], 0.0, "{id}");
    }
    // 10 % of the 150bn imported, before and after.
    assert_printed("revenue before", s["revenue_before"], 15.0);
    assert_printed("revenue after", s["revenue_after"], 15.0);
    for r in doc_table(&doc, "suppliers").rows {
        assert_eq!(number(&r["change"]), 0.0);
    }
}

#[test]
fn diversion_sums_to_zero_over_the_suppliers_and_a_cut_raises_the_target() {
    let (_dir, store) = store();
    for points in ["35", "-8"] {
        let doc = report(
            &store,
            &[
                "USA", "--on", "CHN", "--points", points, "--sigma", "4", "--top", "100",
            ],
        );
        let suppliers = doc_table(&doc, "suppliers").rows;
        assert_eq!(suppliers.len(), 5, "CHN, DEU, KOR, MYS, VNM");
        let sum: f64 = suppliers
            .iter()
            .map(|r| number(&r["trade_diversion"]))
            .sum();
        assert!(sum.abs() < 1e-9, "{points}: diversion sums to {sum}");
        let s = summary(&doc);
        assert!((s["trade_diversion"] + s["change_targeted"] - s["trade_creation"]).abs() < 1e-9);
        let chn = number(&row(&suppliers, "supplier", "CHN")["change"]);
        let sign = if points.starts_with('-') { 1.0 } else { -1.0 };
        assert!(chn * sign > 0.0, "{points}: CHN changes by {chn}");
        for r in suppliers.iter().filter(|r| text(&r["supplier"]) != "CHN") {
            assert_eq!(number(&r["trade_creation"]), 0.0, "no creation on others");
            assert!(number(&r["trade_diversion"]) * sign < 0.0);
        }
    }
}

#[test]
fn bad_requests_exit_with_their_code_and_say_why() {
    let (dir, store) = store();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "HS6,zero,positive,sigma\n870380,0,0,-2\n850760,2,0,-1\n",
    )
    .expect("write");
    let bad_path = bad.to_str().expect("path");
    let base = ["tariff", "USA", "--on", "CHN", "--points", "20"];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    for (args, code, words) in [
        (with(&[]), 2, "--elasticities FILE"),
        (
            with(&["--sigma", "2", "--elasticities", bad_path]),
            2,
            "both given",
        ),
        (with(&["--elasticities", bad_path]), 3, "line 3"),
        (
            with(&["--elasticities", "/no/such/ptle.csv"]),
            4,
            "no such file",
        ),
        (with(&["--sigma", "0"]), 2, "> 0"),
        (
            with(&["--sigma", "2", "--import-demand-elasticity", "0.5"]),
            2,
            "≤ 0",
        ),
        (
            with(&["--sigma", "2", "--basket", "nothing"]),
            4,
            "no basket `nothing`",
        ),
        (with(&["--sigma", "2", "--products", "8703"]), 2, "HS6"),
        (
            with(&["--sigma", "2", "--year", "2019"]),
            4,
            "no flows in 2019",
        ),
        (
            vec![
                "tariff", "XXX", "--on", "CHN", "--points", "1", "--sigma", "2",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            4,
            "neither a known country nor a group",
        ),
        (
            vec![
                "tariff", "USA", "--on", "USA", "--points", "1", "--sigma", "2",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            2,
            "both an importer and a targeted exporter",
        ),
        (
            vec![
                "tariff", "USA", "--on", "JPN", "--points", "1", "--sigma", "2",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            4,
            "no imports of USA from JPN",
        ),
        (
            vec![
                "tariff", "USA", "--on", "CHN", "--points", "-150", "--sigma", "2",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            2,
            "above −100%",
        ),
        (
            with(&["--sigma", "2", "--import-demand-elasticity", "-6"]),
            2,
            "too large for SMART's linear trade-creation term",
        ),
    ] {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&store, &a);
        assert_eq!(o.status.code(), Some(code), "{a:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{a:?}: {}", stderr(&o));
        if code == 3 {
            assert!(
                stderr(&o).contains(bad_path),
                "names the file: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn on_the_baci_extract_with_the_cepii_table_the_invariants_hold() {
    let csv = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
    );
    let table = entrepot_testdata::require_shared_data!("cepii_ptle/ptle_hs07.csv");
    let codes = csv.with_file_name("country_codes_V202201.csv");
    // Independent: China's (156) imports from South Africa (710), v in thousands.
    let mut from_zaf = 0.0;
    let mut reader = csv::Reader::from_path(&csv).expect("open CSV");
    for record in reader.records() {
        let r = record.expect("record");
        if r[1].trim() == "710" && r[2].trim() == "156" {
            from_zaf += r[4].trim().parse::<f64>().expect("v") * 1000.0;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ok(
        &store,
        &[
            "ingest",
            csv.to_str().expect("path"),
            "--dataset",
            "baci",
            "--from",
            "baci",
            "--countries",
            codes.to_str().expect("path"),
        ],
    );
    let table = table.to_str().expect("path");
    let doc = report(
        &store,
        &[
            "CHN",
            "--on",
            "ZAF",
            "--points",
            "25",
            "--elasticities",
            table,
            "--top",
            "100000",
        ],
    );
    let s = summary(&doc);
    assert!(
        (s["imports_targeted"] * 1e9 - from_zaf).abs() <= 1e-9 * from_zaf,
        "imports from ZAF: {} vs {from_zaf}",
        s["imports_targeted"] * 1e9
    );
    // ε = −1 and t 0 → 0.25 on ZAF only: creation is −25 % of the imports from ZAF.
    assert!((s["trade_creation"] + 0.25 * s["imports_targeted"]).abs() < 1e-9);
    assert!(s["trade_diversion"] >= 0.0, "others gain from a rise");
    let suppliers = doc_table(&doc, "suppliers").rows;
    let sum: f64 = suppliers
        .iter()
        .map(|r| number(&r["trade_diversion"]))
        .sum();
    assert!(
        sum.abs() < 1e-9 * s["imports_targeted"],
        "diversion sums to {sum}"
    );
    let products = doc_table(&doc, "products").rows;
    let found = products
        .iter()
        .filter(|r| text(&r["in_table"]) == "yes")
        .count();
    assert!(
        found * 10 >= products.len() * 8,
        "{found} of {} products found in the HS 2007 table",
        products.len()
    );
    for r in &products {
        let hs = text(&r["hs6"]);
        assert!(number(&r["trade_creation"]) <= 0.0, "{hs}: creation");
        assert!(number(&r["change_targeted"]) <= 0.0, "{hs}: ZAF");
        assert!(number(&r["trade_diversion"]) >= 0.0, "{hs}: others");
        assert!(number(&r["sigma"]) > 0.0, "{hs}: σ");
    }
    let fallbacks = doc_table(&doc, "elasticity-fallbacks").rows;
    let fallback_products = products
        .iter()
        .filter(|r| text(&r["sigma_source"]) == "fallback")
        .count();
    assert_eq!(fallbacks.len(), fallback_products, "every fallback listed");
    // Afghanistan buys only from South Africa in the extract (mirror of ZAF's
    // exports): nothing to divert to, and imports fall by ε·Δt = 25 %.
    let doc = report(
        &store,
        &[
            "AFG",
            "--on",
            "ZAF",
            "--points",
            "25",
            "--elasticities",
            table,
        ],
    );
    let s = summary(&doc);
    assert_eq!(s["trade_diversion"], 0.0);
    assert_printed("AFG change %", s["change_targeted_pct"], -25.0);
}
