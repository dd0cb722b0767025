//! Stata .dta reader: pandas-written fixtures (formats 114, 117, 118, 119) and the
//! shared Yotov / ppmlhdfe files (formats 113 and 115) against their CSV twins.

mod common;
use common::*;
use entrepot_io::dta::{read_dta, DtaReader, DtaType, DtaValue};
use std::path::Path;

/// How a .dta value compares with the CSV twin's text.
fn same(csv: &str, v: &DtaValue, widened: bool) -> bool {
    match v {
        DtaValue::Missing => csv.is_empty(),
        DtaValue::Str(s) => s == csv,
        DtaValue::Int(i) => csv.parse::<i64>().ok() == Some(*i),
        DtaValue::Double(d) => csv.parse::<f64>().ok() == Some(*d),
        // The shared CSV twins were written from the float widened to double
        // (`widened`); the fixture CSV holds the float's own shortest text.
        DtaValue::Float(f) if widened => csv.parse::<f64>().ok() == Some(f64::from(*f)),
        DtaValue::Float(f) => csv.parse::<f32>().ok() == Some(*f),
    }
}

/// Compares every row of a .dta file with its CSV twin on the common columns.
fn compare(dta: &Path, csv_path: &Path, min_common: usize, widened: bool) -> (u16, usize) {
    let (names, rows) = read_dta(dta).unwrap();
    let release = rows.release();

    let mut csv = csv::Reader::from_path(csv_path).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let common: Vec<(usize, usize)> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| header.iter().position(|h| h == n).map(|j| (i, j)))
        .collect();
    assert!(common.len() >= min_common, "{names:?} vs {header:?}");
    let mut n = 0;
    let mut recs = csv.records();
    for row in rows {
        let row = row.unwrap();
        let rec = recs.next().expect("CSV has fewer rows").unwrap();
        for &(i, j) in &common {
            assert!(
                same(&rec[j], &row[i], widened),
                "{}: row {} column {}: dta {:?} vs csv '{}'",
                dta.display(),
                n + 1,
                names[i],
                row[i],
                &rec[j]
            );
        }
        n += 1;
    }
    assert!(recs.next().is_none(), "CSV has more rows");
    (release, n)
}

#[test]
fn fixtures_all_versions() {
    for (v, file) in [
        (114, "mixed_114.dta"),
        (117, "mixed_117.dta"),
        (118, "mixed_118.dta"),
        (119, "mixed_119.dta"),
    ] {
        let r = DtaReader::open(&fixture(file)).unwrap();
        assert_eq!(r.release(), v);
        assert_eq!(r.nobs(), 5);
        let kinds: Vec<DtaType> = r.columns().iter().map(|c| c.kind).collect();
        assert_eq!(&kinds[..2], &[DtaType::Str(3), DtaType::Str(3)]);
        assert_eq!(
            &kinds[2..7],
            &[
                DtaType::Int,
                DtaType::Double,
                DtaType::Float,
                DtaType::Byte,
                DtaType::Long
            ]
        );
        if v >= 117 {
            assert_eq!(kinds[7], DtaType::StrL);
        }
        let rows: Vec<Vec<DtaValue>> = r.map(|x| x.unwrap()).collect();
        assert_eq!(rows[1][3], DtaValue::Double(0.0015));
        assert_eq!(rows[2][3], DtaValue::Missing);
        assert_eq!(rows[1][4], DtaValue::Missing);
        assert_eq!(rows[0][4], DtaValue::Float(0.1987));
        assert_eq!(rows[1][5], DtaValue::Missing);
        assert_eq!(rows[2][5], DtaValue::Int(-5));
        assert_eq!(rows[2][6], DtaValue::Int(2_147_483_620));
        if v >= 118 {
            assert_eq!(rows[0][7], DtaValue::Str("unicode ✓ €".into()));
        }
        if v >= 117 {
            assert_eq!(rows[1][7], DtaValue::Str(String::new()));
            assert!(matches!(&rows[2][7], DtaValue::Str(s) if s.len() > 150));
        }
        if v != 118 && v != 119 {
            let (_, n) = compare(&fixture(file), &fixture("mixed.csv"), 7, false);
            assert_eq!(n, 5);
        }
    }
}

#[test]
fn yotov_chapter1_application1() {
    let dta = entrepot_testdata::require_shared_data!("yotov_agtpa/Chapter1Application1.dta");
    let csv = entrepot_testdata::require_shared_data!("yotov_agtpa/agtpa_applications.csv");
    assert_eq!(compare(&dta, &csv, 5, true), (113, 99_981));
}

#[test]
fn yotov_chapter1_exercise1() {
    let dta = entrepot_testdata::require_shared_data!("yotov_agtpa/Chapter1Exercise1.dta");
    let csv = entrepot_testdata::require_shared_data!("yotov_agtpa/chapter1_exercise1_wto.csv");
    assert_eq!(compare(&dta, &csv, 10, true), (113, 25_350));
}

#[test]
fn yotov_chapter1_exercise2() {
    let dta = entrepot_testdata::require_shared_data!("yotov_agtpa/Chapter1Exercise2.dta");
    let csv =
        entrepot_testdata::require_shared_data!("yotov_agtpa/chapter1_exercise2_mfn_tariff.csv");
    assert_eq!(compare(&dta, &csv, 10, true), (113, 18_928));
}

#[test]
fn ppmlhdfe_example() {
    let dta = entrepot_testdata::require_shared_data!(
        "ppmlhdfe_example_trade_fta/EXAMPLE_TRADE_FTA_DATA.dta"
    );
    let csv = entrepot_testdata::require_shared_data!(
        "ppmlhdfe_example_trade_fta/EXAMPLE_TRADE_FTA_DATA.csv"
    );
    assert_eq!(compare(&dta, &csv, 11, true), (115, 17_850));
}

#[test]
fn yotov_chapter2_application2() {
    let dta = entrepot_testdata::require_shared_data!("yotov_agtpa/Chapter2Application2.dta");
    let csv = entrepot_testdata::require_shared_data!("yotov_agtpa/agtpa_applications.csv");
    assert_eq!(compare(&dta, &csv, 5, true), (113, 99_981));
}
