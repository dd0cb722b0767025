//! Property tests: a generated valid tidy CSV reads back exactly, and a CSV with k
//! corrupted rows gives exactly k rejected and n-k accepted rows in quarantine mode.

mod common;
use common::*;
use entrepot_core::{FlowKind, HsCode, HsRevision, Period, Product, Quantity, QuantityUnit};
use entrepot_io::schema::batch_to_flows;
use entrepot_io::tidy::CsvFlowReader;
use entrepot_io::{ColumnMapping, OnError, ReadOptions};
use proptest::prelude::*;
use std::collections::BTreeMap;

const REPORTERS: [&str; 6] = ["CHN", "USA", "DEU", "FRA", "IND", "ZAF"];
const PARTNERS: [&str; 7] = ["CHN", "USA", "DEU", "JPN", "BRA", "WLD", "S19"];
const PRODUCTS: [&str; 7] = [
    "TOTAL", "870380", "850760", "854142", "847950", "85", "8541",
];
const FLOWS: [FlowKind; 4] = [
    FlowKind::Export,
    FlowKind::Import,
    FlowKind::ReExport,
    FlowKind::ReImport,
];
const UNITS: [QuantityUnit; 3] = [QuantityUnit::Kg, QuantityUnit::Items, QuantityUnit::Tonnes];

type Key = (usize, usize, usize, i32, Option<u8>, usize);

#[derive(Debug, Clone)]
struct Val {
    value: f64,
    qty: Option<(f64, usize)>,
}

fn key() -> impl Strategy<Value = Key> {
    (
        0..REPORTERS.len(),
        0..PARTNERS.len(),
        0..FLOWS.len(),
        1990i32..2026,
        prop::option::of(1u8..=12),
        0..PRODUCTS.len(),
    )
}

fn val() -> impl Strategy<Value = Val> {
    (
        0.0f64..1e13,
        prop::option::of((0.0f64..1e9, 0..UNITS.len())),
    )
        .prop_map(|(value, qty)| Val { value, qty })
}

fn table() -> impl Strategy<Value = Vec<(Key, Val)>> {
    prop::collection::btree_map(key(), val(), 1..40)
        .prop_map(|m: BTreeMap<Key, Val>| m.into_iter().collect())
}

fn period(k: &Key) -> Period {
    match k.4 {
        None => Period::Year(k.3),
        Some(m) => Period::Month {
            year: k.3,
            month: m,
        },
    }
}

fn row_fields(k: &Key, v: &Val) -> Vec<String> {
    let (qty, unit) = match v.qty {
        Some((q, u)) => (format!("{q}"), UNITS[u].as_str().to_string()),
        None => (String::new(), String::new()),
    };
    vec![
        REPORTERS[k.0].to_string(),
        PARTNERS[k.1].to_string(),
        FLOWS[k.2].as_str().to_string(),
        period(k).to_string(),
        PRODUCTS[k.5].to_string(),
        format!("{}", v.value),
        qty,
        unit,
    ]
}

fn mapping() -> ColumnMapping {
    ColumnMapping::parse(
        "reporter=reporter,partner=partner,flow=col:flow,period=period,product=product,hs_revision=HS2022,value=value,quantity=qty,quantity_unit=col:unit",
    )
    .unwrap()
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut s = String::from("reporter,partner,flow,period,product,value,qty,unit\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s
}

fn read(
    text: String,
    batch_size: usize,
) -> (Vec<entrepot_core::TradeFlow>, Vec<entrepot_io::RowError>) {
    let opts = ReadOptions {
        on_error: OnError::Quarantine,
        batch_size,
        ..ReadOptions::default()
    };
    let mut r = CsvFlowReader::from_reader(
        "gen.csv",
        std::io::Cursor::new(text.into_bytes()),
        &mapping(),
        None,
        opts,
    )
    .unwrap();
    let (batches, rejected) = read_all(&mut r).unwrap();
    let flows = batches
        .iter()
        .flat_map(|b| batch_to_flows(b, "gen").unwrap())
        .collect();
    (flows, rejected)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_csv_round_trips(t in table(), batch_size in 1usize..10) {
        let rows: Vec<Vec<String>> = t.iter().map(|(k, v)| row_fields(k, v)).collect();
        let (flows, rejected) = read(csv_text(&rows), batch_size);
        prop_assert!(rejected.is_empty(), "{:?}", rejected);
        prop_assert_eq!(flows.len(), t.len());
        for ((k, v), f) in t.iter().zip(&flows) {
            prop_assert_eq!(&f.reporter, REPORTERS[k.0]);
            prop_assert_eq!(&f.partner, PARTNERS[k.1]);
            prop_assert_eq!(f.flow, FLOWS[k.2]);
            prop_assert_eq!(f.period, period(k));
            let p = match PRODUCTS[k.5] {
                "TOTAL" => Product::Total,
                c => Product::Hs { revision: HsRevision::Hs2022, code: HsCode::parse(c).unwrap() },
            };
            prop_assert_eq!(&f.product, &p);
            prop_assert_eq!(f.value_usd, v.value);
            prop_assert_eq!(f.quantity, v.qty.map(|(q, u)| Quantity { value: q, unit: UNITS[u] }));
        }
    }

    #[test]
    fn corrupted_rows_are_quarantined(
        t in table(),
        corrupt in prop::collection::vec(prop::option::of(0u8..8), 40),
        batch_size in 1usize..10,
    ) {
        let mut rows = Vec::new();
        let mut bad_lines = Vec::new();
        for (i, (k, v)) in t.iter().enumerate() {
            let mut r = row_fields(k, v);
            if let Some(c) = corrupt[i] {
                match c {
                    0 => r[5] = "-1".into(),
                    1 => r[5] = "abc".into(),
                    2 => r[0] = "QQQ".into(),
                    3 => r[3] = "2025-13".into(),
                    4 => { r.pop(); }
                    5 => r[4] = "999998".into(),
                    6 => r[5] = "NaN".into(),
                    _ => { r[6] = "5".into(); r[7] = String::new(); }
                }
                bad_lines.push(i as u64 + 2);
            }
            rows.push(r);
        }
        let (flows, rejected) = read(csv_text(&rows), batch_size);
        prop_assert_eq!(rejected.len(), bad_lines.len());
        prop_assert_eq!(flows.len(), t.len() - bad_lines.len());
        let mut lines: Vec<u64> = rejected.iter().map(|e| e.line).collect();
        lines.sort();
        prop_assert_eq!(lines, bad_lines);
        prop_assert!(rejected.iter().all(|e| e.file == "gen.csv" && !e.message.is_empty()));
    }
}
