//! `entrepot mirror`: a dataset whose every flow is reported identically by both
//! sides has zero gap (over generated cases, against itself and split into two
//! datasets), the gaps of a worked example, and the errors of bad requests (a dataset
//! with only the exporters' side among them).

mod common;
use common::*;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The tables of a mirror document: id → body rows (column key → cell).
fn tables(store: &Path, args: &[&str]) -> BTreeMap<String, Vec<DocRow>> {
    let mut a = vec!["--format", "json", "mirror"];
    a.extend_from_slice(args);
    let doc: Value = serde_json::from_str(&ok(store, &a)).expect("document JSON");
    assert_eq!(doc["kind"], "mirror");
    doc_tables(&doc)
        .into_iter()
        .map(|(id, t)| (id, t.rows))
        .collect()
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

const HEADER: &str = "reporter,partner,period,flow,product,value\n";

/// A small deterministic generator (xorshift64*), so that every case is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A generated case: flows of 3 to 5 countries over 1 or 2 years and a few HS6
/// products, each written twice, as the exporter's export and the importer's import of
/// the same integer value (so sums are exact). Returns the files of exports, imports
/// and both, and the two countries to compare (which trade at least once).
fn generate(case: u64, dir: &Path) -> (String, String, [std::path::PathBuf; 3]) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (case + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    let all = ["ZAF", "AFG", "CHN", "USA", "DEU", "BRA"];
    let products = ["010121", "020110", "030211", "840710", "870323", "854140"];
    let n = 3 + rng.below(3) as usize;
    let countries = &all[..n];
    let years: Vec<i32> = (0..=rng.below(2) as i32).map(|i| 2019 + i).collect();
    let (mut x, mut m) = (String::from(HEADER), String::from(HEADER));
    let mut row = |e: &str, i: &str, y: i32, k: &str, v: u64| {
        writeln!(x, "{e},{i},{y},export,{k},{v}").expect("write");
        writeln!(m, "{i},{e},{y},import,{k},{v}").expect("write");
    };
    // the pair compared trades at least once
    row(
        countries[0],
        countries[1],
        years[0],
        products[0],
        1 + rng.below(1_000_000_000),
    );
    for e in countries {
        for i in countries.iter().filter(|i| *i != e) {
            for y in &years {
                for k in &products {
                    let first =
                        (*e, *i, *y, *k) == (countries[0], countries[1], years[0], products[0]);
                    if !first && rng.below(5) < 2 {
                        row(e, i, *y, k, 1 + rng.below(1_000_000_000));
                    }
                }
            }
        }
    }
    let both = format!("{x}{}", m.trim_start_matches(HEADER));
    let files = [
        dir.join(format!("x{case}.csv")),
        dir.join(format!("m{case}.csv")),
        dir.join(format!("b{case}.csv")),
    ];
    for (f, text) in files.iter().zip([&x, &m, &both]) {
        std::fs::write(f, text).expect("write");
    }
    (countries[0].to_string(), countries[1].to_string(), files)
}

/// Every comparison of the document has a zero gap (and a ratio of 1 where the
/// exporter reports a flow).
fn assert_zero_gaps(t: &BTreeMap<String, Vec<DocRow>>, what: &str) {
    let mut compared = 0;
    for (id, rows) in t {
        for r in rows {
            if r["gap"]["type"] == "missing" {
                continue; // one side reports nothing in the year
            }
            compared += 1;
            assert_eq!(number(&r["gap"]), 0.0, "{what} {id} {r:?}");
            assert_eq!(number(&r["exports"]), number(&r["imports"]), "{what} {id}");
            if number(&r["exports"]) > 0.0 {
                assert_eq!(number(&r["gap_pct"]), 0.0, "{what} {id}");
                assert_eq!(number(&r["ratio"]), 1.0, "{what} {id}");
            }
        }
    }
    assert!(compared > 0, "{what}: nothing compared");
}

#[test]
fn a_dataset_mirrored_against_itself_has_zero_gap_over_generated_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    for case in 0..6 {
        let store = dir.path().join(format!("store{case}"));
        let (a, b, [x, m, both]) = generate(case, dir.path());
        ingest_csv(&store, &both, "both");
        ingest_csv(&store, &x, "x");
        ingest_csv(&store, &m, "m");
        let what = format!("case {case} {a}-{b}");
        assert_zero_gaps(&tables(&store, &[&a, &b, "--dataset", "both"]), &what);
        // the exporters' side in one dataset, the importers' in another
        assert_zero_gaps(
            &tables(&store, &[&a, &b, "--dataset", "x", "--against", "m"]),
            &format!("{what} x against m"),
        );
        // per product, at a coarser level too
        assert_zero_gaps(
            &tables(&store, &[&b, &a, "--dataset", "both", "--level", "2"]),
            &format!("{what} HS2"),
        );
    }
}

#[test]
fn gaps_percent_and_ratio_of_a_worked_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("flows.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}ZAF,AFG,2020,export,010121,100\nZAF,AFG,2020,export,020110,50\nAFG,ZAF,2020,import,010121,108\nAFG,ZAF,2020,import,030211,7\nAFG,ZAF,2020,export,030211,20\nZAF,AFG,2020,import,030211,25\nZAF,AFG,2019,export,010121,90\nZAF,CHN,2019,import,010121,90\n"
        ),
    )
    .expect("write");
    ingest_csv(&store, &file, "d");
    let t = tables(&store, &["ZAF", "AFG"]);
    let row = |year: &str, exporter: &str| {
        t["mirror"]
            .iter()
            .find(|r| text(&r["year"]) == year && text(&r["exporter"]) == exporter)
            .unwrap_or_else(|| panic!("{year} {exporter}"))
    };
    // 2020, ZAF → AFG: X = 150, M = 115.
    let r = row("2020", "ZAF");
    assert_eq!(number(&r["exports"]) * 1e9, 150.0);
    assert_eq!(number(&r["imports"]) * 1e9, 115.0);
    assert!((number(&r["gap"]) * 1e9 + 35.0).abs() < 1e-9);
    assert!((number(&r["gap_pct"]) + 100.0 * 35.0 / 150.0).abs() < 1e-9);
    assert!((number(&r["ratio"]) - 115.0 / 150.0).abs() < 1e-12);
    assert_eq!(text(&r["reading"]), "importer reports less");
    // 2020, AFG → ZAF: X = 20, M = 25.
    let r = row("2020", "AFG");
    assert!((number(&r["ratio"]) - 1.25).abs() < 1e-12);
    assert_eq!(text(&r["reading"]), "over the margin");
    // 2019: AFG reports no imports, so no comparison of ZAF's exports to it; ZAF
    // reports imports (from CHN) but none from AFG, which reports no exports.
    let r = row("2019", "ZAF");
    assert_eq!(r["imports"]["type"], "missing");
    assert!(r["gap"]["reason"]
        .as_str()
        .is_some_and(|s| s.contains("AFG reports no imports in 2019")));
    // By product, 2020, ZAF → AFG: 010121 within the CIF/FOB margin (108/100), 020110
    // reported by the exporter only, 030211 by the importer only.
    let p = &t["mirror-products-ZAF-AFG"];
    let by: BTreeMap<&str, &BTreeMap<String, Value>> =
        p.iter().map(|r| (text(&r["hs"]), r)).collect();
    assert!((number(&by["010121"]["ratio"]) - 1.08).abs() < 1e-12);
    assert_eq!(text(&by["010121"]["reading"]), "within the margin");
    assert_eq!(number(&by["020110"]["imports"]), 0.0);
    assert_eq!(number(&by["020110"]["gap_pct"]), -100.0);
    assert_eq!(by["030211"]["ratio"]["type"], "missing");
    assert_eq!(text(&by["030211"]["reading"]), "only the importer reports");
    // sorted by the size of the gap: 50, 8, 7
    let order: Vec<&str> = p.iter().map(|r| text(&r["hs"])).collect();
    assert_eq!(order, ["020110", "010121", "030211"]);
}

#[test]
fn bad_requests_and_one_sided_data_exit_with_their_code_and_say_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    // Exports only, as BACI holds them.
    let file = dir.path().join("exports.csv");
    std::fs::write(
        &file,
        format!("{HEADER}ZAF,AFG,2020,export,010121,100\nAFG,ZAF,2020,export,030211,20\n"),
    )
    .expect("write");
    ingest_csv(&store, &file, "x");
    let o = run(&store, &["mirror", "ZAF", "AFG"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("holds no reported imports at all"), "{e}");
    assert!(e.contains("--against"), "{e}");
    // A second dataset with AFG's imports: then it can be compared.
    let imports = dir.path().join("imports.csv");
    std::fs::write(
        &imports,
        format!("{HEADER}AFG,ZAF,2020,import,010121,110\n"),
    )
    .expect("write");
    ingest_csv(&store, &imports, "m");
    let t = tables(&store, &["ZAF", "AFG", "--dataset", "x", "--against", "m"]);
    let r = &t["mirror"][0];
    assert!((number(&r["ratio"]) - 1.1).abs() < 1e-12);
    for (args, code, words) in [
        (vec!["ZAF", "QQQ", "--dataset", "x"], 4, "partner:"),
        (vec!["ZAF", "ZAF", "--dataset", "x"], 2, "both ZAF"),
        (
            vec!["ZAF", "AFG", "--dataset", "x", "--against", "nope"],
            4,
            "no dataset 'nope'",
        ),
        (
            vec!["ZAF", "AFG", "--dataset", "x", "--level", "5"],
            2,
            "HS level 5",
        ),
        (
            vec!["ZAF", "AFG", "--dataset", "x", "--top", "0"],
            2,
            "--top",
        ),
        (vec!["ZAF", "AFG"], 2, "several datasets"),
        (
            vec!["BRA", "ARG", "--dataset", "x"],
            4,
            "holds no exports reported by BRA or ARG",
        ),
        (
            vec!["ZAF", "AFG", "--dataset", "m", "--against", "x"],
            4,
            "holds no exports reported",
        ),
    ] {
        let mut a = vec!["mirror"];
        a.extend(args.iter().copied());
        let o = run(&store, &a);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
    }
}
