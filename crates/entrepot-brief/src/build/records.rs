//! Records: exports, imports and the balance of the brief's window ranked against the
//! same window of the history held — the period against earlier periods of the same
//! frequency, a year-to-date or a span against the same months of earlier years —
//! highs and lows alike ("the largest since 2016", "the smallest surplus since 2008",
//! "the deficit widened to a record 418.2bn"); and a round threshold the cumulative
//! balance passed for the first time ("$1tn for the first time").
//!
//! Deficits are described by their size in words ("a deficit of 36.6bn"), never as a
//! negative surplus; a statement is only made when there is something to say (no
//! "below $100bn").

use super::{plural, Builder};
use crate::fmt;
use crate::index::{Ind, WORLD};
use crate::model::{Extreme, Figure, History, Record, RecordKind, Window};
use entrepot_core::{Period, PeriodSpan};

/// The outcome of ranking one quantity.
enum Ranking {
    /// Ranked against the history held.
    Ranked(Record),
    /// Held, but no history to rank it against (the record says so).
    Unranked(Record),
    /// The level is not held.
    NotHeld,
}

/// The words for the window of a record.
struct WindowWords {
    /// `monthly`, `annual`, or empty (then `in {span}` follows the subject).
    adjective: &'static str,
    /// `month`, `year` (the unit the history counts).
    unit: &'static str,
    /// ` in Jan-Nov 2025` for a year-to-date or span window.
    suffix: String,
}

impl Builder<'_> {
    /// The record statements of the brief's window: exports, imports and balance
    /// ranked (flows held for some partners only are not ranked, nor a balance
    /// computed from them), then a threshold first passed by the cumulative balance.
    pub(super) fn records(&self) -> Vec<Record> {
        let mut windows: Vec<(Window, PeriodSpan)> = Vec::new();
        match self.span {
            Some(s) => windows.push((Window::Span, s)),
            None => {
                let p = self.period;
                windows.push((Window::Period, PeriodSpan::single(p)));
                if p.is_monthly() && p.month_of_year() != Some(1) {
                    windows.push((Window::YearToDate, p.year_to_date()));
                }
            }
        }
        let mut inds = Vec::new();
        for ind in [Ind::Export, Ind::Import] {
            if self.partial(ind).is_none() {
                inds.push(ind);
            }
        }
        if !self.any_partial() {
            inds.push(Ind::Balance);
        }
        let mut v = Vec::new();
        let mut unranked: Option<Record> = None;
        for (window, span) in &windows {
            for &ind in &inds {
                match self.ranked(ind, *window, *span) {
                    Ranking::Ranked(r) => v.push(r),
                    Ranking::Unranked(r) if unranked.is_none() => unranked = Some(r),
                    Ranking::Unranked(_) | Ranking::NotHeld => {}
                }
            }
        }
        if v.is_empty() {
            // Nothing could be ranked: say so once.
            v.extend(unranked);
        }
        if self.span.is_none() && !self.any_partial() {
            v.extend(self.threshold_record());
        }
        v
    }

    /// The spans `span` is ranked against: earlier periods of the same frequency for
    /// a single period; the same months of earlier years for a year-to-date or span.
    fn history_spans(&self, window: Window, span: PeriodSpan) -> Vec<PeriodSpan> {
        let held = self.single_periods_held();
        match window {
            Window::Period | Window::Rolling12 => {
                let p = span.end;
                held.into_iter()
                    .filter(|q| q.is_monthly() == p.is_monthly() && *q < p)
                    .map(PeriodSpan::single)
                    .collect()
            }
            Window::YearToDate | Window::Span => {
                let mut first = held
                    .iter()
                    .map(|q| q.year())
                    .min()
                    .unwrap_or(span.start.year());
                for (_, _, s) in self.facts.keys() {
                    first = first.min(s.start.year());
                }
                let mut out = Vec::new();
                let mut s = span.year_ago();
                while s.start.year() >= first {
                    out.push(s);
                    s = s.year_ago();
                }
                out.reverse();
                out
            }
        }
    }

    /// `ind` over `span` ranked against its history.
    fn ranked(&self, ind: Ind, window: Window, span: PeriodSpan) -> Ranking {
        let Some(cur) = self.level(WORLD, ind, span) else {
            return Ranking::NotHeld;
        };
        let hist: Vec<(PeriodSpan, Figure)> = self
            .history_spans(window, span)
            .into_iter()
            .filter_map(|s| self.level(WORLD, ind, s).map(|f| (s, f)))
            .collect();
        let words = window_words(window, span);
        let kind = record_kind(ind, window);
        let subject = subject(ind, &cur, &words);
        if hist.is_empty() {
            return Ranking::Unranked(Record {
                kind,
                figure: cur,
                span,
                is_record: false,
                extreme: None,
                threshold_bn: None,
                first_time: false,
                since: None,
                previous_best: None,
                statement: format!(
                    "{subject} cannot be ranked: no earlier {} is held.",
                    if window == Window::Period {
                        words.unit.to_string()
                    } else {
                        format!("{}{}", words.unit, " with the same months")
                    }
                ),
                history: History {
                    periods: Vec::new(),
                    description: format!("no earlier {} held", words.unit),
                },
            });
        }
        let x = cur.value;
        let first = hist[0].0;
        let last = hist[hist.len() - 1].0;
        // The most recent earlier value at least as high, and at least as low.
        let higher = hist.iter().rev().find(|(_, f)| f.value >= x);
        let lower = hist.iter().rev().find(|(_, f)| f.value <= x);
        let n = hist.len() + 1;
        let n_units = plural(n, words.unit);
        let range = format!("{} to {}", first, span);
        let best = hist
            .iter()
            .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
            .map(|(s, f)| (s.to_string(), f.value));
        let (extreme, since, tail) = match (higher, lower) {
            (None, _) => (
                Some(Extreme::High),
                None,
                high_record(ind, &cur, &n_units, &range),
            ),
            (_, None) => (
                Some(Extreme::Low),
                None,
                low_record(ind, &cur, &n_units, &range),
            ),
            (Some((hs, hf)), Some((ls, lf))) => {
                // The more remarkable of the two: the one that reaches further back.
                if hs.start <= ls.start {
                    (None, Some(*hs), high_since(ind, &cur, hs, hf, *hs == last))
                } else {
                    (None, Some(*ls), low_since(ind, &cur, ls, lf, *ls == last))
                }
            }
        };
        let widened = ind == Ind::Balance
            && x < 0.0
            && extreme == Some(Extreme::Low)
            && hist.last().is_some_and(|(_, f)| f.value < 0.0);
        let statement = if widened {
            // "The monthly deficit widened to a record 34.0bn: …"
            let what = if words.adjective.is_empty() {
                format!("The deficit{}", words.suffix)
            } else {
                format!("The {} deficit", words.adjective)
            };
            format!(
                "{what} widened to a record {}: the largest of the {n_units} held ({range}).",
                fmt::level(&magnitude(&cur))
            )
        } else {
            format!("{subject} {tail}")
        };
        let gaps = self.gaps(window, first, span, hist.len() + 1);
        let history = History {
            periods: hist.iter().map(|(s, _)| s.to_string()).collect(),
            description: if first == last {
                format!(
                    "checked against the one earlier {} held, {first}{gaps}",
                    words.unit
                )
            } else {
                format!(
                    "checked against {} held between {first} and {last}{gaps}",
                    plural(hist.len(), &format!("earlier {}", words.unit)),
                )
            },
        };
        Ranking::Ranked(Record {
            kind,
            figure: cur,
            span,
            is_record: extreme.is_some(),
            extreme,
            threshold_bn: None,
            first_time: false,
            since: since.map(|s| s.to_string()),
            previous_best: best,
            statement,
            history,
        })
    }

    /// ` (not every month in between is held)` when the periods from `first` to
    /// `span` are more than the `held` ones, else empty.
    fn gaps(&self, window: Window, first: PeriodSpan, span: PeriodSpan, held: usize) -> String {
        let expected = match window {
            Window::Period | Window::Rolling12 => PeriodSpan {
                start: first.end,
                end: span.end,
            }
            .len(),
            Window::YearToDate | Window::Span => (span.end.year() - first.end.year() + 1) as usize,
        };
        if expected > held {
            let unit = if window == Window::Period && span.end.is_monthly() {
                "month"
            } else {
                "year"
            };
            format!(" (not every {unit} in between is held)")
        } else {
            String::new()
        }
    }

    /// A round threshold (a multiple of $100bn, or of $1tn above it) that the
    /// cumulative balance of the year to date passed for the first time in the
    /// history held; `None` otherwise (the ranking says the rest).
    pub(super) fn threshold_record(&self) -> Option<Record> {
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
        if threshold <= 0.0 {
            return None;
        }
        let held = self.single_periods_held();
        let mut first_year = held.iter().map(|q| q.year()).min().unwrap_or(p.year());
        for (_, _, s) in self.facts.keys() {
            first_year = first_year.min(s.start.year());
        }
        // The largest cumulative balance of the same sign of each earlier year: its
        // full-year figure or any year-to-date figure held.
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
        let first_time =
            !per_year.is_empty() && per_year.iter().all(|(_, v, _)| v.abs() < threshold);
        if !first_time {
            return None;
        }
        let label = if p.is_monthly() {
            format!("cumulative {span} {word}")
        } else {
            format!("{p} {word}")
        };
        let years: Vec<String> = per_year.iter().map(|(_, _, y)| y.to_string()).collect();
        let best = per_year
            .iter()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .map(|(s, v, _)| (s.clone(), *v));
        let (bs, bv) = best.clone().unwrap_or_default();
        let mut statement = format!(
            "First time: the {label} of {} passed {} for the first time in the history held (previous high: {}bn in {bs}).",
            fmt::level(&magnitude(&cur)),
            fmt::threshold(threshold, self.input.currency),
            fmt::number(bv.abs(), 1)
        );
        if p.is_monthly() && p.month_of_year() != Some(1) {
            if let Some(before) = self.level(WORLD, Ind::Balance, p.previous().year_to_date()) {
                if before.value.abs() < threshold {
                    statement.push_str(&format!(
                        " It crossed the threshold this month ({}: {}).",
                        p.previous().year_to_date(),
                        fmt::level(&magnitude(&before))
                    ));
                }
            }
        }
        Some(Record {
            kind: RecordKind::CumulativeThreshold,
            figure: cur,
            span,
            is_record: true,
            extreme: Some(Extreme::High),
            threshold_bn: Some(threshold),
            first_time,
            since: None,
            previous_best: best,
            statement,
            history: History {
                periods: per_year.iter().map(|(s, _, _)| s.clone()).collect(),
                description: format!(
                    "checked against the largest cumulative {word} held for {} ({})",
                    plural(per_year.len(), "earlier year"),
                    years.join(", ")
                ),
            },
        })
    }
}

/// The figure with its value made positive (a deficit's size).
fn magnitude(f: &Figure) -> Figure {
    let mut m = f.clone();
    m.value = m.value.abs();
    m
}

fn window_words(window: Window, span: PeriodSpan) -> WindowWords {
    let monthly = span.end.is_monthly();
    match window {
        Window::Period | Window::Rolling12 => WindowWords {
            adjective: if monthly { "monthly" } else { "annual" },
            unit: if monthly { "month" } else { "year" },
            suffix: String::new(),
        },
        Window::YearToDate | Window::Span => WindowWords {
            adjective: "",
            unit: "year",
            suffix: format!(" in {span}"),
        },
    }
}

fn record_kind(ind: Ind, window: Window) -> RecordKind {
    match (window, ind) {
        (Window::Period | Window::Rolling12, Ind::Export) => RecordKind::PeriodExports,
        (Window::Period | Window::Rolling12, Ind::Import) => RecordKind::PeriodImports,
        (Window::Period | Window::Rolling12, Ind::Balance) => RecordKind::PeriodBalance,
        (Window::YearToDate, Ind::Export) => RecordKind::YearToDateExports,
        (Window::YearToDate, Ind::Import) => RecordKind::YearToDateImports,
        (Window::YearToDate, Ind::Balance) => RecordKind::YearToDateBalance,
        (Window::Span, Ind::Export) => RecordKind::SpanExports,
        (Window::Span, Ind::Import) => RecordKind::SpanImports,
        (Window::Span, Ind::Balance) => RecordKind::SpanBalance,
    }
}

/// `The monthly surplus of 111.7bn`, `Exports in Jan-Nov 2025 (3,407.6bn)`, `The
/// annual deficit of 36.6bn`.
fn subject(ind: Ind, cur: &Figure, w: &WindowWords) -> String {
    let what = match ind {
        Ind::Export => "exports",
        Ind::Import => "imports",
        Ind::Balance if cur.value < 0.0 => "deficit",
        Ind::Balance => "surplus",
    };
    let level = fmt::level(&magnitude(cur));
    if w.adjective.is_empty() {
        match ind {
            Ind::Balance => format!("The {what}{} ({level})", w.suffix),
            _ => {
                let mut c = what.chars();
                let first = c.next().map(|x| x.to_ascii_uppercase()).unwrap_or('E');
                format!("{first}{}{} ({level})", c.as_str(), w.suffix)
            }
        }
    } else {
        format!("The {} {what} of {level}", w.adjective)
    }
}

fn verb(ind: Ind) -> &'static str {
    if ind == Ind::Balance {
        "is"
    } else {
        "are"
    }
}

/// Above everything held.
fn high_record(ind: Ind, cur: &Figure, n_units: &str, range: &str) -> String {
    let v = verb(ind);
    match ind {
        Ind::Balance if cur.value < 0.0 => {
            format!("{v} the smallest of the {n_units} held ({range}).")
        }
        Ind::Balance => format!("{v} a record: the largest of the {n_units} held ({range})."),
        _ => format!("{v} a record: the highest of the {n_units} held ({range})."),
    }
}

/// Below everything held.
fn low_record(ind: Ind, cur: &Figure, n_units: &str, range: &str) -> String {
    let v = verb(ind);
    match ind {
        // (a deficit that widened from a deficit is worded by the caller)
        Ind::Balance if cur.value < 0.0 => {
            format!("{v} a record: the largest of the {n_units} held ({range}).")
        }
        Ind::Balance => format!("{v} the smallest of the {n_units} held ({range})."),
        _ => format!("{v} the lowest of the {n_units} held ({range})."),
    }
}

/// A level equal to the one of `q` (at the precision printed): never "below" or
/// "above" a period that had the same value. `side` says where every period between
/// `q` and the current one lies ("above" for a high, "below" for a low).
fn the_same_as(
    ind: Ind,
    cur: &Figure,
    q: &PeriodSpan,
    f: &Figure,
    previous: bool,
    side: &str,
) -> Option<String> {
    let shown = |x: f64| {
        fmt::level(&magnitude(&Figure {
            value: x,
            ..cur.clone()
        }))
    };
    if shown(cur.value) != shown(f.value) || (cur.value < 0.0) != (f.value < 0.0) {
        return None;
    }
    let v = verb(ind);
    let at = fmt::level(&magnitude(f));
    let what = match ind {
        Ind::Balance if f.value < 0.0 => format!("a deficit of {at}"),
        Ind::Balance => format!("a surplus of {at}"),
        _ => at,
    };
    Some(if previous {
        format!("{v} unchanged from {q} ({what}).")
    } else {
        format!("{v} the same as in {q} ({what}), and {side} every period held in between.")
    })
}

/// The highest since `q` (which was at least as high).
fn high_since(ind: Ind, cur: &Figure, q: &PeriodSpan, f: &Figure, previous: bool) -> String {
    let v = verb(ind);
    let at = fmt::level(&magnitude(f));
    if let Some(same) = the_same_as(ind, cur, q, f, previous, "above") {
        return same;
    }
    match ind {
        Ind::Balance if cur.value < 0.0 && f.value < 0.0 => {
            if previous {
                format!("{v} smaller than in {q} (a deficit of {at}).")
            } else {
                format!("{v} the smallest deficit since {q} (a deficit of {at}).")
            }
        }
        Ind::Balance if cur.value < 0.0 => {
            format!("{v} the best balance since {q}, when there was a surplus of {at}.")
        }
        Ind::Balance if previous => format!("{v} below {q} (a surplus of {at})."),
        Ind::Balance => format!("{v} the largest since {q} ({at})."),
        _ if previous => format!("{v} below {q} ({at})."),
        _ => format!("{v} the highest since {q} ({at})."),
    }
}

/// The lowest since `q` (which was at most as high).
fn low_since(ind: Ind, cur: &Figure, q: &PeriodSpan, f: &Figure, previous: bool) -> String {
    let v = verb(ind);
    let at = fmt::level(&magnitude(f));
    if let Some(same) = the_same_as(ind, cur, q, f, previous, "below") {
        return same;
    }
    match ind {
        Ind::Balance if cur.value < 0.0 => {
            if previous {
                format!("{v} larger than in {q} (a deficit of {at}).")
            } else {
                format!("{v} the largest deficit since {q} (a deficit of {at}).")
            }
        }
        Ind::Balance if f.value < 0.0 => {
            format!("{v} the lowest balance since {q}, when there was a deficit of {at}.")
        }
        Ind::Balance if previous => format!("{v} above {q} (a surplus of {at})."),
        Ind::Balance => format!("{v} the smallest surplus since {q} ({at})."),
        _ if previous => format!("{v} above {q} ({at})."),
        _ => format!("{v} the lowest since {q} ({at})."),
    }
}
