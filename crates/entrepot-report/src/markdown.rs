//! The Markdown report. Text from the document goes through [`esc`] (Markdown and HTML
//! syntax escaped, control characters made visible); a source URL is a link only when
//! [`link_target`] accepts it. Markers are typed ids (`P3`), never data text.

use crate::escape::{link_target, markdown as esc};
use crate::layout::{check_tag, currency_note, markers_legend, numeric_column, visible_columns};
use entrepot_doc::{
    format, Block, Cell, Chart, Check, Currency, Document, FigureItem, Note, Plot, Table,
};

struct Md {
    s: String,
    currency: Option<Currency>,
}

impl Md {
    fn line(&mut self, l: &str) {
        self.s.push_str(l);
        self.s.push('\n');
    }

    /// A cell: figures with their marker and their conflicting reports, missing values
    /// as `–`.
    fn cell(&self, c: &Cell) -> String {
        match c {
            Cell::Figure { figure: f } => {
                let mut s = format!("{} [{}]", esc(&format::figure(f, self.currency)), f.source);
                for a in f.conflicting() {
                    s.push_str(&format!(
                        " **or** {} [{}]",
                        esc(&format::figure(&a, self.currency)),
                        a.source
                    ));
                }
                if f.is_conflicted() {
                    s.push_str(" ⚠");
                }
                s
            }
            Cell::Missing { .. } => "–".into(),
            c => esc(&format::cell(c, self.currency)),
        }
    }
}

/// Renders a document as Markdown.
pub fn render(d: &Document) -> String {
    let mut m = Md {
        s: String::new(),
        currency: d.currency,
    };
    m.line(&format!("# {}\n", esc(&d.title)));
    for l in &d.lead {
        m.line(&format!("{}  ", esc(l)));
    }
    let legend: Vec<String> = markers_legend(d)
        .map(|l| {
            l.replacen("Markers:", "*Markers:*", 1).replace(
                "! published reports disagree (alternatives shown)",
                "⚠ published reports disagree",
            )
        })
        .into_iter()
        .chain(currency_note(d))
        .collect();
    m.line(&format!("{}\n", legend.join(" ")));
    for s in &d.sections {
        m.line(&format!("## {}\n", esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Figures { items } => figures(&mut m, items),
                Block::Table(t) => table(&mut m, t),
                Block::Chart(c) => chart(&mut m, c),
                Block::Note(n) => note(&mut m, n),
                Block::Checks { checks: cs } => checks(&mut m, cs),
            }
        }
    }
    if !d.sources.is_empty() {
        m.line("## Sources\n");
        for s in &d.sources {
            // only a well-formed http(s) URL becomes a link; anything else is shown as text
            let url = match link_target(&s.url) {
                Some(u) => format!("<{u}>"),
                None => esc(&s.url),
            };
            m.line(&format!(
                "- **[{}]** {url} ({})",
                s.id,
                esc(&s.origins.join(", "))
            ));
        }
        m.line("");
    }
    if !d.methods.is_empty() {
        m.line("## Computed figures\n");
        for x in &d.methods {
            let inputs: Vec<String> = x
                .sources
                .iter()
                .map(|s| s.to_string())
                .chain(x.data.iter().map(|s| esc(s)))
                .collect();
            let from = if inputs.is_empty() {
                String::new()
            } else {
                format!(" (from {})", inputs.join(", "))
            };
            m.line(&format!("- **[{}]** {}{from}", x.id, esc(&x.method)));
        }
        m.line("");
    }
    m.s
}

fn figures(m: &mut Md, items: &[FigureItem]) {
    for it in items {
        let value = match &it.value {
            Cell::Missing { reason } => format!("– ({})", esc(reason)),
            c => m.cell(c),
        };
        m.line(&format!("- **{}**: {value}", esc(&it.label)));
        if let Some(n) = &it.note {
            m.line(&format!("  - {}", esc(n)));
        }
    }
    m.line("");
}

fn table(m: &mut Md, t: &Table) {
    if !t.title.is_empty() || t.source.is_some() {
        let source = t.source.map(|s| format!(" [{s}]")).unwrap_or_default();
        m.line(&format!("### {}{source}\n", esc(&t.title)));
    }
    let cols = visible_columns(t);
    let header: Vec<String> = cols.iter().map(|&i| esc(&t.columns[i].label)).collect();
    m.line(&format!("| {} |", header.join(" | ")));
    let rule: Vec<&str> = cols
        .iter()
        .map(|&i| if numeric_column(t, i) { "---:" } else { "---" })
        .collect();
    m.line(&format!("|{}|", rule.join("|")));
    for (r, footer) in t
        .rows
        .iter()
        .map(|r| (r, false))
        .chain(t.footer.iter().map(|r| (r, true)))
    {
        let cells: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(j, &i)| {
                let mut c = r.cells.get(i).map(|c| m.cell(c)).unwrap_or_default();
                if j == 0 && r.indent > 0 {
                    c = format!("{}{c}", "↳ ".repeat(r.indent as usize));
                }
                if (r.emphasis || footer) && !c.is_empty() && j == 0 {
                    c = format!("**{c}**");
                }
                c
            })
            .collect();
        m.line(&format!("| {} |", cells.join(" | ")));
    }
    m.line("");
}

fn chart(m: &mut Md, c: &Chart) {
    let title = esc(&c.title);
    match &c.plot {
        Plot::Bars { bars } if !bars.is_empty() => {
            m.line(&format!("*Chart: {title}*\n"));
            m.line(&format!("| | {} |", esc(&c.unit.label())));
            m.line("|---|---:|");
            for b in bars {
                let v = format::signed(b.value, 2);
                let label = if b.total {
                    format!("**{}**", esc(&b.label))
                } else {
                    esc(&b.label)
                };
                m.line(&format!("| {label} | {} |", esc(&v)));
            }
            m.line("");
        }
        Plot::Series {
            x_labels, series, ..
        } if !x_labels.is_empty() && !series.is_empty() => {
            let names: Vec<String> = series.iter().map(|s| esc(&s.label)).collect();
            m.line(&format!(
                "*Chart: {title}: {} from {} to {} (drawn in the HTML report).*\n",
                names.join(", "),
                esc(&x_labels[0]),
                esc(&x_labels[x_labels.len() - 1])
            ));
        }
        Plot::HeatMap {
            x_labels, y_labels, ..
        } if !x_labels.is_empty() && !y_labels.is_empty() => {
            m.line(&format!(
                "*Chart: {title}: {} rows by {} columns (drawn in the HTML report).*\n",
                y_labels.len(),
                x_labels.len()
            ));
        }
        _ => {
            let why = c.empty_reason.as_deref().unwrap_or("no data");
            m.line(&format!("*Chart: {title}: {}.*\n", esc(why)));
        }
    }
}

fn note(m: &mut Md, n: &Note) {
    let ids: Vec<String> = n
        .figures
        .iter()
        .map(|f| format!("[{}]", f.source))
        .collect();
    let ids = if ids.is_empty() {
        String::new()
    } else {
        format!(" {}", ids.join(" "))
    };
    if n.emphasis {
        m.line(&format!("- **{}**{ids}", esc(&n.text)));
    } else {
        m.line(&format!("- {}{ids}", esc(&n.text)));
    }
    m.line("");
}

fn checks(m: &mut Md, cs: &[Check]) {
    m.line("| Status | Check | Figures | Detail |");
    m.line("|---|---|---|---|");
    for c in cs {
        let items: Vec<String> = c
            .items
            .iter()
            .map(|it| format!("{}: {}", esc(&it.label), m.cell(&it.value)))
            .collect();
        m.line(&format!(
            "| {} | {} | {} | {} |",
            check_tag(c.status),
            esc(&c.subject),
            items.join("; "),
            esc(&c.detail)
        ));
    }
    m.line("");
}
