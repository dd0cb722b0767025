//! `entrepot brief` reads the store through flow cubes: exports and imports by partner
//! and period, imports the reporter does not report filled from its partners' exports
//! (mirror) and said so. On a BACI store (each flow once, on the exporter's side) a
//! reporter's imports are all mirror figures.

mod common;
use common::*;

use serde_json::Value;
use std::path::Path;

fn brief_json(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "brief"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(store, &a)).expect("brief JSON")
}

/// The partner table of a flow.
fn table<'a>(brief: &'a Value, flow: &str) -> &'a Value {
    brief["partner_tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["flow"] == flow))
        .unwrap_or_else(|| panic!("no {flow} table"))
}

/// A partner's value in a table, in US dollars.
fn value(brief: &Value, flow: &str, partner: &str) -> Option<f64> {
    table(brief, flow)["rows"]
        .as_array()?
        .iter()
        .find(|r| r["code"] == partner)?["value"]["value"]
        .as_f64()
        .map(|v| v * 1e9)
}

/// Asserts a partner's value in US dollars (to rounding: the brief holds billions).
fn assert_usd(brief: &Value, flow: &str, partner: &str, expected: f64) {
    let got = value(brief, flow, partner);
    assert!(
        got.is_some_and(|v| (v - expected).abs() <= 1e-9 * expected.abs().max(1.0)),
        "{flow} {partner}: expected {expected}, got {got:?}"
    );
}

fn label(brief: &Value) -> &str {
    brief["data_basis"]["label"].as_str().unwrap_or("")
}

/// A single SQL value as text.
fn sql(store: &Path, query: &str) -> String {
    let out = ok(store, &["--format", "csv", "sql", query]);
    out.lines().nth(1).unwrap_or("").to_string()
}

#[test]
fn a_baci_brief_shows_imports_as_mirror_equal_to_the_exporters_reports() {
    let Some(csv) = entrepot_testdata::shared_file(
        "a_baci_brief_shows_imports_as_mirror_equal_to_the_exporters_reports",
        "baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
    ) else {
        return;
    };
    let codes = csv.with_file_name("country_codes_V202201.csv");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ok(
        &store,
        &[
            "ingest",
            csv.to_str().expect("path"),
            "--dataset",
            "baci",
            "--countries",
            codes.to_str().expect("path"),
        ],
    );
    let afg = brief_json(&store, &["AFG", "--period", "2020"]);
    let zaf_to_afg: f64 = sql(
        &store,
        "SELECT SUM(value_usd) FROM baci WHERE reporter='ZAF' AND partner='AFG' AND year=2020",
    )
    .parse()
    .expect("number");
    assert_eq!(zaf_to_afg, 461_724.0);
    let afg_from_zaf = value(&afg, "import", "ZAF").expect("AFG imports from ZAF");
    assert!((afg_from_zaf - zaf_to_afg).abs() < 1e-6, "{afg_from_zaf}");
    assert!(
        label(&afg).contains("imports of AFG are mirror figures (all)"),
        "{}",
        label(&afg)
    );
    assert!(
        label(&afg).contains("summed from HS6 rows"),
        "{}",
        label(&afg)
    );
    // AFG's exports are its own rows: Pakistan first (0.37bn).
    let pak = value(&afg, "export", "PAK").expect("PAK");
    assert!((pak / 1e9 - 0.3699).abs() < 0.0001, "{pak}");
    // ZAF: exports as reported, the default partners and the top partners after them,
    // sorted by value (members under their group); imports (from AFG only in this
    // extract) as mirror, named as such: not ZAF's total imports.
    let zaf = brief_json(&store, &["ZAF", "--period", "2020"]);
    let chn = value(&zaf, "export", "CHN").expect("CHN");
    assert!((chn / 1e9 - 7.91).abs() < 0.005, "{chn}");
    let defaults = entrepot_brief::DEFAULT_PARTNERS;
    let rows = table(&zaf, "export")["rows"]
        .as_array()
        .expect("rows")
        .clone();
    let extra = rows
        .iter()
        .filter(|r| r["kind"] == "country" && !defaults.contains(&r["code"].as_str().unwrap_or("")))
        .count();
    assert!(extra >= 5, "{extra}");
    let top: Vec<f64> = rows
        .iter()
        .filter(|r| r["within"].is_null() && r["kind"] != "rest_of_world")
        .filter_map(|r| r["value"]["value"].as_f64())
        .collect();
    assert!(
        top.len() >= 10 && top.windows(2).all(|w| w[0] >= w[1]),
        "{top:?}"
    );
    // rest of world: the total less the disjoint rows, 2.89bn and 5.66% (not the total)
    let row = rows
        .iter()
        .find(|r| r["kind"] == "rest_of_world")
        .expect("rest of world");
    assert!(
        (row["value"]["value"].as_f64().expect("value") - 2.89).abs() < 0.005,
        "{row}"
    );
    assert!(
        (row["share_pct"]["value"].as_f64().expect("share") - 5.66).abs() < 0.005,
        "{row}"
    );
    let partial = zaf["partial_coverage"]
        .as_array()
        .expect("partial coverage");
    assert_eq!(partial.len(), 1, "{partial:?}");
    assert_eq!(partial[0]["flow"], "import");
    assert_eq!(partial[0]["label"], "Imports from Afghanistan");
    assert!(zaf["headline"]["current"][0]["balance"]["level"].is_null());
    let afg_to_zaf: f64 = sql(
        &store,
        "SELECT SUM(value_usd) FROM baci WHERE reporter='AFG' AND partner='ZAF' AND year=2020",
    )
    .parse()
    .expect("number");
    let zaf_from_afg = value(&zaf, "import", "AFG").expect("ZAF imports from AFG");
    assert!((zaf_from_afg - afg_to_zaf).abs() < 1e-6);
    assert!(label(&zaf).contains("imports of ZAF are mirror figures"));
    // The text brief says so too.
    let text = ok(&store, &["brief", "AFG", "--period", "2020"]);
    assert!(text.contains("imports of AFG are mirror"), "{text}");
    let text = ok(&store, &["brief", "ZAF", "--period", "2020"]);
    assert!(text.contains("Imports from Afghanistan"), "{text}");
    assert!(text.contains("Total (partners held)"), "{text}");
    assert!(
        !text.contains("surplus"),
        "no balance from a partial flow: {text}"
    );
}

/// A small BACI file over two years: ZAF and AFG export; CHN only imports.
const BACI: &str = "t,i,j,k,v,q
2019,710,156,854140,80,1
2019,710,842,870380,30,1
2019,4,156,080620,5,1
2020,710,156,854140,100,1
2020,710,156,870380,20,1
2020,710,842,870380,35,1
2020,4,156,080620,7,1
2020,4,710,080620,2,1
";

#[test]
fn a_country_that_is_only_a_partner_gets_a_brief_of_mirror_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("baci.csv");
    std::fs::write(&file, BACI).expect("write");
    ok(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "mini",
            "--from",
            "baci",
            "--hs",
            "HS2017",
        ],
    );
    let chn = brief_json(&store, &["CHN", "--period", "2020"]);
    // ZAF's exports to CHN (thousands of USD in BACI): 100 + 20; AFG's: 7.
    assert_usd(&chn, "import", "ZAF", 120_000.0);
    assert_usd(&chn, "import", "AFG", 7_000.0);
    // Growth over the year before, on the mirror figures: 120 / 80 - 1.
    let zaf_row = table(&chn, "import")["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == "ZAF")
        .expect("ZAF")
        .clone();
    assert_eq!(zaf_row["comparison_value"]["value"].as_f64(), Some(80e-6));
    assert!((zaf_row["yoy_pct"]["value"].as_f64().expect("yoy") - 50.0).abs() < 1e-9);
    assert!(
        label(&chn).contains("imports of CHN are mirror figures (all)"),
        "{}",
        label(&chn)
    );
    // CHN exports nothing in this file: no export table.
    assert!(chn["partner_tables"]
        .as_array()
        .expect("tables")
        .iter()
        .all(|t| t["flow"] != "export"));
    // USA, a partner of ZAF only.
    let usa = brief_json(&store, &["USA"]);
    assert_eq!(usa["period"], "2020");
    assert_usd(&usa, "import", "ZAF", 35_000.0);
}

/// Monthly flows reported by both sides: USA reports its imports from CHN, not from
/// DEU.
const MONTHLY: &str = "r,p,flow,period,v
USA,CHN,import,2019-02,50
USA,CHN,import,2020-02,60
CHN,USA,export,2019-02,45
CHN,USA,export,2020-02,55
DEU,USA,export,2019-02,8
DEU,USA,export,2020-02,9
USA,DEU,export,2020-02,4
USA,CHN,export,2020-02,12
";

#[test]
fn a_monthly_brief_fills_only_the_imports_the_reporter_does_not_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("monthly.csv");
    std::fs::write(&file, MONTHLY).expect("write");
    ok(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "monthly",
            "--map",
            "reporter=r,partner=p,flow=col:flow,period=period,value=v",
        ],
    );
    let usa = brief_json(&store, &["USA", "--period", "2020-02"]);
    assert_eq!(usa["period"], "2020-02");
    // Reported where USA reports (CHN: 60, not CHN's 55), mirror where it does not.
    assert_usd(&usa, "import", "CHN", 60.0);
    assert_usd(&usa, "import", "DEU", 9.0);
    assert_usd(&usa, "export", "DEU", 4.0);
    assert!(
        label(&usa).contains("imports of USA are mirror figures (2 of 4 partner-period values)"),
        "{}",
        label(&usa)
    );
    assert!(
        !label(&usa).contains("exports of USA are mirror"),
        "{}",
        label(&usa)
    );
    let total = table(&usa, "import")["total"]["level"]["value"]
        .as_f64()
        .expect("total");
    assert!((total * 1e9 - 69.0).abs() < 1e-9, "{total}");
}
