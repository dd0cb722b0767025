//! Records on flows built for each case: exports, imports and balance ranked against
//! the history held, highs and lows, deficits in words, year-to-date against the same
//! months of earlier years, annual values summed from months (a year with a month
//! missing refused), span briefs, and no empty or double-negative statements.

mod common;
use common::flow;
use entrepot_brief::*;
use entrepot_core::{FlowKind, GroupRegistry, Period, PeriodSpan, TradeFlow};

fn m(y: i32, mo: u8) -> Period {
    Period::month(y, mo).expect("month")
}

/// World rows of `R` for months of `years`: exports and imports (USD bn) from `f`.
fn monthly(
    years: std::ops::RangeInclusive<i32>,
    f: impl Fn(i32, u8) -> (f64, f64),
) -> Vec<TradeFlow> {
    let mut v = Vec::new();
    for y in years {
        for mo in 1..=12u8 {
            let (x, i) = f(y, mo);
            v.push(flow("R", "WLD", FlowKind::Export, m(y, mo), x * 1e9));
            v.push(flow("R", "WLD", FlowKind::Import, m(y, mo), i * 1e9));
        }
    }
    v
}

fn brief(flows: &[TradeFlow], period: Option<Period>, span: Option<PeriodSpan>) -> Brief {
    let mut input = BriefInput::new("USA", flows, &[], GroupRegistry::builtin());
    input.reporter = "R".into();
    input.partners_of_interest = Vec::new();
    input.period = period;
    input.span = span;
    build_brief(&input).expect("brief")
}

fn record(b: &Brief, kind: RecordKind) -> &Record {
    b.records
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {:#?}", b.records))
}

fn statements(b: &Brief) -> String {
    b.records
        .iter()
        .map(|r| r.statement.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_widening_deficit_is_a_record_in_words() {
    // imports grow faster than exports: the deficit widens every month
    let flows = monthly(2020..=2021, |y, mo| {
        let t = ((y - 2020) * 12 + mo as i32) as f64;
        (100.0 + t, 110.0 + 2.0 * t)
    });
    let b = brief(&flows, Some(m(2021, 12)), None);
    let r = record(&b, RecordKind::PeriodBalance);
    assert!(r.is_record);
    assert_eq!(r.extreme, Some(Extreme::Low));
    assert_eq!(
        r.statement,
        "The monthly deficit widened to a record 34.00bn: the largest of the 24 months held (2020-01 to 2021-12)."
    );
    // imports and exports are records too (highs); no negative amounts anywhere
    assert_eq!(
        record(&b, RecordKind::PeriodImports).extreme,
        Some(Extreme::High)
    );
    assert_eq!(
        record(&b, RecordKind::PeriodExports).extreme,
        Some(Extreme::High)
    );
    let text = statements(&b);
    assert!(!text.contains(" -") && !text.contains("(-"), "{text}");
    assert!(!text.contains("below $"), "{text}");
    // year to date against the same months of the year before
    let y = record(&b, RecordKind::YearToDateImports);
    assert_eq!(y.span.to_string(), "2021-01..2021-12");
    assert!(
        y.history.periods == vec!["2020-01..2020-12".to_string()],
        "{:?}",
        y.history
    );
}

#[test]
fn the_smallest_surplus_since_and_no_false_gap_caveat() {
    // a surplus shrinking from 2019 to 2021, after a smaller one in 2018
    let flows = monthly(2018..=2021, |y, mo| match y {
        2018 => (100.0, 95.0),
        2019 => (100.0, 70.0),
        2020 => (100.0, 80.0),
        _ if mo < 12 => (100.0, 85.0),
        _ => (100.0, 93.0),
    });
    let b = brief(&flows, Some(m(2021, 12)), None);
    let r = record(&b, RecordKind::PeriodBalance);
    assert!(!r.is_record);
    assert_eq!(r.since.as_deref(), Some("2018-12"));
    assert!(
        r.statement
            .ends_with("is the smallest surplus since 2018-12 (5.00bn)."),
        "{}",
        r.statement
    );
    // every month is held: no caveat about months in between
    assert!(
        !r.history.description.contains("not every"),
        "{}",
        r.history.description
    );
}

#[test]
fn annual_from_months_ranks_years_and_refuses_a_partial_year() {
    let mut flows = monthly(2016..=2018, |y, _| (10.0 * (y - 2000) as f64, 100.0));
    // 2019: ten months only
    for mo in 1..=10u8 {
        flows.push(flow("R", "WLD", FlowKind::Export, m(2019, mo), 1e9));
        flows.push(flow("R", "WLD", FlowKind::Import, m(2019, mo), 1e9));
    }
    let b = brief(&flows, Some(Period::Year(2018)), None);
    let x = b.headline.current[0]
        .exports
        .level
        .as_ref()
        .expect("2018 exports");
    assert!((x.value - 12.0 * 180.0).abs() < 1e-9, "{}", x.value);
    let g = b.headline.current[0]
        .exports
        .yoy_pct
        .as_ref()
        .expect("growth");
    assert!((g.value - (180.0 / 170.0 - 1.0) * 100.0).abs() < 1e-9);
    let r = record(&b, RecordKind::PeriodExports);
    assert_eq!(r.extreme, Some(Extreme::High));
    assert!(
        r.statement
            .starts_with("The annual exports of 2,160.00bn are a record"),
        "{}",
        r.statement
    );
    assert!(b
        .notes
        .iter()
        .any(|n| n.contains("sums of the twelve monthly values")));
    let mut input = BriefInput::new("R", &flows, &[], GroupRegistry::builtin());
    input.period = Some(Period::Year(2019));
    let e = build_brief(&input).expect_err("2019 is incomplete");
    assert_eq!(
        e.to_string(),
        "R's exports in 2019: 10 of 12 months held (missing 2019-11, 2019-12); an annual figure needs every month, so none is computed from part of the year"
    );
}

#[test]
fn a_span_brief_compares_the_same_months_a_year_earlier() {
    let flows = monthly(2017..=2019, |y, mo| {
        (f64::from(mo) + (y - 2017) as f64, 5.0)
    });
    let span = PeriodSpan::new(m(2019, 4), m(2019, 6)).expect("span");
    let b = brief(&flows, None, Some(span));
    assert_eq!(b.span, Some(span));
    assert_eq!(b.period, m(2019, 6));
    let h = &b.headline.current[0];
    assert_eq!(h.window, Window::Span);
    // Apr-Jun 2019: 4+5+6 + 3*2 = 21; 2018: 18
    assert!((h.exports.level.as_ref().expect("level").value - 21.0).abs() < 1e-9);
    assert!((h.exports.comparison_level.as_ref().expect("cmp").value - 18.0).abs() < 1e-9);
    assert_eq!(b.partner_tables[0].span, span);
    let r = record(&b, RecordKind::SpanExports);
    assert_eq!(r.extreme, Some(Extreme::High));
    assert_eq!(
        r.history.periods,
        vec!["2017-04..2017-06", "2018-04..2018-06"]
    );
    assert!(
        r.statement
            .starts_with("Exports in 2019-04..2019-06 (21.00bn) are a record"),
        "{}",
        r.statement
    );
    // a span with a month missing is refused, naming it
    let mut gap = flows.clone();
    gap.retain(|f| f.period != m(2019, 5) || f.flow != FlowKind::Import);
    let mut input = BriefInput::new("R", &gap, &[], GroupRegistry::builtin());
    input.span = Some(span);
    let e = build_brief(&input).expect_err("a month is missing");
    assert!(
        e.to_string()
            .contains("2 of 3 months held (missing 2019-05)"),
        "{e}"
    );
}

#[test]
fn a_level_equal_to_an_earlier_one_is_unchanged_not_below_it() {
    // imports flat at 95bn every month; exports flat at 90bn in 2019-05 and 2019-06
    let flows = monthly(2018..=2019, |y, mo| {
        let x = if y == 2019 && mo >= 5 {
            90.0
        } else {
            80.0 + mo as f64
        };
        (x, 95.0)
    });
    let b = brief(&flows, Some(m(2019, 6)), None);
    let imports = record(&b, RecordKind::PeriodImports);
    assert!(
        imports.statement.contains("unchanged from 2019-05"),
        "{}",
        imports.statement
    );
    let exports = record(&b, RecordKind::PeriodExports);
    assert!(
        exports.statement.contains("unchanged from 2019-05"),
        "{}",
        exports.statement
    );
    let all = statements(&b);
    assert!(!all.contains(" below 2019-05"), "{all}");
    // the year to date against the one earlier year held: no "between X and X"
    let ytd = record(&b, RecordKind::YearToDateImports);
    assert!(
        ytd.history
            .description
            .contains("the one earlier year held, 2018-01..2018-06"),
        "{}",
        ytd.history.description
    );
}
