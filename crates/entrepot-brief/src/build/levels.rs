//! Resolving a quantity: a level from stored flows when they cover it, else as
//! published, else computed from published figures (balance = exports − imports, sums
//! of sub-periods covering the span); then its growth and comparison level.

use super::figures::{
    add_alt, balance_fig, computed, growth_fig, implied_level_fig, unit_label, USD_PER_BN,
};
use super::Builder;
use crate::index::{Ind, WORLD};
use crate::model::{Basis, Figure, Measure, Provenance};
use entrepot_core::{formulas, FlowKind, Period, PeriodSpan};

impl Builder<'_> {
    /// The stored flow with a partner (the sum over `members` for a group) in one period
    /// (USD); `None` when the period is not held.
    pub(super) fn flow_value(
        &self,
        code: &str,
        k: FlowKind,
        p: Period,
        members: &[String],
    ) -> Option<f64> {
        if code == WORLD {
            return self.flows.world(k, p);
        }
        if !self.flows.covers(k, p) {
            return None;
        }
        Some(
            members
                .iter()
                .map(|c| self.flows.partner(c, k, p).unwrap_or(0.0))
                .sum(),
        )
    }

    /// The level of a quantity summed from stored flows over `span` (USD bn); `None`
    /// when the flows do not cover every period of the span.
    pub(super) fn flow_level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        if self.flows.is_empty() {
            return None;
        }
        let periods = span.periods();
        let members = self.members(code);
        let sum = |k: FlowKind| -> Option<f64> {
            let mut s = 0.0;
            for p in &periods {
                s += self.flow_value(code, k, *p, &members)?;
            }
            Some(s)
        };
        let to = if code == WORLD {
            "all partners".to_string()
        } else if self.is_group(code) {
            format!("the {} members of {code}", members.len())
        } else {
            code.to_string()
        };
        let over = if periods.len() > 1 {
            format!(", summed over {} periods", periods.len())
        } else {
            String::new()
        };
        let (v, method) = match ind {
            Ind::Export => (
                sum(FlowKind::Export)?,
                format!("sum of stored export flows to {to}{over}"),
            ),
            Ind::Import => (
                sum(FlowKind::Import)?,
                format!("sum of stored import flows from {to}{over}"),
            ),
            Ind::Balance => (
                formulas::balance(sum(FlowKind::Export)?, sum(FlowKind::Import)?)?,
                format!("exports - imports, stored flows with {to}{over}"),
            ),
        };
        let value = v / USD_PER_BN;
        if !value.is_finite() {
            return None;
        }
        Some(Figure {
            value,
            unit: self.money(),
            unit_label: unit_label(self.money()),
            decimals: 2,
            approximate: false,
            tolerance: 0.0,
            provenance: Provenance::Computed {
                basis: Basis::Flows,
                method,
                inputs: vec![self.flows.tag()],
            },
            alternatives: Vec::new(),
        })
    }

    /// The level of a quantity: from flows, else published, else computed from
    /// published figures (balance = exports − imports, sums over sub-periods).
    pub(super) fn level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        let key = (code.to_string(), ind, span);
        if let Some(c) = self.cache.borrow().get(&key) {
            return c.clone();
        }
        let r = self.level_uncached(code, ind, span);
        self.cache.borrow_mut().insert(key, r.clone());
        r
    }

    /// The uncached resolution behind [`Builder::level`]; published reports of a level
    /// computed from flows become its alternatives.
    pub(super) fn level_uncached(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        if let Some(mut f) = self.flow_level(code, ind, span) {
            for p in self.facts.usd_levels(code, ind, span) {
                if let Some(pf) = self.pub_level(p) {
                    add_alt(&mut f, pf);
                }
            }
            return Some(f);
        }
        self.facts_level(code, ind, span, true)
    }

    /// Published level of exactly this span (several reports kept side by side).
    pub(super) fn published_level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        let pubs: Vec<Figure> = self
            .facts
            .usd_levels(code, ind, span)
            .into_iter()
            .filter_map(|f| self.pub_level(f))
            .collect();
        Self::group(pubs)
    }

    /// The level from published figures only: as published, else a balance computed
    /// from published exports and imports, else (with `cover`) a sum over sub-spans.
    pub(super) fn facts_level(
        &self,
        code: &str,
        ind: Ind,
        span: PeriodSpan,
        cover: bool,
    ) -> Option<Figure> {
        if let Some(f) = self.published_level(code, ind, span) {
            return Some(f);
        }
        if ind == Ind::Balance {
            if let (Some(x), Some(m)) = (
                self.facts_level(code, Ind::Export, span, cover),
                self.facts_level(code, Ind::Import, span, cover),
            ) {
                return balance_fig(&x, &m);
            }
        }
        if cover && span.len() > 1 {
            return self.cover_sum(code, ind, span, false);
        }
        None
    }

    /// The sum of published (or balance-derived) figures over sub-spans that exactly
    /// cover `span`: longest sub-spans first (fewest rounded inputs), or with `finest`,
    /// shortest first (monthly figures where they exist). The span itself is excluded,
    /// so the sum is independent of a figure published for the whole span.
    pub(super) fn cover_sum(
        &self,
        code: &str,
        ind: Ind,
        span: PeriodSpan,
        finest: bool,
    ) -> Option<Figure> {
        let mut parts: Vec<(PeriodSpan, Figure)> = Vec::new();
        if !self.cover_from(code, ind, span.start, span.end, span, finest, &mut parts, 0) {
            return None;
        }
        let refs: Vec<&Figure> = parts.iter().map(|(_, f)| f).collect();
        let total: f64 = refs.iter().map(|f| f.value).sum();
        let tol: f64 = refs.iter().map(|f| f.tolerance).sum();
        let dec = refs.iter().map(|f| f.decimals).max().unwrap_or(2);
        let names: Vec<String> = parts.iter().map(|(s, _)| s.to_string()).collect();
        computed(
            total,
            refs.first().map_or(self.money(), |f| f.unit),
            dec,
            tol,
            format!(
                "sum of {} figures covering {span} ({})",
                parts.len(),
                names.join(", ")
            ),
            &refs,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn cover_from(
        &self,
        code: &str,
        ind: Ind,
        start: Period,
        end: Period,
        whole: PeriodSpan,
        finest: bool,
        out: &mut Vec<(PeriodSpan, Figure)>,
        depth: usize,
    ) -> bool {
        if start > end {
            return true;
        }
        if depth > 24 {
            return false;
        }
        let ends: Vec<Period> = if finest {
            PeriodSpan { start, end }.periods()
        } else {
            PeriodSpan { start, end }
                .periods()
                .into_iter()
                .rev()
                .collect()
        };
        for e in ends {
            let s = PeriodSpan { start, end: e };
            if s == whole {
                continue;
            }
            if let Some(f) = self.facts_level(code, ind, s, false) {
                out.push((s, f));
                if self.cover_from(code, ind, e.shift(1), end, whole, finest, out, depth + 1) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }

    /// Growth against `cmp`: computed from flows when both levels come from flows,
    /// else as published (year-on-year only), else computed from the levels.
    pub(super) fn growth(
        &self,
        code: &str,
        ind: Ind,
        span: PeriodSpan,
        cmp: PeriodSpan,
        level: Option<&Figure>,
        cmp_level: Option<&Figure>,
    ) -> Option<Figure> {
        let computed = match (level, cmp_level) {
            (Some(a), Some(b)) => growth_fig(a, b),
            _ => None,
        };
        let pubs: Vec<Figure> = if cmp == span.year_ago() {
            self.facts
                .usd_yoys(code, ind, span)
                .into_iter()
                .filter_map(|f| self.pub_yoy(f))
                .collect()
        } else {
            Vec::new()
        };
        match (computed, Self::group(pubs.clone())) {
            (Some(mut c), _) if c.provenance.is_from_flows() => {
                for p in pubs {
                    add_alt(&mut c, p);
                }
                Some(c)
            }
            (Some(c), Some(mut p)) => {
                add_alt(&mut p, c);
                Some(p)
            }
            (Some(c), None) => Some(c),
            (None, Some(p)) => Some(p),
            (None, None) => None,
        }
    }

    /// A level with its growth against `cmp` and its comparison level: stored or
    /// published, or else implied by the level and an undisputed published growth rate.
    pub(super) fn measure(
        &self,
        code: &str,
        ind: Ind,
        span: PeriodSpan,
        cmp: PeriodSpan,
    ) -> Measure {
        let level = self.level(code, ind, span);
        let cmp_direct = self.level(code, ind, cmp);
        let yoy = self.growth(code, ind, span, cmp, level.as_ref(), cmp_direct.as_ref());
        let comparison_level = cmp_direct.or_else(|| {
            let l = level.as_ref()?;
            let g = yoy.as_ref()?;
            if !g.is_published() || g.is_conflicted() {
                return None;
            }
            implied_level_fig(l, g)
        });
        Measure {
            level,
            yoy_pct: yoy,
            comparison_level,
        }
    }
}
