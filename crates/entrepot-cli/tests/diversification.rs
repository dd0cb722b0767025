//! `entrepot diversification` against independent computations: the indices of the
//! report document equal, to 1e-9 relative, the same indices computed in the test
//! itself from the source CSV with plain Rust (no store, no cube, no
//! `entrepot-indices`). `validation/diversification_check.py` prints the same numbers
//! with pandas.

mod common;
use common::*;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The indices table of a diversification document: year → column key → cell.
fn indices(store: &Path, args: &[&str]) -> BTreeMap<i32, BTreeMap<String, Value>> {
    let mut a = vec!["--format", "json", "diversification"];
    a.extend_from_slice(args);
    let doc: Value = serde_json::from_str(&ok(store, &a)).expect("document JSON");
    assert_eq!(doc["kind"], "diversification");
    let table = doc["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["blocks"].as_array().into_iter().flatten())
        .find(|b| b["id"] == "indices")
        .expect("indices table");
    let keys: Vec<String> = table["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["key"].as_str().expect("key").to_string())
        .collect();
    table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let cells = r["cells"].as_array().expect("cells");
            let year: i32 = cells[0]["text"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .expect("year");
            (
                year,
                keys.iter().cloned().zip(cells.iter().cloned()).collect(),
            )
        })
        .collect()
}

fn number(cell: &Value) -> f64 {
    assert_eq!(cell["type"], "number", "{cell}");
    cell["value"].as_f64().expect("value")
}

fn assert_rel(what: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs(),
        "{what}: got {got}, expected {expected}"
    );
}

/// HHI = Σ s², s = x / Σx, over the positive values.
fn hhi(values: &BTreeMap<String, f64>) -> f64 {
    let total: f64 = values.values().sum();
    values.values().map(|x| (x / total) * (x / total)).sum()
}

/// The share of the k largest values.
fn top_share(values: &BTreeMap<String, f64>, k: usize) -> f64 {
    let mut v: Vec<f64> = values.values().copied().collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v.iter().take(k).sum::<f64>() / v.iter().sum::<f64>()
}

#[test]
fn china_export_hhi_and_effective_number_equal_an_independent_computation_every_year() {
    let csv = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    // Independent: value by (year, importer) for exp == CHN, imp != CHN.
    let mut by_year: BTreeMap<i32, BTreeMap<String, f64>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&csv).expect("open CSV");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (exp, imp, time, value) = (col("exp"), col("imp"), col("time"), col("export"));
    for record in reader.records() {
        let r = record.expect("record");
        if &r[exp] != "CHN" || &r[imp] == "CHN" {
            continue;
        }
        let v: f64 = r[value].parse().expect("value");
        if v > 0.0 {
            *by_year
                .entry(r[time].parse().expect("year"))
                .or_default()
                .entry(r[imp].to_string())
                .or_default() += v;
        }
    }
    assert!(by_year.len() >= 5, "years: {:?}", by_year.keys());

    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ok(
        &store,
        &[
            "ingest",
            csv.to_str().expect("path"),
            "--dataset",
            "penppml",
            "--map",
            "reporter=exp,partner=imp,period=time,value=export,flow=export",
        ],
    );
    let table = indices(&store, &["CHN"]);
    assert_eq!(
        table.keys().collect::<Vec<_>>(),
        by_year.keys().collect::<Vec<_>>(),
        "one row per year held"
    );
    for (year, partners) in &by_year {
        let row = &table[year];
        let expected = hhi(partners);
        assert_rel(&format!("{year} HHI"), number(&row["hhi"]), expected);
        assert_rel(
            &format!("{year} effective number"),
            number(&row["effective_number"]),
            1.0 / expected,
        );
        assert_eq!(number(&row["units"]) as usize, partners.len(), "{year}");
        assert_rel(
            &format!("{year} top-3 share"),
            number(&row["top3_share"]) / 100.0,
            top_share(partners, 3),
        );
    }
    // Every exporter of the dataset is a reference: the Hummels–Klenow margins are
    // there, and EM·IM is China's share of the dataset's exports.
    let last = table.values().last().expect("a year");
    let em = number(&last["hk_extensive"]);
    let im = number(&last["hk_intensive"]);
    assert!(em > 0.0 && em <= 1.0 && im > 0.0 && im <= 1.0, "{em} {im}");
}

#[test]
fn south_africa_destination_and_product_hhi_and_top_shares_equal_an_independent_computation() {
    let csv = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
    );
    let codes = csv.with_file_name("country_codes_V202201.csv");
    // Independent: BACI t,i,j,k,v,q (v in thousands of USD); ZAF is exporter 710.
    let mut destinations: BTreeMap<String, f64> = BTreeMap::new();
    let mut products: BTreeMap<String, f64> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(&csv).expect("open CSV");
    for record in reader.records() {
        let r = record.expect("record");
        if r[0].trim() != "2020" || r[1].trim() != "710" || r[2].trim() == "710" {
            continue;
        }
        let v: f64 = r[4].trim().parse().expect("v");
        if v > 0.0 {
            *destinations.entry(r[2].trim().to_string()).or_default() += v;
            *products.entry(format!("{:0>6}", r[3].trim())).or_default() += v;
        }
    }
    assert!(destinations.len() > 100 && products.len() > 1000);

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
    let by_partner = indices(&store, &["ZAF", "--top", "10"]);
    let row = &by_partner[&2020];
    assert_eq!(number(&row["units"]) as usize, destinations.len());
    assert_rel(
        "ZAF destination HHI",
        number(&row["hhi"]),
        hhi(&destinations),
    );
    for k in [1, 3, 5, 10] {
        assert_rel(
            &format!("ZAF top-{k} destination share"),
            number(&row[&format!("top{k}_share")]) / 100.0,
            top_share(&destinations, k),
        );
    }
    // AFG is the dataset's other exporter: the margins are computed.
    assert_eq!(row["hk_extensive"]["type"], "number");

    let by_product = indices(&store, &["ZAF", "--across", "products", "--hs-level", "6"]);
    let row = &by_product[&2020];
    assert_eq!(number(&row["units"]) as usize, products.len());
    assert_rel("ZAF HS6 HHI", number(&row["hhi"]), hhi(&products));
    for k in [1, 3, 5] {
        assert_rel(
            &format!("ZAF top-{k} product share"),
            number(&row[&format!("top{k}_share")]) / 100.0,
            top_share(&products, k),
        );
    }
    // The Theil parts add up to the total.
    let (t, b, w) = (
        number(&row["theil"]),
        number(&row["theil_between"]),
        number(&row["theil_within"]),
    );
    assert!((t - (b + w)).abs() <= 1e-9 * t, "{t} vs {b} + {w}");
}

#[test]
fn a_single_exporter_dataset_gives_no_margins_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    std::fs::write(
        &file,
        "reporter,partner,period,flow,value\nZAF,CHN,2020,export,600\nZAF,USA,2020,export,300\nZAF,DEU,2020,export,100\n",
    )
    .expect("write");
    ok(
        &store,
        &[
            "ingest",
            file.to_str().expect("path"),
            "--dataset",
            "d",
            "--map",
            "reporter=reporter,partner=partner,period=period,flow=flow,value=value",
        ],
    );
    let table = indices(&store, &["ZAF"]);
    let row = &table[&2020];
    assert_rel("HHI", number(&row["hhi"]), 0.46);
    assert_rel("top-1", number(&row["top1_share"]), 60.0);
    assert_eq!(row["hk_extensive"]["type"], "missing");
    assert!(row["hk_extensive"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("no other exporter")));
    // an unknown dataset is "not found" (exit 4); --top 0 a usage error (exit 2)
    assert_eq!(
        run(&store, &["diversification", "ZAF", "--dataset", "nope"])
            .status
            .code(),
        Some(4)
    );
    assert_eq!(
        run(&store, &["diversification", "ZAF", "--top", "0"])
            .status
            .code(),
        Some(2)
    );
}
