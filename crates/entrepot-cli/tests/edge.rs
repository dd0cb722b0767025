//! `entrepot edge` on a world built by hand: three exporters (South Africa, China,
//! Germany), three HS 2017 products, two years, every flow to the United States (which
//! exports nothing, so the dataset does not cover world trade).

mod common;
use common::*;
use serde_json::Value;

/// (exporter, year, product, value in bn).
const ROWS: [(&str, i32, &str, f64); 12] = [
    ("ZAF", 2019, "854140", 10.0),
    ("ZAF", 2019, "870380", 30.0),
    ("CHN", 2019, "854140", 60.0),
    ("CHN", 2019, "870380", 20.0),
    ("DEU", 2019, "870380", 50.0),
    ("DEU", 2019, "847950", 30.0),
    ("ZAF", 2020, "854140", 20.0),
    ("ZAF", 2020, "870380", 20.0),
    ("CHN", 2020, "854140", 80.0),
    ("CHN", 2020, "870380", 40.0),
    ("DEU", 2020, "870380", 60.0),
    ("DEU", 2020, "847950", 20.0),
];

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    let mut csv = String::from("reporter,partner,period,flow,product,value\n");
    for (r, y, k, v) in ROWS {
        csv.push_str(&format!("{r},USA,{y},export,{k},{}\n", v * 1e9));
    }
    std::fs::write(&file, csv).expect("write");
    ok(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "d",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value,hs_revision=HS2017",
        ],
    );
    (dir, store)
}

fn json(store: &std::path::Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "edge"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(store, &a)).expect("json")
}

fn product<'a>(rows: &'a [DocRow], code: &str) -> &'a DocRow {
    rows.iter()
        .find(|r| r["hs6"]["text"] == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn shares_and_rca_equal_the_hand_computed_ones() {
    let (_dir, store) = store();
    let doc = json(&store, &["ZAF"]);
    let rows = doc_table(&doc, "products").rows;
    assert_eq!(rows.len(), 2, "the products ZAF exports");
    let solar = product(&rows, "854140");
    // 2020: 20 of a world 100 → 20%; RCA (20/40)/(100/240) = 1.2
    assert!(close(number(&solar["share"]), 20.0));
    assert!(close(number(&solar["rca"]), 1.2));
    // 2019: 10/70; RCA (10/40)/(70/200) = 5/7
    assert!(close(number(&solar["share_first"]), 100.0 / 7.0));
    assert!(close(number(&solar["rca_first"]), 5.0 / 7.0));
    assert!(close(number(&solar["change_pp"]), 20.0 - 100.0 / 7.0));
    let cars = product(&rows, "870380");
    // 2019: 30/100, RCA (30/40)/(100/200) = 1.5; 2020: 20/120, RCA 1
    assert!(close(number(&cars["share_first"]), 30.0));
    assert!(close(number(&cars["rca_first"]), 1.5));
    assert!(close(number(&cars["rca"]), 1.0));
    let summary = doc_table(&doc, "summary").rows;
    assert!(close(number(&summary[0]["share"]), 20.0));
    assert!(close(number(&summary[1]["share"]), 100.0 * 40.0 / 240.0));
    // gainers and losers
    assert_eq!(doc_table(&doc, "gainers").rows[0]["hs6"]["text"], "854140");
    assert_eq!(doc_table(&doc, "losers").rows[0]["hs6"]["text"], "870380");
    // the terminal prints the figures to the table's precision
    let text = ok(&store, &["edge", "ZAF", "--products", "854140"]);
    // change 20 − 100/7 = 5.714285… pp; RCA 1.2
    assert!(text.contains("5.7143"), "{text}");
    assert!(text.contains("1.2000"), "{text}");
}

#[test]
fn the_shares_of_all_exporters_in_a_product_sum_to_100() {
    let (_dir, store) = store();
    for year in ["2019", "2020"] {
        for code in ["854140", "870380", "847950"] {
            let sum: f64 = ["ZAF", "CHN", "DEU"]
                .iter()
                .map(|r| {
                    let doc = json(
                        &store,
                        &[r, "--products", code, "--from", year, "--to", year],
                    );
                    let rows = doc_table(&doc, "products").rows;
                    match &product(&rows, code)["share"] {
                        c if c["type"] == "number" => number(c),
                        _ => 0.0,
                    }
                })
                .sum();
            assert!(close(sum, 100.0), "{year} {code}: {sum}");
        }
    }
}

#[test]
fn a_basket_gives_its_share_and_rca_by_year_in_the_dataset_revision() {
    let (_dir, store) = store();
    let doc = json(&store, &["ZAF", "--basket", "Solar_Cells"]);
    let summary = doc_table(&doc, "summary").rows;
    assert!(close(number(&summary[1]["basket_share"]), 20.0));
    assert!(close(number(&summary[1]["basket_rca"]), 1.2));
    let text = doc.to_string();
    assert!(
        text.contains("HS2017: 854140"),
        "basket codes of the revision"
    );
}

#[test]
fn a_product_nobody_exports_is_absent_with_the_reason() {
    let (_dir, store) = store();
    let doc = json(&store, &["ZAF", "--products", "010121"]);
    let rows = doc_table(&doc, "products").rows;
    let r = product(&rows, "010121");
    assert_eq!(r["share"]["type"], "missing");
    assert!(r["share"]["reason"]
        .as_str()
        .expect("reason")
        .contains("no world exports"));
}

#[test]
fn an_unknown_basket_exits_4_and_names_the_known_ones() {
    let (_dir, store) = store();
    let o = run(&store, &["edge", "ZAF", "--basket", "unobtainium"]);
    assert_eq!(o.status.code(), Some(4));
    let e = stderr(&o);
    assert!(
        e.contains("electric_vehicles") && e.contains("solar_cells"),
        "{e}"
    );
}

#[test]
fn a_dataset_not_covering_world_trade_says_so() {
    let (_dir, store) = store();
    let text = ok(&store, &["edge", "ZAF"]);
    assert!(text.contains("does not cover world trade"), "{text}");
}
