//! `entrepot series` on two datasets built by hand: China's exports in HS 2017 for
//! 2020–2022 and in HS 2022 for 2022–2023, where solar cells and LEDs (854140) became
//! 854141 … 854149.

mod common;
use common::*;
use serde_json::Value;

/// (revision, year, product, value in bn); every flow CHN → USA.
const ROWS: [(&str, i32, &str, f64); 12] = [
    ("HS2017", 2020, "854140", 100.0),
    ("HS2017", 2020, "870380", 50.0),
    ("HS2017", 2021, "854140", 120.0),
    ("HS2017", 2021, "870380", 60.0),
    ("HS2017", 2022, "854140", 130.0),
    ("HS2017", 2022, "870380", 70.0),
    ("HS2022", 2022, "854141", 20.0),
    ("HS2022", 2022, "854142", 60.0),
    ("HS2022", 2022, "854143", 10.0),
    ("HS2022", 2022, "854149", 10.0),
    ("HS2022", 2022, "870380", 70.0),
    ("HS2022", 2023, "854142", 80.0),
];

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    for rev in ["HS2017", "HS2022"] {
        let file = dir.path().join(format!("{rev}.csv"));
        let mut csv = String::from("reporter,partner,period,flow,product,value\n");
        for (r, y, k, v) in ROWS.iter().filter(|r| r.0 == rev) {
            let _ = r;
            csv.push_str(&format!("CHN,USA,{y},export,{k},{}\n", v * 1e9));
        }
        std::fs::write(&file, csv).expect("write");
        ok(
            &store,
            &[
                "ingest",
                file.to_str().expect("path"),
                "--dataset",
                &rev.to_lowercase(),
                "--map",
                &format!("reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value,hs_revision={rev}"),
            ],
        );
    }
    (dir, store)
}

fn json(store: &std::path::Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "series"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(store, &a)).expect("json")
}

fn value(rows: &[DocRow], code: &str, year: &str) -> f64 {
    number(
        &rows
            .iter()
            .find(|r| r["code"]["text"] == code && r["year"]["text"] == year)
            .unwrap_or_else(|| panic!("no {code} {year}"))["value"],
    )
}

#[test]
fn solar_cells_line_up_in_hs2022_with_the_reporters_2022_weights() {
    let (_dir, store) = store();
    let doc = json(&store, &["CHN", "--hs", "HS2022", "--products", "854140"]);
    let rows = doc_table(&doc, "series").rows;
    // 854140's targets weigh 20, 60, 10, 10 in 2022: 2021's 120 bn → 24, 72, 12, 12.
    assert!((value(&rows, "854141", "2021") - 24.0).abs() < 1e-9);
    assert!((value(&rows, "854142", "2021") - 72.0).abs() < 1e-9);
    assert!((value(&rows, "854143", "2020") - 10.0).abs() < 1e-9);
    // 2022 and 2023 are read as reported.
    assert!((value(&rows, "854142", "2022") - 60.0).abs() < 1e-9);
    assert!((value(&rows, "854142", "2023") - 80.0).abs() < 1e-9);
    assert!(rows.iter().all(|r| r["code"]["text"] != "870380"));
    let years = doc_table(&doc, "years").rows;
    assert_eq!(years.len(), 4);
    // The selection's total each year: 100, 120, 100, 80 bn.
    let totals: Vec<f64> = years.iter().map(|r| number(&r["series"])).collect();
    for (t, want) in totals.iter().zip([100.0, 120.0, 100.0, 80.0]) {
        assert!((t - want).abs() < 1e-9, "{totals:?}");
    }
    assert!(years[2]["set_aside"]["text"]
        .as_str()
        .expect("text")
        .starts_with("HS2017"));
    let weights = doc_table(&doc, "weights").rows;
    assert_eq!(weights.len(), 4);
    assert!(weights
        .iter()
        .all(|w| w["basis"]["text"] == "trade value of the targets in 2022"));
}

#[test]
fn every_year_keeps_its_total_and_equal_weights_are_stated() {
    let (_dir, store) = store();
    let doc = json(&store, &["CHN", "--hs", "HS2022", "--weights", "equal"]);
    for r in doc_table(&doc, "years").rows {
        let (read, conv, lost) = (
            number(&r["read"]),
            number(&r["in_target"]),
            number(&r["unmapped"]),
        );
        assert!((read - conv - lost).abs() < 1e-9, "{r:?}");
        assert!((number(&r["series"]) - conv).abs() < 1e-9, "{r:?}");
    }
    let rows = doc_table(&doc, "series").rows;
    assert!((value(&rows, "854149", "2020") - 25.0).abs() < 1e-9);
    assert!((value(&rows, "870380", "2021") - 60.0).abs() < 1e-9);
}

#[test]
fn backwards_into_hs2017_merges_the_new_codes() {
    let (_dir, store) = store();
    let doc = json(&store, &["CHN", "--hs", "HS2017"]);
    let rows = doc_table(&doc, "series").rows;
    // 2023's 854142 (80 bn) goes back into 854140 whole.
    assert!((value(&rows, "854140", "2023") - 80.0).abs() < 1e-9);
    // 2022 is held in HS2017 and read as reported.
    assert!((value(&rows, "854140", "2022") - 130.0).abs() < 1e-9);
}

#[test]
fn bad_requests_exit_with_a_clear_message() {
    let (_dir, store) = store();
    let out = run(&store, &["series", "CHN", "--hs", "HS2031"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--hs"));
    let out = run(
        &store,
        &["series", "CHN", "--hs", "HS2022", "--overlap-year", "2020"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("no HS2022 flows for 2020"), "{err}");
    // Only HS2017 data: trade-value weights need an HS2022 year.
    let out = run(
        &store,
        &["series", "CHN", "--hs", "HS2022", "--dataset", "hs2017"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("--weights equal"), "{err}");
    let out = run(&store, &["series", "DEU", "--hs", "HS2022"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
