//! End-to-end tests of the `entrepot` binary: output formats, exit codes, bad input
//! rejected with a precise message and the store left byte-identical, quarantine.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// Every file under the store (except the lock file) with its content, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(d: &Path, root: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.file_name().is_some_and(|n| n != ".lock") {
                let rel = p
                    .strip_prefix(root)
                    .map(Path::to_path_buf)
                    .unwrap_or(p.clone());
                out.push((rel, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

const GOOD: &str = "t,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n2020,710,842,870380,3.0,\n";

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let good = dir.path().join("good.csv");
    std::fs::write(&good, GOOD).expect("write");
    let o = run(
        &store,
        &[
            "ingest",
            good.to_str().unwrap_or(""),
            "--dataset",
            "good",
            "--from",
            "baci",
            "--hs",
            "HS2017",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, store)
}

#[test]
fn ingest_then_query_in_three_formats() {
    let (_d, store) = setup();
    let q = "SELECT partner, value_usd FROM good ORDER BY partner";
    let csv = stdout(&run(&store, &["--format", "csv", "sql", q]));
    assert_eq!(csv, "partner,value_usd\nCHN,12500.0\nUSA,3000.0\n");
    let json = stdout(&run(&store, &["--format", "json", "sql", q]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v[1]["partner"], "USA");
    let table = stdout(&run(&store, &["sql", q]));
    assert!(table.contains("| CHN     | 12500.0   |"), "{table}");
    let ds = stdout(&run(&store, &["--format", "csv", "datasets"]));
    assert!(
        ds.lines()
            .any(|l| l.starts_with("good,flows,1,2,0,2020,1,")),
        "{ds}"
    );
}

/// One bad file per class of bad input: (name, content, expected message fragments).
fn bad_cases() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    let h = "t,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n";
    vec![
        (
            "truncated",
            format!("{h}2020,710,842,87").into_bytes(),
            vec![":3", "truncated"],
        ),
        (
            "utf8",
            {
                let mut b = h.as_bytes().to_vec();
                b.extend_from_slice(b"2020,710,842,870380,3\xff.0,\n");
                b
            },
            vec![":3", "UTF-8"],
        ),
        (
            "columns",
            format!("{h}2020,710,842,870380\n").into_bytes(),
            vec![":3", "field"],
        ),
        (
            "nonnumeric",
            format!("{h}2020,710,842,870380,abc,\n").into_bytes(),
            vec![":3", "column 'v'", "'abc'"],
        ),
        (
            "negative",
            format!("{h}2020,710,842,870380,-3.0,\n").into_bytes(),
            vec![":3", "column 'v'", "negative"],
        ),
        (
            "country",
            format!("{h}2020,710,999,870380,3.0,\n").into_bytes(),
            vec![":3", "column 'j'", "999"],
        ),
        (
            "product",
            format!("{h}2020,710,842,010199,3.0,\n").into_bytes(),
            vec![":3", "column 'k'", "010199", "010190"],
        ),
        (
            "duplicate",
            format!("{h}2020,710,156,850760,1.0,1.0\n").into_bytes(),
            vec![":3", "duplicate", "line 2"],
        ),
    ]
}

#[test]
fn every_bad_input_class_exits_3_with_location_and_leaves_store_unchanged() {
    let (dir, store) = setup();
    let before = snapshot(&store);
    for (name, content, expect) in bad_cases() {
        let f = dir.path().join(format!("{name}.csv"));
        std::fs::write(&f, &content).expect("write");
        let o = run(
            &store,
            &[
                "ingest",
                f.to_str().unwrap_or(""),
                "--dataset",
                "good",
                "--from",
                "baci",
                "--hs",
                "HS2017",
                "--replace",
            ],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{name}: {err}");
        assert!(err.contains(&format!("{name}.csv")), "{name}: {err}");
        for e in expect {
            assert!(err.contains(e), "{name}: expected '{e}' in: {err}");
        }
        assert!(err.contains("store unchanged"), "{name}: {err}");
        assert_eq!(snapshot(&store), before, "{name}: store changed");
    }
}

#[test]
fn quarantine_ingests_the_rest_and_reports_counts() {
    let (dir, store) = setup();
    let f = dir.path().join("mixed.csv");
    std::fs::write(
        &f,
        "t,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n2020,710,999,870380,3.0,\n2020,710,842,870380,-1,\n2020,4,156,850760,2.0,\n",
    )
    .expect("write");
    let q = dir.path().join("rejected.csv");
    let o = run(
        &store,
        &[
            "--format",
            "csv",
            "ingest",
            f.to_str().unwrap_or(""),
            "--dataset",
            "mixed",
            "--from",
            "baci",
            "--hs",
            "HS2017",
            "--on-error",
            "quarantine",
            "--quarantine",
            q.to_str().unwrap_or(""),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("mixed,1,2,2,")),
        "{out}"
    );
    let rejected = std::fs::read_to_string(&q).expect("quarantine file");
    assert_eq!(rejected.lines().count(), 3, "{rejected}");
    assert!(rejected.contains("mixed.csv,3,j,999"), "{rejected}");
    assert!(rejected.contains("mixed.csv,4,v,-1"), "{rejected}");
}

#[test]
fn usage_and_not_found_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("s");
    assert_eq!(run(&store, &["countries", "QQQ"]).status.code(), Some(4));
    assert_eq!(
        run(&store, &["brief", "--period", "2025-13"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&store, &["no-such-command"]).status.code(), Some(2));
    assert_eq!(run(&store, &["datasets", "nope"]).status.code(), Some(4));
    let o = run(&store, &["ingest", "/nonexistent/x.csv", "--dataset", "x"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
}

#[test]
fn reference_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = dir.path().join("s");
    let c = stdout(&run(&s, &["--format", "csv", "countries", "699"]));
    assert!(c.contains("IND,IN,356,India"), "{c}");
    let g = stdout(&run(
        &s,
        &["--format", "csv", "groups", "EU", "--at", "2019"],
    ));
    assert!(g.contains("GBR"), "{g}");
    let g = stdout(&run(
        &s,
        &["--format", "csv", "groups", "EU", "--at", "2020"],
    ));
    assert!(!g.contains("GBR"), "{g}");
    let p = stdout(&run(&s, &["--format", "csv", "products", "--baskets"]));
    assert!(p.contains("solar_cells,HS2017,854140"), "{p}");
    assert!(p.contains("solar_cells,HS2022,854143"), "{p}");
    let p = stdout(&run(
        &s,
        &["--format", "json", "products", "8541", "--children"],
    ));
    let v: serde_json::Value = serde_json::from_str(&p).expect("json");
    assert!(v.as_array().is_some_and(|a| a.len() >= 5));
}

#[test]
fn sample_brief_runs_with_an_empty_store() {
    // An empty directory is an empty store: the brief falls back to the embedded
    // sample (a --store that does not exist is an error: see hardening_store.rs).
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(dir.path(), &["brief"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for s in [
        "330.3bn",
        "+5.9%",
        "+1.9%",
        "111.68bn",
        "-28.6%",
        "+14.8%",
        "+14.3%",
        "first time",
    ] {
        assert!(out.contains(s), "missing {s} in\n{out}");
    }
    assert!(
        out.lines().all(|l| l.chars().count() <= 100),
        "line over 100 columns"
    );
    assert!(!out.contains('\u{1b}'), "colour despite NO_COLOR");
    let o = run(dir.path(), &["--format", "json", "brief"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json brief");
    assert_eq!(v["reporter"], "CHN");
    assert_eq!(v["period"], "2025-11");
    // --json -: the report document (the schema every analysis shares), with the
    // same figures as the terminal report.
    let o = run(dir.path(), &["brief", "--json", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: entrepot_doc::Document = serde_json::from_slice(&o.stdout).expect("a document");
    doc.validate().expect("a valid document");
    assert_eq!(doc.schema_version, entrepot_doc::SCHEMA_VERSION);
    assert_eq!(doc.kind, "release_brief");
    assert!(doc.title.contains("CHN") && doc.title.contains("2025-11"));
    assert!(!doc.figures().is_empty() && !doc.sources.is_empty());
}

#[test]
fn gravity_fit_reads_stata_and_matches_pyfixest() {
    let dta = entrepot_testdata::require_shared_data!(
        "ppmlhdfe_example_trade_fta/EXAMPLE_TRADE_FTA_DATA.dta"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(
        &dir.path().join("s"),
        &[
            "--format",
            "json",
            "gravity",
            "fit",
            "--data",
            dta.to_str().unwrap_or(""),
            "--formula",
            "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp",
            "--filter",
            "category == \"TOTAL\"",
            "--cluster",
            "isoimp^isoexp",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json table");
    let c = &v["coefficients"][0];
    // pyfixest 0.60 fepois, CRV1 by isoimp^isoexp (crates/entrepot-gravity/tests/reference).
    let (b, se) = (0.19244549347158327, 0.043240229354535246);
    let got_b = c["estimate"].as_f64().unwrap_or(f64::NAN);
    let got_se = c["std_error"].as_f64().unwrap_or(f64::NAN);
    assert!(((got_b - b) / b).abs() < 1e-6, "{got_b}");
    assert!(((got_se - se) / se).abs() < 1e-4, "{got_se}");
    assert_eq!(v["nobs"], 5950);
}
