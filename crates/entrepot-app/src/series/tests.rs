use super::*;
use entrepot_core::concordance::WeightBasis;

fn row(dataset: &str, revision: HsRevision, code: &str, year: i32, value: f64) -> ReadRow {
    ReadRow {
        dataset: dataset.into(),
        revision,
        code: code.into(),
        year,
        value,
    }
}

const H17: HsRevision = HsRevision::Hs2017;
const H22: HsRevision = HsRevision::Hs2022;

/// HS2017 for 2020–2022, HS2022 for 2022–2023: solar cells and LEDs (854140) split
/// into 854141 … 854149 in 2022; cars 870380 unchanged.
fn rows() -> Vec<ReadRow> {
    vec![
        row("h17", H17, "854140", 2020, 100.0),
        row("h17", H17, "870380", 2020, 50.0),
        row("h17", H17, "854140", 2021, 120.0),
        row("h17", H17, "870380", 2021, 60.0),
        row("h17", H17, "854140", 2022, 130.0),
        row("h17", H17, "870380", 2022, 70.0),
        row("h22", H22, "854141", 2022, 20.0),
        row("h22", H22, "854142", 2022, 60.0),
        row("h22", H22, "854143", 2022, 10.0),
        row("h22", H22, "854149", 2022, 10.0),
        row("h22", H22, "870380", 2022, 70.0),
        row("h22", H22, "854142", 2023, 80.0),
    ]
}

#[test]
fn each_year_reads_the_target_revision_where_held() {
    let years = plan_years(&rows(), H22).expect("plan");
    let revs: Vec<(i32, HsRevision)> = years.iter().map(|y| (y.year, y.revision)).collect();
    assert_eq!(
        revs,
        vec![(2020, H17), (2021, H17), (2022, H22), (2023, H22)]
    );
    let y22 = &years[2];
    assert_eq!(y22.set_aside, vec![(H17, 200.0)]);
    assert_eq!(y22.read, 170.0);
    assert_eq!(y22.datasets, vec!["h22".to_string()]);
}

#[test]
fn two_datasets_of_one_revision_in_a_year_are_refused() {
    let mut r = rows();
    r.push(row("other", H17, "854140", 2021, 1.0));
    let e = plan_years(&r, H22).expect_err("double count");
    assert!(e.to_string().contains("h17, other"), "{e}");
    assert!(e.to_string().contains("2021"), "{e}");
}

#[test]
fn the_overlap_year_is_the_target_year_nearest_the_converted_ones() {
    let years = plan_years(&rows(), H22).expect("plan");
    assert_eq!(overlap_year(&years, H22, None).expect("y"), Some(2022));
    assert_eq!(
        overlap_year(&years, H22, Some(2023)).expect("y"),
        Some(2023)
    );
    let e = overlap_year(&years, H22, Some(2021)).expect_err("not held");
    assert!(e.to_string().contains("(it does for 2022, 2023)"), "{e}");
    // Backwards (HS2017 wanted): 2020–2022 are held in HS2017; 2023 is converted and
    // the nearest HS2017 year is 2022.
    let back = plan_years(&rows(), H17).expect("plan");
    assert_eq!(overlap_year(&back, H17, None).expect("y"), Some(2022));
}

#[test]
fn solar_cells_line_up_with_trade_value_weights_and_totals_are_kept() {
    let rows = rows();
    let mut years = plan_years(&rows, H22).expect("plan");
    let values = sum_by_code(rows.iter().filter(|r| r.year == 2022 && r.revision == H22));
    let weighting = Weighting::TradeValue { year: 2022, values };
    let lined = line_up(&rows, &mut years, H22, &weighting, &BTreeSet::new()).expect("line up");
    let get = |code: &str, year: i32| {
        lined
            .values
            .iter()
            .find(|v| v.code == code && v.year == year)
            .map(|v| v.value)
    };
    // 854140's targets weigh 20, 60, 10 and 10 in 2022 (854143 too): shares .2 .6 .1 .1
    assert!((get("854141", 2020).expect("v") - 20.0).abs() < 1e-9);
    assert!((get("854142", 2021).expect("v") - 72.0).abs() < 1e-9);
    assert!((get("854149", 2021).expect("v") - 12.0).abs() < 1e-9);
    assert_eq!(get("870380", 2020), Some(50.0));
    // 2022 is read as reported in HS2022, not converted.
    assert_eq!(get("854142", 2022), Some(60.0));
    assert!(lined
        .values
        .iter()
        .filter(|v| v.year == 2022)
        .all(|v| v.from.is_empty()));
    // Every year keeps its total: read = in target + unmapped.
    for y in &years {
        assert!((y.read - y.in_target - y.unmapped).abs() < 1e-9, "{y:?}");
        let sum: f64 = lined
            .values
            .iter()
            .filter(|v| v.year == y.year)
            .map(|v| v.value)
            .sum();
        assert!((sum - y.in_target).abs() < 1e-9, "{y:?}");
    }
    let w: Vec<&UsedWeight> = lined
        .weights
        .iter()
        .filter(|u| u.weight.from == "854140")
        .collect();
    assert_eq!(w.len(), 4);
    assert!(w
        .iter()
        .all(|u| u.weight.basis == WeightBasis::TradeValue { year: 2022 }));
    let made: &SeriesValue = lined
        .values
        .iter()
        .find(|v| v.code == "854141" && v.year == 2021)
        .expect("v");
    assert_eq!(made.from, vec![(H17, "854140".to_string(), 0.2)]);
}

#[test]
fn a_selection_keeps_its_codes_and_their_share_of_split_sources() {
    let rows = rows();
    let mut years = plan_years(&rows, H22).expect("plan");
    let selected = selected_codes(
        &Selection::Products(vec!["854142".into()]),
        &Basket::builtin(),
        H22,
    )
    .expect("codes");
    assert_eq!(selected, BTreeSet::from(["854142".to_string()]));
    let lined = line_up(&rows, &mut years, H22, &Weighting::Equal, &selected).expect("line up");
    assert!(lined.values.iter().all(|v| v.code == "854142"));
    // Equal split of 854140 among its four targets.
    let v20 = lined.values.iter().find(|v| v.year == 2020).expect("2020");
    assert!((v20.value - 25.0).abs() < 1e-9);
    assert!(lined.weights.iter().all(|u| u.weight.to == "854142"));
}

#[test]
fn an_older_code_stands_for_the_codes_it_becomes() {
    let s = selected_codes(
        &Selection::Products(vec!["854140".into()]),
        &Basket::builtin(),
        H22,
    )
    .expect("codes");
    let want: BTreeSet<String> = ["854141", "854142", "854143", "854149"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(s, want);
    let e =
        selected_codes(&Selection::Products(vec!["019999".into()]), &[], H22).expect_err("unknown");
    assert!(e.to_string().contains("019999"), "{e}");
}

#[test]
fn a_basket_takes_its_codes_in_the_target_revision() {
    let s = selected_codes(
        &Selection::Basket("solar_cells".into()),
        &Basket::builtin(),
        H22,
    )
    .expect("codes");
    assert!(s.contains("854142"), "{s:?}");
    assert!(!s.contains("854140"), "{s:?}");
}

#[test]
fn unmapped_codes_are_kept_apart() {
    let mut r = rows();
    r.push(row("h17", H17, "019999", 2020, 5.0));
    let mut years = plan_years(&r, H22).expect("plan");
    let lined = line_up(&r, &mut years, H22, &Weighting::Equal, &BTreeSet::new()).expect("line");
    assert_eq!(lined.unmapped.len(), 1);
    assert_eq!(years[0].unmapped, 5.0);
    assert!((years[0].read - years[0].in_target - 5.0).abs() < 1e-9);
}
