//! # entrepot-brief
//!
//! The analysis behind `entrepot brief`: from stored trade flows and published figures,
//! the chain of claims a news story makes about one monthly (or annual) trade release —
//! headline exports, imports and balance with their growth, records, a partner table
//! with shares and contributions to growth, diversion away from the largest shrinking
//! partner, context indicators, and consistency checks.
//!
//! The crate is pure: no I/O, no parsing. [`build_brief`] takes a [`BriefInput`] and
//! returns a [`Brief`], the analysis' model (its JSON follows
//! `schema/brief.schema.json`); [`brief_document`] lays it out as an
//! `entrepot_doc::Document`, which `entrepot-report` renders in every format. Every
//! number of the brief is a [`Figure`] carrying its [`Provenance`] (the one provenance
//! type of `entrepot-doc`):
//!
//! * **computed** from stored flows (preferred when flows cover the quantity; published
//!   reports of the same quantity are kept as cross-checks with their difference),
//! * **published**, quoted with its source URL and facts-file line,
//! * or **computed from published figures** (balance = exports − imports, sums of
//!   months, shares, implied year-ago levels = value / (1 + y/y)), which says so.
//!
//! A level that is neither stored nor published is never invented: when only a growth
//! rate is published, the brief shows the rate as published. Conflicting reports of the
//! same quantity are kept side by side ([`Figure::alternatives`], and a
//! [`CheckKind::ConflictingReports`] check), never averaged.
//!
//! ## Growth rates over gaps
//! Monthly briefs compare with the same month a year earlier. Annual briefs compare
//! with the previous year when it is held; in a panel with gaps (one year in four) they
//! compare with the latest earlier year held, and [`Brief::comparison`] says so
//! ([`ComparisonKind::PreviousAvailable`]). Published growth rates (always year-on-year)
//! are then not used, since they measure something else.
//!
//! ## Partner groups
//! Group values are sums over the group's members at the end of the brief's period,
//! applied to both periods (constant composition).

mod build;
pub mod document;
mod error;
pub mod fmt;
mod index;
pub mod model;

pub use build::build_brief;
pub use document::brief_document;
pub use error::BriefError;
pub use model::*;

use entrepot_core::{FlowKind, GroupRegistry, Period, PeriodSpan, PublishedFigure, TradeFlow};

/// The partners and groups shown by default, in table order.
pub const DEFAULT_PARTNERS: &[&str] = &[
    "USA", "EU27", "ASEAN", "AFRICA", "LATAM", "JPN", "KOR", "IND", "RUS", "VNM", "AUS", "GBR",
    "HKG", "TWN",
];

/// What a brief is built from.
#[derive(Debug, Clone)]
pub struct BriefInput<'a> {
    /// Reporter ISO3 code (`CHN`).
    pub reporter: String,
    /// The period; `None` picks the latest month (or, without monthly data, year) for
    /// which the reporter's total exports level is held.
    pub period: Option<Period>,
    /// Stored flows of the reporter (others are ignored). Any product level: totals are
    /// used when present, otherwise the most detailed HS rows are summed.
    pub flows: &'a [TradeFlow],
    /// Published figures (those of other reporters are ignored).
    pub facts: &'a [PublishedFigure],
    /// Partner groups.
    pub groups: &'a GroupRegistry,
    /// Partners and groups of interest, in table order (ISO3 codes or group names).
    pub partners_of_interest: Vec<String>,
    /// With flows: how many more partners (the largest not already listed) to add to
    /// the partner table.
    pub top_partners: usize,
    /// Where the data came from, in words (`embedded sample`, `store … dataset …`);
    /// shown in the brief's data basis.
    pub data_label: String,
    /// A range of months for a span brief (a quarter, `2018-04..2018-09`): the
    /// headline, the partner tables, records and diversion are over the span, compared
    /// with the same months a year earlier; every month of it must be held. Takes
    /// precedence over `period`, which becomes the span's last month.
    pub span: Option<PeriodSpan>,
    /// Flows whose partner rows do not cover all of the reporter's partners (a dataset
    /// that holds some partners only, mirror figures from the few reporters a dataset
    /// holds). Without a world row, their sum is then trade with the partners held,
    /// not the reporter's total: the brief names the partners ("exports to China"),
    /// computes no balance, records or diversion from it, and calls the rest "other
    /// partners held". Empty: the partner rows of every flow are complete (the caller
    /// knows: a BACI exporter's rows, a Comtrade file with a world row).
    pub partial_flows: Vec<FlowKind>,
    /// The currency of the flows' values (US dollars unless the dataset kept them in
    /// another currency): the unit of every figure computed from them.
    pub currency: entrepot_doc::Currency,
}

impl<'a> BriefInput<'a> {
    /// An input with the defaults: latest period, [`DEFAULT_PARTNERS`], 10 extra
    /// partners. Pass `GroupRegistry::builtin()` for the built-in groups.
    pub fn new(
        reporter: &str,
        flows: &'a [TradeFlow],
        facts: &'a [PublishedFigure],
        groups: &'a GroupRegistry,
    ) -> Self {
        BriefInput {
            reporter: reporter.trim().to_ascii_uppercase(),
            period: None,
            flows,
            facts,
            groups,
            partners_of_interest: DEFAULT_PARTNERS.iter().map(|s| s.to_string()).collect(),
            top_partners: 10,
            data_label: String::new(),
            partial_flows: Vec::new(),
            span: None,
            currency: entrepot_doc::Currency::USD,
        }
    }

    /// Sets the period.
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }
}
