//! Building the brief: resolving every quantity from flows or published figures.

use crate::error::BriefError;
use crate::fmt;
use crate::index::{norm_partner, FactIndex, FlowIndex, Ind, WORLD};
use crate::model::*;
use crate::BriefInput;
use entrepot_core::{CountryRegistry, FlowKind, Period, PeriodSpan, PublishedFigure, Unit};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Code of the rest-of-world row.
const ROW: &str = "ROW";

/// Builds the release brief.
///
/// Errors when nothing is held for the reporter, when the requested period holds
/// nothing, or when a partner of interest is unknown.
pub fn build_brief(input: &BriefInput<'_>) -> Result<Brief, BriefError> {
    let reporter = input.reporter.trim().to_ascii_uppercase();
    let facts = FactIndex::new(input.facts, &reporter);
    let flows = FlowIndex::new(input.flows, &reporter);
    let countries = CountryRegistry::builtin();
    for p in &input.partners_of_interest {
        let c = norm_partner(p);
        if !input.groups.contains(&c) && countries.get(&c).is_none() {
            return Err(BriefError::UnknownPartner {
                partner: p.clone(),
                reason: "neither a partner group nor a known country code".into(),
            });
        }
    }
    let mut b = Builder {
        input,
        reporter,
        facts,
        flows,
        period: Period::Year(2000),
        countries,
        sources: RefCell::new(Sources::default()),
        cache: RefCell::new(HashMap::new()),
        notes: RefCell::new(Vec::new()),
    };
    let held = b.single_periods_held();
    if held.is_empty() {
        return Err(BriefError::NoData {
            reporter: b.reporter.clone(),
        });
    }
    b.period = match input.period {
        Some(p) => {
            let has = held.contains(&p)
                || b.facts.keys().iter().any(|(_, _, s)| s.end == p)
                || b.flows.all_periods().contains(&p);
            if !has {
                let first = held
                    .iter()
                    .next()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                let last = held
                    .iter()
                    .last()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                return Err(BriefError::NoDataForPeriod {
                    reporter: b.reporter.clone(),
                    period: p.to_string(),
                    held: format!("{} periods between {first} and {last}", held.len()),
                });
            }
            p
        }
        None => b.default_period(&held),
    };
    Ok(b.build())
}

#[derive(Default)]
struct Sources {
    list: Vec<Source>,
    by_url: HashMap<String, usize>,
}

struct Builder<'a> {
    input: &'a BriefInput<'a>,
    reporter: String,
    facts: FactIndex<'a>,
    flows: FlowIndex,
    period: Period,
    countries: &'static CountryRegistry,
    sources: RefCell<Sources>,
    cache: RefCell<HashMap<(String, Ind, PeriodSpan), Option<Figure>>>,
    notes: RefCell<Vec<String>>,
}

fn decimals_of(x: f64) -> u8 {
    let s = format!("{x}");
    match s.split_once('.') {
        Some((_, d)) => d.len().min(6) as u8,
        None => 0,
    }
}

/// Whether the compiler marked the figure as approximate. The facts files mark
/// approximations with `approx.` (or a leading `~` on the quoted value); notes that
/// merely quote how *other* outlets rounded the number ("dpa-AFX rounds to ~111.7bn",
/// "many outlets round to 'nearly 29%'") do not make the figure itself approximate,
/// which is why this is stricter than [`PublishedFigure::is_approximate`].
fn is_approx(f: &PublishedFigure) -> bool {
    let n = f.note.trim().to_ascii_lowercase();
    n.contains("approx") || n.starts_with('~')
}

fn half_unit(d: u8) -> f64 {
    0.5 * 10f64.powi(-(d as i32))
}

fn unit_label(u: FigureUnit) -> String {
    match u {
        FigureUnit::UsdBn => "USD bn".into(),
        FigureUnit::Percent => "%".into(),
        FigureUnit::PercentagePoints => "pp".into(),
        FigureUnit::Index => "index".into(),
        FigureUnit::Other => String::new(),
    }
}

/// Adds `other` to `primary`'s alternatives; they agree when their rounding intervals
/// overlap.
fn add_alt(primary: &mut Figure, other: Figure) {
    let difference = other.value - primary.value;
    let agrees = difference.abs() <= primary.tolerance + other.tolerance + 1e-9;
    primary.alternatives.push(Alternative {
        value: other.value,
        approximate: other.approximate,
        decimals: other.decimals,
        provenance: other.provenance,
        difference,
        agrees,
    });
}

/// A computed figure; `None` when the value is not finite.
fn computed(
    value: f64,
    unit: FigureUnit,
    decimals: u8,
    tolerance: f64,
    method: String,
    parts: &[&Figure],
) -> Option<Figure> {
    if !value.is_finite() || !tolerance.is_finite() {
        return None;
    }
    let basis = parts
        .iter()
        .map(|f| f.provenance.basis())
        .reduce(Basis::combine)
        .unwrap_or(Basis::Published);
    let mut inputs: Vec<String> = Vec::new();
    for p in parts {
        for i in p.provenance.input_ids() {
            if !inputs.contains(&i) {
                inputs.push(i);
            }
        }
    }
    Some(Figure {
        value,
        unit,
        unit_label: unit_label(unit),
        decimals,
        approximate: parts.iter().any(|f| f.approximate),
        tolerance,
        provenance: Provenance::Computed {
            basis,
            method,
            inputs,
        },
        alternatives: Vec::new(),
    })
}

/// Growth of `a` over `b` in percent.
fn growth_fig(a: &Figure, b: &Figure) -> Option<Figure> {
    if b.value <= 0.0 || a.value < 0.0 {
        return None;
    }
    let r = a.value / b.value;
    let tol = 100.0 * r * (rel(a) + rel(b));
    computed(
        (r - 1.0) * 100.0,
        FigureUnit::Percent,
        1,
        tol,
        "growth = (value / comparison value - 1) x 100".into(),
        &[a, b],
    )
}

fn rel(f: &Figure) -> f64 {
    if f.value == 0.0 {
        0.0
    } else {
        f.tolerance / f.value.abs()
    }
}

fn diff_fig(a: &Figure, b: &Figure, method: &str) -> Option<Figure> {
    computed(
        a.value - b.value,
        a.unit,
        a.decimals.max(b.decimals),
        a.tolerance + b.tolerance,
        method.to_string(),
        &[a, b],
    )
}

fn period_word(p: &Period) -> &'static str {
    if p.is_monthly() {
        "month"
    } else {
        "year"
    }
}

fn plural(n: usize, w: &str) -> String {
    if n == 1 {
        format!("1 {w}")
    } else {
        format!("{n} {w}s")
    }
}

impl<'a> Builder<'a> {
    // ----- sources and published figures -------------------------------------------

    fn source_id(&self, f: &PublishedFigure) -> String {
        let mut s = self.sources.borrow_mut();
        let url = f.source_url.trim().to_string();
        let idx = match s.by_url.get(&url) {
            Some(&i) => i,
            None => {
                let i = s.list.len();
                s.list.push(Source {
                    id: format!("P{}", i + 1),
                    url: url.clone(),
                    origins: Vec::new(),
                });
                s.by_url.insert(url, i);
                i
            }
        };
        if !s.list[idx].origins.contains(&f.origin) {
            s.list[idx].origins.push(f.origin.clone());
        }
        s.list[idx].id.clone()
    }

    fn published(&self, f: &PublishedFigure) -> Provenance {
        Provenance::Published {
            source_id: self.source_id(f),
            source_url: f.source_url.trim().to_string(),
            origin: f.origin.clone(),
            note: f.note.clone(),
        }
    }

    fn pub_level(&self, f: &PublishedFigure) -> Option<Figure> {
        let usd = f.value_usd()?;
        let raw = f.value?;
        let factor = f.unit.usd_factor()? / 1e9;
        let d = decimals_of(raw);
        let decimals = if factor >= 1000.0 {
            d.saturating_sub(3)
        } else {
            d
        };
        let value = usd / 1e9;
        if !value.is_finite() {
            return None;
        }
        Some(Figure {
            value,
            unit: FigureUnit::UsdBn,
            unit_label: unit_label(FigureUnit::UsdBn),
            decimals,
            approximate: is_approx(f),
            tolerance: half_unit(d) * factor,
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    fn pub_yoy(&self, f: &PublishedFigure) -> Option<Figure> {
        let v = f.yoy_pct.filter(|v| v.is_finite())?;
        let d = decimals_of(v);
        Some(Figure {
            value: v,
            unit: FigureUnit::Percent,
            unit_label: unit_label(FigureUnit::Percent),
            // CSV "1.0" arrives as 1.0: print rates with at least one decimal
            decimals: d.max(1),
            approximate: is_approx(f),
            tolerance: half_unit(d),
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    fn pub_raw(&self, f: &PublishedFigure) -> Option<Figure> {
        let v = f.value.filter(|v| v.is_finite())?;
        let d = decimals_of(v);
        let unit = match f.unit {
            Unit::UsdBn if !f.is_cny_terms() => FigureUnit::UsdBn,
            Unit::Index => FigureUnit::Index,
            Unit::Percent => FigureUnit::Percent,
            _ => FigureUnit::Other,
        };
        Some(Figure {
            value: v,
            unit,
            unit_label: f.unit.label(),
            decimals: if unit == FigureUnit::Index {
                d.max(1)
            } else {
                d
            },
            approximate: is_approx(f),
            tolerance: half_unit(d),
            provenance: self.published(f),
            alternatives: Vec::new(),
        })
    }

    /// The first figure with the others as alternatives.
    fn group(figs: Vec<Figure>) -> Option<Figure> {
        let mut it = figs.into_iter();
        let mut first = it.next()?;
        for o in it {
            add_alt(&mut first, o);
        }
        Some(first)
    }

    // ----- partners ----------------------------------------------------------------

    fn is_group(&self, code: &str) -> bool {
        code != WORLD && self.input.groups.contains(code)
    }

    fn members(&self, code: &str) -> Vec<String> {
        if self.is_group(code) {
            self.input
                .groups
                .members_at(code, &self.period)
                .unwrap_or_default()
        } else {
            vec![code.to_string()]
        }
    }

    fn partner_name(&self, code: &str) -> String {
        match code {
            WORLD => "World".into(),
            ROW => "Rest of world".into(),
            "EU27" => "EU27".into(),
            "EU" => "EU".into(),
            "AFRICA" => "Africa".into(),
            "LATAM" => "Latin America".into(),
            "EUROPE" => "Europe".into(),
            "ASIA" => "Asia".into(),
            "OCEANIA" => "Oceania".into(),
            "NORTH_AMERICA" => "North America".into(),
            "NAFTA_USMCA" => "USMCA".into(),
            _ => self
                .countries
                .get(code)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| code.to_string()),
        }
    }

    // ----- flows -------------------------------------------------------------------

    fn flow_value(&self, code: &str, k: FlowKind, p: Period, members: &[String]) -> Option<f64> {
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

    fn flow_level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
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
                sum(FlowKind::Export)? - sum(FlowKind::Import)?,
                format!("exports - imports, stored flows with {to}{over}"),
            ),
        };
        let value = v / 1e9;
        if !value.is_finite() {
            return None;
        }
        Some(Figure {
            value,
            unit: FigureUnit::UsdBn,
            unit_label: unit_label(FigureUnit::UsdBn),
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

    // ----- levels and growth -------------------------------------------------------

    /// The level of a quantity: from flows, else published, else computed from
    /// published figures (balance = exports − imports, sums over sub-periods).
    fn level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        let key = (code.to_string(), ind, span);
        if let Some(c) = self.cache.borrow().get(&key) {
            return c.clone();
        }
        let r = self.level_uncached(code, ind, span);
        self.cache.borrow_mut().insert(key, r.clone());
        r
    }

    fn level_uncached(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
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
    fn published_level(&self, code: &str, ind: Ind, span: PeriodSpan) -> Option<Figure> {
        let pubs: Vec<Figure> = self
            .facts
            .usd_levels(code, ind, span)
            .into_iter()
            .filter_map(|f| self.pub_level(f))
            .collect();
        Self::group(pubs)
    }

    fn facts_level(&self, code: &str, ind: Ind, span: PeriodSpan, cover: bool) -> Option<Figure> {
        if let Some(f) = self.published_level(code, ind, span) {
            return Some(f);
        }
        if ind == Ind::Balance {
            if let (Some(x), Some(m)) = (
                self.facts_level(code, Ind::Export, span, cover),
                self.facts_level(code, Ind::Import, span, cover),
            ) {
                return diff_fig(&x, &m, "balance = exports - imports");
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
    fn cover_sum(&self, code: &str, ind: Ind, span: PeriodSpan, finest: bool) -> Option<Figure> {
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
            FigureUnit::UsdBn,
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
    fn cover_from(
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
    fn growth(
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

    fn measure(&self, code: &str, ind: Ind, span: PeriodSpan, cmp: PeriodSpan) -> Measure {
        let level = self.level(code, ind, span);
        let cmp_direct = self.level(code, ind, cmp);
        let yoy = self.growth(code, ind, span, cmp, level.as_ref(), cmp_direct.as_ref());
        let comparison_level = cmp_direct.or_else(|| {
            let l = level.as_ref()?;
            let g = yoy.as_ref()?;
            if !g.is_published() || g.is_conflicted() || g.value <= -100.0 {
                return None;
            }
            let f = 1.0 + g.value / 100.0;
            let v = l.value / f;
            let tol = v.abs() * (rel(l) + g.tolerance / (100.0 + g.value));
            computed(
                v,
                FigureUnit::UsdBn,
                2,
                tol,
                "implied comparison level = value / (1 + y/y / 100)".into(),
                &[l, g],
            )
        });
        Measure {
            level,
            yoy_pct: yoy,
            comparison_level,
        }
    }

    // ----- periods -----------------------------------------------------------------

    /// Single periods for which any trade quantity of the reporter with the world (or
    /// any flow) is held.
    fn single_periods_held(&self) -> BTreeSet<Period> {
        let mut s = self.flows.all_periods();
        for (p, _, span) in self.facts.keys() {
            if p == WORLD && span.is_single() {
                s.insert(span.start);
            }
        }
        s
    }

    fn default_period(&self, held: &BTreeSet<Period>) -> Period {
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
    fn comparator(&self, p: Period) -> Period {
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

    // ----- sections ----------------------------------------------------------------

    fn headline_rows(&self, p: Period) -> Vec<HeadlineRow> {
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
                balance: self.measure(WORLD, Ind::Balance, span, cmp),
            })
            .filter(|r| {
                [&r.exports, &r.imports, &r.balance]
                    .iter()
                    .any(|m| m.level.is_some() || m.yoy_pct.is_some())
            })
            .collect()
    }

    fn previous_period(&self) -> Period {
        if self.period.is_monthly() {
            self.period.previous()
        } else {
            self.comparator(self.period)
        }
    }

    fn records(&self) -> Vec<Record> {
        let mut v = Vec::new();
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

    fn period_record(&self, ind: Ind) -> Option<Record> {
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

    fn cumulative_record(&self) -> Option<Record> {
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

    fn partner_table(&self, ind: Ind, span: PeriodSpan, cmp: PeriodSpan) -> Option<PartnerTable> {
        let total = self.measure(WORLD, ind, span, cmp);
        let kind = if ind == Ind::Export {
            FlowKind::Export
        } else {
            FlowKind::Import
        };
        let flows_mode = total
            .level
            .as_ref()
            .is_some_and(|f| f.provenance.is_from_flows());
        let mut codes: Vec<String> = Vec::new();
        for p in &self.input.partners_of_interest {
            let c = norm_partner(p);
            if c != WORLD && c != self.reporter && !codes.contains(&c) {
                codes.push(c);
            }
        }
        if flows_mode {
            let mut by_value: HashMap<String, f64> = HashMap::new();
            for p in span.periods() {
                for c in self.flows.partners_at(kind, p) {
                    *by_value.entry(c.clone()).or_insert(0.0) +=
                        self.flows.partner(c, kind, p).unwrap_or(0.0);
                }
            }
            let mut v: Vec<(String, f64)> = by_value.into_iter().collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut added = 0;
            for (c, _) in v {
                if added >= self.input.top_partners {
                    break;
                }
                if !codes.contains(&c) {
                    codes.push(c);
                    added += 1;
                }
            }
        } else {
            for c in self.facts.partners_with(ind, span) {
                if !codes.contains(&c) && c != self.reporter {
                    codes.push(c);
                }
            }
        }
        let mut rows: Vec<(PartnerRow, Vec<String>)> = Vec::new();
        let mut not_held = Vec::new();
        for code in codes {
            let m = self.measure(&code, ind, span, cmp);
            let empty = m.level.is_none() && m.yoy_pct.is_none();
            let zero = m.level.as_ref().is_some_and(|f| f.value == 0.0)
                && m.comparison_level.as_ref().is_none_or(|f| f.value == 0.0);
            if empty || zero {
                not_held.push(code);
                continue;
            }
            let members = self.members(&code);
            let is_group = self.is_group(&code);
            rows.push((
                PartnerRow {
                    name: self.partner_name(&code),
                    kind: if is_group {
                        PartnerKind::Group
                    } else {
                        PartnerKind::Country
                    },
                    members: if is_group { Some(members.len()) } else { None },
                    code,
                    in_partition: false,
                    within: None,
                    value: m.level,
                    comparison_value: m.comparison_level,
                    yoy_pct: m.yoy_pct,
                    share_pct: None,
                    comparison_share_pct: None,
                    share_change_pp: None,
                    contribution_pp: None,
                },
                members,
            ));
        }
        if rows.is_empty() && total.level.is_none() {
            return None;
        }
        // Partition: rows with both levels whose members do not overlap earlier ones.
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for (row, members) in rows.iter_mut() {
            if row.value.is_some()
                && row.comparison_value.is_some()
                && members.iter().all(|m| !covered.contains(m))
            {
                row.in_partition = true;
                covered.extend(members.iter().cloned());
            }
        }
        let sets: Vec<BTreeSet<String>> = rows
            .iter()
            .map(|(_, m)| m.iter().cloned().collect())
            .collect();
        for i in 0..rows.len() {
            let within = (0..rows.len())
                .find(|&j| j != i && sets[j].len() > sets[i].len() && sets[i].is_subset(&sets[j]))
                .map(|j| rows[j].0.code.clone());
            rows[i].0.within = within;
        }
        let mut rows: Vec<PartnerRow> = rows.into_iter().map(|(r, _)| r).collect();
        // Rest of world, from flows only.
        if flows_mode {
            let sum_rest = |s: PeriodSpan| -> Option<f64> {
                let mut t = 0.0;
                for p in s.periods() {
                    if !self.flows.covers(kind, p) {
                        return None;
                    }
                    for c in self.flows.partners_at(kind, p) {
                        if !covered.contains(c) {
                            t += self.flows.partner(c, kind, p).unwrap_or(0.0);
                        }
                    }
                }
                Some(t / 1e9)
            };
            let mk = |v: f64, s: PeriodSpan| Figure {
                value: v,
                unit: FigureUnit::UsdBn,
                unit_label: unit_label(FigureUnit::UsdBn),
                decimals: 2,
                approximate: false,
                tolerance: 0.0,
                provenance: Provenance::Computed {
                    basis: Basis::Flows,
                    method: format!(
                        "sum of stored {} flows, {s}, with all partners not in the rows above",
                        ind.flow_name()
                    ),
                    inputs: vec![self.flows.tag()],
                },
                alternatives: Vec::new(),
            };
            let value = sum_rest(span).map(|v| mk(v, span));
            let comparison_value = sum_rest(cmp).map(|v| mk(v, cmp));
            let yoy = match (&value, &comparison_value) {
                (Some(a), Some(b)) => growth_fig(a, b),
                _ => None,
            };
            rows.push(PartnerRow {
                code: ROW.into(),
                name: self.partner_name(ROW),
                kind: PartnerKind::RestOfWorld,
                members: None,
                in_partition: true,
                within: None,
                value,
                comparison_value,
                yoy_pct: yoy,
                share_pct: None,
                comparison_share_pct: None,
                share_change_pp: None,
                contribution_pp: None,
            });
        }
        // Shares and contributions.
        for row in rows.iter_mut() {
            if let (Some(v), Some(t)) = (&row.value, &total.level) {
                row.share_pct = share(v, t);
            }
            if let (Some(v), Some(t)) = (&row.comparison_value, &total.comparison_level) {
                row.comparison_share_pct = share(v, t);
            }
            if let (Some(a), Some(b)) = (&row.share_pct, &row.comparison_share_pct) {
                row.share_change_pp = computed(
                    a.value - b.value,
                    FigureUnit::PercentagePoints,
                    2,
                    a.tolerance + b.tolerance,
                    "change in share = share - comparison share".into(),
                    &[a, b],
                );
            }
            if let (Some(v), Some(cv), Some(ct)) =
                (&row.value, &row.comparison_value, &total.comparison_level)
            {
                if ct.value > 0.0 {
                    let c = (v.value - cv.value) / ct.value * 100.0;
                    let tol = 100.0 * (v.tolerance + cv.tolerance) / ct.value + c.abs() * rel(ct);
                    row.contribution_pp = computed(
                        c,
                        FigureUnit::PercentagePoints,
                        2,
                        tol,
                        "contribution = (value - comparison value) / comparison total x 100".into(),
                        &[v, cv, ct],
                    );
                }
            }
        }
        let identity = self.identity(&rows, &total, flows_mode);
        Some(PartnerTable {
            flow: ind.flow_name().to_string(),
            span,
            comparison_span: cmp,
            total,
            rows,
            identity,
            not_held,
        })
    }

    fn identity(
        &self,
        rows: &[PartnerRow],
        total: &Measure,
        flows_mode: bool,
    ) -> ContributionIdentity {
        let part: Vec<&PartnerRow> = rows.iter().filter(|r| r.in_partition).collect();
        let has_row = rows.iter().any(|r| r.kind == PartnerKind::RestOfWorld);
        let g = total.yoy_pct.as_ref().map(|f| f.value);
        let contribs: Option<f64> = part
            .iter()
            .map(|r| r.contribution_pp.as_ref().map(|f| f.value))
            .sum();
        let shares: Option<f64> = part
            .iter()
            .map(|r| r.share_pct.as_ref().map(|f| f.value))
            .sum();
        if flows_mode && has_row {
            if let (Some(g), Some(c)) = (g, contribs) {
                let res = c - g;
                let ok = res.abs() <= 1e-6 * g.abs().max(1.0);
                return ContributionIdentity {
                    status: if ok { CheckStatus::Ok } else { CheckStatus::Mismatch },
                    total_growth_pct: Some(g),
                    sum_of_contributions_pp: Some(c),
                    sum_of_shares_pct: shares,
                    residual_pp: Some(res),
                    note: format!(
                        "The contributions of the {} disjoint rows (rest of world included) add up to total growth of {}% (residual {:.1e} pp); their shares add up to {}%.",
                        part.len(),
                        fmt::signed(g, 2),
                        res,
                        shares.map(|s| fmt::number(s, 6)).unwrap_or_else(|| "-".into())
                    ),
                };
            }
        }
        let with_levels = rows
            .iter()
            .filter(|r| r.kind != PartnerKind::RestOfWorld && r.contribution_pp.is_some())
            .count();
        let n = rows
            .iter()
            .filter(|r| r.kind != PartnerKind::RestOfWorld)
            .count();
        ContributionIdentity {
            status: CheckStatus::NotCheckable,
            total_growth_pct: g,
            sum_of_contributions_pp: None,
            sum_of_shares_pct: None,
            residual_pp: None,
            note: format!(
                "Levels in both periods are held for {with_levels} of the {n} partners, and the partners held do not cover all trade: contributions are shown where levels allow, growth rates as published, and the identity cannot be checked."
            ),
        }
    }

    fn diversion(&self, table: &PartnerTable) -> Option<Diversion> {
        let cands: Vec<&PartnerRow> = table
            .rows
            .iter()
            .filter(|r| r.kind == PartnerKind::Country)
            .collect();
        let by_level = cands
            .iter()
            .filter(|r| r.in_partition)
            .filter_map(|r| {
                let d = r.value.as_ref()?.value - r.comparison_value.as_ref()?.value;
                (d < 0.0).then_some((*r, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let row = match by_level {
            Some((r, _)) => r,
            None => {
                cands
                    .iter()
                    .filter_map(|r| r.yoy_pct.as_ref().map(|g| (*r, g.value)))
                    .filter(|(_, g)| *g < 0.0)
                    .min_by(|a, b| a.1.total_cmp(&b.1))?
                    .0
            }
        };
        let name = row.name.clone();
        let mut d = Diversion {
            partner: row.code.clone(),
            partner_name: name.clone(),
            span: table.span,
            partner_yoy_pct: row.yoy_pct.clone(),
            partner_change_bn: None,
            others_yoy_pct: None,
            others_change_bn: None,
            made_up_pct: None,
            share_change_pp: row.share_change_pp.clone(),
            statement: String::new(),
        };
        let flow = if table.flow == "export" {
            "Exports to"
        } else {
            "Imports from"
        };
        let others_word = if table.flow == "export" {
            "exports"
        } else {
            "imports"
        };
        if let (Some(v), Some(cv), Some(t), Some(ct)) = (
            &row.value,
            &row.comparison_value,
            &table.total.level,
            &table.total.comparison_level,
        ) {
            d.partner_change_bn = diff_fig(v, cv, "change = value - comparison value");
            let on = diff_fig(t, v, &format!("total - {}", row.code));
            let oc = diff_fig(ct, cv, &format!("comparison total - {}", row.code));
            if let (Some(on), Some(oc)) = (on, oc) {
                d.others_yoy_pct = growth_fig(&on, &oc);
                d.others_change_bn = diff_fig(&on, &oc, "change = value - comparison value");
            }
            if let (Some(pc), Some(oc)) = (&d.partner_change_bn, &d.others_change_bn) {
                if pc.value < 0.0 {
                    d.made_up_pct = computed(
                        oc.value / -pc.value * 100.0,
                        FigureUnit::Percent,
                        0,
                        (oc.value / pc.value * 100.0).abs() * (rel(oc) + rel(pc)),
                        format!("others' change / loss on {} x 100", row.code),
                        &[oc, pc],
                    );
                }
            }
        }
        let g = d
            .partner_yoy_pct
            .as_ref()
            .map(|f| format!(" {}", fmt::change(f)))
            .unwrap_or_default();
        let mut s = format!(
            "{flow} {name}, the largest shrinking partner, {}:{g}",
            table.span
        );
        if let Some(pc) = &d.partner_change_bn {
            s.push_str(&format!(" ({})", fmt::change(pc)));
        }
        s.push('.');
        match (&d.others_yoy_pct, &d.others_change_bn, &d.made_up_pct) {
            (Some(og), Some(oc), made) => {
                s.push_str(&format!(
                    " {} {others_word} ex-{}: {} ({}).",
                    self.reporter,
                    row.code,
                    fmt::change(og),
                    fmt::change(oc)
                ));
                if let Some(m) = made {
                    s.push_str(&format!(
                        " Other partners made up {} of the loss on {name}.",
                        fmt::level(m)
                    ));
                }
            }
            _ => s.push_str(&format!(
                " Levels for {name} and the total are not both held, so growth excluding {name} cannot be computed."
            )),
        }
        if let Some(sc) = &d.share_change_pp {
            let now = row
                .share_pct
                .as_ref()
                .map(|f| format!(" to {}", fmt::level(f)))
                .unwrap_or_default();
            s.push_str(&format!(
                " The share of {name} changed {}{now}.",
                fmt::change(sc)
            ));
        }
        d.statement = s;
        Some(d)
    }

    fn indicators(&self) -> Vec<Indicator> {
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

    fn other_figures(&self, shown: &BTreeSet<String>) -> Vec<OtherFigure> {
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

    // ----- checks ------------------------------------------------------------------

    fn checks(&self, headline: &Headline, tables: &[PartnerTable]) -> Vec<Check> {
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
                    let Some(c) = diff_fig(&x, &m, "balance = exports - imports") else {
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
                } else if (f.unit == FigureUnit::UsdBn
                    && f.value != 0.0
                    && (a.difference / f.value).abs() < 0.01)
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

    // ----- charts ------------------------------------------------------------------

    fn chart_periods(&self) -> Vec<Period> {
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

    fn charts(&self, tables: &[PartnerTable]) -> Charts {
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
            .find(|t| t.flow == "export" && t.span == PeriodSpan::single(self.period))
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
                    (tot > 0.0).then(|| Point {
                        period: *q,
                        value: v / tot * 100.0,
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

    // ----- assembly ----------------------------------------------------------------

    fn build(&self) -> Brief {
        let p = self.period;
        let cmp = self.comparator(p);
        let comparison = if cmp == p.year_ago() {
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
        };
        let headline = Headline {
            current: self.headline_rows(p),
            previous: self.headline_rows(self.previous_period()),
        };
        let records = self.records();
        let mut tables = Vec::new();
        let mut spans = vec![(PeriodSpan::single(p), PeriodSpan::single(cmp))];
        if p.is_monthly() && p.month_of_year() != Some(1) {
            let ytd = p.year_to_date();
            spans.push((ytd, ytd.year_ago()));
        }
        for ind in [Ind::Export, Ind::Import] {
            for (s, c) in &spans {
                if let Some(t) = self.partner_table(ind, *s, *c) {
                    if !t.rows.is_empty() {
                        tables.push(t);
                    }
                }
            }
        }
        let diversion = tables
            .iter()
            .find(|t| t.flow == "export" && t.span == PeriodSpan::single(p))
            .and_then(|t| self.diversion(t));
        let indicators = self.indicators();
        let shown: BTreeSet<String> = indicators.iter().map(|i| i.indicator.clone()).collect();
        let other_figures = self.other_figures(&shown);
        let checks = self.checks(&headline, &tables);
        let charts = self.charts(&tables);
        let mut notes = self.notes.borrow().clone();
        if self.flows.is_empty() {
            notes.push("No stored flows for this reporter: every number is a published figure or computed from published figures; levels that were not published are not invented (growth rates are then shown as published).".into());
        }
        if !self.facts.cny_terms().is_empty() {
            notes.push("Figures in yuan terms are kept apart from US-dollar figures (see 'other published figures').".into());
        }
        let data_basis = DataBasis {
            label: self.input.data_label.clone(),
            flow_rows: self.flows.rows,
            flow_datasets: self.flows.datasets.iter().cloned().collect(),
            flow_product_level: self.flows.product_level.clone(),
            published_figures: self.facts.count,
            description: match (self.flows.is_empty(), self.facts.count) {
                (true, n) => format!("{n} published figures; no stored flows"),
                (false, 0) => format!(
                    "{} stored flow rows ({})",
                    self.flows.rows,
                    self.flows
                        .datasets
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (false, n) => format!(
                    "{} stored flow rows ({}) and {n} published figures",
                    self.flows.rows,
                    self.flows
                        .datasets
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        };
        let brief = Brief {
            schema_version: SCHEMA_VERSION.to_string(),
            reporter: self.reporter.clone(),
            reporter_name: self.partner_name(&self.reporter),
            period: p,
            frequency: if p.is_monthly() {
                Frequency::Monthly
            } else {
                Frequency::Annual
            },
            comparison,
            data_basis,
            headline,
            records,
            partner_tables: tables,
            diversion,
            indicators,
            other_figures,
            checks,
            charts,
            sources: Vec::new(),
            notes,
        };
        let all = self.sources.borrow().list.clone();
        renumber_sources(brief, all)
    }
}

fn prep(flow: &str) -> &'static str {
    if flow == "import" {
        "from"
    } else {
        "to"
    }
}

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

fn share(v: &Figure, t: &Figure) -> Option<Figure> {
    if t.value <= 0.0 {
        return None;
    }
    let s = v.value / t.value * 100.0;
    computed(
        s,
        FigureUnit::Percent,
        2,
        s.abs() * (rel(v) + rel(t)),
        "share = value / total x 100".into(),
        &[v, t],
    )
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
    let relative = if b.value != 0.0 {
        (d / b.value).abs()
    } else {
        0.0
    };
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

/// Keeps only the sources the brief refers to, numbered in reading order.
fn renumber_sources(brief: Brief, all: Vec<Source>) -> Brief {
    let Ok(mut v) = serde_json::to_value(&brief) else {
        return brief;
    };
    let mut order: Vec<String> = Vec::new();
    collect_ids(&v, &mut order);
    let map: HashMap<String, String> = order
        .iter()
        .enumerate()
        .map(|(i, old)| (old.clone(), format!("P{}", i + 1)))
        .collect();
    rewrite_ids(&mut v, &map);
    let Ok(mut out) = serde_json::from_value::<Brief>(v) else {
        return brief;
    };
    let by_id: HashMap<&str, &Source> = all.iter().map(|s| (s.id.as_str(), s)).collect();
    out.sources = order
        .iter()
        .filter_map(|old| {
            let s = by_id.get(old.as_str())?;
            Some(Source {
                id: map.get(old).cloned().unwrap_or_default(),
                url: s.url.clone(),
                origins: s.origins.clone(),
            })
        })
        .collect();
    out
}

fn is_source_id(s: &str) -> bool {
    s.len() > 1 && s.starts_with('P') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

fn collect_ids(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("source_id", serde_json::Value::String(s)) if is_source_id(s) => {
                        if !out.contains(s) {
                            out.push(s.clone());
                        }
                    }
                    ("inputs", serde_json::Value::Array(a)) => {
                        for i in a {
                            if let serde_json::Value::String(s) = i {
                                if is_source_id(s) && !out.contains(s) {
                                    out.push(s.clone());
                                }
                            }
                        }
                    }
                    _ => collect_ids(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_ids(x, out)),
        _ => {}
    }
}

fn rewrite_ids(v: &mut serde_json::Value, map: &HashMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match (k.as_str(), x) {
                    ("source_id", serde_json::Value::String(s)) => {
                        if let Some(n) = map.get(s.as_str()) {
                            *s = n.clone();
                        }
                    }
                    ("inputs", serde_json::Value::Array(a)) => {
                        for i in a.iter_mut() {
                            if let serde_json::Value::String(s) = i {
                                if let Some(n) = map.get(s.as_str()) {
                                    *s = n.clone();
                                }
                            }
                        }
                    }
                    (_, x) => rewrite_ids(x, map),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| rewrite_ids(x, map)),
        _ => {}
    }
}
