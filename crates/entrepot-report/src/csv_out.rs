//! The tables of a document as one CSV: one line per table row, the table's id and
//! the row's part first, then one column per column key of the tables written (in
//! order of first appearance). A figure column also gets its marker, its provenance in
//! words and its conflicting reports; an estimate column its standard error, p-value
//! and stars. Every field, numbers included, is written through [`csv_cell`]: control
//! characters made visible, formula-like text prefixed with `'`, quoted when needed.

use crate::escape::csv_cell;
use crate::CsvOptions;
use entrepot_doc::{Basis, Cell, Document, Provenance, Row, Table};

/// What the cells of one column key hold across the tables written.
struct Key {
    key: String,
    figures: bool,
    estimates: bool,
}

fn basis_word(b: Basis) -> &'static str {
    match b {
        Basis::Flows => "flows",
        Basis::Published => "published",
        Basis::Mixed => "mixed",
    }
}

fn provenance(p: &Provenance) -> String {
    match p {
        Provenance::Published { source_url, .. } => format!("published {source_url}"),
        Provenance::Computed { basis, method, .. } => {
            format!("computed ({}) {method}", basis_word(*basis))
        }
    }
}

/// The CSV key of each column of `t`: its key, with `_2`, `_3`, … added to a key the
/// table already used (so no column is lost to a repeated key).
fn column_keys(t: &Table) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(t.columns.len());
    for c in &t.columns {
        let mut k = c.key.clone();
        let mut n = 1;
        while out.contains(&k) {
            n += 1;
            k = format!("{}_{n}", c.key);
        }
        out.push(k);
    }
    out
}

/// Renders the tables selected by `opts` (see [`CsvOptions`]).
pub fn render(d: &Document, opts: &CsvOptions) -> String {
    let tables: Vec<&Table> = d
        .tables()
        .filter(|t| {
            opts.table_prefix
                .as_deref()
                .is_none_or(|p| t.id.starts_with(p))
        })
        .collect();
    let mut keys: Vec<Key> = Vec::new();
    for t in &tables {
        for (i, key) in column_keys(t).into_iter().enumerate() {
            let pos = match keys.iter().position(|k| k.key == key) {
                Some(p) => p,
                None => {
                    keys.push(Key {
                        key,
                        figures: false,
                        estimates: false,
                    });
                    keys.len() - 1
                }
            };
            for r in t.rows.iter().chain(&t.footer) {
                match r.cells.get(i) {
                    Some(Cell::Figure { .. }) => keys[pos].figures = true,
                    Some(Cell::Estimate { .. }) => keys[pos].estimates = true,
                    _ => {}
                }
            }
        }
    }
    let mut header = vec!["table".to_string(), "part".to_string()];
    for k in &keys {
        header.push(k.key.clone());
        if k.figures {
            for s in ["source", "provenance", "conflicting"] {
                header.push(format!("{}_{s}", k.key));
            }
        }
        if k.estimates {
            for s in ["std_error", "p_value", "stars"] {
                header.push(format!("{}_{s}", k.key));
            }
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, fields: Vec<String>| {
        let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    };
    line(&mut out, header);
    for t in &tables {
        let rows = t
            .rows
            .iter()
            .map(|r| (r, "body"))
            .chain(t.footer.iter().map(|r| (r, "footer")));
        for (r, part) in rows {
            line(&mut out, fields(t, r, part, &keys));
        }
    }
    out
}

/// The fields of one row, in the order of the header.
fn fields(t: &Table, r: &Row, part: &str, keys: &[Key]) -> Vec<String> {
    let mut f = vec![t.id.clone(), part.to_string()];
    let own = column_keys(t);
    for k in keys {
        let cell = own
            .iter()
            .position(|c| *c == k.key)
            .and_then(|i| r.cells.get(i));
        let (mut value, mut source, mut prov, mut alts) =
            (String::new(), String::new(), String::new(), String::new());
        let (mut se, mut p, mut stars) = (String::new(), String::new(), String::new());
        match cell {
            Some(Cell::Text { text }) => value = text.clone(),
            Some(Cell::Figure { figure }) => {
                value = format!("{}", figure.value);
                source = figure.source.to_string();
                prov = provenance(&figure.provenance);
                alts = figure
                    .conflicting()
                    .iter()
                    .map(|a| format!("{} [{}]", a.value, a.source))
                    .collect::<Vec<_>>()
                    .join(";");
            }
            Some(Cell::Number { value: v, .. }) => value = format!("{v}"),
            Some(Cell::Estimate {
                estimate,
                std_error,
                p_value,
                stars: s,
                ..
            }) => {
                value = format!("{estimate}");
                se = format!("{std_error}");
                p = format!("{p_value}");
                stars = s.to_string();
            }
            Some(Cell::Missing { reason }) => prov = format!("missing: {reason}"),
            None => {}
        }
        f.push(value);
        if k.figures {
            f.extend([source, prov, alts]);
        }
        if k.estimates {
            f.extend([se, p, stars]);
        }
    }
    f
}
