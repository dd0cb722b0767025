//! `entrepot scenario run`: flags and scenario files, the report in every format, the
//! exit codes of bad scenarios, and the +20 pp US tariff on China of the README on the
//! Yotov et al. (2016) data.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Three economies with domestic sales.
const WORLD: &str = "exporter,importer,year,trade\n\
AAA,AAA,2020,500\nAAA,BBB,2020,60\nAAA,CCC,2020,40\n\
BBB,AAA,2020,50\nBBB,BBB,2020,400\nBBB,CCC,2020,30\n\
CCC,AAA,2020,35\nCCC,BBB,2020,20\nCCC,CCC,2020,300\n";

fn world(dir: &Path) -> PathBuf {
    let f = dir.join("world.csv");
    std::fs::write(&f, WORLD).expect("write");
    f
}

fn json(store: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(store, &a)).expect("json document")
}

#[test]
fn flags_alone_run_a_tariff_scenario_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let data = world(dir.path());
    let args = [
        "scenario",
        "run",
        "--data",
        data.to_str().expect("path"),
        "--year",
        "2020",
        "--theta",
        "4",
        "--tariff",
        "BBB:AAA:+20",
        "--currency",
        "USD",
        "--scale",
        "millions",
    ];
    let doc = json(&store, &args);
    assert_eq!(doc["kind"], "scenario");
    let head = doc_table(&doc, "headline").rows;
    assert_eq!(text(&head[0]["measure"]), "AAA → BBB");
    assert!((number(&head[0]["baseline"]) - 60.0).abs() < 1e-9);
    // t̂ = 1.2^−4 = 0.482, but BBB's inward resistance rises in a world of three, so the
    // flow falls by less than half (−31.73%)
    let full = number(&head[0]["full_pct"]);
    assert!((-51.8..-20.0).contains(&full), "{full}");
    assert!(missing_reason(&head[0]["full_low_pct"]).contains("no standard error"));
    let countries = doc_table(&doc, "countries").rows;
    assert_eq!(countries.len(), 3);
    let shocks = doc_table(&doc, "shocks").rows;
    assert!(
        (number(&shocks[0]["cost_term_change_pct"]) - (1.2f64.powf(-4.0) - 1.0) * 100.0).abs()
            < 1e-9
    );
    // CSV: the per-economy table
    let mut a = args.to_vec();
    a.extend(["--format", "csv"]);
    let csv = ok(&store, &a);
    let header = csv.lines().next().expect("header");
    assert!(
        header.starts_with("table,part,country,") && header.contains("welfare_pct"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 4);
    // the terminal report and an HTML file with the charts
    let text_out = ok(&store, &args);
    assert!(text_out.contains("Winners and losers") || text_out.contains("WINNERS AND LOSERS"));
    let html = dir.path().join("r.html");
    let mut a = args.to_vec();
    a.extend(["--html", html.to_str().expect("path")]);
    ok(&store, &a);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains("<svg") && page.contains("AAA → BBB"));
}

#[test]
fn a_scenario_file_with_a_relative_data_path_and_flags_on_top() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    world(dir.path());
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "title = \"Test\"\n[data]\nfile = \"world.csv\"\nyear = 2020\n[elasticity]\nsigma = 5\nse = 0.5\n[uncertainty]\ndraws = 25\nseed = 4\n[[shock]]\ntype = \"cost\"\nimporter = \"CCC\"\nexporter = \"AAA\"\nchange_pct = 10\nboth_ways = true\n",
    )
    .expect("write");
    let f = file.to_str().expect("path");
    let doc = json(&store, &["scenario", "run", f]);
    assert_eq!(doc["title"], "Test");
    let shocks = doc_table(&doc, "shocks").rows;
    assert_eq!(number(&shocks[0]["pairs"]), 2.0);
    let head = doc_table(&doc, "headline").rows;
    let (lo, hi, mid) = (
        number(&head[0]["full_low_pct"]),
        number(&head[0]["full_high_pct"]),
        number(&head[0]["full_pct"]),
    );
    assert!(lo <= mid && mid <= hi, "{lo} {mid} {hi}");
    // a flag adds a shock; --theta replaces the file's σ
    let doc = json(
        &store,
        &[
            "scenario",
            "run",
            f,
            "--tariff",
            "BBB:AAA:5",
            "--theta",
            "6",
        ],
    );
    assert_eq!(doc_table(&doc, "shocks").rows.len(), 2);
    assert!(doc["lead"][0].as_str().expect("lead").contains("θ = 6.000"));
}

#[test]
fn bad_scenarios_exit_with_the_documented_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let data = world(dir.path());
    let d = data.to_str().expect("path");
    let code = |args: &[&str]| {
        let o = run(&store, args);
        (o.status.code().unwrap_or(-1), stderr(&o))
    };
    let (c, e) = code(&["scenario", "run", "/nonexistent/s.toml"]);
    assert_eq!(c, 4, "{e}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[data]\nyear = 2020\n[[shock]]\ntype = \"tarif\"\n").expect("write");
    let (c, e) = code(&["scenario", "run", bad.to_str().expect("path")]);
    assert_eq!(c, 3, "{e}");
    assert!(
        e.contains("bad.toml") && e.contains("line") && e.contains("tarif"),
        "{e}"
    );
    let (c, e) = code(&[
        "scenario",
        "run",
        "--data",
        d,
        "--theta",
        "4",
        "--tariff",
        "BBB-AAA-20",
    ]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("IMPORTER:EXPORTER:POINTS"), "{e}");
    let (c, e) = code(&[
        "scenario",
        "run",
        "--data",
        d,
        "--theta",
        "4",
        "--tariff",
        "XXX:AAA:20",
    ]);
    assert_eq!(c, 4, "{e}");
    assert!(e.contains("XXX"), "{e}");
    let (c, e) = code(&["scenario", "run", "--data", d, "--theta", "4"]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("no shock"), "{e}");
    let (c, e) = code(&["scenario", "run", "--data", d, "--tariff", "BBB:AAA:20"]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("sigma") && e.contains("theta"), "{e}");
}

#[test]
fn us_tariff_on_china_as_in_the_readme() {
    let Some(data) =
        entrepot_testdata::shared_file("scenario_readme", "yotov_agtpa/agtpa_applications.csv")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let example =
        entrepot_testdata::workspace_root().join("examples/scenarios/us_tariff_on_china.toml");
    let doc = json(
        &store,
        &[
            "scenario",
            "run",
            example.to_str().expect("path"),
            "--data",
            data.to_str().expect("path"),
        ],
    );
    let head = doc_table(&doc, "headline").rows;
    let row = |label: &str| {
        head.iter()
            .find(|r| text(&r["measure"]) == label)
            .unwrap_or_else(|| panic!("row {label}"))
    };
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    // The figures the README quotes, to their printed precision.
    assert_eq!(number(&row("CHN → USA")["baseline"]).round(), 241_537.0);
    assert_eq!(round2(number(&row("CHN → USA")["full_pct"])), -67.30);
    assert_eq!(
        round2(number(&row("CHN → other markets")["full_pct"])),
        14.13
    );
    assert_eq!(
        round2(number(&row("Other suppliers → USA")["full_pct"])),
        9.84
    );
    assert_eq!(round2(number(&row("CHN welfare")["full_pct"])), -0.30);
    assert_eq!(round2(number(&row("USA welfare")["full_pct"])), -0.27);
    let div = doc_table(&doc, "diversion-summary").rows;
    assert_eq!(round2(number(&div[1]["share_pct"])), 58.68);
    assert_eq!(round2(number(&div[2]["share_pct"])), 65.87);
    let groups = doc_table(&doc, "market-groups").rows;
    assert_eq!(text(&groups[0]["group"]), "EU27");
    assert_eq!(round2(number(&groups[0]["change_pct"])), 16.23);
    // market clearing and the two solvers' agreement are checked and pass
    let checks: Vec<&Value> = doc["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["blocks"].as_array().expect("blocks"))
        .filter(|b| b["type"] == "checks")
        .flat_map(|b| b["checks"].as_array().expect("checks"))
        .collect();
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c["status"] == "ok"), "{checks:?}");
}
