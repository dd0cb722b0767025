//! The self-contained HTML report: inline CSS, inline SVG charts, no scripts and no
//! external resources. Every text and attribute value from the document goes through
//! [`esc`]; ids become anchors only through [`anchor`], URLs links only through
//! [`link_target`].

use crate::escape::{anchor, link_target};
use crate::layout::{check_class, check_tag, currency_note, numeric_column, visible_columns};
use crate::svg::{self, esc};
use entrepot_doc::{
    format, Block, Cell, Chart, Check, Currency, Document, Figure, FigureItem, Note, Provenance,
    Table,
};
use std::collections::HashSet;
use std::fmt::Write;

const CSS: &str = r#"
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;color:#1b1b1b;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
h3{font-size:1.02em;margin-bottom:.3em}
.meta{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
.scroll{overflow-x:auto;max-width:100%}
.chart-title{font-size:.92em;font-weight:600;margin:1.2em 0 0}
th,td{padding:.25em .6em;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{text-align:left;background:#f5f5f5}td.num{text-align:right;white-space:nowrap}
tr.footer td{border-top:2px solid #999;font-weight:600}tr.emphasis td{font-weight:600}
td.indent-1{padding-left:1.6em}td.indent-2{padding-left:2.6em}
td.missing{color:#999}
sup.mark a{text-decoration:none;color:#1f5fa8;font-size:.8em}
sup.mark.computed a{color:#2b7a2b}
.conflict{background:#fff1e6}.alt{display:block;color:#b34700;font-size:.9em}
.status-ok{color:#2b7a2b;font-weight:600}.status-conflict{color:#b00020;font-weight:600}
.status-warning{color:#9a6a00;font-weight:600}.status-na{color:#777}
.emphasis{font-weight:600}
dl.figures{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dl.figures dt{color:#333}dl.figures dd{margin:0}
.chart{display:block;margin:1em 0;max-width:100%;height:auto;font-family:inherit}
.chart .grid{stroke:#e5e5e5;stroke-width:1}.chart .axis{stroke:#555;stroke-width:1}
.chart .tick,.chart .legend,.chart .label,.chart .value{font-size:11px;fill:#333}
.chart .chart-empty{font-size:13px;fill:#777}
.line{fill:none;stroke-width:2}.line-dashed{stroke-dasharray:6 4}
.bar-pos{fill:#2ca02c}.bar-neg{fill:#d62728}.bar-total{fill:#555}
ol.sources li,ul.computed li{font-size:.88em;word-break:break-all}
"#;

struct Html {
    s: String,
    currency: Option<Currency>,
    /// Put before every `id` and `#fragment` (empty for a page of its own).
    prefix: String,
    /// The heading level of the document's title (sections one below, tables two).
    level: u8,
    /// The ids given so far: an id is given once (a table whose id is its section's
    /// gets none), so the page never holds two elements with one id.
    used: HashSet<String>,
}

/// How [`fragment`] lays a document out inside a page of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentOptions {
    /// Put before every `id` attribute and `#fragment` link of the document, so that
    /// two documents on one page do not share anchors (`P1`, `sources`). Used only
    /// when it is 1 to 32 ASCII letters, digits, `-` or `_`; otherwise ignored.
    pub id_prefix: String,
    /// The heading level of the document's title, 1 to 4 (sections get the next
    /// level, tables the one after); other values are brought into that range.
    pub heading_level: u8,
}

impl Default for FragmentOptions {
    fn default() -> Self {
        FragmentOptions {
            id_prefix: String::new(),
            heading_level: 2,
        }
    }
}

impl Html {
    /// The id of an element, with the prefix, when `id` can be an anchor (see
    /// [`anchor`]) and no element has it yet.
    fn take_id(&mut self, id: &str) -> Option<String> {
        anchor(id)
            .filter(|a| self.used.insert((*a).to_string()))
            .map(|a| format!("{}{a}", self.prefix))
    }

    /// ` id="P3"` for [`Html::take_id`], else nothing.
    fn id_attr(&mut self, id: &str) -> String {
        self.take_id(id)
            .map(|a| format!(" id=\"{a}\""))
            .unwrap_or_default()
    }

    /// `#P3` (with the prefix) for a marker id.
    fn href(&self, id: &str) -> String {
        format!("#{}{id}", self.prefix)
    }

    /// The marker of a figure: a link to its source or method, with the provenance as
    /// a tooltip.
    fn mark(&self, f: &Figure) -> String {
        let id = f.source.to_string();
        match &f.provenance {
            Provenance::Published {
                source_url, note, ..
            } => format!(
                "<sup class=\"mark published\"><a href=\"{href}\" title=\"published: {}{}\">{id}</a></sup>",
                esc(source_url),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", esc(note))
                },
                href = self.href(&id)
            ),
            Provenance::Computed { method, inputs, .. } => format!(
                "<sup class=\"mark computed\"><a href=\"{href}\" title=\"computed: {} (from {})\">{id}</a></sup>",
                esc(method),
                esc(&inputs.join(", ")),
                href = self.href(&id)
            ),
        }
    }

    /// A cell's content: figures with their marker and conflicting reports.
    fn cell(&self, c: &Cell) -> String {
        match c {
            Cell::Figure { figure: f } => {
                let mut s = format!("{}{}", esc(&format::figure(f, self.currency)), self.mark(f));
                for a in f.conflicting() {
                    s.push_str(&format!(
                        "<span class=\"alt\">or {}{}</span>",
                        esc(&format::figure(&a, self.currency)),
                        self.mark(&a)
                    ));
                }
                s
            }
            Cell::Missing { reason } => {
                format!("<span class=\"missing\" title=\"{}\">–</span>", esc(reason))
            }
            c => esc(&format::cell(c, self.currency)),
        }
    }

    /// A `<td>` with the classes of its content.
    fn td(&self, c: &Cell, numeric: bool, indent: u8) -> String {
        let mut class = Vec::new();
        if numeric {
            class.push("num".to_string());
        }
        if matches!(c, Cell::Figure { figure } if figure.is_conflicted()) {
            class.push("conflict".into());
        }
        if matches!(c, Cell::Missing { .. }) {
            class.push("missing".into());
        }
        if indent > 0 {
            class.push(format!("indent-{}", indent.min(2)));
        }
        let class = if class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", class.join(" "))
        };
        format!("<td{class}>{}</td>", self.cell(c))
    }
}

/// Renders a document as a self-contained HTML page.
pub fn render(d: &Document) -> String {
    let mut h = Html {
        s: String::new(),
        currency: d.currency,
        prefix: String::new(),
        level: 1,
        used: HashSet::new(),
    };
    let _ = write!(
        h.s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        t = esc(&d.title)
    );
    body(&mut h, d);
    let _ = write!(
        h.s,
        "<footer class=\"meta\"><p>Generated by Entrepôt. Document schema version {}.</p></footer>\n</body>\n</html>\n",
        esc(&d.schema_version)
    );
    h.s
}

/// Renders a document as an HTML fragment to embed in a page (a dashboard): the
/// title, lead, sections, sources and computed figures of [`render`], inside an
/// `<article>`, with the heading levels and id prefix of `opts`. The page supplies
/// the `<head>` and the style sheet ([`STYLE`]).
pub fn fragment(d: &Document, opts: &FragmentOptions) -> String {
    let prefix = if (1..=32).contains(&opts.id_prefix.len())
        && opts
            .id_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        opts.id_prefix.clone()
    } else {
        String::new()
    };
    let mut h = Html {
        s: String::new(),
        currency: d.currency,
        prefix,
        level: opts.heading_level.clamp(1, 4),
        used: HashSet::new(),
    };
    let id = if h.prefix.is_empty() {
        String::new()
    } else {
        format!(" id=\"{}document\"", h.prefix)
    };
    let _ = writeln!(h.s, "<article class=\"report\"{id}>");
    body(&mut h, d);
    let _ = writeln!(
        h.s,
        "<p class=\"meta\">Document schema version {}.</p>\n</article>",
        esc(&d.schema_version)
    );
    h.s
}

/// The style sheet of the HTML report, for pages that embed [`fragment`]s.
pub const STYLE: &str = CSS;

/// The document between the page's `<body>` and its footer.
fn body(h: &mut Html, d: &Document) {
    // The ids of the closing lists are taken first: blocks never get them.
    for id in ["sources", "computed", "document"] {
        h.used.insert(id.to_string());
    }
    for id in d.sources.iter().map(|s| s.id.to_string()) {
        h.used.insert(id);
    }
    for id in d.methods.iter().map(|m| m.id.to_string()) {
        h.used.insert(id);
    }
    let (h1, h2) = (h.level, h.level + 1);
    let _ = writeln!(h.s, "<h{h1}>{}</h{h1}>", esc(&d.title));
    let lead: Vec<String> = d.lead.iter().map(|l| esc(l)).collect();
    let currency = currency_note(d)
        .map(|c| format!(" {}", esc(&c)))
        .unwrap_or_default();
    let _ = writeln!(
        h.s,
        "<p class=\"meta\">{}{}Markers: <sup class=\"mark published\"><a>P</a></sup> published figure (see Sources), <sup class=\"mark computed\"><a>C</a></sup> computed by Entrepôt (see Computed figures; hover for the method), ~ approximate; shaded cells: published reports disagree, all shown.{currency}</p>",
        lead.join("<br>"),
        if lead.is_empty() { "" } else { "<br>" }
    );
    for s in &d.sections {
        let id = h.id_attr(&s.id);
        let _ = writeln!(h.s, "<section{id}><h{h2}>{}</h{h2}>", esc(&s.title));
        for b in &s.blocks {
            match b {
                Block::Figures { items } => figures(h, items),
                Block::Table(t) => table(h, t),
                Block::Chart(c) => chart(h, c),
                Block::Note(n) => note(h, n),
                Block::Checks { checks: cs } => checks(h, cs),
            }
        }
        h.s.push_str("</section>\n");
    }
    if !d.sources.is_empty() {
        let _ = writeln!(
            h.s,
            "<section id=\"{}sources\"><h{h2}>Sources</h{h2}><ol class=\"sources\">",
            h.prefix
        );
        for s in &d.sources {
            // only a well-formed http(s) URL becomes a link; anything else is shown as text
            let url = match link_target(&s.url) {
                Some(u) => format!("<a href=\"{u}\" rel=\"noreferrer\">{u}</a>", u = esc(u)),
                None => format!("<span class=\"url\">{}</span>", esc(&s.url)),
            };
            let _ = writeln!(
                h.s,
                "<li id=\"{p}{id}\" value=\"{n}\"><strong>{id}</strong> {url} <span class=\"meta\">({o})</span></li>",
                p = h.prefix,
                id = s.id,
                n = s.id.number(),
                o = esc(&s.origins.join(", "))
            );
        }
        h.s.push_str("</ol></section>\n");
    }
    if !d.methods.is_empty() {
        let _ = writeln!(
            h.s,
            "<section id=\"{}computed\"><h{h2}>Computed figures</h{h2}><ul class=\"computed\">",
            h.prefix
        );
        for m in &d.methods {
            let inputs: Vec<String> = m
                .sources
                .iter()
                .map(|s| format!("<a href=\"{}\">{s}</a>", h.href(&s.to_string())))
                .chain(m.data.iter().map(|x| esc(x)))
                .collect();
            let _ = writeln!(
                h.s,
                "<li id=\"{p}{id}\"><strong>{id}</strong> {} <span class=\"meta\">(from {})</span></li>",
                esc(&m.method),
                inputs.join(", "),
                p = h.prefix,
                id = m.id
            );
        }
        h.s.push_str("</ul></section>\n");
    }
}

fn figures(h: &mut Html, items: &[FigureItem]) {
    h.s.push_str("<dl class=\"figures\">\n");
    for it in items {
        let note = it
            .note
            .as_ref()
            .map(|n| format!("<br><span class=\"meta\">{}</span>", esc(n)))
            .unwrap_or_default();
        let value = match &it.value {
            Cell::Missing { reason } => format!("– <span class=\"meta\">({})</span>", esc(reason)),
            c => h.cell(c),
        };
        let _ = writeln!(h.s, "<dt>{}</dt><dd>{value}{note}</dd>", esc(&it.label));
    }
    h.s.push_str("</dl>\n");
}

fn table(h: &mut Html, t: &Table) {
    if !t.title.is_empty() || t.source.is_some() {
        let source = t
            .source
            .map(|s| {
                format!(
                    " <sup class=\"mark computed\"><a href=\"{}\">{s}</a></sup>",
                    h.href(&s.to_string())
                )
            })
            .unwrap_or_default();
        let h3 = h.level + 2;
        let _ = writeln!(h.s, "<h{h3}>{}{source}</h{h3}>", esc(&t.title));
    }
    let cols = visible_columns(t);
    let numeric: Vec<bool> = cols.iter().map(|&i| numeric_column(t, i)).collect();
    // A wide table scrolls sideways inside the page instead of running past it.
    let id = h.id_attr(&t.id);
    let _ = write!(h.s, "<div class=\"scroll\"><table{id}><tr>");
    for &i in &cols {
        let _ = write!(h.s, "<th>{}</th>", esc(&t.columns[i].label));
    }
    h.s.push_str("</tr>\n");
    for (r, footer) in t
        .rows
        .iter()
        .map(|r| (r, false))
        .chain(t.footer.iter().map(|r| (r, true)))
    {
        let class = match (footer, r.emphasis) {
            (true, _) => " class=\"footer\"",
            (false, true) => " class=\"emphasis\"",
            _ => "",
        };
        let cells: String = cols
            .iter()
            .enumerate()
            .map(|(j, &i)| {
                let indent = if j == 0 { r.indent } else { 0 };
                match r.cells.get(i) {
                    Some(c) => h.td(c, numeric[j], indent),
                    None => "<td></td>".into(),
                }
            })
            .collect();
        let _ = writeln!(h.s, "<tr{class}>{cells}</tr>");
    }
    h.s.push_str("</table></div>\n");
}

fn chart(h: &mut Html, c: &Chart) {
    // The title in the SVG is for screen readers; readers see this caption.
    if !c.title.is_empty() {
        let _ = writeln!(h.s, "<p class=\"chart-title\">{}</p>", esc(&c.title));
    }
    let id = h.take_id(&c.id);
    h.s.push_str(&svg::chart(c, h.currency, id.as_deref()));
    h.s.push('\n');
}

fn note(h: &mut Html, n: &Note) {
    let marks: String = n.figures.iter().map(|f| h.mark(f)).collect();
    let class = if n.emphasis {
        " class=\"emphasis\""
    } else {
        ""
    };
    let _ = writeln!(h.s, "<p{class}>{}{marks}</p>", esc(&n.text));
}

fn checks(h: &mut Html, cs: &[Check]) {
    h.s.push_str(
        "<table class=\"checks\"><tr><th>Status</th><th>Check</th><th>Figures</th><th>Detail</th></tr>\n",
    );
    for c in cs {
        let figs: Vec<String> = c
            .items
            .iter()
            .map(|it| format!("{}: {}", esc(&it.label), h.cell(&it.value)))
            .collect();
        let _ = writeln!(
            h.s,
            "<tr class=\"check\"><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            check_class(c.status),
            check_tag(c.status),
            esc(&c.subject),
            figs.join("<br>"),
            esc(&c.detail)
        );
    }
    h.s.push_str("</table>\n");
}
