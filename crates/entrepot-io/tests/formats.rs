//! UN Comtrade CSV/JSON, Parquet, Stata flows and format detection.

mod common;
use arrow::array::{Float64Array, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use common::*;
use entrepot_io::baci::BaciReader;
use entrepot_io::comtrade::ComtradeJsonReader;
use entrepot_io::dta::DtaFlowReader;
use entrepot_io::parquet_reader::ParquetFlowReader;
use entrepot_io::schema::{batch_to_flows, flows_schema};
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{
    detect_format, open_reader, BreakdownPolicy, ColumnMapping, Format, OnError, ReadOptions,
    ReaderSpec,
};
use parquet::arrow::ArrowWriter;
use std::path::Path;
use std::sync::Arc;

fn q() -> ReadOptions {
    ReadOptions {
        on_error: OnError::Quarantine,
        batch_size: 1000,
        ..ReadOptions::default()
    }
}

#[test]
fn comtrade_csv() {
    let mut r =
        CsvFlowReader::open_comtrade(&fixture("comtrade.csv"), None, BreakdownPolicy::Reject, q())
            .unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert_eq!(rows(&b), 4);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 5);
    assert_eq!(rejected[0].column.as_deref(), Some("motCode"));
    assert!(
        rejected[0]
            .message
            .contains("breakdown row (motCode = 2100)"),
        "{}",
        rejected[0]
    );
    let flows = batch_to_flows(&b[0], "ct").unwrap();
    assert_eq!(flows[0].reporter, "CHN");
    assert_eq!(flows[0].partner, "WLD");
    assert_eq!(flows[0].period.to_string(), "2025-11");
    assert_eq!(flows[0].product, entrepot_core::Product::Total);
    assert_eq!(flows[0].quantity, None, "N/A unit with qty 0 = no quantity");
    assert_eq!(flows[0].value_usd, 330.3e9);
    assert_eq!(
        flows[0].provenance.declared_by,
        entrepot_core::Declarant::Reporter
    );
    assert_eq!(flows[1].product.to_string(), "HS2022:870380");
    assert_eq!(flows[1].quantity.unwrap().value, 1200.0);
    assert_eq!(flows[2].flow, entrepot_core::FlowKind::Import);
    assert_eq!(flows[3].partner, "IND");
    let qty = flows[3].quantity.unwrap();
    assert_eq!(
        (qty.value, qty.unit),
        (10_000.0, entrepot_core::QuantityUnit::Items),
        "1000u scales"
    );

    // Skip: the breakdown row is counted, not rejected.
    let mut r =
        CsvFlowReader::open_comtrade(&fixture("comtrade.csv"), None, BreakdownPolicy::Skip, q())
            .unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert_eq!((rows(&b), rejected.len(), r.skipped()), (4, 0, 1));
    assert!(entrepot_io::FlowReader::describe(&r).contains("1 breakdown rows skipped"));
}

#[test]
fn comtrade_json() {
    let mut r = ComtradeJsonReader::open(
        &fixture("comtrade.json"),
        None,
        BreakdownPolicy::Reject,
        q(),
    )
    .unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert_eq!(rows(&b), 2);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 3, "third record of the data array");
    assert_eq!(rejected[0].value.as_deref(), Some("C01"));
    let flows = batch_to_flows(&b[0], "ct").unwrap();
    assert_eq!(flows[0].period.to_string(), "2024");
    assert_eq!(flows[0].value_usd, 3.58e12);
    assert_eq!(flows[1].partner, "USA");
    let e = ComtradeJsonReader::from_reader(
        "x.json",
        &b"{\"data\": null, \"error\": \"quota\"}"[..],
        None,
        None,
        BreakdownPolicy::Reject,
        q(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("no 'data' array"), "{e}");
}

fn write_parquet(path: &Path, batches: &[RecordBatch]) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(f, batches[0].schema(), None).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
}

#[test]
fn parquet_canonical_round_trip() {
    let mut r = BaciReader::open(&fixture("BACI_HS17_Y2020_fixture.csv"), None, None, q()).unwrap();
    let (batches, _) = read_all(&mut r).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("flows.parquet");
    write_parquet(&p, &batches);
    assert_eq!(detect_format(&p).unwrap(), Format::Parquet);
    let mut pr = open_reader(
        &p,
        &ReaderSpec {
            options: q(),
            ..ReaderSpec::new("x")
        },
    )
    .unwrap();
    let (back, rejected) = read_all(pr.as_mut()).unwrap();
    assert!(rejected.is_empty());
    assert_eq!(back[0].schema(), flows_schema());
    let a = batch_to_flows(&batches[0], "d").unwrap();
    let mut b = batch_to_flows(&back[0], "d").unwrap();
    for f in &mut b {
        f.provenance.source_file = a[0].provenance.source_file.clone();
    }
    assert_eq!(a, b);
}

#[test]
fn parquet_mapped_with_bad_row() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("exp", DataType::Utf8, false),
        Field::new("imp", DataType::Utf8, false),
        Field::new("time", DataType::Int32, false),
        Field::new("export", DataType::Float64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["CHN", "USA", "DEU"])),
            Arc::new(StringArray::from(vec!["USA", "CHN", "FRA"])),
            Arc::new(Int32Array::from(vec![2016, 2016, 2016])),
            Arc::new(Float64Array::from(vec![Some(384.92e9), Some(-1.0), None])),
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.parquet");
    write_parquet(&p, &[batch]);
    let m = ColumnMapping::parse("reporter=exp,partner=imp,period=time,value=export,flow=export")
        .unwrap();
    let mut r = ParquetFlowReader::open(&p, Some(&m), None, q()).unwrap();
    let (b, rejected) = read_all(&mut r).unwrap();
    assert_eq!(rows(&b), 1);
    assert_eq!(f(&b[0], "value_usd").value(0), 384.92e9);
    assert_eq!(s(&b[0], "period").value(0), "2016");
    assert_eq!(rejected.len(), 2);
    assert_eq!(
        (rejected[0].line, rejected[0].column.as_deref()),
        (3, Some("export"))
    );
    assert!(rejected[0].message.contains("negative"), "{}", rejected[0]);
    assert_eq!(rejected[1].line, 4);
    assert!(
        rejected[1].message.contains("missing value"),
        "{}",
        rejected[1]
    );
    // Without a mapping the file must be canonical.
    let e = ParquetFlowReader::open(&p, None, None, q())
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("the reporter column 'reporter' is not in the header"),
        "{e}"
    );
}

#[test]
fn dta_flows_match_csv_flows() {
    let dta = entrepot_testdata::require_shared_data!("yotov_agtpa/Chapter1Exercise1.dta");
    let csv = entrepot_testdata::require_shared_data!("yotov_agtpa/chapter1_exercise1_wto.csv");
    let m = ColumnMapping::parse(
        "reporter=exporter,partner=importer,year=year,value=trade,value_scale=millions,flow=export",
    )
    .unwrap();
    let mut a = DtaFlowReader::open(&dta, &m, None, ReadOptions::default()).unwrap();
    let mut b = CsvFlowReader::open(&csv, &m, None, ReadOptions::default()).unwrap();
    let (ba, ra) = read_all(&mut a).unwrap();
    let (bb, rb) = read_all(&mut b).unwrap();
    assert!(ra.is_empty() && rb.is_empty());
    assert_eq!(rows(&ba), 25_350);
    let fa: Vec<_> = ba
        .iter()
        .flat_map(|x| batch_to_flows(x, "d").unwrap())
        .collect();
    let fb: Vec<_> = bb
        .iter()
        .flat_map(|x| batch_to_flows(x, "d").unwrap())
        .collect();
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!((x.key(), x.value_usd), (y.key(), y.value_usd));
    }
}

#[test]
fn detection_and_open_reader() {
    assert_eq!(
        detect_format(&fixture("BACI_HS17_Y2020_fixture.csv")).unwrap(),
        Format::Baci
    );
    assert_eq!(
        detect_format(&fixture("comtrade.csv")).unwrap(),
        Format::Comtrade
    );
    assert_eq!(
        detect_format(&fixture("comtrade.json")).unwrap(),
        Format::ComtradeJson
    );
    assert_eq!(
        detect_format(&fixture("tidy_bad.csv")).unwrap(),
        Format::Csv
    );
    assert_eq!(
        detect_format(&fixture("mixed_117.dta")).unwrap(),
        Format::Dta
    );
    assert_eq!("stata".parse::<Format>().unwrap(), Format::Dta);

    let spec = ReaderSpec {
        options: q(),
        ..ReaderSpec::new("d")
    };
    for (file, n) in [
        ("BACI_HS17_Y2020_fixture.csv", 4),
        ("comtrade.csv", 4),
        ("comtrade.json", 2),
    ] {
        let mut r = open_reader(&fixture(file), &spec).unwrap();
        let (b, _) = read_all(r.as_mut()).unwrap();
        assert_eq!(rows(&b), n, "{file}");
        let (done, total) = r.progress();
        assert_eq!(Some(done), total, "{file}");
    }
    let e = open_reader(&fixture("tidy_bad.csv"), &spec)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("needs a column mapping"), "{e}");
    let spec = ReaderSpec {
        mapping: Some(
            ColumnMapping::parse(
                "reporter=exporter,partner=importer,year=year,value=trade,flow=export",
            )
            .unwrap(),
        ),
        ..spec
    };
    let mut r = open_reader(&fixture("mixed_118.dta"), &spec).unwrap();
    let (b, rejected) = read_all(r.as_mut()).unwrap();
    // rows: CHN-USA ok, USA-CHN ok, DEU-FRA missing trade, ROM-DEU ok (ROU), CHN-WLD ok
    assert_eq!(rows(&b), 4);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 4);
    assert_eq!(s(&b[0], "reporter").value(2), "ROU");
}
