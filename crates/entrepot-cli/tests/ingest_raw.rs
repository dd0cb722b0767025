//! End-to-end: a raw official monthly series (one reporter, semicolon or tab
//! delimited, month names, thousands separators, export and import columns) ingested
//! with `--map` constants and read back with `entrepot sql`.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// A store directory and a file holding `text`, in a fresh temporary directory.
fn setup(name: &str, text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join(name);
    std::fs::write(&file, text).expect("write");
    (dir, store, file)
}

/// The stored rows of a dataset as CSV.
fn rows(store: &Path, dataset: &str) -> String {
    let q = format!(
        "SELECT reporter, partner, flow, period, product, value_usd FROM {dataset} ORDER BY period, flow"
    );
    let o = run(store, &["--format", "csv", "sql", &q]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// A statistics office's monthly series of one reporter: semicolon-separated (not
/// said: detected), English month names and `2001M03`, comma thousands separators,
/// and an empty cell where a flow is not published.
const SERIES: &str = "\
Period;Exports;Imports
January 2001;1,187.5;2,030.25
Feb 2001;950;
2001M03;;1,000,000
";

#[test]
fn raw_series_with_constant_reporter_and_partner_is_stored_exactly() {
    let (_d, store, file) = setup("usa_monthly.csv", SERIES);
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().unwrap_or(""),
            "--dataset",
            "usa",
            "--map",
            "reporter=USA,partner=WLD,period=Period,export=Exports,import=Imports,scale=millions",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        rows(&store, "usa"),
        "reporter,partner,flow,period,product,value_usd\n\
         USA,WLD,export,2001-01,TOTAL,1187500000.0\n\
         USA,WLD,import,2001-01,TOTAL,2030250000.0\n\
         USA,WLD,export,2001-02,TOTAL,950000000.0\n\
         USA,WLD,import,2001-03,TOTAL,1000000000000.0\n"
    );
}

#[test]
fn delimiter_and_decimal_options() {
    // Tab-separated with a decimal comma: told with --delimiter tab --decimal ,.
    let text = "Partner\tPeriod\tValue\nCHN\t2001/01\t1.187,5\nDEU\t2001/02\t1 000\n";
    let (_d, store, file) = setup("fra.txt", text);
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().unwrap_or(""),
            "--dataset",
            "fra",
            "--delimiter",
            "tab",
            "--decimal",
            ",",
            "--map",
            "reporter=FRA,partner=Partner,period=Period,value=Value,flow=import",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        rows(&store, "fra"),
        "reporter,partner,flow,period,product,value_usd\n\
         FRA,CHN,import,2001-01,TOTAL,1187.5\n\
         FRA,DEU,import,2001-02,TOTAL,1000.0\n"
    );
    // A bad delimiter name is a usage error (exit 2) that lists the choices.
    let o = run(
        &store,
        &["ingest", file.to_str().unwrap_or(""), "--delimiter", ":"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "unknown delimiter ':': expected ',' (comma), ';' (semicolon), tab or '|' (pipe)"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ambiguous_number_and_bad_month_stop_with_file_line_column_value() {
    let text = "Period;Exports\nJanuary 2001;1,187\n";
    let (_d, store, file) = setup("amb.csv", text);
    let map = "reporter=USA,partner=WLD,period=Period,value=Exports,flow=export";
    let o = run(
        &store,
        &["ingest", file.to_str().unwrap_or(""), "--map", map],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("amb.csv:2: column 'Exports': value '1,187': ambiguous number '1,187'"),
        "{err}"
    );
    assert!(!store.join("manifest.json").exists());
    // With the decimal mark said, the same file reads 1187.
    let o = run(
        &store,
        &[
            "ingest",
            file.to_str().unwrap_or(""),
            "--map",
            map,
            "--decimal",
            ".",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        rows(&store, "amb"),
        "reporter,partner,flow,period,product,value_usd\nUSA,WLD,export,2001-01,TOTAL,1187.0\n"
    );
    let (_d2, store2, bad) = setup(
        "bad.csv",
        "Period;Exports\nJanuary 2001;5\nJanvier 2001;6\n",
    );
    let o = run(
        &store2,
        &["ingest", bad.to_str().unwrap_or(""), "--map", map],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.csv:3: column 'Period': value 'Janvier 2001': invalid period 'Janvier 2001': unknown month name 'Janvier'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_shows_the_map_keys_with_an_example() {
    let o = bin().args(["ingest", "--help"]).output().expect("run");
    let help = stdout(&o);
    for needle in [
        "reporter, partner",
        "const:CODE",
        "export, import",
        "--map reporter=USA,partner=Partner,period=Period,export=Exports,import=Imports",
        "--delimiter <D>",
        "--decimal <MARK>",
    ] {
        assert!(help.contains(needle), "missing {needle:?} in:\n{help}");
    }
}
