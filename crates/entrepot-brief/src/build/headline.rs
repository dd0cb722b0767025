//! The headline section: exports, imports and balance with their growth, for the
//! period, the year to date and the rolling 12 months.

use super::Builder;
use crate::index::{Ind, WORLD};
use crate::model::{HeadlineRow, Measure, Window};
use entrepot_core::{Period, PeriodSpan};

impl Builder<'_> {
    /// The headline row of a span brief: the span against the same months a year
    /// earlier (none when nothing is held).
    pub(super) fn span_headline_rows(&self, span: PeriodSpan) -> Vec<HeadlineRow> {
        let cmp = span.year_ago();
        let row = HeadlineRow {
            window: Window::Span,
            span,
            comparison_span: cmp,
            exports: self.measure(WORLD, Ind::Export, span, cmp),
            imports: self.measure(WORLD, Ind::Import, span, cmp),
            balance: if self.any_partial() {
                Measure::default()
            } else {
                self.measure(WORLD, Ind::Balance, span, cmp)
            },
        };
        let held = [&row.exports, &row.imports, &row.balance]
            .iter()
            .any(|m| m.level.is_some() || m.yoy_pct.is_some());
        if held {
            vec![row]
        } else {
            Vec::new()
        }
    }

    /// The headline rows for period `p`: the period itself and, for months, the year to
    /// date and the rolling 12 months; rows with nothing held are left out.
    pub(super) fn headline_rows(&self, p: Period) -> Vec<HeadlineRow> {
        let mut windows = vec![(
            Window::Period,
            PeriodSpan::single(p),
            PeriodSpan::single(self.comparator(p)),
        )];
        if p.is_monthly() {
            let ytd = p.year_to_date();
            windows.push((Window::YearToDate, ytd, ytd.year_ago()));
            let r = p.rolling(12);
            windows.push((Window::Rolling12, r, r.year_ago()));
        }
        windows
            .into_iter()
            .map(|(window, span, cmp)| HeadlineRow {
                window,
                span,
                comparison_span: cmp,
                exports: self.measure(WORLD, Ind::Export, span, cmp),
                imports: self.measure(WORLD, Ind::Import, span, cmp),
                // exports minus imports of different partner sets is no balance
                balance: if self.any_partial() {
                    Measure::default()
                } else {
                    self.measure(WORLD, Ind::Balance, span, cmp)
                },
            })
            .filter(|r| {
                [&r.exports, &r.imports, &r.balance]
                    .iter()
                    .any(|m| m.level.is_some() || m.yoy_pct.is_some())
            })
            .collect()
    }
}
