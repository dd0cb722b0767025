//! The shared ProTEE file (`cepii_ptle/ptle_hs07.csv`): it reads whole, holds the known
//! values at the precision printed in the file, and every product maps to valid
//! parameters. Skipped (with a printed line) when the shared data folder is absent.

use entrepot_pe::{
    ElasticityTable, EstimateStatus, FallbackReason, MappingRule, SubstitutionSource,
};

fn table() -> Option<ElasticityTable> {
    let path = entrepot_testdata::shared_file(module_path!(), "cepii_ptle/ptle_hs07.csv")?;
    Some(ElasticityTable::from_path(path).expect("the shared ProTEE file reads"))
}

#[test]
fn shared_table_reads_all_products_with_their_statuses() {
    let Some(t) = table() else { return };
    assert_eq!(t.len(), 5050);
    let count = |s: EstimateStatus| t.rows().iter().filter(|r| r.status == s).count();
    assert_eq!(count(EstimateStatus::Significant), 3048);
    assert_eq!(count(EstimateStatus::NotSignificant), 1880);
    assert_eq!(count(EstimateStatus::PositiveSignificant), 122);
    let blank = t
        .rows()
        .iter()
        .filter(|r| r.trade_elasticity.is_none())
        .count();
    assert_eq!(blank, 4 + 445 + 35);
}

#[test]
fn shared_table_holds_the_known_values_at_printed_precision() {
    let Some(t) = table() else { return };
    // As printed in the file: 870390,0,0,-8.1363058 / 850780,1,0,-6.9167914 /
    // 854140,1,0,-31.690201.
    for (code, value, status) in [
        (870390, -8.1363058, EstimateStatus::Significant),
        (850780, -6.9167914, EstimateStatus::NotSignificant),
        (854140, -31.690201, EstimateStatus::NotSignificant),
    ] {
        let row = t.get(code).expect("code present");
        assert_eq!(row.trade_elasticity, Some(value), "{code}");
        assert_eq!(row.status, status, "{code}");
        assert_eq!(
            (value * 100.0_f64).round() / 100.0,
            match code {
                870390 => -8.14,
                850780 => -6.92,
                _ => -31.69,
            }
        );
    }
    let rule = MappingRule::default();
    let ev = t.parameters(870390, &rule);
    assert_eq!(ev.source, SubstitutionSource::Estimate);
    assert_eq!(ev.parameters.substitution_elasticity, 8.1363058);
    let solar = t.parameters(854140, &rule);
    assert_eq!(solar.source, SubstitutionSource::EstimateNotSignificant);
    assert_eq!(solar.parameters.substitution_elasticity, 31.690201);
}

#[test]
fn every_shared_product_maps_to_valid_parameters() {
    let Some(t) = table() else { return };
    let rule = MappingRule::default();
    let mut fallbacks = 0;
    for row in t.rows() {
        let p = t.parameters(row.hs6, &rule);
        assert!(p.parameters.validate().is_ok(), "{p:?}");
        if let SubstitutionSource::Fallback(reason) = p.source {
            fallbacks += 1;
            assert_ne!(reason, FallbackReason::NotInTable);
        }
    }
    // 4 blank significant, 445 blank not significant, 122 positive.
    assert_eq!(fallbacks, 4 + 445 + 122);
}
