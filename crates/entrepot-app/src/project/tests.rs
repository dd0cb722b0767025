//! Tests of the share series without a store.

use super::*;

#[test]
fn totals_use_the_declared_world_row_else_the_partners_without_domestic_flows() {
    let cells = [
        // AAA: a declared total and partner rows: the total wins.
        ("AAA", "WLD", 2020, 100.0),
        ("AAA", "BBB", 2020, 60.0),
        // BBB: partners only, its domestic flow left out.
        ("BBB", "AAA", 2020, 30.0),
        ("BBB", "CCC", 2020, 20.0),
        ("BBB", "BBB", 2020, 500.0),
    ];
    let t = total_shares(cells);
    let y = &t[&2020];
    assert_eq!(y["AAA"], 100.0);
    assert_eq!(y["BBB"], 50.0);
    let (_, x_r, x_w, s) = year_share("BBB", 2020, y);
    assert_eq!((x_r, x_w), (50.0, 150.0));
    assert!((s.expect("share") - 100.0 / 3.0).abs() < 1e-12);
    let (_, _, _, s) = year_share("CCC", 2020, y);
    assert!(s.expect_err("absent").contains("no exports"));
}

fn data(years: &[(i32, Result<f64, String>)]) -> SeriesData {
    SeriesData {
        reporter: "AAA".into(),
        dataset: "d".into(),
        basket: None,
        currency: Currency::USD,
        years: years
            .iter()
            .map(|(y, s)| (*y, 1.0, 10.0, s.clone()))
            .collect(),
        coverage: BTreeMap::new(),
        exporters: BTreeMap::new(),
    }
}

#[test]
fn only_the_last_run_of_consecutive_years_with_a_share_is_projected() {
    let d = data(&[
        (2000, Ok(1.0)),
        (2001, Err("AAA reports no exports".into())),
        (2002, Ok(2.0)),
        (2004, Ok(3.0)),
        (2005, Ok(4.0)),
    ]);
    let (years, shares, left) = last_run(&d);
    assert_eq!(years, vec![2004, 2005]);
    assert_eq!(shares, vec![3.0, 4.0]);
    let left_years: Vec<i32> = left.iter().map(|l| l.0).collect();
    assert_eq!(left_years, vec![2000, 2001, 2002]);
    assert!(left[1].1.contains("no exports"));
}
