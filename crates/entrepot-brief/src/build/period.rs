//! Period logic: the periods held, the default period of a brief, the comparison
//! period (a year ago, or the latest earlier year held in panels with gaps) and the
//! previous period.

use super::{period_word, Builder};
use crate::index::{Ind, WORLD};
use crate::model::{Comparison, ComparisonKind};
use entrepot_core::{FlowKind, Period};
use std::collections::BTreeSet;

impl Builder<'_> {
    /// Single periods for which any trade quantity of the reporter with the world (or
    /// any flow) is held.
    pub(super) fn single_periods_held(&self) -> BTreeSet<Period> {
        let mut s = self.flows.all_periods();
        for (p, _, span) in self.facts.keys() {
            if p == WORLD && span.is_single() {
                s.insert(span.start);
            }
        }
        s
    }

    /// The latest month (or, without months, year) for which the total exports level
    /// is held.
    pub(super) fn default_period(&self, held: &BTreeSet<Period>) -> Period {
        let mut with_exports: BTreeSet<Period> = self
            .flows
            .all_periods()
            .into_iter()
            .filter(|p| self.flows.covers(FlowKind::Export, *p))
            .collect();
        for (p, ind, span) in self.facts.keys() {
            if p == WORLD
                && ind == Ind::Export
                && span.is_single()
                && !self.facts.usd_levels(&p, ind, span).is_empty()
            {
                with_exports.insert(span.start);
            }
        }
        let pick = |set: &BTreeSet<Period>| -> Option<Period> {
            set.iter()
                .filter(|p| p.is_monthly())
                .max()
                .or_else(|| set.iter().max())
                .copied()
        };
        pick(&with_exports)
            .or_else(|| pick(held))
            .unwrap_or(Period::Year(2000))
    }

    /// The comparison period of a single period: a year earlier for months; for years,
    /// the previous year, or the latest earlier year held when that one is not.
    pub(super) fn comparator(&self, p: Period) -> Period {
        if p.is_monthly() {
            return p.year_ago();
        }
        let years: BTreeSet<Period> = self
            .single_periods_held()
            .into_iter()
            .filter(|q| !q.is_monthly())
            .collect();
        if years.is_empty() || years.contains(&p.year_ago()) {
            return p.year_ago();
        }
        years
            .range(..p)
            .next_back()
            .copied()
            .unwrap_or(p.year_ago())
    }

    /// The period before the brief's: the previous month, or the comparison year.
    pub(super) fn previous_period(&self) -> Period {
        if self.period.is_monthly() {
            self.period.previous()
        } else {
            self.comparator(self.period)
        }
    }

    /// What the growth rates of a brief for `self.period` compare with, given the
    /// comparison period `cmp`.
    pub(super) fn comparison(&self, cmp: Period) -> Comparison {
        let p = self.period;
        if let Some(s) = self.span {
            let c = s.year_ago();
            return Comparison {
                kind: ComparisonKind::YearAgo,
                period: c.end,
                years_apart: 1,
                description: format!(
                    "y/y compares {s} with {c}, the same {} months a year earlier.",
                    s.len()
                ),
            };
        }
        if cmp == p.year_ago() {
            Comparison {
                kind: ComparisonKind::YearAgo,
                period: cmp,
                years_apart: 1,
                description: format!(
                    "y/y compares {p} with {cmp}, the same {} a year earlier.",
                    period_word(&p)
                ),
            }
        } else {
            Comparison {
                kind: ComparisonKind::PreviousAvailable,
                period: cmp,
                years_apart: p.year() - cmp.year(),
                description: format!(
                    "{} is not held, so growth compares {p} with {cmp}, the latest earlier year held ({} years apart); published year-on-year rates are not used.",
                    p.year_ago(),
                    p.year() - cmp.year()
                ),
            }
        }
    }
}
