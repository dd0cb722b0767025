//! The report model: everything a renderer needs, already computed and labelled.
//!
//! Every number in a [`Brief`] is a [`Figure`]: a value, its unit, the precision to
//! print it with, and its [`Provenance`] — either *published* (with the source URL and
//! the file line it was read from) or *computed* (with the method and the inputs it was
//! computed from). Renderers format figures; they never compute.
//!
//! The JSON form of this model (`serde_json::to_string(&brief)`) is described by the
//! JSON Schema at `crates/entrepot-brief/schema/brief.schema.json`
//! ([`SCHEMA_VERSION`]). For display, [`brief_document`](crate::brief_document) turns
//! the brief into an `entrepot_doc::Document`, which the renderers of
//! `entrepot-report` print.

use entrepot_core::{Period, PeriodSpan};
use entrepot_doc::Currency;
use serde::{Deserialize, Serialize};

/// Version of the JSON output schema (`schema/brief.schema.json`). The major number
/// changes when a field is removed or changes meaning; the minor number when fields
/// are added.
pub const SCHEMA_VERSION: &str = "1.2";

fn usd() -> Currency {
    Currency::USD
}

/// The unit of a [`Figure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureUnit {
    /// Billions of a currency: US dollars (`usd_bn` in JSON), or the currency a
    /// dataset keeps its values in (`jpy_bn`: the ISO 4217 code in lower case).
    Bn(Currency),
    /// A percentage (a growth rate or a share).
    Percent,
    /// Percentage points (a change in a share, a contribution to growth).
    PercentagePoints,
    /// An index level (e.g. a PMI, 50 = no change).
    Index,
    /// A unit given by the source and kept as written (see the figure's `unit_label`).
    Other,
}

impl FigureUnit {
    /// Billions of US dollars.
    pub const USD_BN: FigureUnit = FigureUnit::Bn(Currency::USD);

    /// The unit's name in JSON (`usd_bn`, `jpy_bn`, `percent`, …).
    pub fn key(&self) -> String {
        match self {
            FigureUnit::Bn(c) => format!("{}_bn", c.code().to_ascii_lowercase()),
            FigureUnit::Percent => "percent".into(),
            FigureUnit::PercentagePoints => "percentage_points".into(),
            FigureUnit::Index => "index".into(),
            FigureUnit::Other => "other".into(),
        }
    }
}

impl Serialize for FigureUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for FigureUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let t = String::deserialize(d)?;
        Ok(match t.as_str() {
            "percent" => FigureUnit::Percent,
            "percentage_points" => FigureUnit::PercentagePoints,
            "index" => FigureUnit::Index,
            "other" => FigureUnit::Other,
            _ => match t.strip_suffix("_bn") {
                Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()) => {
                    FigureUnit::Bn(
                        c.to_ascii_uppercase()
                            .parse::<Currency>()
                            .map_err(serde::de::Error::custom)?,
                    )
                }
                _ => {
                    return Err(serde::de::Error::custom(format!(
                        "unknown figure unit '{t}' (expected <currency>_bn, percent, percentage_points, index or other)"
                    )))
                }
            },
        })
    }
}

/// What a computed figure was computed from, and where a number came from: the one
/// provenance type of Entrepôt's reports, owned by `entrepot-doc` and used here
/// unchanged (same fields, same JSON).
pub use entrepot_doc::{Basis, Provenance};

/// Another report of the same quantity as a [`Figure`], kept side by side and never
/// averaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The value reported.
    pub value: f64,
    /// Whether the source marked it as approximate.
    pub approximate: bool,
    /// Decimals to print it with.
    pub decimals: u8,
    /// Where it came from.
    pub provenance: Provenance,
    /// `value` minus the primary figure's value.
    pub difference: f64,
    /// Whether the two agree within the rounding of the published numbers.
    pub agrees: bool,
}

/// A number with its unit and provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The value, in `unit`.
    pub value: f64,
    /// The unit.
    pub unit: FigureUnit,
    /// The unit as written by the source, for [`FigureUnit::Other`] (and a short
    /// label for the others).
    pub unit_label: String,
    /// Decimals to print it with (as published for published figures).
    pub decimals: u8,
    /// Whether the source marked it as approximate ("about", "nearly", …).
    pub approximate: bool,
    /// Half a unit of the last published digit, propagated through computations: the
    /// value is known to ± this much from rounding alone (0 for exact flow sums).
    pub tolerance: f64,
    /// Where it came from.
    pub provenance: Provenance,
    /// Other reports of the same quantity (cross-checks and conflicting reports). The
    /// primary `value` is the one computed from flows when there is one, otherwise the
    /// first report in source order; an alternative that does not agree is a conflict
    /// that renderers must show.
    pub alternatives: Vec<Alternative>,
}

impl Figure {
    /// Whether another report of the same quantity disagrees with this one.
    pub fn is_conflicted(&self) -> bool {
        self.alternatives.iter().any(|a| !a.agrees)
    }

    /// Whether the figure is quoted as published.
    pub fn is_published(&self) -> bool {
        self.provenance.is_published()
    }
}

/// Frequency of the brief's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// A calendar month.
    Monthly,
    /// A calendar year.
    Annual,
}

/// What the growth rates of a brief compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonKind {
    /// The same period one year earlier (a true year-on-year change).
    YearAgo,
    /// The latest earlier period the store holds, because the year-ago period is not
    /// held (panels with gaps, such as one year in four).
    PreviousAvailable,
}

/// The comparison period of the brief's growth rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Year-ago or previous-available.
    pub kind: ComparisonKind,
    /// The comparison period for the brief's period.
    pub period: Period,
    /// Years between the comparison period and the brief's period.
    pub years_apart: i32,
    /// A sentence saying what "y/y" means in this brief.
    pub description: String,
}

/// A flow whose stored partner rows do not add up to the reporter's total trade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialCoverage {
    /// `export` or `import`.
    pub flow: String,
    /// The partners held in the brief's period (ISO3 codes, sorted).
    pub partners: Vec<String>,
    /// What the flow's total is, in words: `Exports to China`, `Imports (3 partners
    /// held)`.
    pub label: String,
    /// One sentence on why (`the dataset holds ZAF's imports from 1 partner only`).
    pub note: String,
}

/// What the brief was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataBasis {
    /// Where the data came from, as the caller described it (may be empty).
    pub label: String,
    /// Number of stored flow rows used (after choosing the product level).
    pub flow_rows: usize,
    /// The datasets the flows come from.
    pub flow_datasets: Vec<String>,
    /// The product level the flows were aggregated from (`TOTAL`, `HS6`, …), if any.
    pub flow_product_level: Option<String>,
    /// Number of published figures for the reporter that the input held.
    pub published_figures: usize,
    /// One sentence.
    pub description: String,
}

/// A level with its growth rate and comparison level.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Measure {
    /// The level (USD bn).
    pub level: Option<Figure>,
    /// The change against the comparison period, in percent.
    pub yoy_pct: Option<Figure>,
    /// The level in the comparison period (stored, published, or implied by the level
    /// and the published growth rate).
    pub comparison_level: Option<Figure>,
}

/// The window a headline row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The period itself (a month or a year).
    Period,
    /// January to the period's month.
    YearToDate,
    /// The 12 months ending with the period.
    Rolling12,
    /// The months of a span brief (a quarter, any range of months; schema 1.1).
    Span,
}

/// One row of the headline: exports, imports and balance over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineRow {
    /// Which window.
    pub window: Window,
    /// The span it covers.
    pub span: PeriodSpan,
    /// The span it is compared with.
    pub comparison_span: PeriodSpan,
    /// Exports to the world.
    pub exports: Measure,
    /// Imports from the world.
    pub imports: Measure,
    /// Trade balance (exports − imports).
    pub balance: Measure,
}

/// The headline section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Rows for the brief's period (period, year-to-date, rolling 12 months).
    pub current: Vec<HeadlineRow>,
    /// The same rows for the previous period, for context.
    pub previous: Vec<HeadlineRow>,
}

/// The history a record was checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// The periods compared with, in order.
    pub periods: Vec<String>,
    /// A sentence ("checked against 15 months held between 2024-04 and 2025-10").
    pub description: String,
}

/// The kind of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// The period's trade balance against earlier periods of the same frequency.
    PeriodBalance,
    /// The period's exports against earlier periods of the same frequency.
    PeriodExports,
    /// The period's imports against earlier periods of the same frequency.
    PeriodImports,
    /// The year-to-date exports against the same months of earlier years.
    YearToDateExports,
    /// The year-to-date imports against the same months of earlier years.
    YearToDateImports,
    /// The year-to-date balance against the same months of earlier years.
    YearToDateBalance,
    /// A span brief's exports against the same months of earlier years.
    SpanExports,
    /// A span brief's imports against the same months of earlier years.
    SpanImports,
    /// A span brief's balance against the same months of earlier years.
    SpanBalance,
    /// The cumulative (year-to-date) balance against round thresholds and earlier years.
    CumulativeThreshold,
}

/// The direction of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extreme {
    /// The highest value held (for a balance: the largest surplus or smallest deficit).
    High,
    /// The lowest value held (for a balance: the largest deficit or smallest surplus).
    Low,
}

/// A record statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// What is compared.
    pub kind: RecordKind,
    /// The figure compared.
    pub figure: Figure,
    /// The span of the figure.
    pub span: PeriodSpan,
    /// Whether it is a record (the highest or the lowest over the history held).
    pub is_record: bool,
    /// Which record: the highest (a largest surplus, a smallest deficit) or the lowest
    /// value held; `None` when it is not a record (schema 1.1).
    pub extreme: Option<Extreme>,
    /// For thresholds: the highest round threshold crossed (USD bn), if any.
    pub threshold_bn: Option<f64>,
    /// For thresholds: whether no earlier year held reached the threshold.
    pub first_time: bool,
    /// The earlier span that was as high or higher (for "highest since …").
    pub since: Option<String>,
    /// The best earlier value and its span, if any.
    pub previous_best: Option<(String, f64)>,
    /// The statement, in words.
    pub statement: String,
    /// The history it was checked against.
    pub history: History,
}

/// What kind of partner a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// A country or territory.
    Country,
    /// A partner group (EU27, ASEAN, …).
    Group,
    /// All partners not in the table's partition.
    RestOfWorld,
}

/// One row of a partner table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerRow {
    /// ISO3 code or group name (`ROW` for the rest of the world).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Country, group or rest of world.
    pub kind: PartnerKind,
    /// Number of member countries for a group.
    pub members: Option<usize>,
    /// Whether the row belongs to the disjoint set of rows whose contributions add up
    /// to total growth (rows inside an earlier group are not).
    pub in_partition: bool,
    /// The earlier row whose members include this row's ("within ASEAN"), if any.
    pub within: Option<String>,
    /// Value in the period (USD bn).
    pub value: Option<Figure>,
    /// Value in the comparison period (USD bn).
    pub comparison_value: Option<Figure>,
    /// Growth against the comparison period (%).
    pub yoy_pct: Option<Figure>,
    /// Share of the total (%).
    pub share_pct: Option<Figure>,
    /// Share of the total in the comparison period (%).
    pub comparison_share_pct: Option<Figure>,
    /// Change in share (percentage points).
    pub share_change_pp: Option<Figure>,
    /// Contribution to total growth (percentage points).
    pub contribution_pp: Option<Figure>,
}

/// Status of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Holds (within rounding).
    Ok,
    /// Differs by less than 1%.
    MinorDifference,
    /// Differs by 1% or more.
    Mismatch,
    /// Published reports of the same quantity disagree.
    Conflict,
    /// The data held do not allow the check.
    NotCheckable,
}

/// The contribution identity of a partner table: the contributions of a disjoint,
/// exhaustive set of rows add up to total growth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionIdentity {
    /// Whether it holds, or could not be checked.
    pub status: CheckStatus,
    /// Total growth (%).
    pub total_growth_pct: Option<f64>,
    /// Sum of the contributions of the partition rows, rest of world included (pp).
    pub sum_of_contributions_pp: Option<f64>,
    /// Sum of the shares of the partition rows (%).
    pub sum_of_shares_pct: Option<f64>,
    /// Sum minus total growth (pp).
    pub residual_pp: Option<f64>,
    /// A sentence.
    pub note: String,
}

/// The partner table for one flow and one span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartnerTable {
    /// `export` or `import`.
    pub flow: String,
    /// The span.
    pub span: PeriodSpan,
    /// The comparison span.
    pub comparison_span: PeriodSpan,
    /// The total (the reporter's trade with the world).
    pub total: Measure,
    /// The rows.
    pub rows: Vec<PartnerRow>,
    /// The contribution identity.
    pub identity: ContributionIdentity,
    /// Partners of interest for which nothing is held.
    pub not_held: Vec<String>,
}

/// Trade diversion away from the largest shrinking partner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diversion {
    /// The partner (`USA`).
    pub partner: String,
    /// Its name.
    pub partner_name: String,
    /// The span.
    pub span: PeriodSpan,
    /// Growth of the flow to that partner (%).
    pub partner_yoy_pct: Option<Figure>,
    /// Change in the flow to that partner (USD bn, negative).
    pub partner_change_bn: Option<Figure>,
    /// Growth of the flow to all other partners ("exports ex-US").
    pub others_yoy_pct: Option<Figure>,
    /// Change in the flow to all other partners (USD bn).
    pub others_change_bn: Option<Figure>,
    /// Others' gain as a percentage of the loss on the partner (100 = fully made up).
    pub made_up_pct: Option<Figure>,
    /// Change in the partner's share (pp).
    pub share_change_pp: Option<Figure>,
    /// The statement, in words.
    pub statement: String,
}

/// A run of consecutive months on one side of a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The threshold (50 for a PMI).
    pub threshold: f64,
    /// Whether the run is below (true) or at/above (false) the threshold.
    pub below: bool,
    /// Consecutive periods held on that side, ending with the latest.
    pub length: usize,
    /// First period of the run.
    pub since: Period,
    /// Whether the period before the run is held (on the other side): if not, the run
    /// may be longer than the data show.
    pub complete: bool,
    /// The statement, in words.
    pub statement: String,
}

/// One observation of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The period.
    pub period: Period,
    /// The value.
    pub value: f64,
}

/// A context indicator (PMI, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The indicator name as stored (`nbs_manufacturing_pmi`).
    pub indicator: String,
    /// A readable label.
    pub label: String,
    /// The latest value at or before the brief's period.
    pub latest: Figure,
    /// Its period.
    pub latest_period: Period,
    /// The value in the previous period, if held.
    pub previous: Option<Figure>,
    /// The run of months on one side of the threshold, for indicators with one.
    pub run: Option<Run>,
    /// The observations held up to the brief's period.
    pub points: Vec<Point>,
}

/// Another published figure for the period (CNY totals, product growth, …), quoted
/// as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherFigure {
    /// Indicator name as stored.
    pub indicator: String,
    /// Partner, if any.
    pub partner: String,
    /// The span.
    pub span: PeriodSpan,
    /// The level, in the source's unit.
    pub value: Option<Figure>,
    /// The growth rate as published (%).
    pub yoy_pct: Option<Figure>,
}

/// The kind of a consistency check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Balance = exports − imports.
    BalanceIdentity,
    /// Monthly figures summing to a published year-to-date figure.
    MonthsSumToYearToDate,
    /// Several published reports of the same quantity.
    ConflictingReports,
    /// A figure computed from flows against published reports of it.
    FlowsVsPublished,
    /// Partner contributions adding up to total growth.
    ContributionIdentity,
}

/// One figure shown in a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckItem {
    /// What it is.
    pub label: String,
    /// The figure.
    pub figure: Figure,
}

/// A consistency check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The kind.
    pub kind: CheckKind,
    /// What is checked (`balance 2025-11`, `exports to EU27 2025-11 y/y`).
    pub subject: String,
    /// The outcome.
    pub status: CheckStatus,
    /// The figures, side by side.
    pub items: Vec<CheckItem>,
    /// The largest difference between the items, if numeric.
    pub difference: Option<f64>,
    /// A sentence.
    pub detail: String,
}

/// One point of the monthly (or annual) chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The period.
    pub period: Period,
    /// Exports (USD bn).
    pub exports: Option<f64>,
    /// Imports (USD bn).
    pub imports: Option<f64>,
    /// Balance (USD bn).
    pub balance: Option<f64>,
    /// Year-to-date balance (USD bn), monthly briefs only.
    pub ytd_balance: Option<f64>,
}

/// One bar of the contributions chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Partner code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Value (pp).
    pub value: f64,
}

/// A partner's share of the reporter's exports over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareSeries {
    /// Partner code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Shares in percent.
    pub points: Vec<Point>,
}

/// Data for the charts (figures already shown in the tables, as plain numbers).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Charts {
    /// Exports, imports, balance and the year-to-date balance over time.
    pub trend: Vec<TrendPoint>,
    /// Contributions to export growth by partner (pp), with the total last.
    pub contributions: Vec<Bar>,
    /// Total export growth (%), the sum of the bars when the partition is exhaustive.
    pub contributions_total_pct: Option<f64>,
    /// Export shares over time.
    pub shares: Vec<ShareSeries>,
}

/// A published source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Id used by figures (`P1`, …), numbered in order of first use.
    pub id: String,
    /// URL.
    pub url: String,
    /// The facts-file lines quoted from it.
    pub origins: Vec<String>,
}

/// The release brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: String,
    /// Reporter ISO3 code.
    pub reporter: String,
    /// Reporter name.
    pub reporter_name: String,
    /// The currency of the money figures computed from flows (schema 1.2; absent
    /// before: US dollars): a dataset kept in another currency gives a brief in it,
    /// never converted and never compared with figures in another currency.
    #[serde(default = "usd")]
    pub currency: Currency,
    /// The period of the brief (the last month of a span brief).
    pub period: Period,
    /// The span of a span brief (a quarter or any range of months), compared with the
    /// same months a year earlier; `None` for a brief of one month or year (schema
    /// 1.1).
    pub span: Option<PeriodSpan>,
    /// Monthly or annual.
    pub frequency: Frequency,
    /// What growth rates compare with.
    pub comparison: Comparison,
    /// What the brief was built from.
    pub data_basis: DataBasis,
    /// Flows whose stored partner rows are not the reporter's total trade (schema
    /// 1.1): their totals are trade with the partners held.
    pub partial_coverage: Vec<PartialCoverage>,
    /// Headline.
    pub headline: Headline,
    /// Records.
    pub records: Vec<Record>,
    /// Partner tables (exports, then imports; the period, then year-to-date).
    pub partner_tables: Vec<PartnerTable>,
    /// Diversion away from the largest shrinking partner.
    pub diversion: Option<Diversion>,
    /// Context indicators.
    pub indicators: Vec<Indicator>,
    /// Other published figures for the period.
    pub other_figures: Vec<OtherFigure>,
    /// Consistency checks.
    pub checks: Vec<Check>,
    /// Chart data.
    pub charts: Charts,
    /// Published sources, in order of first use.
    pub sources: Vec<Source>,
    /// Notes on what could not be computed and why.
    pub notes: Vec<String>,
}
