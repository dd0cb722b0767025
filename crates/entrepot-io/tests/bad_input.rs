//! Every class of bad row gets a RowError naming file, line, column, value and what
//! was expected; Fail stops at the first one, Quarantine collects them.

mod common;
use common::*;
use entrepot_io::baci::BaciReader;
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{write_quarantine, ColumnMapping, IoError, OnError, ReadOptions, RowError};
use std::collections::BTreeMap;

fn q() -> ReadOptions {
    ReadOptions {
        on_error: OnError::Quarantine,
        batch_size: 4,
        ..ReadOptions::default()
    }
}

fn by_line(rejected: &[RowError]) -> BTreeMap<u64, RowError> {
    rejected.iter().map(|e| (e.line, e.clone())).collect()
}

fn expect(
    m: &BTreeMap<u64, RowError>,
    line: u64,
    column: Option<&str>,
    value: Option<&str>,
    msg: &str,
) {
    let e = m
        .get(&line)
        .unwrap_or_else(|| panic!("no error on line {line}: {m:#?}"));
    assert_eq!(e.column.as_deref(), column, "line {line}: {e}");
    if let Some(v) = value {
        assert_eq!(e.value.as_deref(), Some(v), "line {line}: {e}");
    }
    assert!(
        e.message.contains(msg),
        "line {line}: expected '{msg}' in: {e}"
    );
    assert!(
        e.file.ends_with("BACI_HS17_Y2020_bad.csv") || e.file.ends_with("tidy_bad.csv"),
        "{e}"
    );
}

#[test]
fn baci_bad_rows_quarantined() {
    let mut r = BaciReader::open(&fixture("BACI_HS17_Y2020_bad.csv"), None, None, q()).unwrap();
    let (batches, rejected) = read_all(&mut r).unwrap();
    assert_eq!(rows(&batches), 2, "lines 2 and 12 are valid");
    assert_eq!(rejected.len(), 10);
    let m = by_line(&rejected);
    expect(
        &m,
        3,
        None,
        None,
        "duplicate key (reporter, partner, flow, period, product): first seen on line 2",
    );
    assert_eq!(
        m[&3].value.as_deref(),
        Some("ZAF CHN export 2020 HS2017:854140")
    );
    expect(
        &m,
        4,
        Some("v"),
        Some("abc"),
        "expected a non-negative number, found 'abc'",
    );
    expect(&m, 5, Some("v"), Some("-5"), "negative value");
    expect(&m, 6, Some("v"), Some("NaN"), "NaN is not a valid amount");
    expect(&m, 7, Some("v"), Some("inf"), "infinite amount");
    expect(
        &m,
        8,
        Some("j"),
        Some("CHM"),
        "unknown country code 'CHM' (did you mean CHE (Switzerland), CHL (Chile), CHN (China)?)",
    );
    expect(
        &m,
        9,
        Some("k"),
        Some("999998"),
        "unknown product code '999998' in HS2017 (did you mean 999999",
    );
    expect(
        &m,
        10,
        None,
        None,
        "wrong number of fields: expected 6, found 4",
    );
    // 246 is the exact offset of the 0xFF byte in the file.
    expect(
        &m,
        11,
        Some("k"),
        None,
        "invalid UTF-8 at byte offset 246 (line 11)",
    );
    expect(&m, 13, None, None, "truncated file");
    assert!(m[&13].message.contains("4 of 6 fields"), "{}", m[&13]);
    assert_eq!(m[&10].raw.as_deref(), Some("2020,710,156,854141"));
    assert_eq!(m[&4].raw.as_deref(), Some("2020,710,699,854140,abc,1"));

    // The quarantine file.
    let dir = tempfile::tempdir().unwrap();
    let qp = dir.path().join("rejected.csv");
    write_quarantine(&qp, &rejected).unwrap();
    let mut rdr = csv::Reader::from_path(&qp).unwrap();
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["file", "line", "column", "value", "message", "raw"]
    );
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), 10);
    let four = recs.iter().find(|r| &r[1] == "4").unwrap();
    assert_eq!(&four[2], "v");
    assert_eq!(&four[3], "abc");
}

#[test]
fn baci_fail_stops_at_first_bad_row() {
    let mut r = BaciReader::open(
        &fixture("BACI_HS17_Y2020_bad.csv"),
        None,
        None,
        ReadOptions::default(),
    )
    .unwrap();
    match read_all(&mut r) {
        Err(IoError::Row(e)) => {
            assert_eq!(e.line, 3);
            assert!(e.message.contains("duplicate"), "{e}");
            assert!(e.to_string().contains("BACI_HS17_Y2020_bad.csv:3"), "{e}");
        }
        other => panic!("expected a row error, got {other:?}"),
    }
}

#[test]
fn baci_fixture_reads() {
    let mut r = BaciReader::open(
        &fixture("BACI_HS17_Y2020_fixture.csv"),
        None,
        None,
        ReadOptions::default(),
    )
    .unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert!(rejected.is_empty());
    let b = &b[0];
    assert_eq!(b.num_rows(), 4);
    let partners: Vec<&str> = (0..4).map(|i| s(b, "partner").value(i)).collect();
    assert_eq!(partners, ["CHN", "IND", "S19", "USA"]);
    assert_eq!(s(b, "product").value(2), "010121");
    assert_eq!(f(b, "value_usd").value(0), 100_500.0);
    assert_eq!(f(b, "value_usd").value(3), 12_000.0);
    assert_eq!(nulls(b, "quantity"), 2, "empty and NA quantities");
    assert_eq!(nulls(b, "quantity_unit"), 2);
    let lines = b.column_by_name("source_line").unwrap();
    assert_eq!(
        arrow::array::cast::as_primitive_array::<arrow::datatypes::Int64Type>(lines).value(0),
        2
    );
}

fn tidy_mapping() -> ColumnMapping {
    ColumnMapping::parse(
        "reporter=reporter,partner=partner,flow=col:flow,period=period,product=product,hs_revision=HS2022,value=value,quantity=qty,quantity_unit=col:unit",
    )
    .unwrap()
}

#[test]
fn tidy_bad_rows_quarantined() {
    let mut r = CsvFlowReader::open(&fixture("tidy_bad.csv"), &tidy_mapping(), None, q()).unwrap();
    let (batches, rejected) = read_all(&mut r).unwrap();
    assert_eq!(rows(&batches), 2);
    assert_eq!(rejected.len(), 6, "{rejected:#?}");
    let m = by_line(&rejected);
    expect(&m, 3, Some("qty"), Some("5"), "a quantity without a unit");
    expect(&m, 4, Some("unit"), Some("kg"), "a unit without a quantity");
    expect(
        &m,
        5,
        Some("period"),
        Some("2025-13"),
        "invalid period '2025-13'",
    );
    expect(
        &m,
        6,
        Some("flow"),
        Some("balance"),
        "expected export, import",
    );
    expect(
        &m,
        7,
        Some("product"),
        Some("854140"),
        "unknown product code '854140' in HS2022 (did you mean 854141, 854142",
    );
    expect(&m, 8, None, None, "first seen on line 2");
    let b = &batches[0];
    assert_eq!(s(b, "partner").value(1), "WLD");
    assert_eq!(f(b, "quantity").value(0), 5.0);
    assert_eq!(s(b, "quantity_unit").value(0), "u");
}

#[test]
fn tidy_fail_mode() {
    let mut r = CsvFlowReader::open(
        &fixture("tidy_bad.csv"),
        &tidy_mapping(),
        None,
        ReadOptions::default(),
    )
    .unwrap();
    let e = read_all(&mut r).unwrap_err();
    assert!(
        matches!(&e, IoError::Row(r) if r.line == 3 && r.column.as_deref() == Some("qty")),
        "{e}"
    );
}

#[test]
fn missing_mapped_column_is_a_format_error() {
    let m = ColumnMapping::parse(
        "reporter=reportr,partner=partner,flow=export,period=period,value=value",
    )
    .unwrap();
    let e = CsvFlowReader::open(&fixture("tidy_bad.csv"), &m, None, q())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("the reporter column 'reportr' is not in the header (did you mean reporter"),
        "{e}"
    );
}

#[test]
fn not_baci_header() {
    let e = BaciReader::open(
        &fixture("tidy_bad.csv"),
        Some(entrepot_core::HsRevision::Hs2017),
        None,
        q(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("expected the header t,i,j,k,v,q"), "{e}");
}

#[test]
fn empty_and_header_only_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("BACI_HS17_empty.csv");
    std::fs::write(&empty, "").unwrap();
    let e = BaciReader::open(&empty, None, None, q())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("empty file or empty header"), "{e}");
    let header_only = dir.path().join("BACI_HS17_header.csv");
    std::fs::write(&header_only, "t,i,j,k,v,q\n").unwrap();
    let mut r = BaciReader::open(&header_only, None, None, q()).unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert_eq!((rows(&b), rejected.len()), (0, 0));
}

#[test]
fn truncated_generic_csv_and_wrong_count_with_newline() {
    let m = ColumnMapping::parse("reporter=r,partner=p,flow=export,period=y,value=v").unwrap();
    let read = |text: &'static str| {
        let mut r = CsvFlowReader::from_reader("cut.csv", text.as_bytes(), &m, None, q()).unwrap();
        read_all(&mut r).unwrap()
    };
    let (b, e) = read("r,p,y,v\nCHN,USA,2020,5\nCHN,JPN,20");
    assert_eq!((rows(&b), e.len()), (1, 1));
    assert_eq!(e[0].line, 3);
    assert!(
        e[0].message
            .starts_with("truncated file: the last record has 3 of 4 fields"),
        "{}",
        e[0]
    );
    let (_, e) = read("r,p,y,v\nCHN,USA,2020,5\nCHN,JPN,20\n");
    assert!(
        e[0].message
            .starts_with("wrong number of fields: expected 4, found 3"),
        "{}",
        e[0]
    );
    // A complete last record without a final newline is fine.
    let (b, e) = read("r,p,y,v\nCHN,USA,2020,5\nCHN,JPN,2020,6");
    assert_eq!((rows(&b), e.len()), (2, 0));
}

#[test]
fn shared_facts_files() {
    let customs = entrepot_testdata::require_shared_data!("china_customs_facts.csv");
    let other = entrepot_testdata::require_shared_data!("china_other_facts.csv");
    let (f, e) = entrepot_io::read_customs_facts(
        "china_customs_facts.csv",
        std::fs::File::open(customs).unwrap(),
    )
    .unwrap();
    assert!(e.is_empty(), "{e:#?}");
    assert!(f.len() > 180);
    assert!(f
        .iter()
        .all(|x| x.source_url.starts_with("http")
            && x.origin.starts_with("china_customs_facts.csv:")));
    let (f, e) =
        entrepot_io::read_other_facts("china_other_facts.csv", std::fs::File::open(other).unwrap())
            .unwrap();
    assert!(e.is_empty(), "{e:#?}");
    assert!(f.iter().any(|x| x.unit == entrepot_core::Unit::CnyTn));
}
