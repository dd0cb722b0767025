//! `entrepot dependence`: the figures of the report document against values computed
//! by hand (a small closed world) and in the test itself from the source CSV (the
//! BACI extract), plus the errors of bad requests. `validation/dependence_check.py`
//! checks the same report with pandas.

mod common;
use common::*;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The tables of a dependence document: id → body rows (column key → cell).
fn tables(store: &Path, args: &[&str]) -> BTreeMap<String, Vec<DocRow>> {
    let mut a = vec!["--format", "json", "dependence"];
    a.extend_from_slice(args);
    let doc: Value = serde_json::from_str(&ok(store, &a)).expect("document JSON");
    assert_eq!(doc["kind"], "dependence");
    doc_tables(&doc)
        .into_iter()
        .map(|(id, t)| (id, t.rows))
        .collect()
}

fn assert_rel(what: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1e-300),
        "{what}: got {got}, expected {expected}"
    );
}

/// The row of a direction (`supplier`) in a year of the `dependence` table.
fn direction<'a>(
    t: &'a BTreeMap<String, Vec<DocRow>>,
    year: &str,
    supplier: &str,
) -> &'a BTreeMap<String, Value> {
    t["dependence"]
        .iter()
        .find(|r| text(&r["year"]) == year && text(&r["supplier"]) == supplier)
        .unwrap_or_else(|| panic!("no row {year} {supplier}"))
}

fn ingest_csv(store: &Path, file: &Path, name: &str) {
    ok(
        store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            name,
            "--hs",
            "HS2017",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,product=product,value=value",
        ],
    );
}

/// A closed world of four exporters (every country reports its exports, as in BACI):
/// imports are the mirror of the exports, and the year covers world trade.
const WORLD: &str = "reporter,partner,period,flow,product,value
ZAF,AFG,2020,export,010121,100
ZAF,AFG,2020,export,020110,50
CHN,AFG,2020,export,010121,30
CHN,AFG,2020,export,020110,150
ZAF,CHN,2020,export,010121,400
AFG,ZAF,2020,export,030211,20
AFG,CHN,2020,export,030211,80
CHN,ZAF,2020,export,020110,200
NOR,CHN,2020,export,030211,50
";

#[test]
fn shares_asymmetry_intensity_and_chokepoints_of_a_closed_world_equal_the_hand_computation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("world.csv");
    std::fs::write(&file, WORLD).expect("write");
    ingest_csv(&store, &file, "w");
    let t = tables(&store, &["ZAF", "AFG"]);

    // ZAF → AFG: AFG imports 330 (150 from ZAF); ZAF exports 550 (150 to AFG).
    let r = direction(&t, "2020", "ZAF");
    assert_eq!(text(&r["direction"]), "ZAF → AFG");
    assert_rel("trade", number(&r["trade_value"]) * 1e9, 150.0);
    assert_rel("AFG's imports", number(&r["buyer_imports"]) * 1e9, 330.0);
    let d = 150.0 / 330.0;
    let a = 150.0 / 550.0;
    assert_rel("import share", number(&r["import_share"]) / 100.0, d);
    assert_rel("export share", number(&r["export_share"]) / 100.0, a);
    assert_rel("asymmetry", number(&r["asymmetry"]) / 100.0, d - a);
    // TII = (x_ij/X_i)/(m_j/(M_w − M_i)): world imports 1080, ZAF's imports 220.
    let tii = a / (330.0 / (1080.0 - 220.0));
    assert_rel("trade intensity", number(&r["trade_intensity"]), tii);
    // 010121: 100 of AFG's 130 from ZAF (a chokepoint); 020110: 50 of 200 (not).
    assert_eq!(number(&r["chokepoints"]), 1.0);
    assert_rel("at stake", number(&r["value_at_stake"]) * 1e9, 100.0);
    let choke = &t["dependence-chokepoints-ZAF-AFG"];
    assert_eq!(choke.len(), 1);
    assert_eq!(text(&choke[0]["hs"]), "010121");
    assert_rel(
        "010121 share",
        number(&choke[0]["import_share"]) / 100.0,
        100.0 / 130.0,
    );
    assert_rel(
        "010121 export share",
        number(&choke[0]["export_share"]) / 100.0,
        0.2,
    );
    let products = &t["dependence-products-ZAF-AFG"];
    let codes: Vec<&str> = products.iter().map(|p| text(&p["hs"])).collect();
    assert_eq!(codes, ["010121", "020110"], "by value at stake");
    assert_eq!(text(&products[1]["chokepoint"]), "no");
    assert_rel(
        "020110 share",
        number(&products[1]["import_share"]) / 100.0,
        0.25,
    );

    // The reverse: ZAF imports 220 (20 from AFG); AFG exports 100 (20 to ZAF).
    let r = direction(&t, "2020", "AFG");
    assert_rel(
        "ZAF's import share",
        number(&r["import_share"]) / 100.0,
        20.0 / 220.0,
    );
    assert_rel(
        "AFG's export share",
        number(&r["export_share"]) / 100.0,
        0.2,
    );
    assert_rel(
        "reverse asymmetry",
        number(&r["asymmetry"]) / 100.0,
        20.0 / 220.0 - 0.2,
    );
    // Larger threshold: 100/130 = 76.9% is not more than 80%.
    let t = tables(&store, &["ZAF", "AFG", "--threshold", "0.8"]);
    assert_eq!(number(&direction(&t, "2020", "ZAF")["chokepoints"]), 0.0);
    assert!(!t.contains_key("dependence-chokepoints-ZAF-AFG"));
}

#[test]
fn a_buyer_with_no_imports_has_no_import_share_rather_than_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("world.csv");
    std::fs::write(&file, WORLD).expect("write");
    ingest_csv(&store, &file, "w");
    // Nobody exports to NOR: its imports are zero, its import share is absent.
    let t = tables(&store, &["ZAF", "NOR"]);
    let r = direction(&t, "2020", "ZAF");
    assert_eq!(number(&r["trade_value"]), 0.0);
    assert!(missing_reason(&r["import_share"]).contains("NOR imports nothing"));
    assert_eq!(number(&r["export_share"]), 0.0, "a true zero: ZAF exports");
    // NOR's exports: all to CHN, none to ZAF.
    let r = direction(&t, "2020", "NOR");
    assert_eq!(number(&r["export_share"]), 0.0);
}

#[test]
fn afg_dependence_on_zaf_per_product_equals_an_independent_computation() {
    let csv = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
    );
    let codes = csv.with_file_name("country_codes_V202201.csv");
    // Independent: BACI t,i,j,k,v,q (v in thousands of USD); ZAF 710, AFG 4.
    // value[(exporter, importer)][k] and total[exporter][k].
    let mut value: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    let mut total: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&csv).expect("open CSV");
    for record in reader.records() {
        let r = record.expect("record");
        let (i, j) = (r[1].trim().to_string(), r[2].trim().to_string());
        let k = format!("{:0>6}", r[3].trim());
        let v: f64 = r[4].trim().parse::<f64>().expect("v") * 1000.0;
        *total
            .entry(i.clone())
            .or_default()
            .entry(k.clone())
            .or_default() += v;
        *value.entry((i, j)).or_default().entry(k).or_default() += v;
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
    let t = tables(&store, &["ZAF", "AFG", "--top", "100000"]);
    for (sup, buy, i, j) in [("ZAF", "AFG", "710", "4"), ("AFG", "ZAF", "4", "710")] {
        let expected = &value[&(i.to_string(), j.to_string())];
        let rows = &t[&format!("dependence-products-{sup}-{buy}")];
        assert_eq!(rows.len(), expected.len(), "{sup} → {buy} products");
        for row in rows {
            let k = text(&row["hs"]);
            let x = expected[k];
            assert_rel(
                &format!("{k} at stake"),
                number(&row["value_at_stake"]) * 1e9,
                x,
            );
            let share = number(&row["export_share"]) / 100.0;
            assert_rel(&format!("{k} export share"), share, x / total[i][k]);
            assert!((0.0..=1.0).contains(&share));
            // Two exporters are not the world: the buyer's imports are not held.
            assert!(missing_reason(&row["import_share"]).contains("not held"));
        }
        let r = direction(&t, "2020", sup);
        let x: f64 = expected.values().sum();
        assert_rel("trade", number(&r["trade_value"]) * 1e9, x);
        let all: f64 = total[i].values().sum();
        assert_rel("export share", number(&r["export_share"]) / 100.0, x / all);
        assert!(missing_reason(&r["trade_intensity"]).contains("not held"));
    }
}

#[test]
fn bad_requests_exit_with_their_code_and_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).expect("store dir");
    let empty = run(&store, &["dependence", "ZAF", "AFG"]);
    assert_eq!(empty.status.code(), Some(4), "{}", stderr(&empty));
    assert!(stderr(&empty).contains("no flows dataset"));
    let file = dir.path().join("world.csv");
    std::fs::write(&file, WORLD).expect("write");
    ingest_csv(&store, &file, "w");
    for (args, code, words) in [
        (vec!["ZAF", "QQQ"], 4, "partner:"),
        (vec!["XYZ", "AFG"], 4, "reporter:"),
        (vec!["ZAF", "710"], 2, "both ZAF"),
        (vec!["ZAF", "AFG", "--threshold", "1.5"], 2, "--threshold"),
        (vec!["ZAF", "AFG", "--level", "3"], 2, "HS level 3"),
        (vec!["ZAF", "AFG", "--top", "0"], 2, "--top"),
        (
            vec!["ZAF", "AFG", "--dataset", "nope"],
            4,
            "no dataset 'nope'",
        ),
        (vec!["ZAF", "AFG", "--period", "2019"], 4, "in 2019"),
        (vec!["ZAF", "AFG", "--from", "2021"], 4, "holds no trade"),
        (
            vec!["ZAF", "AFG", "--from", "2021", "--to", "2020"],
            2,
            "not in order",
        ),
        (vec!["BRA", "ARG"], 4, "holds no trade of BRA or ARG"),
    ] {
        let mut a = vec!["dependence"];
        a.extend(args.iter().copied());
        let o = run(&store, &a);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
    }
}
