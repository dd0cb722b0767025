//! Context indicators (PMIs and other index series, with their run on one side of a
//! threshold) and the other published figures of the period (yuan totals, …).

use super::{period_word, plural, Builder};
use crate::fmt;
use crate::index::{norm_partner, WORLD};
use crate::model::{Indicator, OtherFigure, Point, Run};
use entrepot_core::{PeriodSpan, PublishedFigure, Unit};
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    /// The index series (PMIs, …) whose latest value is for the period or the one
    /// before, with their history and run.
    pub(super) fn indicators(&self) -> Vec<Indicator> {
        let p = self.period;
        let mut by: BTreeMap<String, Vec<&PublishedFigure>> = BTreeMap::new();
        for f in &self.facts.other {
            let ind = f.indicator.trim().to_ascii_lowercase();
            let series = matches!(f.unit, Unit::Index) || ind.contains("pmi");
            if series
                && f.span.is_single()
                && f.span.start.is_monthly() == p.is_monthly()
                && f.span.start <= p
                && f.value.is_some()
            {
                by.entry(ind).or_default().push(f);
            }
        }
        let mut out = Vec::new();
        for (ind, mut fs) in by {
            fs.sort_by_key(|f| f.span.start);
            fs.dedup_by_key(|f| f.span.start);
            let Some(latest) = fs.last().copied() else {
                continue;
            };
            let lp = latest.span.start;
            if lp != p && lp != p.previous() {
                continue;
            }
            let Some(fig) = self.pub_raw(latest) else {
                continue;
            };
            let previous = fs
                .iter()
                .find(|f| f.span.start == lp.previous())
                .and_then(|f| self.pub_raw(f));
            let points: Vec<Point> = fs
                .iter()
                .filter_map(|f| {
                    Some(Point {
                        period: f.span.start,
                        value: f.value?,
                    })
                })
                .collect();
            let run = if ind.contains("pmi") {
                run_of(&points, 50.0, &latest.note)
            } else {
                None
            };
            out.push(Indicator {
                label: label_of(&ind),
                indicator: ind,
                latest: fig,
                latest_period: lp,
                previous,
                run,
                points,
            });
        }
        out
    }

    /// The other published figures for the period (yuan totals, indicators not in
    /// `shown`), quoted as published.
    pub(super) fn other_figures(&self, shown: &BTreeSet<String>) -> Vec<OtherFigure> {
        let p = self.period;
        let relevant = |s: &PeriodSpan| s.end == p && (s.is_single() || s.is_year_to_date());
        let mut out = Vec::new();
        for f in self.facts.cny_terms() {
            if relevant(&f.span) {
                out.push(OtherFigure {
                    indicator: format!("{} (CNY terms)", f.indicator.trim()),
                    partner: match norm_partner(&f.partner) {
                        p if p == WORLD => String::new(),
                        p => p,
                    },
                    span: f.span,
                    value: self.pub_raw(f),
                    yoy_pct: self.pub_yoy(f),
                });
            }
        }
        for f in &self.facts.other {
            let ind = f.indicator.trim().to_ascii_lowercase();
            if shown.contains(&ind) || !relevant(&f.span) {
                continue;
            }
            out.push(OtherFigure {
                indicator: ind,
                partner: match norm_partner(&f.partner) {
                    p if p == WORLD => String::new(),
                    p => p,
                },
                span: f.span,
                value: self.pub_raw(f),
                yoy_pct: self.pub_yoy(f),
            });
        }
        out.sort_by(|a, b| {
            (a.span, &a.indicator, &a.partner).cmp(&(b.span, &b.indicator, &b.partner))
        });
        out
    }
}

/// A readable label for an indicator name (`nbs_manufacturing_pmi` → `NBS
/// Manufacturing PMI`).
fn label_of(ind: &str) -> String {
    ind.split('_')
        .map(|w| match w {
            "nbs" | "pmi" | "us" | "eu" | "ev" => w.to_ascii_uppercase(),
            _ => {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The run of consecutive periods on the latest value's side of `threshold`.
fn run_of(points: &[Point], threshold: f64, note: &str) -> Option<Run> {
    let last = points.last()?;
    let below = last.value < threshold;
    let side = |v: f64| (v < threshold) == below;
    let mut len = 1;
    let mut since = last.period;
    let mut complete = false;
    for w in points.windows(2).rev() {
        let (a, b) = (&w[0], &w[1]);
        if b.period != since {
            break;
        }
        if a.period != b.period.previous() {
            break;
        }
        if side(a.value) {
            len += 1;
            since = a.period;
        } else {
            complete = true;
            break;
        }
    }
    let all_held_same_side = points.iter().all(|p| side(p.value));
    let where_ = if below { "below" } else { "at or above" };
    let unit = period_word(&last.period);
    let mut statement = if len == 1 {
        format!("{where_} {} in {}", fmt::number(threshold, 0), last.period)
    } else {
        format!(
            "{where_} {} in each of the last {} held ({since} to {})",
            fmt::number(threshold, 0),
            plural(len, &format!("consecutive {unit}")),
            last.period
        )
    };
    if !complete {
        let before = since.previous();
        statement.push_str(&format!("; {before} is not held, so the run may be longer"));
        if all_held_same_side && points.len() > len {
            statement.push_str(&format!(
                " (all {} observations held since {} are {where_} {})",
                points.len(),
                points[0].period,
                fmt::number(threshold, 0)
            ));
        }
    }
    statement.push('.');
    if !note.trim().is_empty() {
        statement.push_str(&format!(" The source says: \"{}\".", note.trim()));
    }
    Some(Run {
        threshold,
        below,
        length: len,
        since,
        complete,
        statement,
    })
}
