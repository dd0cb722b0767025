//! `entrepot reroute` on a panel built by hand: China's exports to Vietnam and Mexico
//! rise with their exports to the United States while China's direct exports fall;
//! Korea's exports to the United States fall, so Korea is not flagged.

mod common;
use common::*;
use serde_json::Value;

/// (reporter, partner, year, product, value in bn).
const ROWS: [(&str, &str, i32, &str, f64); 16] = [
    ("CHN", "VNM", 2017, "854140", 10.0),
    ("CHN", "VNM", 2019, "854140", 30.0),
    ("VNM", "USA", 2017, "854140", 5.0),
    ("VNM", "USA", 2019, "854140", 25.0),
    ("CHN", "USA", 2017, "854140", 100.0),
    ("CHN", "USA", 2019, "854140", 60.0),
    ("CHN", "KOR", 2017, "854140", 2.0),
    ("CHN", "KOR", 2019, "854140", 4.0),
    ("KOR", "USA", 2017, "854140", 8.0),
    ("KOR", "USA", 2019, "854140", 6.0),
    ("CHN", "MEX", 2017, "854140", 1.0),
    ("CHN", "MEX", 2019, "854140", 9.0),
    ("MEX", "USA", 2017, "854140", 3.0),
    ("MEX", "USA", 2019, "854140", 4.0),
    ("CHN", "MEX", 2017, "870380", 7.0),
    ("CHN", "MEX", 2019, "870380", 8.0),
];

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    let mut csv = String::from("reporter,partner,period,flow,product,value\n");
    for (r, p, y, k, v) in ROWS {
        csv.push_str(&format!("{r},{p},{y},export,{k},{}\n", v * 1e9));
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

#[test]
fn flagged_pairs_are_those_where_both_legs_rose_with_the_value_involved() {
    let (_dir, store) = store();
    let o = run(
        &store,
        &[
            "reroute", "CHN", "USA", "--after", "2017", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let pairs = doc_table(&doc, "pairs").rows;
    let got: Vec<(&str, &str, f64)> = pairs
        .iter()
        .map(|r| {
            (
                r["via"]["text"].as_str().expect("via"),
                r["product"]["text"].as_str().expect("product"),
                number(&r["involved"]),
            )
        })
        .collect();
    // Vietnam: +20 and +20 → 20; Mexico 854140: +8 and +1 → 1; Korea's leg to the
    // United States fell; Mexico 870380 has no leg to the United States.
    assert_eq!(got, vec![("VNM", "854140", 20.0), ("MEX", "854140", 1.0)]);
    assert_eq!(number(&pairs[0]["origin_via_2017"]), 10.0);
    assert_eq!(number(&pairs[0]["via_target_2019"]), 25.0);
    assert_eq!(number(&pairs[0]["direct_change"]), -40.0);
    let summary = doc_table(&doc, "summary").rows;
    assert_eq!(number(&summary[0]["value"]), -40.0, "direct change");
    assert_eq!(number(&summary[1]["value"]), 21.0, "value involved");
    assert_eq!(number(&summary[2]["value"]), 52.5, "share of the fall");
    assert_eq!(number(&summary[3]["value"]), 2.0, "pairs");
    let by_country = doc_table(&doc, "countries").rows;
    assert_eq!(by_country.len(), 2);
    // the terminal report says what it is, and what it is not
    let text = ok(&store, &["reroute", "CHN", "USA", "--after", "2017"]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("2 of 4 (third country, product) pairs"),
        "{text}"
    );
    assert!(words.contains("involving at most 21.00bn"), "{text}");
    assert!(words.contains("fell by 40.00bn"), "{text}");
    assert!(words.contains("not proof of transshipment"), "{text}");
}

#[test]
fn bad_requests_say_what_is_wrong() {
    let (_dir, store) = store();
    let o = run(&store, &["reroute", "CHN", "CHN", "--after", "2017"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("both CHN"), "{}", stderr(&o));
    let o = run(&store, &["reroute", "CHN", "USA", "--after", "2015"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds no flows in 2015"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &store,
        &["reroute", "CHN", "USA", "--after", "2019", "--to", "2017"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(&store, &["reroute", "XXX", "USA", "--after", "2017"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let o = run(
        &store,
        &["reroute", "CHN", "USA", "--after", "2017", "--level", "5"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
