//! The self-contained HTML report.

use crate::escape::{anchor, link_target};
use crate::labels::{check_tag, flow_title, growth_header, headline_rows, status_word};
use crate::marks::{conflicting, diversion_items, text, Marks, Style};
use crate::svg::{self, esc};
use entrepot_brief::{Brief, CheckKind, CheckStatus, Figure, PartnerKind, Provenance};
use std::fmt::Write;

const CSS: &str = r#"
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;color:#1b1b1b;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.25em .6em;border-bottom:1px solid #e3e3e3;vertical-align:top}
th{text-align:left;background:#f5f5f5}td.num{text-align:right;white-space:nowrap}
sup.mark a{text-decoration:none;color:#1f5fa8;font-size:.8em}
sup.mark.computed a{color:#2b7a2b}
.conflict{background:#fff1e6}.alt{display:block;color:#b34700;font-size:.9em}
.status-ok{color:#2b7a2b;font-weight:600}.status-conflict,.status-mismatch{color:#b00020;font-weight:600}
.status-minor{color:#9a6a00;font-weight:600}.status-na{color:#777}
.record-first{font-weight:600}
.chart{display:block;margin:1em 0;max-width:100%;height:auto;font-family:inherit}
.chart .grid{stroke:#e5e5e5;stroke-width:1}.chart .axis{stroke:#555;stroke-width:1}
.chart .tick,.chart .legend,.chart .label,.chart .value{font-size:11px;fill:#333}
.chart .chart-empty{font-size:13px;fill:#777}
.bar-exports,.bar-exports-swatch{fill:#1f5fa8}.bar-imports,.bar-imports-swatch{fill:#8fb6e3}
.line-balance{fill:none;stroke:#d62728;stroke-width:2}.line-balance-dot,.line-balance-swatch{fill:#d62728}
.line-ytd{fill:none;stroke:#555;stroke-width:2;stroke-dasharray:6 4}.line-ytd-dot,.line-ytd-swatch{fill:#555}
.bar-pos{fill:#2ca02c}.bar-neg{fill:#d62728}.bar-total{fill:#555}
.share-line{fill:none;stroke-width:2}
ol.sources li,ul.computed li{font-size:.88em;word-break:break-all}
"#;

struct Html {
    s: String,
    marks: Marks,
}

impl Html {
    fn mark(&mut self, f: &Figure) -> String {
        let raw_id = self.marks.id(f);
        let href = anchor(&raw_id)
            .map(|a| format!(" href=\"#{a}\""))
            .unwrap_or_default();
        let id = esc(&raw_id);
        match &f.provenance {
            Provenance::Published {
                source_url, note, ..
            } => format!(
                "<sup class=\"mark published\"><a{href} title=\"published: {}{}\">{id}</a></sup>",
                esc(source_url),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", esc(note))
                }
            ),
            Provenance::Computed { method, inputs, .. } => format!(
                "<sup class=\"mark computed\"><a{href} title=\"computed: {} (from {})\">{id}</a></sup>",
                esc(method),
                esc(&inputs.join(", "))
            ),
        }
    }

    fn cell(&mut self, f: Option<&Figure>, style: Style) -> String {
        match f {
            None => "–".into(),
            Some(f) => {
                let mut c = format!("{}{}", esc(&text(f, style)), self.mark(f));
                for a in conflicting(f) {
                    let m = self.mark(&a);
                    c.push_str(&format!(
                        "<span class=\"alt\">or {}{m}</span>",
                        esc(&text(&a, style))
                    ));
                }
                c
            }
        }
    }

    fn td(&mut self, f: Option<&Figure>, style: Style) -> String {
        let conflict = f.is_some_and(|f| f.is_conflicted());
        let c = self.cell(f, style);
        if conflict {
            format!("<td class=\"num conflict\">{c}</td>")
        } else {
            format!("<td class=\"num\">{c}</td>")
        }
    }
}

/// ` id="P3"` for a marker id that can be an anchor (see [`anchor`]), else nothing.
fn id_attr(id: &str) -> String {
    anchor(id)
        .map(|a| format!(" id=\"{a}\""))
        .unwrap_or_default()
}

/// Renders the brief as a self-contained HTML page.
pub fn render(b: &Brief) -> String {
    let mut h = Html {
        s: String::new(),
        marks: Marks::default(),
    };
    let title = format!(
        "Release brief: {} ({}), {}",
        b.reporter_name, b.reporter, b.period
    );
    let _ = write!(
        h.s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = esc(&title)
    );
    let mut basis = esc(&b.data_basis.description);
    if !b.data_basis.label.is_empty() {
        basis.push_str(&format!(" — {}", esc(&b.data_basis.label)));
    }
    let _ = writeln!(
        h.s,
        "<p class=\"meta\">Data: {basis}.<br>{}<br>Markers: <sup class=\"mark published\"><a>P</a></sup> published figure (see Sources), <sup class=\"mark computed\"><a>C</a></sup> computed by Entrepôt (see Computed figures; hover for the method), ~ approximate; shaded cells: published reports disagree, all shown.</p>",
        esc(&b.comparison.description)
    );

    // Headline
    h.s.push_str("<section id=\"headline\"><h2>Headline</h2>\n<table><tr><th>Window</th><th></th><th>Exports</th><th>Imports</th><th>Balance</th></tr>\n");
    let rows = headline_rows(b);
    for (label, r) in rows {
        let ms = [&r.exports, &r.imports, &r.balance];
        let mut lv = String::new();
        let mut gv = String::new();
        for m in ms {
            lv.push_str(&h.td(m.level.as_ref(), Style::Level));
            gv.push_str(&h.td(m.yoy_pct.as_ref(), Style::Change));
        }
        let _ = writeln!(
            h.s,
            "<tr><th rowspan=\"2\">{}</th><td>value</td>{lv}</tr><tr><td>vs {}</td>{gv}</tr>",
            esc(&label),
            r.comparison_span
        );
    }
    h.s.push_str("</table>\n");
    h.s.push_str(&svg::trend(&b.charts.trend));
    h.s.push_str("</section>\n");

    // Records
    if !b.records.is_empty() {
        h.s.push_str("<section id=\"records\"><h2>Records</h2><ul>\n");
        for r in &b.records {
            let m = h.mark(&r.figure);
            let class = if r.first_time || r.is_record {
                " class=\"record-first\""
            } else {
                ""
            };
            let _ = writeln!(
                h.s,
                "<li{class}>{}{m} <span class=\"meta\">({})</span></li>",
                esc(&r.statement),
                esc(&r.history.description)
            );
        }
        h.s.push_str("</ul></section>\n");
    }

    // Partners
    h.s.push_str("<section id=\"partners\"><h2>Partners and groups</h2>\n");
    for t in &b.partner_tables {
        let tot = h.cell(t.total.level.as_ref(), Style::Level);
        let g = h.cell(t.total.yoy_pct.as_ref(), Style::Change);
        let _ = write!(
            h.s,
            "<h3>{} {} (vs {})</h3><p>Total: {tot}, {g}</p>\n<table class=\"partners\"><tr><th>Partner</th><th>Value</th><th>{gh}</th><th>Share</th><th>Change in share</th><th>Contribution</th></tr>\n",
            flow_title(&t.flow),
            t.span,
            t.comparison_span,
            gh = esc(&growth_header(t))
        );
        for r in &t.rows {
            let mut name = match r.kind {
                PartnerKind::Group => format!("{} ({} members)", r.name, r.members.unwrap_or(0)),
                _ => r.name.clone(),
            };
            if let Some(w) = &r.within {
                name = format!("↳ {name} (in {w})");
            }
            let cells = [
                h.td(r.value.as_ref(), Style::Level),
                h.td(r.yoy_pct.as_ref(), Style::Change),
                h.td(r.share_pct.as_ref(), Style::Level),
                h.td(r.share_change_pp.as_ref(), Style::Change),
                h.td(r.contribution_pp.as_ref(), Style::Change),
            ];
            let _ = writeln!(
                h.s,
                "<tr data-partner=\"{}\"><td>{}</td>{}</tr>",
                esc(&r.code),
                esc(&name),
                cells.concat()
            );
        }
        let _ = writeln!(
            h.s,
            "</table><p class=\"meta\">Contribution identity ({}): {}</p>",
            status_word(t.identity.status),
            esc(&t.identity.note)
        );
        if !t.not_held.is_empty() {
            let _ = writeln!(
                h.s,
                "<p class=\"meta\">Nothing held for: {}.</p>",
                esc(&t.not_held.join(", "))
            );
        }
    }
    h.s.push_str("<h3>Contributions to export growth</h3>\n");
    h.s.push_str(&svg::contributions(
        &b.charts.contributions,
        b.charts.contributions_total_pct,
    ));
    h.s.push_str("<h3>Partner shares over time</h3>\n");
    h.s.push_str(&svg::shares(&b.charts.shares));
    h.s.push_str("</section>\n");

    // Diversion
    if let Some(d) = &b.diversion {
        let _ = writeln!(
            h.s,
            "<section id=\"diversion\"><h2>Diversion</h2><p>{}</p><table>",
            esc(&d.statement)
        );
        let items = diversion_items(d);
        for (label, f, st) in items {
            if f.is_some() {
                let c = h.td(f, st);
                let _ = writeln!(h.s, "<tr><th>{}</th>{c}</tr>", esc(&label));
            }
        }
        h.s.push_str("</table></section>\n");
    }

    // Context
    if !b.indicators.is_empty() || !b.other_figures.is_empty() {
        h.s.push_str("<section id=\"context\"><h2>Context indicators</h2><ul>\n");
        for i in &b.indicators {
            let c = h.cell(Some(&i.latest), Style::Level);
            let prev = match &i.previous {
                Some(p) => format!(" (previous {})", h.cell(Some(p), Style::Level)),
                None => String::new(),
            };
            let run = i
                .run
                .as_ref()
                .map(|r| format!("<br><span class=\"meta\">{}</span>", esc(&r.statement)))
                .unwrap_or_default();
            let _ = writeln!(
                h.s,
                "<li><strong>{}</strong> {}: {c}{prev}{run}</li>",
                esc(&i.label),
                i.latest_period
            );
        }
        h.s.push_str("</ul>\n");
        if !b.other_figures.is_empty() {
            h.s.push_str(
                "<table><tr><th>Span</th><th>Figure</th><th>Value</th><th>y/y</th></tr>\n",
            );
            for f in &b.other_figures {
                let v = h.td(f.value.as_ref(), Style::Level);
                let g = h.td(f.yoy_pct.as_ref(), Style::Change);
                let name = if f.partner.is_empty() {
                    f.indicator.clone()
                } else {
                    format!("{} {}", f.indicator, f.partner)
                };
                let _ = writeln!(
                    h.s,
                    "<tr><td>{}</td><td>{}</td>{v}{g}</tr>",
                    f.span,
                    esc(&name)
                );
            }
            h.s.push_str("</table>\n");
        }
        h.s.push_str("</section>\n");
    }

    // Checks
    if !b.checks.is_empty() {
        h.s.push_str("<section id=\"checks\"><h2>Consistency checks</h2><table><tr><th>Status</th><th>Check</th><th>Figures</th><th>Detail</th></tr>\n");
        for c in &b.checks {
            let class = match c.status {
                CheckStatus::Ok => "status-ok",
                CheckStatus::MinorDifference => "status-minor",
                CheckStatus::NotCheckable => "status-na",
                CheckStatus::Conflict => "status-conflict",
                CheckStatus::Mismatch => "status-mismatch",
            };
            let style = if c.subject.ends_with("y/y") {
                Style::Change
            } else {
                Style::Level
            };
            let figs: Vec<String> = c
                .items
                .iter()
                .map(|it| {
                    let m = h.mark(&it.figure);
                    format!("{}: {}{m}", esc(&it.label), esc(&text(&it.figure, style)))
                })
                .collect();
            let _ = writeln!(
                h.s,
                "<tr class=\"check check-{:?}\"><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.kind,
                check_tag(c.status),
                esc(&c.subject),
                if c.kind == CheckKind::ContributionIdentity {
                    String::new()
                } else {
                    figs.join("<br>")
                },
                esc(&c.detail)
            );
        }
        h.s.push_str("</table></section>\n");
    }

    if !b.notes.is_empty() {
        h.s.push_str("<section id=\"notes\"><h2>Notes</h2><ul>\n");
        for n in &b.notes {
            let _ = writeln!(h.s, "<li>{}</li>", esc(n));
        }
        h.s.push_str("</ul></section>\n");
    }

    h.s.push_str("<section id=\"sources\"><h2>Sources</h2><ol class=\"sources\">\n");
    for s in &b.sources {
        // the list number follows the source id (`P3` is item 3) when the id is one
        let value =
            s.id.strip_prefix('P')
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| format!(" value=\"{n}\""))
                .unwrap_or_default();
        // only a well-formed http(s) URL becomes a link; anything else is shown as text
        let url = match link_target(&s.url) {
            Some(u) => format!("<a href=\"{u}\" rel=\"noreferrer\">{u}</a>", u = esc(u)),
            None => format!("<span class=\"url\">{}</span>", esc(&s.url)),
        };
        let _ = writeln!(
            h.s,
            "<li{anchor}{value}><strong>{id}</strong> {url} <span class=\"meta\">({o})</span></li>",
            anchor = id_attr(&s.id),
            id = esc(&s.id),
            o = esc(&s.origins.join(", "))
        );
    }
    h.s.push_str("</ol></section>\n");
    if !h.marks.computed.is_empty() {
        h.s.push_str("<section id=\"computed\"><h2>Computed figures</h2><ul class=\"computed\">\n");
        let notes = h.marks.computed.clone();
        for n in notes {
            let _ = writeln!(
                h.s,
                "<li{anchor}><strong>{id}</strong> {} <span class=\"meta\">(from {})</span></li>",
                esc(&n.method),
                esc(&n.inputs.join(", ")),
                anchor = id_attr(&n.id),
                id = esc(&n.id)
            );
        }
        h.s.push_str("</ul></section>\n");
    }
    let _ = write!(
        h.s,
        "<footer class=\"meta\"><p>Generated by Entrepôt. Schema version {}.</p></footer>\n</body>\n</html>\n",
        esc(&b.schema_version)
    );
    h.s
}
