//! Periods: calendar years and months, and spans of consecutive months.
//!
//! Only annual (`YYYY`) and monthly (`YYYY-MM`) periods are stored. Year-to-date and
//! rolling windows are *derived* from them with [`Period::year_to_date`] and
//! [`Period::rolling`]; a [`PeriodSpan`] names such a window (`2025-01..2025-11`),
//! which is how published cumulative figures are labelled.

use crate::error::CoreError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A stored period: a calendar year or a calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A calendar month (1–12).
    Month {
        /// Calendar year.
        year: i32,
        /// Month, 1–12.
        month: u8,
    },
}

impl Period {
    /// Builds a monthly period, checking the month.
    pub fn month(year: i32, month: u8) -> Result<Self, CoreError> {
        if !(1..=12).contains(&month) {
            return Err(CoreError::InvalidPeriod {
                value: format!("{year}-{month:02}"),
                reason: "month must be 01-12".into(),
            });
        }
        Ok(Period::Month { year, month })
    }

    /// The calendar year of the period.
    pub fn year(&self) -> i32 {
        match *self {
            Period::Year(y) => y,
            Period::Month { year, .. } => year,
        }
    }

    /// The month (1–12) of a monthly period.
    pub fn month_of_year(&self) -> Option<u8> {
        match *self {
            Period::Year(_) => None,
            Period::Month { month, .. } => Some(month),
        }
    }

    /// Whether this is a monthly period.
    pub fn is_monthly(&self) -> bool {
        matches!(self, Period::Month { .. })
    }

    /// Months since year 0 (monthly periods only); used for arithmetic.
    fn ordinal(&self) -> Option<i64> {
        match *self {
            Period::Year(_) => None,
            Period::Month { year, month } => Some(year as i64 * 12 + (month as i64 - 1)),
        }
    }

    fn from_ordinal(o: i64) -> Period {
        Period::Month {
            year: o.div_euclid(12) as i32,
            month: (o.rem_euclid(12) + 1) as u8,
        }
    }

    /// The period `n` steps later (months for monthly periods, years for annual ones);
    /// `n` may be negative.
    pub fn shift(&self, n: i64) -> Period {
        match *self {
            Period::Year(y) => Period::Year(y + n as i32),
            Period::Month { .. } => Period::from_ordinal(self.ordinal().unwrap_or(0) + n),
        }
    }

    /// The same period one year earlier (the comparator of a year-on-year change).
    pub fn year_ago(&self) -> Period {
        match *self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
        }
    }

    /// The previous period (previous month or previous year).
    pub fn previous(&self) -> Period {
        self.shift(-1)
    }

    /// The year-to-date window ending at this period: January..this month for a
    /// monthly period, the whole year for an annual one.
    pub fn year_to_date(&self) -> PeriodSpan {
        match *self {
            Period::Year(y) => PeriodSpan::single(Period::Year(y)),
            Period::Month { year, month } => PeriodSpan {
                start: Period::Month { year, month: 1 },
                end: Period::Month { year, month },
            },
        }
    }

    /// The rolling window of `len` periods ending at this one (e.g. 12 months).
    pub fn rolling(&self, len: u32) -> PeriodSpan {
        let len = len.max(1) as i64;
        PeriodSpan {
            start: self.shift(-(len - 1)),
            end: *self,
        }
    }

    /// All months of a calendar year, or the month itself.
    pub fn months(&self) -> Vec<Period> {
        match *self {
            Period::Year(y) => (1..=12)
                .map(|m| Period::Month { year: y, month: m })
                .collect(),
            m @ Period::Month { .. } => vec![m],
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = |reason: &str| CoreError::InvalidPeriod {
            value: s.to_string(),
            reason: reason.to_string(),
        };
        let parse_year = |y: &str| -> Result<i32, CoreError> {
            if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("year must have four digits"));
            }
            let v: i32 = y.parse().map_err(|_| bad("year is not a number"))?;
            if !(1900..=2200).contains(&v) {
                return Err(bad("year must be between 1900 and 2200"));
            }
            Ok(v)
        };
        // Byte positions below are character positions only in ASCII text.
        if !t.is_ascii() {
            return Err(bad("expected YYYY, YYYY-MM or YYYYMM"));
        }
        match t.len() {
            4 => Ok(Period::Year(parse_year(t)?)),
            // YYYY-MM or YYYYMM (Comtrade uses the latter)
            7 | 6 => {
                let (y, m) = if t.len() == 7 {
                    if t.as_bytes()[4] != b'-' {
                        return Err(bad("expected '-' between year and month"));
                    }
                    (&t[..4], &t[5..])
                } else {
                    (&t[..4], &t[4..])
                };
                let year = parse_year(y)?;
                if !m.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("month is not a number"));
                }
                let month: u8 = m.parse().map_err(|_| bad("month is not a number"))?;
                Period::month(year, month).map_err(|_| bad("month must be 01-12"))
            }
            _ => Err(bad("unrecognised length")),
        }
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Period {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// An inclusive span of consecutive periods of the same frequency, such as a
/// year-to-date window `2025-01..2025-11`. A single period is a span of length one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PeriodSpan {
    /// First period (inclusive).
    pub start: Period,
    /// Last period (inclusive).
    pub end: Period,
}

impl PeriodSpan {
    /// A span holding one period.
    pub fn single(p: Period) -> Self {
        PeriodSpan { start: p, end: p }
    }

    /// Builds a span, checking that both ends have the same frequency and are ordered.
    pub fn new(start: Period, end: Period) -> Result<Self, CoreError> {
        if start.is_monthly() != end.is_monthly() || end < start {
            return Err(CoreError::InvalidPeriod {
                value: format!("{start}..{end}"),
                reason: "span ends must have the same frequency and be in order".into(),
            });
        }
        Ok(PeriodSpan { start, end })
    }

    /// Whether the span is a single period.
    pub fn is_single(&self) -> bool {
        self.start == self.end
    }

    /// The periods in the span, in order.
    pub fn periods(&self) -> Vec<Period> {
        let mut v = Vec::new();
        let mut p = self.start;
        while p <= self.end {
            v.push(p);
            p = p.shift(1);
        }
        v
    }

    /// Number of periods in the span.
    pub fn len(&self) -> usize {
        self.periods().len()
    }

    /// Always false: a span holds at least one period.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether the span contains the period.
    pub fn contains(&self, p: &Period) -> bool {
        p.is_monthly() == self.start.is_monthly() && *p >= self.start && *p <= self.end
    }

    /// Whether the span is a year-to-date window (starts in January and is monthly),
    /// or a whole year.
    pub fn is_year_to_date(&self) -> bool {
        match (self.start, self.end) {
            (Period::Month { year, month: 1 }, Period::Month { year: y2, .. }) => year == y2,
            (Period::Year(a), Period::Year(b)) => a == b,
            _ => false,
        }
    }

    /// The same span one year earlier.
    pub fn year_ago(&self) -> PeriodSpan {
        PeriodSpan {
            start: self.start.year_ago(),
            end: self.end.year_ago(),
        }
    }
}

impl fmt::Display for PeriodSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}..{}", self.start, self.end)
        }
    }
}

impl FromStr for PeriodSpan {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once("..") {
            Some((a, b)) => PeriodSpan::new(a.parse()?, b.parse()?),
            None => Ok(PeriodSpan::single(s.parse()?)),
        }
    }
}

impl From<PeriodSpan> for String {
    fn from(p: PeriodSpan) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for PeriodSpan {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!("2025".parse::<Period>().unwrap(), Period::Year(2025));
        let m: Period = "2025-11".parse().unwrap();
        assert_eq!(
            m,
            Period::Month {
                year: 2025,
                month: 11
            }
        );
        assert_eq!(m.to_string(), "2025-11");
        assert_eq!("202511".parse::<Period>().unwrap(), m);
        assert!("2025-13".parse::<Period>().is_err());
        assert!("25-11".parse::<Period>().is_err());
        let e = "2025/11".parse::<Period>().unwrap_err().to_string();
        assert!(e.contains("2025/11"), "{e}");
    }

    #[test]
    fn non_ascii_text_is_refused_not_a_panic() {
        // Six or seven bytes whose fifth is inside a character (found by the server's
        // fuzz test): an error, never a slice off a character boundary.
        for t in [
            "\u{fffd}\u{fffd}",
            "20\u{fffd}\u{e9}",
            "2025\u{2013}1",
            "2025-\u{e9}",
            "\u{e9}\u{e9}\u{e9}",
        ] {
            assert!(t.parse::<Period>().is_err(), "{t}");
        }
    }

    #[test]
    fn windows() {
        let m: Period = "2025-11".parse().unwrap();
        assert_eq!(m.year_to_date().to_string(), "2025-01..2025-11");
        assert_eq!(m.rolling(12).to_string(), "2024-12..2025-11");
        assert_eq!(m.rolling(12).len(), 12);
        assert_eq!(m.year_ago().to_string(), "2024-11");
        assert_eq!(
            "2025-01".parse::<Period>().unwrap().previous().to_string(),
            "2024-12"
        );
        let s: PeriodSpan = "2025-01..2025-11".parse().unwrap();
        assert!(s.is_year_to_date());
        assert_eq!(s.year_ago().to_string(), "2024-01..2024-11");
        assert!("2025-05..2025-01".parse::<PeriodSpan>().is_err());
    }

    proptest! {
        #[test]
        fn roundtrip(y in 1950i32..2100, m in 1u8..=12, n in -500i64..500) {
            let p = Period::month(y, m).unwrap();
            prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
            prop_assert_eq!(p.shift(n).shift(-n), p);
            prop_assert_eq!(p.rolling(12).periods().len(), 12);
        }

        #[test]
        fn any_text_parses_or_is_refused(t in "\\PC{0,9}") {
            let _ = t.parse::<Period>();
        }
    }
}
