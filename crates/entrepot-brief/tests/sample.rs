//! The brief for CHN 2025-11 from the embedded sample: the figures of the news story,
//! each with its provenance.

use entrepot_brief::*;
use entrepot_core::{GroupRegistry, Period, PeriodSpan};

fn brief(period: Option<&str>) -> Brief {
    let facts = entrepot_io::sample::sample_facts();
    assert!(!facts.is_empty());
    let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
    input.period = period.map(|p| p.parse().unwrap());
    build_brief(&input).unwrap()
}

fn source_url(f: &Figure) -> &str {
    match &f.provenance {
        Provenance::Published { source_url, .. } => source_url,
        p => panic!("expected a published figure, got {p:?}"),
    }
}

fn assert_published(f: &Figure, value: f64, url_part: &str) {
    assert!((f.value - value).abs() < 1e-9, "{} != {value}", f.value);
    assert!(source_url(f).contains(url_part), "{}", source_url(f));
}

fn assert_computed(f: &Figure, basis: Basis) {
    match &f.provenance {
        Provenance::Computed {
            basis: b,
            inputs,
            method,
        } => {
            assert_eq!(*b, basis, "{method}");
            assert!(!inputs.is_empty(), "{method}");
        }
        p => panic!("expected a computed figure, got {p:?}"),
    }
}

fn row<'a>(t: &'a PartnerTable, code: &str) -> &'a PartnerRow {
    t.rows
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no row {code}"))
}

#[test]
fn default_period_is_latest_month_with_an_exports_level() {
    let b = brief(None);
    assert_eq!(b.period, "2025-11".parse::<Period>().unwrap());
    assert_eq!(b.frequency, Frequency::Monthly);
    assert_eq!(b.comparison.kind, ComparisonKind::YearAgo);
    assert_eq!(b.comparison.period.to_string(), "2024-11");
    assert_eq!(b.schema_version, SCHEMA_VERSION);
}

#[test]
fn headline_figures_and_their_provenance() {
    let b = brief(Some("2025-11"));
    let h = &b.headline.current[0];
    assert_eq!(h.window, Window::Period);
    let x = &h.exports;
    assert_published(x.level.as_ref().unwrap(), 330.3, "business-standard.com");
    assert_published(x.yoy_pct.as_ref().unwrap(), 5.9, "business-standard.com");
    // the year-ago level is implied from the published level and rate, and says so
    let cl = x.comparison_level.as_ref().unwrap();
    assert_computed(cl, Basis::Published);
    assert!((cl.value - 330.3 / 1.059).abs() < 1e-9);
    let m = &h.imports;
    assert_published(m.yoy_pct.as_ref().unwrap(), 1.9, "gmt8press.com");
    assert!(m.yoy_pct.as_ref().unwrap().value < 2.0);
    assert_published(m.level.as_ref().unwrap(), 218.6, "gmt8press.com");
    let bal = h.balance.level.as_ref().unwrap();
    assert_published(bal, 111.68, "justthenews.com");
    // balance growth is computed from two published levels (111.68 vs 97.44)
    let g = h.balance.yoy_pct.as_ref().unwrap();
    assert_computed(g, Basis::Published);
    assert!((g.value - (111.68 / 97.44 - 1.0) * 100.0).abs() < 1e-9);

    // year-to-date: the cumulative surplus as published, export growth as published
    let ytd = &b.headline.current[1];
    assert_eq!(ytd.window, Window::YearToDate);
    assert_eq!(ytd.span.to_string(), "2025-01..2025-11");
    assert_published(
        ytd.balance.level.as_ref().unwrap(),
        1080.0,
        "finanznachrichten.de",
    );
    assert!(ytd.balance.level.as_ref().unwrap().approximate);
    assert_published(
        ytd.exports.yoy_pct.as_ref().unwrap(),
        5.4,
        "finanznachrichten.de",
    );
    assert_published(
        ytd.imports.yoy_pct.as_ref().unwrap(),
        -0.6,
        "finanznachrichten.de",
    );
    // the year-to-date exports level is not published: it is the sum of H1 and five months
    let xl = ytd.exports.level.as_ref().unwrap();
    assert_computed(xl, Basis::Published);
    assert!((xl.value - (1810.0 + 322.0 + 321.8 + 328.5 + 305.35 + 330.3)).abs() < 1e-6);
    // no year-to-date imports level can be built: none is invented
    assert!(ytd.imports.level.is_none());

    // rolling 12 months: December 2024 plus January-November 2025
    let r = &b.headline.current[2];
    assert_eq!(r.window, Window::Rolling12);
    let rl = r.balance.level.as_ref().unwrap();
    assert!((rl.value - (104.84 + 1080.0)).abs() < 1e-9);

    // previous period for context
    let prev = &b.headline.previous[0];
    assert_eq!(prev.span.to_string(), "2025-10");
    assert_published(
        prev.exports.yoy_pct.as_ref().unwrap(),
        -1.1,
        "frominsideasia.com",
    );
    assert_published(
        prev.balance.level.as_ref().unwrap(),
        90.07,
        "digitallook.com",
    );
}

#[test]
fn records_monthly_surplus_and_first_trillion() {
    let b = brief(Some("2025-11"));
    let m = b
        .records
        .iter()
        .find(|r| r.kind == RecordKind::PeriodBalance)
        .unwrap();
    assert!(!m.is_record);
    assert_eq!(m.since.as_deref(), Some("2025-06"));
    assert!(
        m.statement.contains("largest since 2025-06"),
        "{}",
        m.statement
    );
    assert!(
        m.history.description.contains("earlier months"),
        "{}",
        m.history.description
    );
    let c = b
        .records
        .iter()
        .find(|r| r.kind == RecordKind::CumulativeThreshold)
        .unwrap();
    assert_eq!(c.threshold_bn, Some(1000.0));
    assert!(c.first_time);
    assert!(c.is_record);
    assert_eq!(c.span.to_string(), "2025-01..2025-11");
    assert_eq!(c.previous_best.as_ref().map(|b| b.0.as_str()), Some("2024"));
    assert!((c.previous_best.as_ref().unwrap().1 - 992.1).abs() < 1e-9);
    assert!(
        c.statement.contains("$1tn for the first time"),
        "{}",
        c.statement
    );
    assert!(
        c.statement.contains("crossed the threshold this month"),
        "{}",
        c.statement
    );
    assert!(
        c.history.description.contains("2022, 2023, 2024"),
        "{}",
        c.history.description
    );
}

#[test]
fn partners_us_down_others_up_with_conflicts_side_by_side() {
    let b = brief(Some("2025-11"));
    let t = b
        .partner_tables
        .iter()
        .find(|t| t.flow == "export" && t.span == PeriodSpan::single("2025-11".parse().unwrap()))
        .unwrap();
    let us = row(t, "USA");
    assert_published(us.yoy_pct.as_ref().unwrap(), -28.6, "interbellumnews.com");
    assert_published(us.value.as_ref().unwrap(), 33.8, "interbellumnews.com");
    let share = us.share_pct.as_ref().unwrap();
    assert_computed(share, Basis::Published);
    assert!((share.value - 33.8 / 330.3 * 100.0).abs() < 1e-9);
    let contrib = us.contribution_pp.as_ref().unwrap();
    let us_prev = 33.8 / (1.0 - 0.286);
    let tot_prev = 330.3 / 1.059;
    assert!((contrib.value - (33.8 - us_prev) / tot_prev * 100.0).abs() < 1e-9);
    assert!(us.share_change_pp.as_ref().unwrap().value < 0.0);

    let eu = row(t, "EU27");
    let g = eu.yoy_pct.as_ref().unwrap();
    assert_published(g, 14.8, "finanznachrichten.de");
    assert!(g.is_conflicted());
    assert_eq!(g.alternatives.len(), 1);
    assert!((g.alternatives[0].value - 14.3).abs() < 1e-9);
    assert!(!g.alternatives[0].agrees);
    assert!(
        eu.value.is_none(),
        "no EU level is published: none may be invented"
    );
    assert!(eu.contribution_pp.is_none());

    let asean = row(t, "ASEAN");
    let g = asean.yoy_pct.as_ref().unwrap();
    assert_published(g, 8.2, "particle.news");
    assert!((g.alternatives[0].value - 8.4).abs() < 1e-9);
    assert!(g.is_conflicted());
    assert_published(
        row(t, "AFRICA").yoy_pct.as_ref().unwrap(),
        28.2,
        "chinascope.org",
    );
    assert_published(
        row(t, "LATAM").yoy_pct.as_ref().unwrap(),
        14.1,
        "chinascope.org",
    );
    for code in ["EU27", "ASEAN", "AFRICA", "LATAM", "JPN", "AUS"] {
        assert!(row(t, code).yoy_pct.as_ref().unwrap().value > 0.0, "{code}");
    }
    // the identity cannot be checked from partial levels, and the brief says so
    assert_eq!(t.identity.status, CheckStatus::NotCheckable);
    assert!(!t.rows.iter().any(|r| r.kind == PartnerKind::RestOfWorld));

    // conflicts are listed as checks, with both sources
    for subject in ["to EU27 2025-11 y/y", "to ASEAN 2025-11 y/y"] {
        let c = b
            .checks
            .iter()
            .find(|c| c.kind == CheckKind::ConflictingReports && c.subject.contains(subject))
            .unwrap_or_else(|| panic!("no conflict check {subject}"));
        assert_eq!(c.status, CheckStatus::Conflict);
        assert_eq!(c.items.len(), 2);
        assert_ne!(
            source_url(&c.items[0].figure),
            source_url(&c.items[1].figure)
        );
    }
}

#[test]
fn diversion_exports_ex_us() {
    let b = brief(Some("2025-11"));
    let d = b.diversion.as_ref().unwrap();
    assert_eq!(d.partner, "USA");
    let ex = d.others_yoy_pct.as_ref().unwrap();
    assert_computed(ex, Basis::Published);
    let now = 330.3 - 33.8;
    let before = 330.3 / 1.059 - 33.8 / (1.0 - 0.286);
    assert!((ex.value - (now / before - 1.0) * 100.0).abs() < 1e-9);
    assert!(d.made_up_pct.as_ref().unwrap().value > 100.0);
    assert!(d.statement.contains("ex-USA"), "{}", d.statement);
}

#[test]
fn consistency_checks() {
    let b = brief(Some("2025-11"));
    let bal = b
        .checks
        .iter()
        .find(|c| c.kind == CheckKind::BalanceIdentity && c.subject == "balance 2025-11")
        .unwrap();
    assert_eq!(bal.status, CheckStatus::Ok, "{}", bal.detail);
    assert!((bal.difference.unwrap() - (330.3 - 218.6 - 111.68)).abs() < 1e-9);
    let ytd = b
        .checks
        .iter()
        .find(|c| {
            c.kind == CheckKind::MonthsSumToYearToDate && c.subject == "balance 2025-01..2025-11"
        })
        .unwrap();
    // 170.52 (Jan-Feb) + 102.6 + 96.18 + 103.22 + 114.7 + 98.24 + 102.3 + 90.45 + 90.07 + 111.68
    let sum = ytd.items[0].figure.value;
    assert!((sum - 1079.96).abs() < 1e-6, "{sum}");
    assert_eq!(ytd.status, CheckStatus::Ok, "{}", ytd.detail);
}

#[test]
fn pmi_context() {
    let b = brief(Some("2025-11"));
    let pmi = b
        .indicators
        .iter()
        .find(|i| i.indicator == "nbs_manufacturing_pmi")
        .unwrap();
    assert_published(&pmi.latest, 49.2, "wam.ae");
    let run = pmi.run.as_ref().unwrap();
    assert!(run.below);
    assert_eq!(run.length, 2);
    assert!(!run.complete, "2025-09 is not held: the run may be longer");
    assert!(run.statement.contains("8th"), "{}", run.statement);
}

/// Every published figure refers to a listed source, and every listed source is used.
#[test]
fn sources_are_consistent() {
    let b = brief(Some("2025-11"));
    let v = serde_json::to_value(&b).unwrap();
    let mut ids = Vec::new();
    fn walk(v: &serde_json::Value, ids: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(s)) = m.get("source_id") {
                    ids.push(s.clone());
                }
                m.values().for_each(|x| walk(x, ids));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, ids)),
            _ => {}
        }
    }
    walk(&v, &mut ids);
    let listed: Vec<&str> = b.sources.iter().map(|s| s.id.as_str()).collect();
    for id in &ids {
        assert!(listed.contains(&id.as_str()), "{id} not listed");
    }
    for (i, s) in b.sources.iter().enumerate() {
        assert_eq!(s.id, format!("P{}", i + 1));
        assert!(s.url.starts_with("http"));
    }
    // the roundtrip through JSON is lossless
    let back: Brief = serde_json::from_value(v).unwrap();
    assert_eq!(back, b);
}

#[test]
fn other_periods_and_errors() {
    // an annual brief from published figures
    let b = brief(Some("2025"));
    assert_eq!(b.frequency, Frequency::Annual);
    let x = &b.headline.current[0].exports;
    assert_published(x.level.as_ref().unwrap(), 3770.0, "the-independent.com");
    let c = b
        .records
        .iter()
        .find(|r| r.kind == RecordKind::CumulativeThreshold)
        .unwrap();
    assert!(c.is_record);
    // nothing held
    let facts = entrepot_io::sample::sample_facts();
    let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
    input.period = Some("1999-03".parse().unwrap());
    assert!(matches!(
        build_brief(&input),
        Err(BriefError::NoDataForPeriod { .. })
    ));
    let input = BriefInput::new("FRA", &[], &facts, GroupRegistry::builtin());
    assert!(matches!(
        build_brief(&input),
        Err(BriefError::NoData { .. })
    ));
    let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
    input.partners_of_interest = vec!["XXQ".into()];
    assert!(matches!(
        build_brief(&input),
        Err(BriefError::UnknownPartner { .. })
    ));
}
