//! `entrepot decompose` end to end: the shift-share effects and the contributions of
//! the report document equal hand computations on a small product × market panel and,
//! to 1e-9 relative, an independent computation from the penppml CSV in plain Rust (no
//! store, no cube, no `entrepot-indices`); a dataset of the reporter alone has no world
//! demand and says why; bad input is refused with its exit code and a precise message.
//! `validation/decompose_check.py` recomputes the penppml figures with pandas.

mod common;
use common::*;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A table of a decomposition document: its rows (body then footer).
fn table(doc: &Value, id: &str) -> Vec<DocRow> {
    doc_table(doc, id).all()
}

fn decompose(store: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json", "decompose"];
    a.extend_from_slice(args);
    let doc: Value = serde_json::from_str(&ok(store, &a)).expect("document JSON");
    assert_eq!(doc["kind"], "growth_decomposition");
    doc
}

#[track_caller]
fn assert_rel(what: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1e-12),
        "{what}: got {got}, expected {expected}"
    );
}

/// The effects in USD bn by label, and the change (footer).
fn effects(doc: &Value) -> BTreeMap<String, Value> {
    table(doc, "decompose-effects")
        .into_iter()
        .map(|r| {
            (
                r["effect"]["text"].as_str().expect("label").to_string(),
                r["value"].clone(),
            )
        })
        .collect()
}

/// A row of a contribution table by its code.
fn row<'a>(rows: &'a [BTreeMap<String, Value>], code: &str) -> &'a DocRow {
    rows.iter()
        .find(|r| r["code"]["text"] == code)
        .unwrap_or_else(|| panic!("row {code}"))
}

fn ingest(dir: &Path, name: &str, csv: &str, args: &[&str]) -> PathBuf {
    let store = dir.join("store");
    let file = dir.join(format!("{name}.csv"));
    std::fs::write(&file, csv).expect("write");
    let mut a = vec!["ingest", file.to_str().expect("path"), "--dataset", name];
    a.extend_from_slice(args);
    ok(&store, &a);
    store
}

/// BACI layout (t,i,j,k,v,q; v in thousands of USD). ZAF (710) sells oranges (080510)
/// and gold (710812) to the USA (842) and the UK (826); DEU (276) and IND (356) export
/// in both years; DEU's exports to ZAF are not a market of ZAF's; BRA (76) exports only
/// in 2020 and is not in the reference group.
const PANEL: &str = "t,i,j,k,v,q
2019,710,842,080510,100,1
2019,710,826,080510,50,1
2019,710,842,710812,200,1
2020,710,842,080510,120,1
2020,710,826,080510,30,1
2020,710,842,710812,170,1
2020,710,826,710812,40,1
2019,276,842,080510,600,1
2019,276,826,080510,500,1
2019,276,842,710812,1000,1
2019,276,826,710812,1000,1
2019,276,710,080510,300,1
2020,276,842,080510,900,1
2020,276,826,080510,500,1
2020,276,842,710812,1000,1
2020,276,826,710812,1500,1
2020,276,710,080510,900,1
2019,356,842,080510,400,1
2019,356,842,710812,1000,1
2020,356,842,080510,600,1
2020,356,842,710812,1000,1
2020,76,842,080510,5000,1
";

#[test]
fn a_product_market_panel_gives_the_hand_computed_effects_and_contributions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ingest(
        dir.path(),
        "panel",
        PANEL,
        &["--from", "baci", "--hs", "HS2017"],
    );
    // In thousands of USD: X⁰ = 350, X¹ = 360. Reference W⁰ = 4500, W¹ = 5500, g = 2/9;
    // oranges 1500 → 2000 (g = 1/3), gold 3000 → 3500 (g = 1/6); cells: oranges-USA
    // +50 %, oranges-UK 0, gold-USA 0, gold-UK +50 % (ZAF new there).
    let k = 1e3 / 1e9; // thousands of USD in USD bn
    let doc = decompose(&store, &["ZAF", "--from", "2019", "--to", "2020"]);
    let e = effects(&doc);
    assert_rel(
        "world demand",
        number(&e["World demand"]),
        350.0 * 2.0 / 9.0 * k,
    );
    // (1/3 − 2/9)·150 + (1/6 − 2/9)·200
    assert_rel("product mix", number(&e["Product mix"]), 50.0 / 9.0 * k);
    // (1/2 − 1/3)·100 + (0 − 1/3)·50 + (0 − 1/6)·200
    assert_rel("market mix", number(&e["Market mix"]), -100.0 / 3.0 * k);
    // (120 − 150) + (30 − 50) + (170 − 200) + 40
    assert_rel("competitiveness", number(&e["Competitiveness"]), -40.0 * k);
    assert_rel("change", number(&e["Change"]), 10.0 * k);
    let pp = table(&doc, "decompose-effects");
    assert_rel(
        "world demand pp",
        number(&pp[0]["pct_of_base"]),
        100.0 * 2.0 / 9.0,
    );
    let partners = table(&doc, "decompose-partners");
    assert_eq!(partners[0]["code"]["text"], "GBR", "sorted by contribution");
    assert_rel(
        "GBR pp",
        number(&row(&partners, "GBR")["contribution_pp"]),
        100.0 * 20.0 / 350.0,
    );
    let usa = row(&partners, "USA");
    assert_rel(
        "USA pp",
        number(&usa["contribution_pp"]),
        -100.0 * 10.0 / 350.0,
    );
    assert_rel(
        "growth without USA",
        number(&usa["growth_without_pct"]),
        40.0,
    );
    assert_rel("USA loss made up", number(&usa["offset_pct"]), 200.0);
    assert_eq!(
        row(&partners, "GBR")["offset_pct"]["type"],
        "missing",
        "no loss"
    );
    assert_rel(
        "total growth",
        number(&row(&partners, "Total")["growth_pct"]),
        100.0 * 10.0 / 350.0,
    );
    let products = table(&doc, "decompose-products");
    assert_rel(
        "gold pp",
        number(&row(&products, "710812")["contribution_pp"]),
        100.0 * 10.0 / 350.0,
    );
    assert!(row(&products, "710812")["name"]["text"]
        .as_str()
        .is_some_and(|n| n.contains("gold")));
    let text = doc.to_string();
    assert!(text.contains(
        "the 2 other exporters with exports in both periods (2 have exports in 2019, 3 in 2020"
    ));

    // By partners only: the same world demand, no product mix.
    let doc = decompose(
        &store,
        &["ZAF", "--from", "2019", "--to", "2020", "--by", "partners"],
    );
    let e = effects(&doc);
    assert_rel(
        "world demand",
        number(&e["World demand"]),
        350.0 * 2.0 / 9.0 * k,
    );
    assert!(e["Product mix"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("--by partners")));
    // USA 3000 → 3500 (1/6), UK 1500 → 2000 (1/3)
    assert_rel(
        "market mix",
        number(&e["Market mix"]),
        (-300.0 / 18.0 + 50.0 / 9.0) * k,
    );
    assert_rel(
        "competitiveness",
        number(&e["Competitiveness"]),
        (-60.0 + 10.0 / 3.0) * k,
    );
    // By products only: no market mix.
    let doc = decompose(
        &store,
        &["ZAF", "--from", "2019", "--to", "2020", "--by", "products"],
    );
    let e = effects(&doc);
    assert_rel("product mix", number(&e["Product mix"]), 50.0 / 9.0 * k);
    assert_eq!(e["Market mix"]["type"], "missing");
    assert_rel(
        "competitiveness",
        number(&e["Competitiveness"]),
        (-100.0 / 3.0 - 40.0) * k,
    );
    // CSV: the effects and both contribution tables.
    let csv = ok(
        &store,
        &[
            "--format",
            "csv",
            "decompose",
            "ZAF",
            "--from",
            "2019",
            "--to",
            "2020",
        ],
    );
    for id in [
        "decompose-effects",
        "decompose-partners",
        "decompose-products",
    ] {
        assert!(csv.contains(id), "{id} in {csv}");
    }
}

/// CHN's exports by partner and the other exporters' exports by market (reporter ≠
/// CHN, market ≠ CHN and ≠ exporter, only exporters with positive exports in both
/// years), from the raw CSV: `[base, end]` per code.
type Panel = BTreeMap<String, [f64; 2]>;

fn penppml_panel(csv: &Path, years: [i32; 2]) -> (Panel, Panel) {
    let mut own = Panel::new();
    let mut by_exporter: BTreeMap<(String, String), [f64; 2]> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(csv).expect("open CSV");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (exp, imp, time, value) = (col("exp"), col("imp"), col("time"), col("export"));
    // The panel's legacy codes (ROM, ZAR, TMP, MNT, UNS) are stored as today's ISO3.
    let countries = entrepot_core::CountryRegistry::builtin();
    let iso3 = |code: &str| countries.resolve(code).expect(code).iso3.clone();
    for record in reader.records() {
        let r = record.expect("record");
        let Some(t) = years.iter().position(|y| r[time] == *y.to_string()) else {
            continue;
        };
        let v: f64 = r[value].parse().expect("value");
        let (e, m) = (iso3(&r[exp]), iso3(&r[imp]));
        if e == "CHN" && m != "CHN" {
            own.entry(m).or_default()[t] += v;
        } else if e != "CHN" && m != "CHN" && e != m {
            by_exporter.entry((e, m)).or_default()[t] += v;
        }
    }
    let active = |t: usize| -> BTreeSet<&String> {
        by_exporter
            .iter()
            .filter(|(_, v)| v[t] > 0.0)
            .map(|((e, _), _)| e)
            .collect()
    };
    let group: BTreeSet<&String> = active(0).intersection(&active(1)).copied().collect();
    let mut reference = Panel::new();
    for ((e, m), v) in &by_exporter {
        if group.contains(e) {
            let w = reference.entry(m.clone()).or_default();
            w[0] += v[0];
            w[1] += v[1];
        }
    }
    (own, reference)
}

#[test]
fn china_on_penppml_equals_an_independent_computation() {
    let csv = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let (own, reference) = penppml_panel(&csv, [2012, 2016]);
    let sum = |p: &Panel, t: usize| p.values().map(|v| v[t]).sum::<f64>();
    let (x0, x1) = (sum(&own, 0), sum(&own, 1));
    let g = sum(&reference, 1) / sum(&reference, 0) - 1.0;
    let (mut market, mut competitiveness) = (0.0, 0.0);
    for (m, x) in &own {
        let gm = match reference.get(m) {
            Some(w) if w[0] > 0.0 => w[1] / w[0] - 1.0,
            _ => g, // no reference base: the total's growth
        };
        if x[0] > 0.0 {
            market += (gm - g) * x[0];
            competitiveness += x[1] - x[0] - gm * x[0];
        } else {
            competitiveness += x[1];
        }
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let map = "reporter=exp,partner=imp,period=time,value=export,flow=export";
    ok(
        &store,
        &[
            "ingest",
            csv.to_str().expect("path"),
            "--dataset",
            "penppml",
            "--map",
            map,
        ],
    );
    let doc = decompose(
        &store,
        &["CHN", "--from", "2012", "--to", "2016", "--top", "1000"],
    );
    let e = effects(&doc);
    assert_rel("world demand", number(&e["World demand"]) * 1e9, g * x0);
    assert_rel("market mix", number(&e["Market mix"]) * 1e9, market);
    assert_rel(
        "competitiveness",
        number(&e["Competitiveness"]) * 1e9,
        competitiveness,
    );
    assert_rel("change", number(&e["Change"]) * 1e9, x1 - x0);
    assert_eq!(
        e["Product mix"]["type"], "missing",
        "penppml has no products"
    );
    let partners = table(&doc, "decompose-partners");
    let named: Vec<_> = partners
        .iter()
        .filter(|r| r["code"]["text"] != "Total")
        .collect();
    let active = own.values().filter(|v| v[0] > 0.0 || v[1] > 0.0).count();
    assert!(
        named.len() >= active && active > 150,
        "{} rows, {active} partners",
        named.len()
    );
    let mut total_pp = 0.0;
    for r in named {
        let code = r["code"]["text"].as_str().expect("code");
        let x = own[code];
        let pp = number(&r["contribution_pp"]);
        total_pp += pp;
        assert_rel(&format!("{code} pp"), pp, 100.0 * (x[1] - x[0]) / x0);
        if x[1] < x[0] {
            let rest = (x1 - x[1]) - (x0 - x[0]);
            assert_rel(
                &format!("{code} offset"),
                number(&r["offset_pct"]),
                100.0 * rest / (x[0] - x[1]),
            );
        }
    }
    assert_rel(
        "contributions add up to growth",
        total_pp,
        100.0 * (x1 / x0 - 1.0),
    );
}

#[test]
fn a_dataset_of_the_reporter_alone_has_no_world_demand_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ingest(
        dir.path(),
        "alone",
        "reporter,partner,period,flow,value\nZAF,CHN,2019,export,600\nZAF,USA,2019,export,400\nZAF,CHN,2020,export,450\nZAF,USA,2020,export,600\nZAF,DEU,2020,export,50\n",
        &["--map", "reporter=reporter,partner=partner,period=period,flow=flow,value=value"],
    );
    let doc = decompose(&store, &["ZAF", "--from", "2019", "--to", "2020"]);
    for (label, cell) in effects(&doc) {
        assert_eq!(cell["type"], "missing", "{label} is absent, never zero");
        if label == "World demand" {
            assert!(
                cell["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("no exporter other than ZAF")),
                "{cell}"
            );
        }
    }
    let partners = table(&doc, "decompose-partners");
    assert_rel(
        "CHN pp",
        number(&row(&partners, "CHN")["contribution_pp"]),
        -15.0,
    );
    assert_rel(
        "DEU pp",
        number(&row(&partners, "DEU")["contribution_pp"]),
        5.0,
    );
    assert_eq!(
        row(&partners, "DEU")["growth_pct"]["type"],
        "missing",
        "new partner"
    );
    // the others (USA +200, DEU +50) made up 250 of the loss of 150 on CHN
    assert_rel(
        "CHN offset",
        number(&row(&partners, "CHN")["offset_pct"]),
        100.0 * 250.0 / 150.0,
    );
    assert_rel(
        "total",
        number(&row(&partners, "Total")["growth_pct"]),
        10.0,
    );
    // the terminal report says why
    let text = stdout(&run(
        &store,
        &["decompose", "ZAF", "--from", "2019", "--to", "2020"],
    ));
    assert!(
        text.contains("no exporter other than ZAF") && text.contains("+10.0%"),
        "{text}"
    );
}

#[test]
fn bad_input_is_refused_with_its_exit_code_and_a_precise_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from("reporter,partner,period,flow,value\n");
    // DEU's exports to ZAF are ZAF's imports (mirror), not a market of ZAF's exports.
    for m in 1..=6 {
        csv.push_str(&format!("ZAF,CHN,2019-{m:02},export,10\nDEU,CHN,2019-{m:02},export,20\nDEU,ZAF,2019-{m:02},export,5\n"));
    }
    for m in 1..=12 {
        csv.push_str(&format!("ZAF,CHN,2020-{m:02},export,12\nDEU,CHN,2020-{m:02},export,30\nDEU,ZAF,2020-{m:02},export,7\n"));
    }
    let store = ingest(
        dir.path(),
        "monthly",
        &csv,
        &[
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,value=value",
        ],
    );
    let fails = |args: &[&str], code: i32, says: &str| {
        let mut a = vec!["decompose"];
        a.extend_from_slice(args);
        let o = run(&store, &a);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    };
    fails(
        &["XYZ", "--from", "2019-Q1", "--to", "2020-Q1"],
        4,
        "unknown country code 'XYZ'",
    );
    fails(
        &["ZAF", "--from", "2018-Q1", "--to", "2020-Q1"],
        4,
        "holds no exports of ZAF in 2018-Q1",
    );
    fails(
        &["ZAF", "--from", "2019", "--to", "2020"],
        4,
        "2019 is not complete in dataset 'monthly' for ZAF: 6 of its 12 months are held",
    );
    fails(
        &["ZAF", "--from", "2019-Q3", "--to", "2020-Q3"],
        4,
        "3 of its 3 months missing: 2019-07, 2019-08, 2019-09",
    );
    fails(
        &["ZAF", "--from", "2019-Q1", "--to", "2020"],
        2,
        "spans 3 months and --to 2020 12 months",
    );
    fails(
        &["ZAF", "--from", "2020-Q1", "--to", "2019-Q1"],
        2,
        "must end before",
    );
    fails(
        &[
            "ZAF", "--from", "2019-Q1", "--to", "2020-Q1", "--by", "products",
        ],
        2,
        "no HS6 product detail",
    );
    fails(
        &[
            "ZAF",
            "--from",
            "2019-Q1",
            "--to",
            "2020-Q1",
            "--dataset",
            "nope",
        ],
        4,
        "no dataset 'nope'",
    );
    fails(
        &["ZAF", "--from", "2019-Q1", "--to", "2020-Q1", "--top", "0"],
        2,
        "--top",
    );

    // Quarters held in full work: 30 → 36 (+20 %), the reference 60 → 90 (+50 %).
    let doc = decompose(&store, &["ZAF", "--from", "2019-Q1", "--to", "2020-Q1"]);
    let e = effects(&doc);
    assert_rel("world demand", number(&e["World demand"]) * 1e9, 30.0 * 0.5);
    assert_rel(
        "competitiveness",
        number(&e["Competitiveness"]) * 1e9,
        36.0 - 45.0,
    );
    // imports (mirror figures: DEU's exports to ZAF): the contributions only
    let doc = decompose(
        &store,
        &[
            "ZAF", "--from", "2019-Q1", "--to", "2020-Q1", "--flow", "import",
        ],
    );
    let text = doc.to_string();
    assert!(text.contains("defined for exports") && !text.contains("decompose-effects"));
    let partners = table(&doc, "decompose-partners");
    assert_rel(
        "DEU pp",
        number(&row(&partners, "DEU")["contribution_pp"]),
        100.0 * 6.0 / 15.0,
    );
    assert!(text.contains("mirror figures"));
}
