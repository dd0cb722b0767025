//! Tests of the built-in concordances and of the conversion.

use super::*;
use crate::product::ProductCatalog;
use proptest::prelude::*;

fn codes(csv_text: &str) -> Vec<String> {
    csv_text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::to_string)
        .collect()
}

const HS2017_LIST: &str = include_str!("../../data/hs2017_hs6.csv");

#[test]
fn every_hs2017_code_maps_to_at_least_one_hs2022_code_that_exists() {
    let c = Concordance::builtin(HsRevision::Hs2017, HsRevision::Hs2022).expect("built-in");
    let cat = ProductCatalog::builtin();
    let all = codes(HS2017_LIST);
    assert_eq!(all.len(), 5384);
    for code in &all {
        let links = c.links_from(code);
        assert!(!links.is_empty(), "HS2017 {code} has no HS2022 code");
        for l in links {
            // 999999 (commodities not specified) is a statistical code of both
            // revisions' trade lists, no HS subheading.
            assert!(
                l.to == "999999" || cat.get(HsRevision::Hs2022, &l.to).is_some(),
                "HS2017 {code} -> {} is no HS2022 code",
                l.to
            );
        }
    }
}

#[test]
fn solar_cells_and_leds_split_into_four_hs2022_codes() {
    let c = Concordance::builtin(HsRevision::Hs2017, HsRevision::Hs2022).expect("built-in");
    let mut to: Vec<&str> = c
        .links_from("854140")
        .iter()
        .map(|l| l.to.as_str())
        .collect();
    to.sort();
    assert_eq!(to, ["854141", "854142", "854143", "854149"]);
    assert!(c
        .links_from("854140")
        .iter()
        .all(|l| l.kind == LinkKind::OneToMany));
    // the other way, each of the four goes back whole to 854140
    let back = Concordance::builtin(HsRevision::Hs2022, HsRevision::Hs2017).expect("built-in");
    let l = back.links_from("854142");
    assert_eq!(l.len(), 1);
    assert_eq!(
        (l[0].to.as_str(), l[0].kind),
        ("854140", LinkKind::ManyToOne)
    );
    // a series crosses the revision line: 100 of 854140 in 2021, shared by the
    // targets' trade in 2022
    let values: BTreeMap<String, f64> = [("854141", 10.0), ("854142", 30.0), ("854143", 60.0)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let conv = c
        .convert(
            &[SeriesRow {
                code: "854140".into(),
                year: 2021,
                value: 100.0,
            }],
            &Weighting::TradeValue { year: 2022, values },
        )
        .expect("convert");
    let got: Vec<(&str, f64)> = conv
        .rows
        .iter()
        .map(|r| (r.code.as_str(), r.value))
        .collect();
    assert_eq!(
        got,
        [
            ("854141", 10.0),
            ("854142", 30.0),
            ("854143", 60.0),
            ("854149", 0.0)
        ]
    );
    assert!(conv
        .weights
        .iter()
        .all(|w| w.basis == WeightBasis::TradeValue { year: 2022 }));
    // no overlap data: equal split, said so
    let conv = c
        .convert(
            &[SeriesRow {
                code: "854140".into(),
                year: 2021,
                value: 100.0,
            }],
            &Weighting::Equal,
        )
        .expect("convert");
    assert!(conv.rows.iter().all(|r| r.value == 25.0));
    assert!(conv.weights[0].basis.label().starts_with("equal split"));
}

#[test]
fn merges_and_many_to_many_links_are_named() {
    let c = Concordance::builtin(HsRevision::Hs2017, HsRevision::Hs2022).expect("built-in");
    // terry towelling of cotton: unbleached (580211) and other (580219) -> 580210
    for code in ["580211", "580219"] {
        let l = c.links_from(code);
        assert_eq!(l.len(), 1);
        assert_eq!(
            (l[0].to.as_str(), l[0].kind),
            ("580210", LinkKind::ManyToOne)
        );
    }
    assert!(matches!(
        c.links_from("580211")[0].source,
        LinkSource::Added(_)
    ));
    // glass-fibre woven fabrics are many-to-many
    assert!(c
        .links_from("701951")
        .iter()
        .all(|l| l.kind == LinkKind::ManyToMany));
    // Counted independently (a Python union-find over the same CSVs).
    let counts = c.kind_counts();
    assert_eq!(counts[&LinkKind::OneToOne], 5212);
    assert_eq!(counts[&LinkKind::OneToMany], 347);
    assert_eq!(counts[&LinkKind::ManyToOne], 37);
    assert_eq!(counts[&LinkKind::ManyToMany], 60);
    assert_eq!(c.links().len(), 5656);
}

#[test]
fn every_added_link_names_codes_of_both_revisions() {
    let cat = ProductCatalog::builtin();
    let mut added = Vec::new();
    read_added(&mut added).expect("added links");
    assert!(added.len() >= 27);
    for (a, b, _) in &added {
        assert!(cat.get(HsRevision::Hs2017, a).is_some(), "HS2017 {a}");
        assert!(cat.get(HsRevision::Hs2022, b).is_some(), "HS2022 {b}");
    }
}

#[test]
fn the_other_pairs_are_built_in_and_a_revision_without_a_table_is_refused() {
    for (a, b) in PAIRS {
        assert!(!Concordance::builtin(a, b).expect("pair").links().is_empty());
        assert!(!Concordance::builtin(b, a).expect("pair").links().is_empty());
    }
    assert!(Concordance::builtin(HsRevision::Hs2007, HsRevision::Hs2022).is_err());
    assert!(Concordance::builtin(HsRevision::Hs2022, HsRevision::Hs2022).is_err());
}

#[test]
fn a_non_finite_value_is_refused_with_its_code_and_year() {
    let c = Concordance::builtin(HsRevision::Hs2017, HsRevision::Hs2022).expect("built-in");
    let e = c
        .convert(
            &[SeriesRow {
                code: "854140".into(),
                year: 2020,
                value: f64::NAN,
            }],
            &Weighting::Equal,
        )
        .expect_err("NaN");
    assert!(e.to_string().contains("854140"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A converted series keeps its total, year by year, with either weighting, in
    /// either direction; unknown codes are kept apart.
    #[test]
    fn a_converted_series_conserves_its_total(
        picks in proptest::collection::vec((0usize..5384, 2015i32..2022, 0.0f64..1e9), 1..60),
        forward in any::<bool>(),
        trade in any::<bool>(),
    ) {
        let all = codes(HS2017_LIST);
        let (from, to) = if forward {
            (HsRevision::Hs2017, HsRevision::Hs2022)
        } else {
            (HsRevision::Hs2022, HsRevision::Hs2017)
        };
        let c = Concordance::builtin(from, to).expect("built-in");
        let sources: Vec<&str> = c.source_codes().collect();
        let mut rows: Vec<SeriesRow> = picks
            .iter()
            .map(|(i, y, v)| SeriesRow {
                code: sources[i % sources.len()].to_string(),
                year: *y,
                value: *v,
            })
            .collect();
        rows.push(SeriesRow { code: "000000".into(), year: 2020, value: 5.0 });
        let weighting = if trade {
            Weighting::TradeValue {
                year: 2022,
                values: all.iter().enumerate().map(|(i, k)| (k.clone(), (i % 7) as f64)).collect(),
            }
        } else {
            Weighting::Equal
        };
        let conv = c.convert(&rows, &weighting).expect("convert");
        for year in 2015..2022 {
            let before: f64 = rows.iter().filter(|r| r.year == year && r.code != "000000").map(|r| r.value).sum();
            let after: f64 = conv.rows.iter().filter(|r| r.year == year).map(|r| r.value).sum();
            prop_assert!((before - after).abs() <= 1e-9 * before.max(1.0), "{year}: {before} vs {after}");
        }
        prop_assert_eq!(conv.unmapped.len(), 1);
        for code in conv.weights.iter().map(|w| w.from.as_str()) {
            let s: f64 = conv.weights.iter().filter(|w| w.from == code).map(|w| w.weight).sum();
            prop_assert!((s - 1.0).abs() < 1e-12);
        }
    }
}
