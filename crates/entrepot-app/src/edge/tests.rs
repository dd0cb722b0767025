//! Tests of the edge computation without a store.

use super::*;
use proptest::prelude::*;

fn pid(code: &str) -> ProductId {
    ProductId::from_digits(HsRevision::Hs2017, code).expect("code")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn share_and_rca_of_a_product_follow_their_definitions() {
    let mut m = ExportMatrix::new(|_| true);
    // A: 30 of k1, 70 of k2; B: 10 of k1, 90 of k2. World: k1 40, k2 160, total 200.
    m.add("AAA", 2020, pid("010101"), 30.0);
    m.add("AAA", 2020, pid("020202"), 70.0);
    m.add("BBB", 2020, pid("010101"), 10.0);
    m.add("BBB", 2020, pid("020202"), 90.0);
    let g = m.group("AAA", 2020, Some(&[pid("010101")]));
    assert_eq!(g.exports, 30.0);
    assert_eq!(g.world_exports, 40.0);
    assert!(close(g.share.clone().expect("share"), 75.0));
    // (30/100) / (40/200) = 1.5
    assert!(close(g.rca.clone().expect("rca"), 1.5));
    let t = m.group("AAA", 2020, None);
    assert!(close(t.share.expect("share"), 50.0));
    assert!(t.rca.is_err());
    // a basket of both products is every product: RCA 1
    let b = m.group("AAA", 2020, Some(&[pid("010101"), pid("020202")]));
    assert!(close(b.rca.expect("rca"), 1.0));
}

#[test]
fn a_product_nobody_exports_has_absent_figures_not_zero() {
    let mut m = ExportMatrix::new(|_| true);
    m.add("AAA", 2020, pid("010101"), 30.0);
    let g = m.group("AAA", 2020, Some(&[pid("999999")]));
    assert!(g.share.expect_err("absent").contains("no world exports"));
    assert!(g.rca.is_err());
    let g = m.group("BBB", 2020, Some(&[pid("010101")]));
    assert!(g.share.expect_err("absent").contains("reports no exports"));
}

#[test]
fn change_is_in_percentage_points_and_absent_over_one_year() {
    let y = |year, s: f64| GroupYear {
        year,
        exports: 0.0,
        world_exports: 0.0,
        share: Ok(s),
        rca: Ok(1.0),
    };
    assert!(close(
        change(&[y(2019, 10.0), y(2020, 12.5)]).expect("pp"),
        2.5
    ));
    assert!(change(&[y(2020, 10.0)]).is_err());
}

#[test]
fn unknown_basket_names_the_known_ones_and_names_match_in_any_case() {
    let b = Basket::builtin();
    assert_eq!(
        find_basket(&b, "Solar_Cells").expect("found").name,
        "solar_cells"
    );
    let e = find_basket(&b, "nope").expect_err("unknown");
    assert_eq!(e.class, crate::ErrorClass::NotFound);
    assert!(e.to_string().contains("electric_vehicles"));
}

#[test]
fn products_must_be_hs6_codes() {
    assert_eq!(
        parse_codes(&["854140, 870380".into(), "854140".into()]).expect("codes"),
        vec!["854140".to_string(), "870380".to_string()]
    );
    assert!(parse_codes(&["8541".into()]).is_err());
    assert!(parse_codes(&["abc".into()]).is_err());
}

proptest! {
    /// The world market shares of all exporters in a product add up to 100%; and for
    /// each exporter, its RCAs weighted by the products' weights in world exports
    /// X_wk/X_w add up to 1.
    #[test]
    fn shares_of_all_exporters_in_a_product_sum_to_100(
        flows in prop::collection::vec((0usize..5, 0usize..4, 0usize..2, 0.0f64..1e9), 1..60)
    ) {
        let exporters = ["AAA", "BBB", "CCC", "DDD", "EEE"];
        let products = ["010101", "020202", "030303", "040404"];
        let mut m = ExportMatrix::new(|_| true);
        for (e, k, y, v) in &flows {
            m.add(exporters[*e], 2020 + *y as i32, pid(products[*k]), *v);
        }
        for year in m.years() {
            for k in products {
                let shares: Vec<f64> = m
                    .exporters(year)
                    .iter()
                    .filter_map(|e| m.group(e, year, Some(&[pid(k)])).share.ok())
                    .collect();
                let world = m.group("AAA", year, Some(&[pid(k)])).world_exports;
                if world > 0.0 {
                    let reporting = m.exporters(year).iter().filter(|e| m.group(e, year, None).exports > 0.0).count();
                    // exporters with no exports at all in the year have an absent share,
                    // and contribute nothing to the product either
                    prop_assert_eq!(shares.len(), reporting);
                    let sum: f64 = shares.iter().sum();
                    prop_assert!((sum - 100.0).abs() < 1e-9, "sum {}", sum);
                }
            }
            // each exporter's RCAs, weighted by the products' world weights, average 1
            for e in m.exporters(year) {
                if m.group(e, year, None).exports <= 0.0 {
                    continue;
                }
                let w = m.group(e, year, None).world_exports;
                let mean: f64 = products
                    .iter()
                    .filter_map(|k| {
                        let g = m.group(e, year, Some(&[pid(k)]));
                        g.rca.ok().map(|r| r * g.world_exports / w)
                    })
                    .sum();
                prop_assert!((mean - 1.0).abs() < 1e-9, "mean {}", mean);
            }
        }
    }
}
