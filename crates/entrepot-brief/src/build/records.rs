//! Records: the period's balance and exports ranked against the history held, and the
//! cumulative balance against round thresholds.

use super::{period_word, plural, Builder};
use crate::fmt;
use crate::index::{Ind, WORLD};
use crate::model::{Figure, History, Record, RecordKind};
use entrepot_core::{Period, PeriodSpan};

impl Builder<'_> {
    /// The record statements: the period's balance, its exports and the cumulative
    /// balance.
    pub(super) fn records(&self) -> Vec<Record> {
        let mut v = Vec::new();
        // A total of the partners held is no total: nothing to rank (see `partial`).
        if self.any_partial() {
            if self.partial(Ind::Export).is_none() {
                v.extend(self.period_record(Ind::Export));
            }
            return v;
        }
        if let Some(r) = self.period_record(Ind::Balance) {
            v.push(r);
        }
        if let Some(r) = self.period_record(Ind::Export) {
            v.push(r);
        }
        if let Some(r) = self.cumulative_record() {
            v.push(r);
        }
        v
    }

    /// The period's balance or exports ranked against the earlier periods held of the
    /// same frequency and sign.
    pub(super) fn period_record(&self, ind: Ind) -> Option<Record> {
        let p = self.period;
        let span = PeriodSpan::single(p);
        let cur = self.level(WORLD, ind, span)?;
        let sign = if cur.value < 0.0 { -1.0 } else { 1.0 };
        let hist: Vec<(Period, Figure)> = self
            .single_periods_held()
            .into_iter()
            .filter(|q| q.is_monthly() == p.is_monthly() && *q < p)
            .filter_map(|q| {
                self.level(WORLD, ind, PeriodSpan::single(q))
                    .map(|f| (q, f))
            })
            .filter(|(_, f)| f.value * sign >= 0.0)
            .collect();
        let word = match (ind, sign < 0.0) {
            (Ind::Balance, false) => "surplus",
            (Ind::Balance, true) => "deficit",
            (Ind::Import, _) => "imports",
            _ => "exports",
        };
        let unit = period_word(&p);
        let kind = if ind == Ind::Balance {
            RecordKind::PeriodBalance
        } else {
            RecordKind::PeriodExports
        };
        let adj = if p.is_monthly() { "monthly" } else { "annual" };
        let plural_subject = matches!(word, "exports" | "imports");
        let is = if plural_subject { "are" } else { "is" };
        let cannot = "cannot";
        if hist.is_empty() {
            return Some(Record {
                kind,
                figure: cur.clone(),
                span,
                is_record: false,
                threshold_bn: None,
                first_time: false,
                since: None,
                previous_best: None,
                statement: format!(
                    "The {adj} {word} of {} {cannot} be ranked: no earlier {unit} is held.",
                    fmt::level(&cur)
                ),
                history: History {
                    periods: Vec::new(),
                    description: format!("no earlier {unit} held"),
                },
            });
        }
        let first = hist[0].0;
        let last = hist[hist.len() - 1].0;
        let n_span = PeriodSpan {
            start: first,
            end: last,
        }
        .len();
        let gaps = if n_span > hist.len() {
            format!(" (not every {unit} in between is held)")
        } else {
            String::new()
        };
        let history = History {
            periods: hist.iter().map(|(q, _)| q.to_string()).collect(),
            description: format!(
                "checked against {} held between {first} and {last}{gaps}",
                plural(hist.len(), &format!("earlier {unit}"))
            ),
        };
        let best = hist
            .iter()
            .max_by(|a, b| (a.1.value * sign).total_cmp(&(b.1.value * sign)))
            .map(|(q, f)| (q.to_string(), f.value));
        let higher = hist
            .iter()
            .rev()
            .find(|(_, f)| f.value * sign >= cur.value * sign);
        let (is_record, since, statement) = match higher {
            None => (
                true,
                None,
                format!(
                    "The {adj} {word} of {} {is} the largest of the {} held ({first} to {p}).",
                    fmt::level(&cur),
                    plural(hist.len() + 1, unit)
                ),
            ),
            Some((q, f)) if *q == last => (
                false,
                Some(q.to_string()),
                format!(
                    "The {adj} {word} of {} {is} below the previous {unit} held ({q}: {}).",
                    fmt::level(&cur),
                    fmt::level(f)
                ),
            ),
            Some((q, f)) => (
                false,
                Some(q.to_string()),
                format!(
                    "The {adj} {word} of {} {is} the largest since {q} ({}).",
                    fmt::level(&cur),
                    fmt::level(f)
                ),
            ),
        };
        Some(Record {
            kind,
            figure: cur,
            span,
            is_record,
            threshold_bn: None,
            first_time: false,
            since,
            previous_best: best,
            statement,
            history,
        })
    }

    /// The cumulative (year-to-date) balance against round thresholds and the highest
    /// cumulative balance of each earlier year held.
    pub(super) fn cumulative_record(&self) -> Option<Record> {
        let p = self.period;
        let span = p.year_to_date();
        let cur = self.level(WORLD, Ind::Balance, span)?;
        let sign = if cur.value < 0.0 { -1.0 } else { 1.0 };
        let word = if sign < 0.0 { "deficit" } else { "surplus" };
        let mag = cur.value.abs();
        let threshold = if mag >= 1000.0 {
            (mag / 1000.0).floor() * 1000.0
        } else {
            (mag / 100.0).floor() * 100.0
        };
        let held = self.single_periods_held();
        let first_year = held.iter().map(|q| q.year()).min().unwrap_or(p.year());
        let mut first_year = first_year;
        for (_, _, s) in self.facts.keys() {
            first_year = first_year.min(s.start.year());
        }
        // The highest cumulative balance of each earlier year: its full-year figure or
        // any year-to-date figure held.
        let mut per_year: Vec<(String, f64, i32)> = Vec::new();
        for y in first_year..p.year() {
            let mut spans = vec![PeriodSpan::single(Period::Year(y))];
            for m in 1..=12u8 {
                if let Ok(end) = Period::month(y, m) {
                    spans.push(end.year_to_date());
                }
            }
            let best = spans
                .into_iter()
                .filter_map(|s| self.level(WORLD, Ind::Balance, s).map(|f| (s, f.value)))
                .filter(|(_, v)| v * sign >= 0.0)
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
            if let Some((s, v)) = best {
                per_year.push((s.to_string(), v, y));
            }
        }
        let label = if p.is_monthly() {
            format!("cumulative {span} {word}")
        } else {
            format!("{p} {word}")
        };
        let years: Vec<String> = per_year.iter().map(|(_, _, y)| y.to_string()).collect();
        let history = History {
            periods: per_year.iter().map(|(s, _, _)| s.clone()).collect(),
            description: if per_year.is_empty() {
                "no earlier year held".to_string()
            } else {
                format!(
                    "checked against the highest cumulative balance held for {} ({})",
                    plural(per_year.len(), "earlier year"),
                    years.join(", ")
                )
            },
        };
        let best = per_year
            .iter()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(s, v, _)| (s.clone(), *v));
        let is_record = !per_year.is_empty() && per_year.iter().all(|(_, v, _)| v.abs() < mag);
        if threshold <= 0.0 {
            return Some(Record {
                kind: RecordKind::CumulativeThreshold,
                figure: cur.clone(),
                span,
                is_record,
                threshold_bn: None,
                first_time: false,
                since: None,
                previous_best: best,
                statement: format!("The {label} of {} is below $100bn.", fmt::level(&cur)),
                history,
            });
        }
        let reached: Vec<&(String, f64, i32)> = per_year
            .iter()
            .filter(|(_, v, _)| v.abs() >= threshold)
            .collect();
        let first_time = reached.is_empty() && !per_year.is_empty();
        let crossed_now = if p.is_monthly() && p.month_of_year() != Some(1) {
            self.level(WORLD, Ind::Balance, p.previous().year_to_date())
                .map(|f| (f.value.abs() < threshold, f))
        } else {
            None
        };
        let mut statement = if per_year.is_empty() {
            format!(
                "The {label} of {} is above {}; no earlier year is held to tell whether that is a first.",
                fmt::level(&cur),
                fmt::threshold(threshold)
            )
        } else if first_time {
            let (bs, bv) = best.clone().unwrap_or_default();
            format!(
                "First time: the {label} of {} passed {} for the first time in the history held (previous high: {}bn in {bs}).",
                fmt::level(&cur),
                fmt::threshold(threshold),
                fmt::number(bv, 1)
            )
        } else {
            let (s, v, _) = reached[reached.len() - 1];
            format!(
                "The {label} of {} is above {}, as it was in {s} ({}bn).",
                fmt::level(&cur),
                fmt::threshold(threshold),
                fmt::number(*v, 1)
            )
        };
        if let Some((true, f)) = &crossed_now {
            statement.push_str(&format!(
                " It crossed the threshold this month ({}: {}).",
                p.previous().year_to_date(),
                fmt::level(f)
            ));
        }
        Some(Record {
            kind: RecordKind::CumulativeThreshold,
            figure: cur,
            span,
            is_record,
            threshold_bn: Some(threshold),
            first_time,
            since: None,
            previous_best: best,
            statement,
            history,
        })
    }
}
