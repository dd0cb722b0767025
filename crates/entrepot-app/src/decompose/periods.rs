//! The two periods of a decomposition: `--from` and `--to` parsed into windows of
//! the same length and in order, and the check that the dataset holds both in full.

use super::{flow_word, DecomposeRequest};
use crate::error::{AppError, AppResult};
use entrepot_core::{FlowKind, Period};
use entrepot_cube::{CubeEngine, CubePeriod, CubeRequest, Mirror, PeriodGrain, PeriodRange};
use std::collections::BTreeSet;

/// One of the two periods compared: a year, or a run of months.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// As shown (`2016`, `2018-Q2`, `2018-04..2018-09`).
    pub label: String,
    /// The cube's period filter.
    pub range: PeriodRange,
    /// The number of months it spans (12 for a year).
    pub months: usize,
}

impl Window {
    /// A year, or the first and last month.
    fn months_ordinals(&self) -> (i64, i64) {
        let ord = |p: Period| match p {
            Period::Year(y) => (i64::from(y) * 12, i64::from(y) * 12 + 11),
            Period::Month { year, month } => {
                let o = i64::from(year) * 12 + i64::from(month) - 1;
                (o, o)
            }
        };
        (ord(self.range.from).0, ord(self.range.to).1)
    }
}

/// Parses `--from`/`--to` into a window.
pub(super) fn window(flag: &str, text: &str) -> AppResult<Window> {
    let (period, span) = crate::brief::parse_period_flag(flag, text)?;
    let Some(period) = period else {
        return Err(AppError::usage(format!("{flag}: a period is needed")));
    };
    Ok(match (period, span) {
        (Period::Year(y), _) => Window {
            label: y.to_string(),
            range: PeriodRange::years(y, y),
            months: 12,
        },
        (p, None) => Window {
            label: p.to_string(),
            range: PeriodRange::single(p),
            months: 1,
        },
        (_, Some(span)) => {
            let quarter = match (span.start, span.len()) {
                (Period::Month { year, month }, 3) if month % 3 == 1 => {
                    Some(format!("{year}-Q{}", month / 3 + 1))
                }
                _ => None,
            };
            Window {
                label: quarter.unwrap_or_else(|| format!("{}..{}", span.start, span.end)),
                range: PeriodRange::new(span.start, span.end)
                    .map_err(|e| AppError::usage(format!("{flag}: {e}")))?,
                months: span.len(),
            }
        }
    })
}

fn months(n: usize) -> String {
    if n == 1 {
        "1 month".into()
    } else {
        format!("{n} months")
    }
}

/// The two windows of a request, in order and of the same length.
pub(super) fn windows(req: &DecomposeRequest) -> AppResult<[Window; 2]> {
    let a = window("--from", &req.from)?;
    let b = window("--to", &req.to)?;
    if a.months != b.months {
        return Err(AppError::usage(format!(
            "--from {} spans {} and --to {} {}: compare periods of the same length",
            a.label,
            months(a.months),
            b.label,
            months(b.months)
        )));
    }
    if a.months_ordinals().1 >= b.months_ordinals().0 {
        return Err(AppError::usage(format!(
            "--from {} must end before --to {} starts",
            a.label, b.label
        )));
    }
    Ok([a, b])
}

/// Refuses a period the dataset does not hold in full for the reporter, saying what it
/// holds.
pub(super) fn check_held(
    cubes: &CubeEngine,
    dataset: &str,
    reporter: &str,
    flow: FlowKind,
    windows: &[Window; 2],
) -> AppResult<()> {
    let cube = cubes.run(
        &CubeRequest::new()
            .datasets([dataset])
            .reporters([reporter])
            .flows([flow])
            .by_period(PeriodGrain::Month)
            .mirror(Mirror::Fill)
            .quantity(false),
    )?;
    let held: BTreeSet<CubePeriod> = cube.cells().iter().filter_map(|c| c.period).collect();
    let what = format!(
        "dataset '{dataset}' holds no {} of {reporter}",
        flow_word(flow)
    );
    if held.is_empty() {
        return Err(AppError::not_found(what));
    }
    let listing = held_listing(&held);
    let month = |p: Period| match p {
        Period::Month { year, month } => Some(CubePeriod::Month { year, month }),
        Period::Year(_) => None,
    };
    for w in windows {
        match (w.range.from, w.range.to) {
            (Period::Year(y), _) => {
                if held.contains(&CubePeriod::Year(y)) {
                    continue;
                }
                let months = (1..=12)
                    .filter(|m| held.contains(&CubePeriod::Month { year: y, month: *m }))
                    .count();
                if months == 0 {
                    return Err(AppError::not_found(format!(
                        "{what} in {y} (held: {listing})"
                    )));
                }
                if months < 12 {
                    return Err(AppError::not_found(format!(
                        "{y} is not complete in dataset '{dataset}' for {reporter}: {months} of its 12 months are held (held: {listing})"
                    )));
                }
            }
            (from, to) => {
                let span = entrepot_core::PeriodSpan::new(from, to)
                    .map_err(|e| AppError::usage(e.to_string()))?;
                let missing: Vec<String> = span
                    .periods()
                    .into_iter()
                    .filter(|p| month(*p).is_none_or(|m| !held.contains(&m)))
                    .map(|p| p.to_string())
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let annual = span
                    .periods()
                    .iter()
                    .any(|p| held.contains(&CubePeriod::Year(p.year())));
                return Err(AppError::not_found(if annual {
                    format!(
                        "dataset '{dataset}' holds annual data of {reporter} for {}: the months of {} cannot be taken from it (held: {listing})",
                        from.year(),
                        w.label
                    )
                } else {
                    format!(
                        "{what} in {} ({} of its {} months missing: {}; held: {listing})",
                        w.label,
                        missing.len(),
                        w.months,
                        shorten(&missing)
                    )
                }));
            }
        }
    }
    Ok(())
}

/// `a, b, c … x, y, z` for a long list.
fn shorten(items: &[String]) -> String {
    if items.len() > 6 {
        format!(
            "{} … {}",
            items[..3].join(", "),
            items[items.len() - 3..].join(", ")
        )
    } else {
        items.join(", ")
    }
}

/// The periods held, for messages: years of annual data, months of monthly data.
fn held_listing(held: &BTreeSet<CubePeriod>) -> String {
    let items: Vec<String> = held.iter().map(|p| p.to_string()).collect();
    shorten(&items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(from: &str, to: &str) -> DecomposeRequest {
        DecomposeRequest {
            reporter: "CHN".into(),
            from: from.into(),
            to: to.into(),
            ..Default::default()
        }
    }

    #[test]
    fn years_months_quarters_and_ranges_are_windows() {
        let w = window("--from", "2016").unwrap();
        assert_eq!((w.label.as_str(), w.months), ("2016", 12));
        assert_eq!(w.range, PeriodRange::years(2016, 2016));
        let w = window("--from", "2018-q2").unwrap();
        assert_eq!((w.label.as_str(), w.months), ("2018-Q2", 3));
        let w = window("--from", "2018-04..2018-09").unwrap();
        assert_eq!((w.label.as_str(), w.months), ("2018-04..2018-09", 6));
        let w = window("--to", "2018-05").unwrap();
        assert_eq!((w.label.as_str(), w.months), ("2018-05", 1));
        // the twelve months of a year are the year
        assert_eq!(window("--to", "2019-01..2019-12").unwrap().label, "2019");
        let [a, b] = windows(&req("2018-Q4", "2019-Q1")).unwrap();
        assert_eq!((a.label.as_str(), b.label.as_str()), ("2018-Q4", "2019-Q1"));
        // a year on twelve months of another span
        assert!(windows(&req("2018-07..2019-06", "2019-07..2020-06")).is_ok());
    }

    #[test]
    fn periods_out_of_order_of_different_length_or_malformed_are_usage_errors() {
        for (from, to, says) in [
            ("2016", "2012", "must end before"),
            ("2016", "2016", "must end before"),
            ("2016-Q1", "2016-02..2016-04", "must end before"),
            (
                "2012",
                "2016-03",
                "spans 12 months and --to 2016-03 1 month",
            ),
            ("2012-Q5", "2016", "--from 2012-Q5"),
            ("2012", "soon", "--to soon"),
        ] {
            let e = windows(&req(from, to)).expect_err(from);
            assert_eq!(e.class, crate::ErrorClass::Usage, "{from} {to}");
            assert!(e.message.contains(says), "{from} {to}: {e}");
        }
    }
}
