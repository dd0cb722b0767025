//! The brief as a report document: [`brief_document`] lays a [`Brief`] out as an
//! [`entrepot_doc::Document`] — headline table and chart, records, partner tables with
//! their totals, identities and charts, diversion, context indicators, consistency
//! checks, notes, sources and methods — for the renderers of `entrepot-report`.
//!
//! Nothing is computed here: every number is a figure of the brief, converted with its
//! provenance. The brief's published sources keep their ids (`P1` is `P1`); computed
//! figures get their `C` ids in the order a reader meets them (figures only in the
//! CSV's detail columns last), so every format prints the same marker for the same
//! figure. A figure the brief does not have (not published, not
//! computable from the data held) becomes a missing cell with the reason, never a
//! number.

use crate::model::{
    Brief, Check, CheckStatus, Diversion, Figure, FigureUnit, HeadlineRow, Measure, PartnerKind,
    PartnerTable, Window,
};
use entrepot_core::{Period, PeriodSpan};
use entrepot_doc as doc;
use entrepot_doc::{
    Bar, Block, Cell, Chart, Citations, Column, Currency, Document, FigureItem, Mark, Note, Plot,
    Row, Scale, Section, Series, Unit,
};

/// The [`Document::kind`] of a brief.
pub const DOCUMENT_KIND: &str = "release_brief";

/// Why a level is absent.
const NO_LEVEL: &str = "not published, and not computable from the data held";
/// Why a growth rate is absent.
const NO_GROWTH: &str = "no growth rate published, and no level held in both periods";
/// Why a comparison level is absent.
const NO_COMPARISON: &str = "no level of the comparison period held, published or implied";
/// Why a share, a change in share or a contribution is absent.
const NO_SHARE: &str = "needs the partner's and the total's levels (in both periods for changes)";

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The brief as a report document (see the module documentation).
pub fn brief_document(b: &Brief) -> Document {
    let mut w = Writer {
        cite: Citations::new(),
    };
    for s in &b.sources {
        w.cite.add_source(&s.id, &s.url, &s.origins);
    }
    let mut d = Document::new(
        DOCUMENT_KIND,
        format!(
            "Release brief: {} ({}), {}",
            b.reporter_name,
            b.reporter,
            b.span
                .map_or_else(|| b.period.to_string(), |s| s.to_string())
        ),
    );
    d.currency = Some(b.currency);
    let mut basis = format!("Data: {}", b.data_basis.description);
    if !b.data_basis.label.is_empty() {
        basis.push_str(&format!(" — {}", b.data_basis.label));
    }
    d.lead = vec![format!("{basis}."), b.comparison.description.clone()];
    d.sections.push(w.headline(b));
    if !b.records.is_empty() {
        d.sections.push(w.records(b));
    }
    d.sections.push(w.partners(b));
    if let Some(div) = &b.diversion {
        d.sections.push(w.diversion(div));
    }
    if !b.indicators.is_empty() || !b.other_figures.is_empty() {
        d.sections.push(w.context(b));
    }
    if !b.checks.is_empty() {
        d.sections.push(w.checks(b));
    }
    if !b.notes.is_empty() {
        d.sections.push(Section {
            id: "notes".into(),
            title: "Notes".into(),
            blocks: b.notes.iter().map(|n| Block::Note(Note::text(n))).collect(),
        });
    }
    (d.sources, d.methods) = w.cite.into_parts();
    d.number_methods_in_reading_order();
    d
}

/// The document unit of a brief figure: money units name their currency.
pub fn figure_unit(f: &Figure) -> Unit {
    match f.unit {
        FigureUnit::Bn(c) => Unit::money(c, Scale::Billions),
        FigureUnit::Percent => Unit::Percent,
        FigureUnit::PercentagePoints => Unit::PercentagePoints,
        FigureUnit::Index => Unit::Index,
        FigureUnit::Other => money_label(&f.unit_label).unwrap_or_else(|| Unit::Other {
            label: f.unit_label.clone(),
        }),
    }
}

/// `USD bn`, `CNY tn`, … as a money unit.
fn money_label(label: &str) -> Option<Unit> {
    let (code, scale) = label.trim().split_once(' ')?;
    let currency: Currency = code.parse().ok()?;
    let scale = match scale.trim() {
        "bn" => Scale::Billions,
        "tn" => Scale::Trillions,
        "m" | "mn" => Scale::Millions,
        "k" => Scale::Thousands,
        _ => return None,
    };
    Some(Unit::money(currency, scale))
}

/// `Nov 2025`, `Jan-Nov 2025`, `12m to Nov 2025`.
fn window_label(w: Window, span: &PeriodSpan) -> String {
    fn month_name(p: &Period) -> String {
        match p.month_of_year() {
            Some(m) => format!(
                "{} {}",
                MONTHS[(m as usize).saturating_sub(1) % 12],
                p.year()
            ),
            None => p.year().to_string(),
        }
    }
    match w {
        Window::Period => month_name(&span.end),
        Window::YearToDate => match (span.start.month_of_year(), span.end.month_of_year()) {
            (Some(a), Some(b)) if a != b => format!(
                "{}-{} {}",
                MONTHS[(a as usize).saturating_sub(1) % 12],
                MONTHS[(b as usize).saturating_sub(1) % 12],
                span.end.year()
            ),
            _ => month_name(&span.end),
        },
        Window::Rolling12 => format!("12m to {}", month_name(&span.end)),
        Window::Span => {
            let (a, b) = (span.start, span.end);
            match (a.month_of_year(), b.month_of_year()) {
                (Some(x), Some(y)) if a.year() == b.year() && x != y => format!(
                    "{}-{} {}",
                    MONTHS[(x as usize).saturating_sub(1) % 12],
                    MONTHS[(y as usize).saturating_sub(1) % 12],
                    b.year()
                ),
                _ if a == b => month_name(&b),
                _ => format!("{}-{}", month_name(&a), month_name(&b)),
            }
        }
    }
}

fn column(key: &str, label: &str) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        detail: false,
    }
}

fn detail(key: &str) -> Column {
    Column {
        key: key.into(),
        label: key.into(),
        detail: true,
    }
}

fn doc_check_status(s: CheckStatus) -> doc::CheckStatus {
    match s {
        CheckStatus::Ok => doc::CheckStatus::Ok,
        CheckStatus::MinorDifference => doc::CheckStatus::Warning,
        CheckStatus::Mismatch | CheckStatus::Conflict => doc::CheckStatus::Conflict,
        CheckStatus::NotCheckable => doc::CheckStatus::NotCheckable,
    }
}

/// A status in words.
fn status_word(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Ok => "holds",
        CheckStatus::MinorDifference => "minor difference",
        CheckStatus::Mismatch => "does not hold",
        CheckStatus::Conflict => "conflict",
        CheckStatus::NotCheckable => "not checkable",
    }
}

/// Converts the brief's figures, citing them in reading order.
struct Writer {
    cite: Citations,
}

impl Writer {
    /// A document figure; `signed` prints it as a change.
    fn figure(&mut self, f: &Figure, signed: bool) -> doc::Figure {
        let (source, provenance) = self.cite.cite(&f.provenance);
        let alternatives = f
            .alternatives
            .iter()
            .map(|a| {
                self.cite.alternative(
                    a.value,
                    a.approximate,
                    a.decimals,
                    &a.provenance,
                    a.difference,
                    a.agrees,
                )
            })
            .collect();
        doc::Figure {
            value: f.value,
            unit: figure_unit(f),
            decimals: f.decimals,
            signed,
            approximate: f.approximate,
            tolerance: f.tolerance,
            source,
            provenance,
            alternatives,
        }
    }

    /// A figure cell, or a missing cell with `reason`.
    fn cell(&mut self, f: Option<&Figure>, signed: bool, reason: &str) -> Cell {
        match f {
            Some(f) => Cell::figure(self.figure(f, signed)),
            None => Cell::missing(reason),
        }
    }

    fn headline(&mut self, b: &Brief) -> Section {
        // A flow held for some partners only is named by them ("Exports to China").
        let label = |flow: &str, whole: &str| -> String {
            b.partial_coverage
                .iter()
                .find(|c| c.flow == flow)
                .map_or_else(|| whole.to_string(), |c| c.label.clone())
        };
        let columns = vec![
            column("window", ""),
            column("measure", ""),
            column("exports", &label("export", "Exports")),
            column("imports", &label("import", "Imports")),
            column("balance", "Balance"),
        ];
        let mut rows = Vec::new();
        for r in &b.headline.current {
            rows.extend(self.measure_rows(r));
        }
        let mut blocks = vec![Block::Table(doc::Table {
            id: "headline".into(),
            title: String::new(),
            source: None,
            columns: columns.clone(),
            rows,
            footer: Vec::new(),
        })];
        if !b.headline.previous.is_empty() {
            let mut rows = Vec::new();
            for r in &b.headline.previous {
                rows.extend(self.measure_rows(r));
            }
            blocks.push(Block::Table(doc::Table {
                id: "headline-previous".into(),
                title: "Previous period, for context".into(),
                source: None,
                columns,
                rows,
                footer: Vec::new(),
            }));
        }
        blocks.push(Block::Chart(trend_chart(b)));
        Section {
            id: "headline".into(),
            title: "Headline".into(),
            blocks,
        }
    }

    /// The value row, the growth row (when any growth is held) and the
    /// comparison-level row (when any is held) of a window.
    fn measure_rows(&mut self, r: &HeadlineRow) -> Vec<Row> {
        let ms: [&Measure; 3] = [&r.exports, &r.imports, &r.balance];
        let mut rows = Vec::new();
        let mut value = vec![
            Cell::text(window_label(r.window, &r.span)),
            Cell::text("value"),
        ];
        for m in ms {
            value.push(self.cell(m.level.as_ref(), false, NO_LEVEL));
        }
        rows.push(Row::new(value));
        if ms.iter().any(|m| m.yoy_pct.is_some()) {
            let mut g = vec![
                Cell::text(""),
                Cell::text(format!("vs {}", r.comparison_span)),
            ];
            for m in ms {
                g.push(self.cell(m.yoy_pct.as_ref(), true, NO_GROWTH));
            }
            rows.push(Row::new(g));
        }
        if ms.iter().any(|m| m.comparison_level.is_some()) {
            let mut c = vec![Cell::text(""), Cell::text("comparison")];
            for m in ms {
                c.push(self.cell(m.comparison_level.as_ref(), false, NO_COMPARISON));
            }
            rows.push(Row::new(c));
        }
        rows
    }

    fn records(&mut self, b: &Brief) -> Section {
        let blocks = b
            .records
            .iter()
            .map(|r| {
                Block::Note(Note {
                    // The history checked against, unless there is none (the
                    // statement then says so itself).
                    text: if r.history.periods.is_empty() {
                        r.statement.clone()
                    } else {
                        format!(
                            "{} ({}).",
                            r.statement.trim_end_matches('.'),
                            r.history.description
                        )
                    },
                    figures: vec![self.figure(&r.figure, false)],
                    emphasis: r.first_time || r.is_record,
                })
            })
            .collect();
        Section {
            id: "records".into(),
            title: "Records".into(),
            blocks,
        }
    }

    fn partners(&mut self, b: &Brief) -> Section {
        let mut blocks = Vec::new();
        // A checked identity is said under its table; an identity that cannot be
        // checked, and the partners with nothing held, once for the whole section,
        // naming the tables each applies to.
        let mut not_checkable: Vec<(String, Vec<String>)> = Vec::new();
        let mut not_held: Vec<String> = Vec::new();
        for t in &b.partner_tables {
            let table = self.partner_table(b, t);
            let name = format!("{} {}", flow_words(&t.flow), t.span);
            blocks.push(Block::Table(table));
            if t.identity.status == CheckStatus::NotCheckable {
                match not_checkable
                    .iter_mut()
                    .find(|(n, _)| *n == t.identity.note)
                {
                    Some((_, tables)) => tables.push(name.clone()),
                    None => not_checkable.push((t.identity.note.clone(), vec![name.clone()])),
                }
            } else {
                blocks.push(Block::Note(Note::text(format!(
                    "Contribution identity ({}): {}",
                    status_word(t.identity.status),
                    t.identity.note
                ))));
            }
            if !t.not_held.is_empty() {
                not_held.push(format!("{} ({name})", t.not_held.join(", ")));
            }
        }
        for (note, tables) in not_checkable {
            blocks.push(Block::Note(Note::text(format!(
                "Contribution identity ({}) for {}: {note}",
                status_word(CheckStatus::NotCheckable),
                tables.join(" and ")
            ))));
        }
        if !not_held.is_empty() {
            blocks.push(Block::Note(Note::text(format!(
                "Nothing held for: {}.",
                not_held.join("; ")
            ))));
        }
        blocks.push(Block::Chart(contributions_chart(b)));
        blocks.push(Block::Chart(shares_chart(b)));
        Section {
            id: "partners".into(),
            title: "Partners and groups".into(),
            blocks,
        }
    }

    fn partner_table(&mut self, b: &Brief, t: &PartnerTable) -> doc::Table {
        let growth = if t.comparison_span == t.span.year_ago() {
            "y/y".to_string()
        } else {
            format!("vs {}", t.comparison_span)
        };
        let money = b.currency.code().to_ascii_lowercase();
        let columns = vec![
            detail("reporter"),
            detail("flow"),
            detail("span"),
            detail("comparison_span"),
            detail("partner"),
            column("name", "Partner"),
            detail("kind"),
            detail("in_partition"),
            detail("within"),
            // `value_usd_bn`, or `value_jpy_bn` for a brief in yen.
            column(&format!("value_{money}_bn"), "Value"),
            detail(&format!("comparison_value_{money}_bn")),
            column("yoy_pct", &growth),
            column("share_pct", "Share"),
            detail("comparison_share_pct"),
            column("share_change_pp", "Chg share"),
            column("contribution_pp", "Contrib."),
        ];
        let lead = |code: &str, name: String, kind: &str| {
            vec![
                Cell::text(&b.reporter),
                Cell::text(&t.flow),
                Cell::text(t.span.to_string()),
                Cell::text(t.comparison_span.to_string()),
                Cell::text(code),
                Cell::text(name),
                Cell::text(kind),
            ]
        };
        let mut rows = Vec::new();
        for r in &t.rows {
            let mut name = match r.kind {
                PartnerKind::Group => format!("{} ({})", r.name, r.members.unwrap_or(0)),
                _ => r.name.clone(),
            };
            if let Some(w) = &r.within {
                name = format!("{name} (in {w})");
            }
            let kind = match r.kind {
                PartnerKind::Country => "country",
                PartnerKind::Group => "group",
                PartnerKind::RestOfWorld => "rest_of_world",
            };
            let mut cells = lead(&r.code, name, kind);
            cells.push(Cell::text(r.in_partition.to_string()));
            cells.push(Cell::text(r.within.clone().unwrap_or_default()));
            cells.push(self.cell(r.value.as_ref(), false, NO_LEVEL));
            cells.push(self.cell(r.comparison_value.as_ref(), false, NO_COMPARISON));
            cells.push(self.cell(r.yoy_pct.as_ref(), true, NO_GROWTH));
            cells.push(self.cell(r.share_pct.as_ref(), false, NO_SHARE));
            cells.push(self.cell(r.comparison_share_pct.as_ref(), false, NO_SHARE));
            cells.push(self.cell(r.share_change_pp.as_ref(), true, NO_SHARE));
            cells.push(self.cell(r.contribution_pp.as_ref(), true, NO_SHARE));
            rows.push(Row {
                cells,
                indent: u8::from(r.within.is_some()),
                emphasis: false,
            });
        }
        let partial = b.partial_coverage.iter().any(|c| c.flow == t.flow);
        let mut total = if partial {
            lead("PARTNERS_HELD", "Total (partners held)".into(), "total")
        } else {
            lead("WLD", "Total (world)".into(), "total")
        };
        total.push(Cell::text("false"));
        total.push(Cell::text(""));
        total.push(self.cell(t.total.level.as_ref(), false, NO_LEVEL));
        total.push(self.cell(t.total.comparison_level.as_ref(), false, NO_COMPARISON));
        total.push(self.cell(t.total.yoy_pct.as_ref(), true, NO_GROWTH));
        for _ in 0..4 {
            total.push(Cell::text(""));
        }
        let flow = match t.flow.as_str() {
            "import" => "Imports by partner",
            _ => "Exports by partner",
        };
        doc::Table {
            id: format!("partners-{}-{}", t.flow, t.span).replace("..", "-"),
            title: format!("{flow} {} (vs {})", t.span, t.comparison_span),
            source: None,
            columns,
            rows,
            footer: vec![Row {
                cells: total,
                indent: 0,
                emphasis: true,
            }],
        }
    }

    fn diversion(&mut self, d: &Diversion) -> Section {
        let p = &d.partner;
        let items: [(String, Option<&Figure>, bool); 6] = [
            (format!("{p} y/y"), d.partner_yoy_pct.as_ref(), true),
            (
                format!("Change with {p}"),
                d.partner_change_bn.as_ref(),
                true,
            ),
            (format!("Growth ex-{p}"), d.others_yoy_pct.as_ref(), true),
            (format!("Change ex-{p}"), d.others_change_bn.as_ref(), true),
            (
                "Loss made up by others".into(),
                d.made_up_pct.as_ref(),
                false,
            ),
            (
                format!("{p} share change"),
                d.share_change_pp.as_ref(),
                true,
            ),
        ];
        let items = items
            .into_iter()
            .map(|(label, f, signed)| FigureItem {
                label,
                value: self.cell(f, signed, NO_GROWTH),
                note: None,
            })
            .collect();
        Section {
            id: "diversion".into(),
            title: "Diversion".into(),
            blocks: vec![
                Block::Note(Note::text(&d.statement)),
                Block::Figures { items },
            ],
        }
    }

    fn context(&mut self, b: &Brief) -> Section {
        let mut blocks = Vec::new();
        if !b.indicators.is_empty() {
            let mut items = Vec::new();
            for i in &b.indicators {
                items.push(FigureItem {
                    label: format!("{} {}", i.label, i.latest_period),
                    value: Cell::figure(self.figure(&i.latest, false)),
                    note: i.run.as_ref().map(|r| r.statement.clone()),
                });
                if let Some(p) = &i.previous {
                    items.push(FigureItem {
                        label: format!("{}, previous period", i.label),
                        value: Cell::figure(self.figure(p, false)),
                        note: None,
                    });
                }
            }
            blocks.push(Block::Figures { items });
        }
        if !b.other_figures.is_empty() {
            let mut rows = Vec::new();
            for f in &b.other_figures {
                let name = if f.partner.is_empty() {
                    f.indicator.clone()
                } else {
                    format!("{} {}", f.indicator, f.partner)
                };
                rows.push(Row::new(vec![
                    Cell::text(f.span.to_string()),
                    Cell::text(name),
                    self.cell(f.value.as_ref(), false, "no level published"),
                    self.cell(f.yoy_pct.as_ref(), true, "no growth rate published"),
                ]));
            }
            blocks.push(Block::Table(doc::Table {
                id: "other-figures".into(),
                title: "Other published figures for the period".into(),
                source: None,
                columns: vec![
                    column("span", "Span"),
                    column("figure", "Figure"),
                    column("value", "Value"),
                    column("yoy_pct", "y/y"),
                ],
                rows,
                footer: Vec::new(),
            }));
        }
        Section {
            id: "context".into(),
            title: "Context indicators".into(),
            blocks,
        }
    }

    fn checks(&mut self, b: &Brief) -> Section {
        let checks = b.checks.iter().map(|c| self.check(c)).collect();
        Section {
            id: "checks".into(),
            title: "Consistency checks".into(),
            blocks: vec![Block::Checks { checks }],
        }
    }

    fn check(&mut self, c: &Check) -> doc::Check {
        // growth rates are changes; levels (balances, sums) are levels
        let signed = c.subject.ends_with("y/y");
        doc::Check {
            status: doc_check_status(c.status),
            subject: c.subject.clone(),
            detail: c.detail.clone(),
            items: c
                .items
                .iter()
                .map(|it| FigureItem {
                    label: it.label.clone(),
                    value: Cell::figure(self.figure(&it.figure, signed)),
                    note: None,
                })
                .collect(),
        }
    }
}

/// Exports and imports as bars, the balance as a line, and the year-to-date balance as
/// a dashed line on the right axis (starting again each January).
fn trend_chart(b: &Brief) -> Chart {
    let pts = &b.charts.trend;
    let usd = Unit::money(b.currency, Scale::Billions);
    let has_ytd = pts.iter().any(|p| p.ytd_balance.is_some());
    let mut series = vec![
        Series {
            label: "Exports".into(),
            mark: Mark::Bar,
            axis: doc::Axis::Left,
            values: pts.iter().map(|p| p.exports).collect(),
            breaks: Vec::new(),
        },
        Series {
            label: "Imports".into(),
            mark: Mark::Bar,
            axis: doc::Axis::Left,
            values: pts.iter().map(|p| p.imports).collect(),
            breaks: Vec::new(),
        },
        Series {
            label: "Balance".into(),
            mark: Mark::Line,
            axis: doc::Axis::Left,
            values: pts.iter().map(|p| p.balance).collect(),
            breaks: Vec::new(),
        },
    ];
    if has_ytd {
        series.push(Series {
            label: "Year-to-date balance (right axis)".into(),
            mark: Mark::DashedLine,
            axis: doc::Axis::Right,
            values: pts.iter().map(|p| p.ytd_balance).collect(),
            breaks: (1..pts.len())
                .filter(|&i| pts[i].period.year() != pts[i - 1].period.year())
                .collect(),
        });
    }
    Chart {
        id: "chart-monthly".into(),
        title: format!("Exports, imports and balance ({} bn)", b.currency),
        unit: usd.clone(),
        empty_reason: Some("No levels held for this chart".into()),
        plot: Plot::Series {
            x_labels: pts.iter().map(|p| p.period.to_string()).collect(),
            series,
            right_unit: has_ytd.then_some(usd),
        },
    }
}

/// `exports` or `imports` for a table's flow.
fn flow_words(flow: &str) -> &'static str {
    match flow {
        "import" => "imports",
        _ => "exports",
    }
}

/// Contributions to export growth by partner (pp), with total growth last.
fn contributions_chart(b: &Brief) -> Chart {
    let mut bars: Vec<Bar> = b
        .charts
        .contributions
        .iter()
        .map(|c| Bar {
            label: c.label.clone(),
            value: c.value,
            total: false,
        })
        .collect();
    if let (Some(t), false) = (b.charts.contributions_total_pct, bars.is_empty()) {
        bars.push(Bar {
            label: "Total growth (%)".into(),
            value: t,
            total: true,
        });
    }
    Chart {
        id: "chart-contributions".into(),
        title: "Contributions to export growth (percentage points)".into(),
        unit: Unit::PercentagePoints,
        empty_reason: Some(
            "No partner levels held in both periods: contributions cannot be computed".into(),
        ),
        plot: Plot::Bars { bars },
    }
}

/// Partner shares of exports over time, one line per partner.
fn shares_chart(b: &Brief) -> Chart {
    let mut periods: Vec<Period> = b
        .charts
        .shares
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.period))
        .collect();
    periods.sort();
    periods.dedup();
    let series = b
        .charts
        .shares
        .iter()
        .map(|s| Series {
            label: s.label.clone(),
            mark: Mark::Line,
            axis: doc::Axis::Left,
            values: periods
                .iter()
                .map(|p| s.points.iter().find(|q| q.period == *p).map(|q| q.value))
                .collect(),
            breaks: Vec::new(),
        })
        .collect();
    Chart {
        id: "chart-shares".into(),
        title: "Partner shares of exports over time (%)".into(),
        unit: Unit::Percent,
        empty_reason: Some("No partner levels held: shares cannot be computed".into()),
        plot: Plot::Series {
            x_labels: periods.iter().map(|p| p.to_string()).collect(),
            series,
            right_unit: None,
        },
    }
}
