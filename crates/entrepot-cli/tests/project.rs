//! `entrepot project` on a world built by hand: three exporters (South Africa, China,
//! Germany), two HS 2017 products, 2005–2018, every flow to the United States.
//! South Africa's exports grow more slowly than the others', so its share falls.

mod common;
use common::*;
use serde_json::Value;

/// (exporter, product, value in 2005 in bn, yearly growth).
const PATHS: [(&str, &str, f64, f64); 5] = [
    ("ZAF", "854140", 2.0, 0.02),
    ("ZAF", "870380", 8.0, 0.03),
    ("CHN", "854140", 20.0, 0.12),
    ("CHN", "870380", 30.0, 0.06),
    ("DEU", "870380", 60.0, 0.04),
];

fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    let mut csv = String::from("reporter,partner,period,flow,product,value\n");
    for (i, y) in (2005..=2018).enumerate() {
        for (j, (r, k, v, g)) in PATHS.iter().enumerate() {
            // A deterministic wobble so that the methods differ.
            let wobble = 1.0 + 0.03 * (((i * 7 + j * 3) % 5) as f64 - 2.0) / 2.0;
            let value = v * (1.0 + g).powi(i as i32) * wobble;
            csv.push_str(&format!("{r},USA,{y},export,{k},{}\n", value * 1e9));
        }
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
    let mut a = vec!["--format", "json", "project"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(store, &a)).expect("json")
}

#[test]
fn the_projection_comes_with_its_interval_and_backtest_error() {
    let (_dir, store) = store();
    let doc = json(&store, &["ZAF", "--to", "2025"]);
    let rows = doc_table(&doc, "projection").rows;
    // 14 data years, 7 projected
    assert_eq!(rows.len(), 21);
    let data: Vec<&DocRow> = rows.iter().filter(|r| text(&r["kind"]) == "data").collect();
    assert_eq!(data.len(), 14);
    // the 2018 share, by hand
    let v = |k: &str, g: f64, i: i32, j: usize| {
        let wobble = 1.0 + 0.03 * (((i as usize * 7 + j * 3) % 5) as f64 - 2.0) / 2.0;
        let _ = k;
        (1.0 + g).powi(i) * wobble
    };
    let x: Vec<f64> = PATHS
        .iter()
        .enumerate()
        .map(|(j, (_, k, b, g))| b * v(k, *g, 13, j))
        .collect();
    let share_2018 = 100.0 * (x[0] + x[1]) / x.iter().sum::<f64>();
    assert!((number(&data[13]["share"]) - share_2018).abs() < 1e-9);
    let projected: Vec<&DocRow> = rows.iter().filter(|r| text(&r["kind"]) != "data").collect();
    // Intervals widen with the horizon on the log-odds scale, where they are built
    // (in percent a falling share's interval can narrow as it nears 0).
    let logit = |s: f64| (s / (100.0 - s)).ln();
    let mut last_width = 0.0;
    for r in &projected {
        let (s, lo, hi) = (
            number(&r["share"]),
            number(&r["lower"]),
            number(&r["upper"]),
        );
        assert!(lo < s && s < hi, "{r:?}");
        let width = logit(hi) - logit(lo);
        assert!(
            width > last_width,
            "intervals widen with the horizon: {r:?}"
        );
        last_width = width;
    }
    // The lead names the chosen method, the interval and the backtest error.
    let lead = doc["lead"][0].as_str().expect("lead");
    assert!(lead.contains("in 2025 by the"), "{lead}");
    assert!(lead.contains("80% interval"), "{lead}");
    assert!(lead.contains("mean absolute error"), "{lead}");
    let bt = doc_table(&doc, "backtest").rows;
    assert_eq!(bt.len(), 3);
    let chosen: Vec<&DocRow> = bt.iter().filter(|r| text(&r["chosen"]) == "yes").collect();
    assert_eq!(chosen.len(), 1);
    // The chosen method has the lowest mean error.
    let best = bt
        .iter()
        .map(|r| number(&r["mae"]))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(number(&chosen[0]["mae"]), best);
    // 14 years, first window 8: origins 2012..2017, horizons 1..6
    let h = doc_table(&doc, "backtest_horizons").rows;
    assert_eq!(h.len(), 3 * 6);
    assert_eq!(number(&h[0]["forecasts"]), 6.0);
    assert_eq!(number(&h[5]["forecasts"]), 1.0);
    // the terminal report prints the lead
    let text_out = ok(&store, &["project", "ZAF", "--to", "2025"]);
    assert!(text_out.contains("mean absolute error"), "{text_out}");
}

#[test]
fn a_basket_projects_the_basket_share() {
    let (_dir, store) = store();
    let doc = json(&store, &["ZAF", "--to", "2020", "--basket", "solar_cells"]);
    let rows = doc_table(&doc, "projection").rows;
    // 2005: ZAF 2 of a world 22 in 854140
    let wobble = |j: usize| 1.0 + 0.03 * (((j * 3) % 5) as f64 - 2.0) / 2.0;
    let expect = 100.0 * 2.0 * wobble(0) / (2.0 * wobble(0) + 20.0 * wobble(2));
    assert!((number(&rows[0]["share"]) - expect).abs() < 1e-9);
    assert!(doc["title"]
        .as_str()
        .expect("title")
        .contains("solar_cells"));
}

#[test]
fn too_few_years_and_a_target_inside_the_data_are_refused() {
    let (_dir, store) = store();
    let o = run(
        &store,
        &["project", "ZAF", "--to", "2025", "--from", "2010"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("9 years of data") && e.contains("at least 10"),
        "{e}"
    );
    let o = run(&store, &["project", "ZAF", "--to", "2018"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not after the last year of data (2018)"));
    let o = run(&store, &["project", "ZAF", "--to", "2025", "--level", "95"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
