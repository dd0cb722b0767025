//! Generic tidy CSV and UN Comtrade readers.

mod common;
use common::*;
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{ColumnMapping, OnError, ReadOptions};

#[test]
fn penppml_acceptance() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let m = ColumnMapping::parse("reporter=exp,partner=imp,period=time,value=export,flow=export")
        .unwrap();
    let mut r = CsvFlowReader::open(&path, &m, None, ReadOptions::default()).unwrap();
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
    // Legacy UN Comtrade areas resolve through the registry's aliases.
    let partners: std::collections::BTreeSet<String> = batches
        .iter()
        .flat_map(|b| {
            (0..b.num_rows())
                .map(|i| s(b, "partner").value(i).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(partners.contains("BNK") && partners.contains("SUN") && !partners.contains("BUN"));
}

#[test]
fn extra_country_codes() {
    let m = ColumnMapping::parse("reporter=r,partner=p,flow=export,period=y,value=v").unwrap();
    let text = "r,p,y,v\nCHN,XQ1,2020,5\nCHN,XQ1,2021,6\nXQ1,USA,2020,1\n";
    let opts = ReadOptions {
        on_error: OnError::Quarantine,
        ..Default::default()
    };
    let mut r =
        CsvFlowReader::from_reader("x.csv", text.as_bytes(), &m, None, opts.clone()).unwrap();
    let (b, e) = read_all(&mut r).unwrap();
    assert_eq!((rows(&b), e.len()), (0, 3));
    assert!(
        e[0].message.contains("unknown country code 'XQ1'"),
        "{}",
        e[0]
    );
    let mut r = CsvFlowReader::from_reader("x.csv", text.as_bytes(), &m, None, opts)
        .unwrap()
        .with_extra_country_codes(&["xq1".to_string()])
        .unwrap();
    let (b, e) = read_all(&mut r).unwrap();
    assert_eq!((rows(&b), e.len()), (3, 0));
    assert_eq!(s(&b[0], "partner").value(0), "XQ1");
    assert_eq!(s(&b[0], "reporter").value(2), "XQ1");
}
