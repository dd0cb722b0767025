//! Building the brief: every quantity resolved from stored flows or published
//! figures, then assembled section by section.
//!
//! [`build_brief`] validates the input, picks the period and hands a [`Builder`] the
//! work. The builder holds the look-up indexes, the registry of published sources and a
//! cache of resolved levels; each job is a module adding methods to it:
//!
//! * [`sources`]: the published sources (numbered in order of first use) and the
//!   figures quoted from them (levels, growth rates, other units).
//! * [`figures`]: building computed [`Figure`]s (growth, share, contribution, change,
//!   implied level) from other figures: the value comes from `entrepot_core::formulas`,
//!   the rounding tolerance and the provenance are propagated here.
//! * [`levels`]: resolving a level (flows first, then published, then computed from
//!   published figures: balances, sums of sub-periods), its growth and comparison
//!   level ([`Measure`]).
//! * [`period`]: the periods held, the default period, the comparison period (year ago
//!   or previous available) and the previous period.
//! * Sections, in the brief's order: [`headline`], [`records`], [`partners`] (the partner
//!   tables with shares, contributions and the contribution identity), [`diversion`],
//!   [`indicators`] (context indicators and other published figures), [`checks`] and
//!   [`charts`].
//! * [`renumber`]: keeps only the sources the finished brief refers to, numbered in
//!   reading order.

mod charts;
mod checks;
mod diversion;
mod figures;
mod headline;
mod indicators;
mod levels;
mod partners;
mod period;
mod records;
mod renumber;
mod sources;

use crate::error::BriefError;
use crate::index::{norm_partner, FactIndex, FlowIndex, Ind};
use crate::model::{
    Brief, DataBasis, Figure, Frequency, Headline, PartialCoverage, SCHEMA_VERSION,
};
use crate::BriefInput;
use entrepot_core::{CountryRegistry, FlowKind, Period, PeriodSpan};
use renumber::renumber_sources;
use sources::Sources;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// Code of the rest-of-world row.
const ROW: &str = "ROW";

/// Builds the release brief.
///
/// Errors when nothing is held for the reporter, when the requested period holds
/// nothing, or when a partner of interest is unknown.
pub fn build_brief(input: &BriefInput<'_>) -> Result<Brief, BriefError> {
    let reporter = input.reporter.trim().to_ascii_uppercase();
    let facts = FactIndex::new(input.facts, &reporter);
    let mut flows = FlowIndex::new(input.flows, &reporter);
    // A year asked for on monthly data: the year is the sum of its twelve months
    // (every complete year is added, so that it has a comparison and a history); a
    // year with months missing is refused, naming them.
    if let Some(Period::Year(y)) = input.period {
        let incomplete = flows.add_years_from_months();
        for kind in [FlowKind::Export, FlowKind::Import] {
            if let Some(months) = incomplete.get(&(kind, y)) {
                let missing: Vec<String> = (1..=12u8)
                    .filter(|m| !months.contains(m))
                    .map(|m| format!("{y}-{m:02}"))
                    .collect();
                return Err(BriefError::IncompleteYear {
                    reporter: reporter.clone(),
                    flow: if kind == FlowKind::Export {
                        "exports".into()
                    } else {
                        "imports".into()
                    },
                    year: y,
                    held: months.len(),
                    missing: missing.join(", "),
                });
            }
        }
    }
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
    // A span brief: every month of the span held for each flow that is held at all.
    if let Some(span) = input.span {
        if !span.start.is_monthly() || !span.end.is_monthly() {
            return Err(BriefError::NotMonthlySpan {
                span: span.to_string(),
            });
        }
        for kind in [FlowKind::Export, FlowKind::Import] {
            if flows.is_empty() || !flows.all_periods().iter().any(|p| flows.covers(kind, *p)) {
                continue;
            }
            let months = span.periods();
            let missing: Vec<String> = months
                .iter()
                .filter(|m| !flows.covers(kind, **m))
                .map(|m| m.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(BriefError::IncompleteSpan {
                    reporter: reporter.clone(),
                    flow: if kind == FlowKind::Export {
                        "exports".into()
                    } else {
                        "imports".into()
                    },
                    span: span.to_string(),
                    months: months.len(),
                    held: months.len() - missing.len(),
                    missing: missing.join(", "),
                });
            }
        }
    }
    let mut b = Builder {
        input,
        reporter,
        facts,
        flows,
        span: input.span,
        period: Period::Year(2000),
        partial_coverage: Vec::new(),
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
    b.period = match input.span.map(|s| s.end).or(input.period) {
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
    b.partial_coverage = [Ind::Export, Ind::Import]
        .into_iter()
        .filter_map(|ind| b.coverage_of(ind))
        .collect();
    Ok(b.build())
}

/// The state shared by every step of building one brief.
struct Builder<'a> {
    input: &'a BriefInput<'a>,
    reporter: String,
    facts: FactIndex<'a>,
    flows: FlowIndex,
    /// The span of a span brief (then `period` is its last month).
    span: Option<PeriodSpan>,
    period: Period,
    /// The flows held for some partners only in the brief's period (see `coverage_of`),
    /// decided once the period is known.
    partial_coverage: Vec<PartialCoverage>,
    countries: &'static CountryRegistry,
    sources: RefCell<Sources>,
    cache: RefCell<HashMap<(String, Ind, PeriodSpan), Option<Figure>>>,
    notes: RefCell<Vec<String>>,
}

impl Builder<'_> {
    /// The unit of the money figures computed from flows: billions of the flows'
    /// currency.
    fn money(&self) -> crate::FigureUnit {
        crate::FigureUnit::Bn(self.input.currency)
    }
}

/// `month` or `year`.
fn period_word(p: &Period) -> &'static str {
    if p.is_monthly() {
        "month"
    } else {
        "year"
    }
}

/// `1 month`, `3 months`.
fn plural(n: usize, w: &str) -> String {
    if n == 1 {
        format!("1 {w}")
    } else {
        format!("{n} {w}s")
    }
}

impl Builder<'_> {
    /// Assembles the brief, section by section.
    fn build(&self) -> Brief {
        let p = self.period;
        let cmp = self.comparator(p);
        let comparison = self.comparison(cmp);
        let headline = match self.span {
            Some(s) => Headline {
                current: self.span_headline_rows(s),
                previous: self.span_headline_rows(s.year_ago()),
            },
            None => Headline {
                current: self.headline_rows(p),
                previous: self.headline_rows(self.previous_period()),
            },
        };
        let records = self.records();
        let mut tables = Vec::new();
        let mut spans = vec![(self.main_span(), self.main_comparison_span())];
        if self.span.is_none() && p.is_monthly() && p.month_of_year() != Some(1) {
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
            .filter(|_| self.partial(Ind::Export).is_none())
            .find(|t| t.flow == "export" && t.span == self.main_span())
            .and_then(|t| self.diversion(t));
        let indicators = self.indicators();
        let shown: BTreeSet<String> = indicators.iter().map(|i| i.indicator.clone()).collect();
        let other_figures = self.other_figures(&shown);
        let checks = self.checks(&headline, &tables);
        let charts = self.charts(&tables);
        let mut notes = self.notes.borrow().clone();
        if !self.flows.years_from_months.is_empty() && !self.period.is_monthly() {
            notes.push(format!(
                "Annual values of {} are sums of the twelve monthly values held ({}); years with a month missing are not computed.",
                self.reporter,
                self.flows
                    .years_from_months
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if self.flows.is_empty() {
            notes.push("No stored flows for this reporter: every number is a published figure or computed from published figures; levels that were not published are not invented (growth rates are then shown as published).".into());
        }
        if !self.facts.cny_terms().is_empty() {
            notes.push("Figures in yuan terms are kept apart from US-dollar figures (see 'other published figures').".into());
        }
        let data_basis = self.data_basis();
        let partial_coverage = self.partial_coverage.clone();
        for c in &partial_coverage {
            notes.push(c.note.clone());
        }
        let brief = Brief {
            schema_version: SCHEMA_VERSION.to_string(),
            reporter: self.reporter.clone(),
            reporter_name: self.partner_name(&self.reporter),
            currency: self.input.currency,
            period: p,
            span: self.span,
            frequency: if p.is_monthly() {
                Frequency::Monthly
            } else {
                Frequency::Annual
            },
            comparison,
            data_basis,
            partial_coverage,
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

    /// Whether the stored partner rows of `ind` in the brief's period are less than
    /// the reporter's total (declared partial by the caller, and no world row held),
    /// and if so which partners they cover. Balances are never partial themselves:
    /// they are absent when a flow is.
    fn coverage_of(&self, ind: Ind) -> Option<PartialCoverage> {
        let kind = match ind {
            Ind::Export => FlowKind::Export,
            Ind::Import => FlowKind::Import,
            Ind::Balance => return None,
        };
        let p = self.period;
        if !self.input.partial_flows.contains(&kind)
            || !self.flows.covers(kind, p)
            || self.flows.has_world_row(kind, p)
        {
            return None;
        }
        let mut partners: Vec<String> = self.flows.partners_at(kind, p).to_vec();
        partners.sort();
        let (dir, to) = if ind == Ind::Export {
            ("Exports", "to")
        } else {
            ("Imports", "from")
        };
        let label = match partners.as_slice() {
            [one] => format!("{dir} {to} {}", self.partner_name(one)),
            many => format!("{dir} ({} partners held)", many.len()),
        };
        let note = format!(
            "{} of {} are held for {} only, not for all partners: totals, shares and the rest are of trade with the partners held; no balance, records or diversion are computed from them.",
            ind.name(),
            self.reporter,
            match partners.as_slice() {
                [one] => self.partner_name(one),
                many => format!("{} partners", many.len()),
            }
        );
        Some(PartialCoverage {
            flow: ind.flow_name().to_string(),
            partners,
            label,
            note,
        })
    }

    /// The brief's main window: the span of a span brief, else its period.
    pub(super) fn main_span(&self) -> PeriodSpan {
        self.span.unwrap_or(PeriodSpan::single(self.period))
    }

    /// What the main window compares with: the same months a year earlier for a span,
    /// else the comparison period.
    pub(super) fn main_comparison_span(&self) -> PeriodSpan {
        match self.span {
            Some(s) => s.year_ago(),
            None => PeriodSpan::single(self.comparator(self.period)),
        }
    }

    /// The partial coverage of `ind` in the brief's period, if it is partial.
    pub(super) fn partial(&self, ind: Ind) -> Option<&PartialCoverage> {
        self.partial_coverage
            .iter()
            .find(|c| c.flow == ind.flow_name())
    }

    /// Whether exports or imports are partial (then no balance is computed).
    pub(super) fn any_partial(&self) -> bool {
        !self.partial_coverage.is_empty()
    }

    /// What the brief was built from.
    fn data_basis(&self) -> DataBasis {
        DataBasis {
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
        }
    }
}
