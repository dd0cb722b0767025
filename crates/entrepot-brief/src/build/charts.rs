//! Chart data: the trend of exports, imports and balance, contributions to export
//! growth by partner, and export shares over time.

use super::Builder;
use crate::index::{Ind, WORLD};
use crate::model::{
    Bar, Charts, PartnerKind, PartnerRow, PartnerTable, Point, ShareSeries, TrendPoint,
};
use entrepot_core::{formulas, Period, PeriodSpan};

impl Builder<'_> {
    /// The periods on the charts: the 24 months ending with a monthly brief's period, or
    /// the years held up to an annual one.
    pub(super) fn chart_periods(&self) -> Vec<Period> {
        let p = self.period;
        if p.is_monthly() {
            PeriodSpan {
                start: p.shift(-23),
                end: p,
            }
            .periods()
        } else {
            self.single_periods_held()
                .into_iter()
                .filter(|q| !q.is_monthly() && *q <= p)
                .collect()
        }
    }

    /// The chart data: trend, contributions to export growth and export shares.
    pub(super) fn charts(&self, tables: &[PartnerTable]) -> Charts {
        let periods = self.chart_periods();
        let val = |code: &str, ind: Ind, s: PeriodSpan| self.level(code, ind, s).map(|f| f.value);
        let trend: Vec<TrendPoint> = periods
            .iter()
            .map(|q| {
                let s = PeriodSpan::single(*q);
                TrendPoint {
                    period: *q,
                    exports: val(WORLD, Ind::Export, s),
                    imports: val(WORLD, Ind::Import, s),
                    balance: val(WORLD, Ind::Balance, s),
                    ytd_balance: if q.is_monthly() {
                        val(WORLD, Ind::Balance, q.year_to_date())
                    } else {
                        None
                    },
                }
            })
            .collect();
        // keep every period from the first one with data, so that gaps show as gaps
        let has = |t: &TrendPoint| {
            t.exports.is_some()
                || t.imports.is_some()
                || t.balance.is_some()
                || t.ytd_balance.is_some()
        };
        let first = trend.iter().position(has).unwrap_or(trend.len());
        let trend: Vec<TrendPoint> = trend.into_iter().skip(first).collect();
        let mut charts = Charts {
            trend,
            ..Charts::default()
        };
        let Some(t) = tables
            .iter()
            .find(|t| t.flow == "export" && t.span == self.main_span())
        else {
            return charts;
        };
        charts.contributions = t
            .rows
            .iter()
            .filter(|r| r.kind == PartnerKind::RestOfWorld || r.in_partition || r.within.is_none())
            .filter_map(|r| {
                Some(Bar {
                    code: r.code.clone(),
                    label: r.name.clone(),
                    value: r.contribution_pp.as_ref()?.value,
                })
            })
            .collect();
        charts.contributions_total_pct = t.total.yoy_pct.as_ref().map(|f| f.value);
        let mut by_share: Vec<&PartnerRow> = t
            .rows
            .iter()
            .filter(|r| r.kind != PartnerKind::RestOfWorld && r.share_pct.is_some())
            .filter(|r| r.in_partition || r.within.is_none())
            .collect();
        by_share.sort_by(|a, b| {
            let va = a.share_pct.as_ref().map(|f| f.value).unwrap_or(0.0);
            let vb = b.share_pct.as_ref().map(|f| f.value).unwrap_or(0.0);
            vb.total_cmp(&va)
        });
        for r in by_share.into_iter().take(6) {
            let points: Vec<Point> = periods
                .iter()
                .filter_map(|q| {
                    let s = PeriodSpan::single(*q);
                    let v = val(&r.code, Ind::Export, s)?;
                    let tot = val(WORLD, Ind::Export, s)?;
                    Some(Point {
                        period: *q,
                        value: formulas::share_pct(v, tot)?,
                    })
                })
                .collect();
            if !points.is_empty() {
                charts.shares.push(ShareSeries {
                    code: r.code.clone(),
                    label: r.name.clone(),
                    points,
                });
            }
        }
        charts
    }
}
