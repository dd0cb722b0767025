//! Generic tidy CSV and UN Comtrade readers.

mod common;
use common::*;
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{ColumnMapping, ReadOptions};

/// Codes of `penppml_trade/trade.csv` that the country registry does not know (UN
/// Comtrade legacy and special areas).
const PENPPML_LEGACY: [&str; 17] = [
    "BAT", "BUN", "KN1", "MNT", "NZE", "PCE", "RYU", "SIK", "SVR", "SVU", "TAN", "UNS", "USP",
    "VDR", "YDR", "ZPM", "ZW1",
];

#[test]
fn penppml_acceptance() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let m = ColumnMapping::parse("reporter=exp,partner=imp,period=time,value=export,flow=export")
        .unwrap();
    // Without help, the legacy UN Comtrade area codes of the panel are rejected.
    let e = read_all(&mut CsvFlowReader::open(&path, &m, None, ReadOptions::default()).unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("unknown country code 'BUN'"), "{e}");
    let mut r = CsvFlowReader::open(&path, &m, None, ReadOptions::default())
        .unwrap()
        .with_extra_country_codes(&PENPPML_LEGACY.map(String::from))
        .unwrap();
    let (batches, rejected) = read_all(&mut r).unwrap();
    assert!(
        rejected.is_empty(),
        "{:?}",
        &rejected[..rejected.len().min(3)]
    );
    assert_eq!(rows(&batches), 316_317);
    let v = sum_value(&batches, |r, p, t| r == "CHN" && p == "USA" && t == "2016");
    assert_eq!((v / 1e9 * 100.0).round() / 100.0, 384.92, "{v}");
    let b = &batches[0];
    assert_eq!(s(b, "product").value(0), "TOTAL");
    assert!(b.column_by_name("hs_revision").unwrap().is_null(0));
    assert_eq!(s(b, "declared_by").value(0), "reporter");
}
