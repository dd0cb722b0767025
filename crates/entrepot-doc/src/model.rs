//! The document: sections of headline figures, tables, charts, notes and checks, then
//! the published sources and the computation methods its figures refer to.
//!
//! The JSON form (`serde_json::to_string(&document)`) is described by the JSON Schema
//! at `crates/entrepot-doc/schema/document.schema.json` ([`SCHEMA_VERSION`]).

use crate::figure::Figure;
use crate::id::SourceId;
use crate::provenance::Basis;
use crate::unit::{Currency, Unit};
use serde::{Deserialize, Serialize};

/// Version of the JSON schema of a [`Document`] (`schema/document.schema.json`). The
/// major number changes when a field is removed or changes meaning; the minor number
/// when fields are added.
pub const SCHEMA_VERSION: &str = "1.0";

/// A report: what one analysis produces and every renderer consumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// What produced it (`release_brief`, `gravity_regression`).
    pub kind: String,
    /// The title.
    pub title: String,
    /// Paragraphs under the title (what the data are, what growth rates compare with).
    pub lead: Vec<String>,
    /// The currency money figures are shown in when no code is printed next to them.
    /// Renderers state it once under the title and print the code next to money in
    /// any other currency; `None` prints every code.
    pub currency: Option<Currency>,
    /// The sections, in reading order.
    pub sections: Vec<Section>,
    /// Published sources, `P1`, `P2`, … in order.
    pub sources: Vec<Source>,
    /// Computation methods, `C1`, `C2`, … in order.
    pub methods: Vec<Method>,
}

/// A titled part of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// A short id (`headline`, `partners`), used as an HTML anchor when it is one
    /// (ASCII letters, digits, `-`, `_`).
    pub id: String,
    /// The title.
    pub title: String,
    /// The content, in reading order.
    pub blocks: Vec<Block>,
}

/// One piece of content of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Headline figures: labelled values.
    Figures {
        /// The figures, in order.
        items: Vec<FigureItem>,
    },
    /// A table of typed cells.
    Table(Table),
    /// A chart.
    Chart(Chart),
    /// A paragraph.
    Note(Note),
    /// Consistency checks.
    Checks {
        /// The checks, in order.
        checks: Vec<Check>,
    },
}

impl Block {
    /// One plain-paragraph note block per text (a section of method or data notes).
    pub fn notes<S: Into<String>>(texts: impl IntoIterator<Item = S>) -> Vec<Block> {
        texts
            .into_iter()
            .map(|t| Block::Note(Note::text(t)))
            .collect()
    }
}

/// A labelled value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureItem {
    /// What it is (`Exports to USA y/y`).
    pub label: String,
    /// The value (usually a figure; missing with the reason when it cannot be given).
    pub value: Cell,
    /// A sentence about it, if any.
    pub note: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// A short id (`partners-export-2025-11`), used to select tables for CSV and as an
    /// HTML anchor when it is one.
    pub id: String,
    /// The title.
    pub title: String,
    /// The source or method of every number in the table that carries no marker of its
    /// own (a regression table computed by one method), if any.
    pub source: Option<SourceId>,
    /// The columns.
    pub columns: Vec<Column>,
    /// The body rows: one cell per column each.
    pub rows: Vec<Row>,
    /// Summary rows below a rule (totals, model statistics): one cell per column each.
    pub footer: Vec<Row>,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// A machine name (`value_usd_bn`, `yoy_pct`): the CSV header.
    pub key: String,
    /// The header shown to readers (may be empty).
    pub label: String,
    /// A detail column: written by the data renderers (CSV, JSON) but not by the text
    /// ones (terminal, Markdown, HTML), which show the same content in another form.
    pub detail: bool,
}

impl Column {
    /// A column every renderer shows.
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
            detail: false,
        }
    }

    /// A detail column: written by CSV and JSON, left out by the text renderers.
    pub fn detail(key: impl Into<String>, label: impl Into<String>) -> Column {
        Column {
            detail: true,
            ..Column::new(key, label)
        }
    }
}

/// A row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Nesting level of the row (1: a part of the row above it, shown indented).
    pub indent: u8,
    /// Whether the row is emphasised (a total).
    pub emphasis: bool,
}

impl Row {
    /// A plain row.
    pub fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            indent: 0,
            emphasis: false,
        }
    }
}

/// A typed table cell (or the value of a [`FigureItem`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// A figure with its marker.
    Figure {
        /// The figure.
        figure: Figure,
    },
    /// A number with a unit and no marker of its own (a count of observations, a
    /// statistic of a table whose [`Table::source`] says where it came from).
    Number {
        /// The value (finite).
        value: f64,
        /// Its unit.
        unit: Unit,
        /// Decimals to print.
        decimals: u8,
        /// Whether to print an explicit sign.
        signed: bool,
    },
    /// A regression estimate with its standard error and significance stars.
    Estimate {
        /// The estimate.
        estimate: f64,
        /// Its standard error.
        std_error: f64,
        /// The p-value the stars were given from.
        p_value: f64,
        /// Number of significance stars (0 to 3; the convention is stated in a note).
        stars: u8,
        /// Decimals to print.
        decimals: u8,
    },
    /// A value that cannot be given, and why (never a zero).
    Missing {
        /// Why (`not published, and not computable from the data held`).
        reason: String,
    },
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text { text: s.into() }
    }

    /// A figure cell.
    pub fn figure(f: Figure) -> Cell {
        Cell::Figure { figure: f }
    }

    /// A missing cell with its reason.
    pub fn missing(reason: impl Into<String>) -> Cell {
        Cell::Missing {
            reason: reason.into(),
        }
    }

    /// The figure of a figure cell.
    pub fn as_figure(&self) -> Option<&Figure> {
        match self {
            Cell::Figure { figure } => Some(figure),
            _ => None,
        }
    }
}

/// A chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// A short id (`chart-monthly`), the HTML `id` of the SVG when it is an anchor.
    pub id: String,
    /// The title.
    pub title: String,
    /// The unit of the values (the left axis of a series chart).
    pub unit: Unit,
    /// What is shown instead when the chart has no data, and why.
    pub empty_reason: Option<String>,
    /// The data.
    pub plot: Plot,
}

impl Chart {
    /// Series over ordered categories on the left axis; when no series has a value the
    /// chart is empty and says `empty` instead.
    pub fn series(
        id: impl Into<String>,
        title: impl Into<String>,
        unit: Unit,
        x_labels: Vec<String>,
        series: Vec<Series>,
        empty: &str,
    ) -> Chart {
        let none = series.iter().all(|s| s.values.iter().all(Option::is_none));
        Chart {
            id: id.into(),
            title: title.into(),
            unit,
            empty_reason: none.then(|| empty.to_string()),
            plot: Plot::Series {
                x_labels,
                series,
                right_unit: None,
            },
        }
    }
}

/// The data of a [`Chart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plot {
    /// Series over ordered categories (periods): bars and lines, on a left and an
    /// optional right axis.
    Series {
        /// The categories, in order (`2025-11`).
        x_labels: Vec<String>,
        /// The series; each has one value (or none) per category.
        series: Vec<Series>,
        /// The unit of the right axis, when a series uses it.
        right_unit: Option<Unit>,
    },
    /// Horizontal bars, one per label (contributions to growth).
    Bars {
        /// The bars, top to bottom.
        bars: Vec<Bar>,
    },
    /// A grid of values coloured by size.
    HeatMap {
        /// Column labels.
        x_labels: Vec<String>,
        /// Row labels.
        y_labels: Vec<String>,
        /// One row of values (or none) per row label, one value per column label.
        values: Vec<Vec<Option<f64>>>,
    },
}

/// One series of a [`Plot::Series`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The legend label.
    pub label: String,
    /// How it is drawn.
    pub mark: Mark,
    /// The axis it is read on.
    pub axis: Axis,
    /// One value per category; `None` where there is none (a gap).
    pub values: Vec<Option<f64>>,
    /// Category indices before which a line is not joined to the previous point (a
    /// cumulative series starting again each January).
    pub breaks: Vec<usize>,
}

impl Series {
    /// A line on the left axis.
    pub fn line(label: impl Into<String>, values: Vec<Option<f64>>) -> Series {
        Series {
            label: label.into(),
            mark: Mark::Line,
            axis: Axis::Left,
            values,
            breaks: Vec::new(),
        }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Bars side by side with the other bar series.
    Bar,
    /// A solid line with points.
    Line,
    /// A dashed line with points.
    DashedLine,
}

/// The axis a series is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// The left axis ([`Chart::unit`]).
    Left,
    /// The right axis (`right_unit`).
    Right,
}

/// One bar of a [`Plot::Bars`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// The label.
    pub label: String,
    /// The value (finite).
    pub value: f64,
    /// Whether it is the total the other bars add up to (drawn apart).
    pub total: bool,
}

/// A paragraph, with the figures it states (their markers follow the text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The text.
    pub text: String,
    /// The figures the text states, whose markers are printed after it.
    pub figures: Vec<Figure>,
    /// Whether it is a key statement (a record), shown emphasised.
    pub emphasis: bool,
}

impl Note {
    /// A plain paragraph.
    pub fn text(s: impl Into<String>) -> Note {
        Note {
            text: s.into(),
            figures: Vec::new(),
            emphasis: false,
        }
    }
}

/// The outcome of a [`Check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Holds (within rounding).
    Ok,
    /// A small difference, worth a look.
    Warning,
    /// Figures disagree (reports of the same quantity, or an identity that does not
    /// hold).
    Conflict,
    /// The data held do not allow the check.
    NotCheckable,
}

/// A consistency check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The outcome.
    pub status: CheckStatus,
    /// What is checked (`balance 2025-11`).
    pub subject: String,
    /// The finding, in a sentence.
    pub detail: String,
    /// The figures compared, side by side.
    pub items: Vec<FigureItem>,
}

/// A published source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `P1`, `P2`, … in list order.
    pub id: SourceId,
    /// The URL (a link only when it is a well-formed http(s) URL).
    pub url: String,
    /// The files and lines the figures were read from.
    pub origins: Vec<String>,
}

/// A computation method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// `C1`, `C2`, … in list order.
    pub id: SourceId,
    /// What the inputs were.
    pub basis: Basis,
    /// How, in words.
    pub method: String,
    /// The published sources used.
    pub sources: Vec<SourceId>,
    /// The other inputs (`flows:penppml`, an estimation sample).
    pub data: Vec<String>,
}

impl Document {
    /// An empty document of `kind` with a title.
    pub fn new(kind: impl Into<String>, title: impl Into<String>) -> Document {
        Document {
            schema_version: SCHEMA_VERSION.to_string(),
            kind: kind.into(),
            title: title.into(),
            lead: Vec::new(),
            currency: None,
            sections: Vec::new(),
            sources: Vec::new(),
            methods: Vec::new(),
        }
    }

    /// Every table of the document, in reading order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
        })
    }

    /// Labels every money amount of the document in `currency` (cells, figures, the
    /// figures of notes and checks, chart axes) and makes it the document's currency.
    /// For a producer whose money all comes from one flows dataset: it lays the
    /// report out once and names the dataset's currency here, instead of threading it
    /// through every helper. The amounts are not converted.
    pub fn label_money_in(&mut self, currency: Currency) {
        fn unit(u: &mut Unit, c: Currency) {
            if let Unit::Money { currency, .. } = u {
                *currency = c;
            }
        }
        fn cell(x: &mut Cell, c: Currency) {
            match x {
                Cell::Figure { figure } => unit(&mut figure.unit, c),
                Cell::Number { unit: u, .. } => unit(u, c),
                _ => {}
            }
        }
        for s in &mut self.sections {
            for b in &mut s.blocks {
                match b {
                    Block::Figures { items } => {
                        items.iter_mut().for_each(|i| cell(&mut i.value, currency))
                    }
                    Block::Checks { checks } => checks
                        .iter_mut()
                        .flat_map(|k| k.items.iter_mut())
                        .for_each(|i| cell(&mut i.value, currency)),
                    Block::Table(t) => t
                        .rows
                        .iter_mut()
                        .chain(t.footer.iter_mut())
                        .flat_map(|r| r.cells.iter_mut())
                        .for_each(|x| cell(x, currency)),
                    Block::Chart(ch) => {
                        unit(&mut ch.unit, currency);
                        if let Plot::Series {
                            right_unit: Some(u),
                            ..
                        } = &mut ch.plot
                        {
                            unit(u, currency);
                        }
                    }
                    Block::Note(n) => n
                        .figures
                        .iter_mut()
                        .for_each(|f| unit(&mut f.unit, currency)),
                }
            }
        }
        self.currency = Some(currency);
    }

    /// Every figure of the document in reading order (alternatives not included), with
    /// where it is (`headline / table headline / row 2, column exports`).
    pub fn figures(&self) -> Vec<(String, &Figure)> {
        let mut out = Vec::new();
        for s in &self.sections {
            for (bi, b) in s.blocks.iter().enumerate() {
                let at = |what: String| format!("section {} / block {bi} / {what}", s.id);
                match b {
                    Block::Figures { items } => {
                        for it in items {
                            if let Cell::Figure { figure } = &it.value {
                                out.push((at(format!("item {}", it.label)), figure));
                            }
                        }
                    }
                    Block::Table(t) => {
                        for (part, rows) in [("row", &t.rows), ("footer row", &t.footer)] {
                            for (ri, r) in rows.iter().enumerate() {
                                for (ci, c) in r.cells.iter().enumerate() {
                                    if let Cell::Figure { figure } = c {
                                        let col = t.columns.get(ci).map_or("?", |c| &c.key);
                                        out.push((
                                            at(format!("table {} {part} {ri} column {col}", t.id)),
                                            figure,
                                        ));
                                    }
                                }
                            }
                        }
                    }
                    Block::Note(n) => {
                        for f in &n.figures {
                            out.push((at("note".into()), f));
                        }
                    }
                    Block::Checks { checks } => {
                        for c in checks {
                            for it in &c.items {
                                if let Cell::Figure { figure } = &it.value {
                                    out.push((at(format!("check {}", c.subject)), figure));
                                }
                            }
                        }
                    }
                    Block::Chart(_) => {}
                }
            }
        }
        out
    }
}
