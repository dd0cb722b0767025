//! Validation on the penppml Comtrade panel (annual, one year in four): the 2016 CHN
//! brief computed from flows.

mod common;
use entrepot_brief::*;
use entrepot_core::{GroupRegistry, Period, PeriodSpan};

#[test]
fn chn_2016_from_flows() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let flows = common::penppml_flows(&path, "CHN");
    assert!(!flows.is_empty());
    let mut input = BriefInput::new("CHN", &flows, &[], GroupRegistry::builtin());
    input.period = Some(Period::Year(2016));
    let b = build_brief(&input).unwrap();

    // the panel has no 2015: growth compares with 2012 and says so
    assert_eq!(b.frequency, Frequency::Annual);
    assert_eq!(b.comparison.kind, ComparisonKind::PreviousAvailable);
    assert_eq!(b.comparison.period, Period::Year(2012));
    assert_eq!(b.comparison.years_apart, 4);
    assert!(
        b.comparison.description.contains("2015 is not held"),
        "{}",
        b.comparison.description
    );

    let t = b
        .partner_tables
        .iter()
        .find(|t| t.flow == "export" && t.span == PeriodSpan::single(Period::Year(2016)))
        .unwrap();
    assert_eq!(t.comparison_span.to_string(), "2012");
    let us = t.rows.iter().find(|r| r.code == "USA").unwrap();
    let v = us.value.as_ref().unwrap();
    assert!(v.provenance.is_from_flows());
    assert!((v.value - 384.92).abs() < 0.005, "{}", v.value);
    assert_eq!(entrepot_brief::fmt::level(v), "384.92bn");
    let g = us.yoy_pct.as_ref().unwrap();
    assert!((g.value - (384_921_141_248.0 / 352_112_377_856.0 - 1.0) * 100.0).abs() < 1e-9);

    // the partition (disjoint rows + rest of world) covers all exports
    let part: Vec<&PartnerRow> = t.rows.iter().filter(|r| r.in_partition).collect();
    assert!(part.iter().any(|r| r.kind == PartnerKind::RestOfWorld));
    let shares: f64 = part
        .iter()
        .map(|r| r.share_pct.as_ref().unwrap().value)
        .sum();
    assert!((shares - 100.0).abs() < 1e-9, "{shares}");
    let contrib: f64 = part
        .iter()
        .map(|r| r.contribution_pp.as_ref().unwrap().value)
        .sum();
    let total = t.total.yoy_pct.as_ref().unwrap().value;
    assert!((contrib - total).abs() < 1e-9, "{contrib} vs {total}");
    assert_eq!(t.identity.status, CheckStatus::Ok);
    // overlapping rows are flagged, not double counted
    if let Some(vnm) = t.rows.iter().find(|r| r.code == "VNM") {
        assert_eq!(vnm.within.as_deref(), Some("ASEAN"));
        assert!(!vnm.in_partition);
    }
    // a full partner table: partners of interest plus the largest others
    assert!(t.rows.len() >= 15, "{}", t.rows.len());
    // balance = exports - imports, all from flows
    let h = &b.headline.current[0];
    let (x, m, bal) = (
        h.exports.level.as_ref().unwrap(),
        h.imports.level.as_ref().unwrap(),
        h.balance.level.as_ref().unwrap(),
    );
    assert!(bal.provenance.is_from_flows());
    assert!((bal.value - (x.value - m.value)).abs() < 1e-6);
    // records over the annual history held (1984..2012)
    let r = b
        .records
        .iter()
        .find(|r| r.kind == RecordKind::PeriodExports)
        .unwrap();
    assert!(
        r.history.description.contains("1984"),
        "{}",
        r.history.description
    );
}
