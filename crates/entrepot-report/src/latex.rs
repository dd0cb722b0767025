//! The tables of a document as LaTeX `tabular`s (booktabs): one per table, the
//! columns a reader sees, footer rows under a `\midrule`, an estimate as its value
//! with stars and, on the next line, its standard error in parentheses. Every text
//! goes through [`latex`] (special characters escaped, control characters made
//! visible).

use crate::escape::latex;
use crate::layout::{numeric_column, visible_columns};
use entrepot_doc::{format, Block, Cell, Currency, Document, Table};

/// Renders every table of `d`, in reading order; the notes of a table's section
/// follow it as LaTeX comments.
pub fn render(d: &Document) -> String {
    let mut s = String::new();
    for sec in &d.sections {
        let mut notes = Vec::new();
        let mut wrote = false;
        for b in &sec.blocks {
            match b {
                Block::Table(t) => {
                    s.push_str(&table(t, d.currency));
                    wrote = true;
                }
                Block::Note(n) => notes.push(n.text.clone()),
                _ => {}
            }
        }
        if wrote {
            for n in notes {
                // a comment ends at the line end: newlines in the note are flattened
                s.push_str(&format!("% {}\n", latex(&n).replace(['\n', '\r'], " ")));
            }
        }
    }
    s
}

fn cell_text(c: &Cell, currency: Option<Currency>) -> (String, Option<String>) {
    match c {
        Cell::Figure { figure } => (
            format!(
                "{}\\textsuperscript{{{}}}",
                latex(&format::figure(figure, currency)),
                figure.source
            ),
            None,
        ),
        Cell::Estimate {
            estimate,
            std_error,
            stars,
            decimals,
            ..
        } => {
            let st = if *stars == 0 {
                String::new()
            } else {
                format!("$^{{{}}}$", format::stars(*stars))
            };
            (
                format!("{}{st}", format::estimate(*estimate, *decimals)),
                Some(format!("({})", format::estimate(*std_error, *decimals))),
            )
        }
        Cell::Missing { .. } => ("--".into(), None),
        c => (latex(&format::cell(c, currency)), None),
    }
}

fn table(t: &Table, currency: Option<Currency>) -> String {
    let cols = visible_columns(t);
    let spec: String = cols
        .iter()
        .enumerate()
        .map(|(j, &i)| {
            if j == 0 || !numeric_column(t, i) {
                'l'
            } else {
                'c'
            }
        })
        .collect();
    let mut s = String::new();
    if !t.title.is_empty() {
        s.push_str(&format!(
            "% {}\n",
            latex(&t.title).replace(['\n', '\r'], " ")
        ));
    }
    s.push_str(&format!("\\begin{{tabular}}{{{spec}}}\n\\toprule\n"));
    let header: Vec<String> = cols.iter().map(|&i| latex(&t.columns[i].label)).collect();
    s.push_str(&format!("{} \\\\\n\\midrule\n", header.join(" & ")));
    let rows = |s: &mut String, rows: &[entrepot_doc::Row]| {
        for r in rows {
            let cells: Vec<(String, Option<String>)> = cols
                .iter()
                .map(|&i| {
                    r.cells
                        .get(i)
                        .map(|c| cell_text(c, currency))
                        .unwrap_or_default()
                })
                .collect();
            let mut first: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
            if let Some(f) = first.first_mut().filter(|_| r.indent > 0) {
                *f = format!("{}{f}", "\\quad ".repeat(r.indent as usize));
            }
            s.push_str(&format!("{} \\\\\n", first.join(" & ")));
            if cells.iter().any(|c| c.1.is_some()) {
                let second: Vec<&str> =
                    cells.iter().map(|c| c.1.as_deref().unwrap_or("")).collect();
                s.push_str(&format!("{} \\\\\n", second.join(" & ")));
            }
        }
    };
    rows(&mut s, &t.rows);
    if !t.footer.is_empty() {
        s.push_str("\\midrule\n");
        rows(&mut s, &t.footer);
    }
    s.push_str("\\bottomrule\n\\end{tabular}\n");
    s
}
