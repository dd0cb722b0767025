//! Consistency checks: balance identities, months summing to year-to-date figures,
//! conflicting published reports, flows against published figures, and the
//! contribution identities of the partner tables.

use super::figures::balance_fig;
use super::Builder;
use crate::fmt;
use crate::index::{Ind, WORLD};
use crate::model::{
    Check, CheckItem, CheckKind, CheckStatus, Figure, FigureUnit, Headline, PartnerTable,
};
use entrepot_core::{formulas, Period};

impl Builder<'_> {
    /// The consistency checks of the brief, in the order of [`CheckKind`].
    pub(super) fn checks(&self, headline: &Headline, tables: &[PartnerTable]) -> Vec<Check> {
        let mut out = Vec::new();
        // 1. balance = exports - imports
        for (i, row) in headline
            .current
            .iter()
            .chain(headline.previous.iter())
            .enumerate()
        {
            let span = row.span;
            let subject = format!("balance {span}");
            let x = self.level(WORLD, Ind::Export, span);
            let m = self.level(WORLD, Ind::Import, span);
            let direct = if self.flows.is_empty() {
                self.published_level(WORLD, Ind::Balance, span)
            } else {
                self.level(WORLD, Ind::Balance, span)
            };
            match (x, m, direct) {
                (Some(x), Some(m), Some(b)) => {
                    let Some(c) = balance_fig(&x, &m) else {
                        continue;
                    };
                    if c.provenance.is_from_flows() && b.provenance.is_from_flows() {
                        continue;
                    }
                    out.push(compare_check(
                        CheckKind::BalanceIdentity,
                        subject,
                        vec![
                            ("exports".into(), x),
                            ("imports".into(), m),
                            ("exports - imports".into(), c.clone()),
                            ("balance".into(), b.clone()),
                        ],
                        &c,
                        &b,
                    ));
                }
                (x, m, b) if i == 0 => {
                    let missing: Vec<&str> = [
                        (x.is_none(), "exports level"),
                        (m.is_none(), "imports level"),
                        (b.is_none(), "published balance"),
                    ]
                    .iter()
                    .filter(|(miss, _)| *miss)
                    .map(|(_, s)| *s)
                    .collect();
                    out.push(Check {
                        kind: CheckKind::BalanceIdentity,
                        subject,
                        status: CheckStatus::NotCheckable,
                        items: Vec::new(),
                        difference: None,
                        detail: format!("not held: {}", missing.join(", ")),
                    });
                }
                _ => {}
            }
        }
        // 2. monthly figures summing to published year-to-date figures
        if self.period.is_monthly() {
            let y = self.period.year();
            let last = self.period.month_of_year().unwrap_or(1);
            for ind in [Ind::Export, Ind::Import, Ind::Balance] {
                for mth in 2..=last {
                    let Ok(end) = Period::month(y, mth) else {
                        continue;
                    };
                    let span = end.year_to_date();
                    let Some(published) = self.published_level(WORLD, ind, span) else {
                        continue;
                    };
                    let subject = format!("{} {span}", ind.name());
                    match self.cover_sum(WORLD, ind, span, true) {
                        Some(sum) => out.push(compare_check(
                            CheckKind::MonthsSumToYearToDate,
                            subject,
                            vec![
                                ("sum of monthly figures".into(), sum.clone()),
                                ("published year-to-date".into(), published.clone()),
                            ],
                            &sum,
                            &published,
                        )),
                        None if mth == last => out.push(Check {
                            kind: CheckKind::MonthsSumToYearToDate,
                            subject,
                            status: CheckStatus::NotCheckable,
                            items: vec![CheckItem {
                                label: "published year-to-date".into(),
                                figure: published,
                            }],
                            difference: None,
                            detail: "the monthly figures held do not cover the span".into(),
                        }),
                        None => {}
                    }
                }
            }
        }
        // 3. conflicting published reports of the same quantity
        for (partner, ind, span) in self.facts.keys() {
            if span.end != self.period {
                continue;
            }
            let who = if partner == WORLD {
                String::new()
            } else if ind == Ind::Import {
                format!(" from {partner}")
            } else {
                format!(" to {partner}")
            };
            for (what, figs) in [
                (
                    "y/y",
                    self.facts
                        .usd_yoys(&partner, ind, span)
                        .into_iter()
                        .filter_map(|f| self.pub_yoy(f))
                        .collect::<Vec<_>>(),
                ),
                (
                    "level",
                    self.facts
                        .usd_levels(&partner, ind, span)
                        .into_iter()
                        .filter_map(|f| self.pub_level(f))
                        .collect::<Vec<_>>(),
                ),
            ] {
                if figs.len() < 2 {
                    continue;
                }
                let Some(g) = Self::group(figs.clone()) else {
                    continue;
                };
                let conflict = g.is_conflicted();
                let max = figs.iter().map(|f| f.value).fold(f64::MIN, f64::max);
                let min = figs.iter().map(|f| f.value).fold(f64::MAX, f64::min);
                let shown: Vec<String> = figs
                    .iter()
                    .map(|f| {
                        if what == "y/y" {
                            fmt::change(f)
                        } else {
                            fmt::level(f)
                        }
                    })
                    .collect();
                out.push(Check {
                    kind: CheckKind::ConflictingReports,
                    subject: format!("{}{who} {span} {what}", ind.name()),
                    status: if conflict {
                        CheckStatus::Conflict
                    } else {
                        CheckStatus::Ok
                    },
                    items: figs
                        .into_iter()
                        .enumerate()
                        .map(|(i, f)| CheckItem {
                            label: format!("report {}", i + 1),
                            figure: f,
                        })
                        .collect(),
                    difference: Some(max - min),
                    detail: if conflict {
                        format!(
                            "published reports disagree: {}; shown side by side, not averaged",
                            shown.join(" vs ")
                        )
                    } else {
                        format!("reports agree within rounding: {}", shown.join(" vs "))
                    },
                });
            }
        }
        // 4. figures computed from flows against published reports
        let mut cross: Vec<(String, &Figure)> = Vec::new();
        for row in &headline.current {
            for (n, m) in [
                ("exports", &row.exports),
                ("imports", &row.imports),
                ("balance", &row.balance),
            ] {
                if let Some(f) = &m.level {
                    cross.push((format!("{n} {}", row.span), f));
                }
                if let Some(f) = &m.yoy_pct {
                    cross.push((format!("{n} {} y/y", row.span), f));
                }
            }
        }
        for t in tables {
            for r in &t.rows {
                if let Some(f) = &r.value {
                    cross.push((
                        format!("{}s {} {} {}", t.flow, prep(&t.flow), r.code, t.span),
                        f,
                    ));
                }
                if let Some(f) = &r.yoy_pct {
                    cross.push((
                        format!("{}s {} {} {} y/y", t.flow, prep(&t.flow), r.code, t.span),
                        f,
                    ));
                }
            }
        }
        for (subject, f) in cross {
            if !f.provenance.is_from_flows() || f.alternatives.is_empty() {
                continue;
            }
            let mut items = vec![CheckItem {
                label: "computed from flows".into(),
                figure: f.clone(),
            }];
            let mut worst = CheckStatus::Ok;
            let mut maxd: f64 = 0.0;
            for a in &f.alternatives {
                let alt_fig = Figure {
                    value: a.value,
                    unit: f.unit,
                    unit_label: f.unit_label.clone(),
                    decimals: a.decimals,
                    approximate: a.approximate,
                    tolerance: 0.0,
                    provenance: a.provenance.clone(),
                    alternatives: Vec::new(),
                };
                items.push(CheckItem {
                    label: "published".into(),
                    figure: alt_fig,
                });
                maxd = maxd.max(a.difference.abs());
                let st = if a.agrees {
                    CheckStatus::Ok
                } else if (matches!(f.unit, FigureUnit::Bn(_))
                    && formulas::relative_difference(a.value, f.value).is_some_and(|r| r < 0.01))
                    || (f.unit == FigureUnit::Percent && a.difference.abs() < 1.0)
                {
                    CheckStatus::MinorDifference
                } else {
                    CheckStatus::Mismatch
                };
                worst = worse(worst, st);
            }
            out.push(Check {
                kind: CheckKind::FlowsVsPublished,
                subject,
                status: worst,
                items,
                difference: Some(maxd),
                detail: "stored flows against the published figures for the same quantity".into(),
            });
        }
        // 5. contribution identity
        for t in tables {
            out.push(Check {
                kind: CheckKind::ContributionIdentity,
                subject: format!("{} contributions {}", t.flow, t.span),
                status: t.identity.status,
                items: Vec::new(),
                difference: t.identity.residual_pp,
                detail: t.identity.note.clone(),
            });
        }
        out
    }
}

/// `from` for imports, `to` otherwise.
fn prep(flow: &str) -> &'static str {
    if flow == "import" {
        "from"
    } else {
        "to"
    }
}

/// The more serious of two statuses.
fn worse(a: CheckStatus, b: CheckStatus) -> CheckStatus {
    let rank = |s: CheckStatus| match s {
        CheckStatus::Ok => 0,
        CheckStatus::NotCheckable => 1,
        CheckStatus::MinorDifference => 2,
        CheckStatus::Mismatch => 3,
        CheckStatus::Conflict => 4,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// A check comparing a computed figure `a` with a reference `b`.
fn compare_check(
    kind: CheckKind,
    subject: String,
    items: Vec<(String, Figure)>,
    a: &Figure,
    b: &Figure,
) -> Check {
    let d = a.value - b.value;
    let tol = a.tolerance + b.tolerance + 1e-9;
    let relative = formulas::relative_difference(a.value, b.value).unwrap_or(0.0);
    let status = if d.abs() <= tol {
        CheckStatus::Ok
    } else if relative < 0.01 {
        CheckStatus::MinorDifference
    } else {
        CheckStatus::Mismatch
    };
    let dec = a.decimals.max(b.decimals);
    let detail = match status {
        CheckStatus::Ok => format!(
            "{} vs {}: agrees within rounding (difference {})",
            fmt::level(a),
            fmt::level(b),
            fmt::signed(d, dec)
        ),
        _ => format!(
            "{} vs {}: differs by {} ({}%), more than rounding explains (revisions or different sources)",
            fmt::level(a),
            fmt::level(b),
            fmt::signed(d, dec),
            fmt::number(relative * 100.0, 2)
        ),
    };
    Check {
        kind,
        subject,
        status,
        items: items
            .into_iter()
            .map(|(label, figure)| CheckItem { label, figure })
            .collect(),
        difference: Some(d),
        detail,
    }
}
