//! The terminal report: plain text that fits the requested width (100 columns by
//! default), with optional ANSI colour.
//!
//! Every line reaches the output through [`Out::push`] or [`Out::push_painted`],
//! which replace control characters with visible escapes, and is laid out by
//! [`crate::text`], which measures the escaped text. The only control bytes in the
//! output are the colour codes that `push_painted` adds itself.

use crate::layout::{check_tag, currency_note, markers_legend, numeric_column, visible_columns};
use crate::text::{cut, pad_right, safe, width, wrap, Align, TextTable};
use crate::TerminalOptions;
use entrepot_doc::{
    format, Block, Cell, Chart, Check, CheckStatus, Currency, Document, Figure, FigureItem, Note,
    Plot, Table,
};

struct Out<'a> {
    lines: Vec<String>,
    opts: &'a TerminalOptions,
    currency: Option<Currency>,
}

impl<'a> Out<'a> {
    fn w(&self) -> usize {
        self.opts.width.max(60)
    }

    /// Adds a line, its control characters escaped; a line wider than the width
    /// (only possible with very long names from data) is cut, continuation lines
    /// indented by 4.
    fn push(&mut self, s: impl AsRef<str>) {
        let line = safe(s.as_ref());
        if width(&line) <= self.w() {
            self.lines.push(line.into_owned());
        } else {
            let w = self.w();
            self.lines.extend(cut(&line, w, "", 4));
        }
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// Adds a line made of `head` in the ANSI colour `code` (when colour is on)
    /// followed by `tail`, both with their control characters escaped. A line too
    /// wide for the width is cut by [`Out::push`], without colour.
    fn push_painted(&mut self, head: &str, code: &str, tail: &str) {
        let (head, tail) = (safe(head), safe(tail));
        if !self.opts.color || width(&head) + width(&tail) > self.w() {
            return self.push(format!("{head}{tail}"));
        }
        self.lines.push(format!("\x1b[{code}m{head}\x1b[0m{tail}"));
    }

    fn section(&mut self, title: &str) {
        self.blank();
        let t = title.to_uppercase();
        let rule = "-".repeat(self.w().saturating_sub(width(&t) + 1));
        self.push_painted(&t, "1", &format!(" {rule}"));
    }

    fn para(&mut self, s: &str, prefix: &str, indent: usize) {
        let w = self.w();
        for l in wrap(s, w, prefix, indent) {
            self.push(l);
        }
    }

    /// `330.3bn [P1]` (with `!` when reports conflict).
    fn figure(&self, f: &Figure) -> String {
        let bang = if f.is_conflicted() { "!" } else { "" };
        format!("{} [{}]{bang}", format::figure(f, self.currency), f.source)
    }

    /// The text of a cell: figures with their marker, missing values as `-`.
    fn cell(&self, c: &Cell) -> String {
        match c {
            Cell::Figure { figure } => self.figure(figure),
            c => format::cell(c, self.currency),
        }
    }

    /// `or +14.3% [P20]` for each conflicting report of a figure cell.
    fn alternatives(&self, c: &Cell) -> Vec<String> {
        match c {
            Cell::Figure { figure } => figure
                .conflicting()
                .iter()
                .map(|a| format!("or {} [{}]", format::figure(a, self.currency), a.source))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Renders a document for a terminal.
pub fn render(d: &Document, opts: &TerminalOptions) -> String {
    let mut o = Out {
        lines: Vec::new(),
        opts,
        currency: d.currency,
    };
    let bar = "=".repeat(o.w());
    o.push(&bar);
    o.push_painted(&d.title, "1", "");
    o.push(&bar);
    for l in &d.lead {
        o.para(l, "", 6);
    }
    let legend: Vec<String> = markers_legend(d)
        .map(|l| l.replace("Entrepôt", "Entrepot"))
        .into_iter()
        .chain(currency_note(d))
        .collect();
    if !legend.is_empty() {
        o.para(&legend.join(" "), "", 0);
    }
    for s in &d.sections {
        o.section(&s.title);
        let mut first = true;
        for b in &s.blocks {
            // a blank line between a table or chart and what precedes it
            if !first && matches!(b, Block::Table(_) | Block::Chart(_) | Block::Checks { .. }) {
                o.blank();
            }
            first = false;
            match b {
                Block::Figures { items } => figures(&mut o, items),
                Block::Table(t) => table(&mut o, t),
                Block::Chart(c) => chart(&mut o, c),
                Block::Note(n) => note(&mut o, n),
                Block::Checks { checks: cs } => checks(&mut o, cs),
            }
        }
    }
    sources(&mut o, d);
    let mut s = o.lines.join("\n");
    s.push('\n');
    s
}

fn figures(o: &mut Out<'_>, items: &[FigureItem]) {
    let label_w = items
        .iter()
        .map(|i| width(&i.label))
        .max()
        .unwrap_or(0)
        .min(40)
        + 2;
    for it in items {
        let value = match &it.value {
            Cell::Missing { reason } => format!("- ({reason})"),
            c => o.cell(c),
        };
        o.push(format!("  {}{value}", pad_right(&it.label, label_w)));
        for a in o.alternatives(&it.value) {
            o.push(format!("  {}{a}", " ".repeat(label_w)));
        }
        if let Some(n) = &it.note {
            o.para(n, "    ", 4);
        }
    }
}

fn table(o: &mut Out<'_>, t: &Table) {
    if !t.title.is_empty() || t.source.is_some() {
        let mut title = t.title.clone();
        if let Some(s) = t.source {
            title.push_str(&format!(" [{s}]"));
        }
        o.para(title.trim_start(), "", 2);
    }
    let cols = visible_columns(t);
    let row_lines = |o: &Out<'_>, r: &entrepot_doc::Row| -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut main = Vec::new();
        let mut alts: Vec<Vec<String>> = Vec::new();
        for (j, &i) in cols.iter().enumerate() {
            let c = r.cells.get(i);
            let mut text = c.map(|c| o.cell(c)).unwrap_or_default();
            if j == 0 && r.indent > 0 {
                text = format!("{}{text}", "  ".repeat(r.indent as usize));
            }
            main.push(text);
            for (k, a) in c
                .map(|c| o.alternatives(c))
                .unwrap_or_default()
                .into_iter()
                .enumerate()
            {
                if alts.len() <= k {
                    alts.push(vec![String::new(); cols.len()]);
                }
                alts[k][j] = a;
            }
        }
        out.push(main);
        out.extend(alts);
        out
    };
    let mut rows: Vec<Vec<String>> = t.rows.iter().flat_map(|r| row_lines(o, r)).collect();
    let footer: Vec<Vec<String>> = t.footer.iter().flat_map(|r| row_lines(o, r)).collect();
    let split = rows.len();
    rows.extend(footer);
    let table = TextTable {
        headers: cols.iter().map(|&i| t.columns[i].label.clone()).collect(),
        align: cols
            .iter()
            .map(|&i| {
                if numeric_column(t, i) {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect(),
        rows,
    };
    let w = o.w();
    let lines = table.render(w);
    // header, rule, body rows, then the footer under a rule of its own
    let rule = lines.get(1).cloned().unwrap_or_default();
    for (k, l) in lines.into_iter().enumerate() {
        if k == split + 2 && k > 2 {
            o.push(&rule);
        }
        o.push(l);
    }
}

fn chart(o: &mut Out<'_>, c: &Chart) {
    let title = &c.title;
    match &c.plot {
        Plot::Bars { bars } if !bars.is_empty() => {
            o.para(&format!("Chart: {title}"), "", 2);
            let label_w = bars
                .iter()
                .map(|b| width(&b.label))
                .max()
                .unwrap_or(0)
                .min(30);
            let max = bars.iter().map(|b| b.value.abs()).fold(0.0, f64::max);
            let room = o.w().saturating_sub(label_w + 16).clamp(10, 50);
            for b in bars {
                let n = if max > 0.0 {
                    ((b.value.abs() / max) * room as f64).round() as usize
                } else {
                    0
                };
                let mark = if b.total {
                    '='
                } else if b.value < 0.0 {
                    '-'
                } else {
                    '+'
                };
                let value = format::signed(b.value, 2);
                o.push(format!(
                    "  {} {} {value}",
                    pad_right(&b.label, label_w),
                    mark.to_string().repeat(n.max(1))
                ));
            }
        }
        Plot::Series {
            x_labels, series, ..
        } if !x_labels.is_empty() && !series.is_empty() => {
            let names: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
            o.para(
                &format!(
                    "Chart: {title}: {} from {} to {} (drawn in the HTML report).",
                    names.join(", "),
                    x_labels[0],
                    x_labels[x_labels.len() - 1]
                ),
                "",
                2,
            );
        }
        Plot::HeatMap {
            x_labels, y_labels, ..
        } if !x_labels.is_empty() && !y_labels.is_empty() => {
            o.para(
                &format!(
                    "Chart: {title}: {} rows by {} columns (drawn in the HTML report).",
                    y_labels.len(),
                    x_labels.len()
                ),
                "",
                2,
            );
        }
        _ => {
            let why = c.empty_reason.as_deref().unwrap_or("no data");
            o.para(&format!("Chart: {title}: {why}."), "", 2);
        }
    }
}

fn note(o: &mut Out<'_>, n: &Note) {
    let mut s = n.text.clone();
    if !n.figures.is_empty() {
        let ids: Vec<String> = n.figures.iter().map(|f| f.source.to_string()).collect();
        s.push_str(&format!(" [{}]", ids.join(", ")));
    }
    let prefix = if n.emphasis { "* " } else { "- " };
    o.para(&s, prefix, 2);
}

fn checks(o: &mut Out<'_>, cs: &[Check]) {
    for c in cs {
        let colour = match c.status {
            CheckStatus::Ok => "32",
            CheckStatus::Warning => "33",
            CheckStatus::NotCheckable => "2",
            CheckStatus::Conflict => "31",
        };
        let items: Vec<String> = c
            .items
            .iter()
            .map(|it| {
                let mut s = format!("{} {}", it.label, o.cell(&it.value));
                for a in o.alternatives(&it.value) {
                    s.push_str(&format!(" {a}"));
                }
                s
            })
            .collect();
        let mut text = format!("{}: {}", c.subject, c.detail);
        if !items.is_empty() {
            text.push_str(&format!(" ({})", items.join("; ")));
        }
        // wrap without colour, then paint the tag at the start of the first line
        let tag = format!("[{}]", check_tag(c.status));
        let lines = wrap(&format!("{tag} {text}"), o.w(), "", 4);
        for (i, l) in lines.into_iter().enumerate() {
            match l.strip_prefix(&tag) {
                Some(rest) if i == 0 => o.push_painted(&tag, colour, rest),
                _ => o.push(l),
            }
        }
    }
}

fn sources(o: &mut Out<'_>, d: &Document) {
    if !d.sources.is_empty() {
        o.section("Sources");
        for s in &d.sources {
            // a URL is cut at the width rather than moved to its own line
            let w = o.w();
            for line in cut(&s.url, w, &format!("[{}] ", s.id), 5) {
                o.push(line);
            }
            if !s.origins.is_empty() {
                o.para(&format!("from {}", s.origins.join(", ")), "     ", 5);
            }
        }
    }
    if !d.methods.is_empty() {
        o.section("Computed figures");
        for m in &d.methods {
            let inputs: Vec<String> = m
                .sources
                .iter()
                .map(|s| s.to_string())
                .chain(m.data.iter().cloned())
                .collect();
            let from = if inputs.is_empty() {
                String::new()
            } else {
                format!(" (from {})", inputs.join(", "))
            };
            o.para(&format!("[{}] {}{from}", m.id, m.method), "", 5);
        }
    }
}
