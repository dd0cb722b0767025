//! CEPII BACI reader: shared-data acceptance and fixtures.

mod common;
use common::*;
use entrepot_core::HsRevision;
use entrepot_io::baci::BaciReader;
use entrepot_io::{CountryTable, FlowReader, OnError, ReadOptions};
use std::sync::Arc;

fn opts(on_error: OnError) -> ReadOptions {
    ReadOptions {
        on_error,
        batch_size: 10_000,
        ..ReadOptions::default()
    }
}

#[test]
fn baci_zaf_afg_acceptance() {
    let path = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv"
    );
    let table_path = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/country_codes_V202201.csv"
    );
    for table in [
        None,
        Some(Arc::new(CountryTable::from_path(&table_path).unwrap())),
    ] {
        let mut r = BaciReader::open(&path, None, table, opts(OnError::Fail)).unwrap();
        assert_eq!(r.revision(), HsRevision::Hs2017);
        let (batches, rejected) = read_all(&mut r).unwrap();
        assert!(rejected.is_empty());
        assert_eq!(rows(&batches), 72_097);
        assert!(batches.iter().all(|b| b.num_rows() <= 10_000));
        let to_chn = sum_value(&batches, |r, p, _| r == "ZAF" && p == "CHN");
        assert_eq!((to_chn / 1e9 * 100.0).round() / 100.0, 7.91, "{to_chn}");
        let to_ind = sum_value(&batches, |r, p, _| r == "ZAF" && p == "IND");
        assert_eq!((to_ind / 1e9 * 100.0).round() / 100.0, 4.90, "{to_ind}");
        let b = &batches[0];
        assert_eq!(s(b, "flow").value(0), "export");
        assert_eq!(s(b, "declared_by").value(0), "reconciled");
        assert_eq!(s(b, "hs_revision").value(0), "HS2017");
        assert_eq!(s(b, "period").value(0), "2020");
        // first row: 2020,4,24,300431,0.198,0.001
        assert_eq!(s(b, "reporter").value(0), "AFG");
        assert_eq!(s(b, "partner").value(0), "AGO");
        assert_eq!(s(b, "product").value(0), "300431");
        assert_eq!(f(b, "value_usd").value(0), 198.0);
        assert_eq!(f(b, "quantity").value(0), 0.001);
        assert_eq!(s(b, "quantity_unit").value(0), "t");
        let missing_q: usize = batches.iter().map(|b| nulls(b, "quantity")).sum();
        assert_eq!(missing_q, 2_175);
        let (done, total) = r.progress();
        assert_eq!(Some(done), total);
    }
}

#[test]
fn baci_country_tables() {
    let v2022 = entrepot_testdata::require_shared_data!(
        "baci_hs17_2020_zaf_afg_exports/country_codes_V202201.csv"
    );
    let v2024 = entrepot_testdata::require_shared_data!("reference/baci_country_codes_V202401.csv");
    for p in [v2022, v2024] {
        let t = CountryTable::from_path(&p).unwrap();
        assert!(t.len() > 200);
        assert_eq!(t.iso3("699"), Some("IND"));
        assert_eq!(t.iso3("842"), Some("USA"));
        assert_eq!(t.iso3("490"), Some("S19"));
        assert_eq!(t.iso3("004"), Some("AFG"));
    }
}
