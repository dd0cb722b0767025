//! The Markdown report. Text from the brief goes through [`esc`] (Markdown and HTML
//! syntax escaped, control characters made visible); a source URL is a link only when
//! [`link_target`] accepts it.

use crate::escape::{link_target, markdown as esc};
use crate::labels::{check_tag, flow_title, growth_header, headline_rows, status_word};
use crate::marks::{conflicting, diversion_items, text, Marks, Style};
use entrepot_brief::{Brief, CheckKind, Figure, PartnerKind};

struct Md {
    s: String,
    marks: Marks,
}

impl Md {
    fn line(&mut self, l: &str) {
        self.s.push_str(l);
        self.s.push('\n');
    }

    /// The escaped marker id of a figure (`P3`, `C2`).
    fn id(&mut self, f: &Figure) -> String {
        esc(&self.marks.id(f))
    }

    fn cell(&mut self, f: Option<&Figure>, style: Style) -> String {
        match f {
            None => "–".into(),
            Some(f) => {
                let id = self.id(f);
                let mut c = format!("{} [{id}]", esc(&text(f, style)));
                for a in conflicting(f) {
                    let aid = self.id(&a);
                    c.push_str(&format!(" **or** {} [{aid}]", esc(&text(&a, style))));
                }
                if f.is_conflicted() {
                    c.push_str(" ⚠");
                }
                c
            }
        }
    }
}

/// Renders the brief as Markdown.
pub fn render(b: &Brief) -> String {
    let mut m = Md {
        s: String::new(),
        marks: Marks::default(),
    };
    m.line(&format!(
        "# Release brief: {} ({}), {}\n",
        esc(&b.reporter_name),
        esc(&b.reporter),
        b.period
    ));
    let mut basis = format!("*Data:* {}", esc(&b.data_basis.description));
    if !b.data_basis.label.is_empty() {
        basis.push_str(&format!(" — {}", esc(&b.data_basis.label)));
    }
    m.line(&format!("{basis}.  "));
    m.line(&format!(
        "*Comparison:* {}  ",
        esc(&b.comparison.description)
    ));
    m.line("*Markers:* [Pn] published figure (see Sources), [Cn] computed by Entrepôt (see Computed figures), ~ approximate, ⚠ published reports disagree.\n");

    m.line("## Headline\n");
    m.line("| Window | | Exports | Imports | Balance |");
    m.line("|---|---|---:|---:|---:|");
    let rows = headline_rows(b);
    for (label, r) in rows {
        let ms = [&r.exports, &r.imports, &r.balance];
        let lv: Vec<String> = ms
            .iter()
            .map(|x| m.cell(x.level.as_ref(), Style::Level))
            .collect();
        m.line(&format!(
            "| **{}** | value | {} |",
            esc(&label),
            lv.join(" | ")
        ));
        let gv: Vec<String> = ms
            .iter()
            .map(|x| m.cell(x.yoy_pct.as_ref(), Style::Change))
            .collect();
        m.line(&format!(
            "| | vs {} | {} |",
            r.comparison_span,
            gv.join(" | ")
        ));
    }
    m.line("");

    if !b.records.is_empty() {
        m.line("## Records\n");
        for r in &b.records {
            let id = m.id(&r.figure);
            let bold = if r.first_time || r.is_record {
                "**"
            } else {
                ""
            };
            m.line(&format!(
                "- {bold}{}{bold} [{id}] — {}.",
                esc(&r.statement),
                esc(&r.history.description)
            ));
        }
        m.line("");
    }

    for t in &b.partner_tables {
        m.line(&format!(
            "## {} {} (vs {})\n",
            flow_title(&t.flow),
            t.span,
            t.comparison_span
        ));
        let tot = m.cell(t.total.level.as_ref(), Style::Level);
        let g = m.cell(t.total.yoy_pct.as_ref(), Style::Change);
        m.line(&format!("Total: {tot}, {g}\n"));
        m.line(&format!(
            "| Partner | Value | {} | Share | Change in share | Contribution |",
            growth_header(t)
        ));
        m.line("|---|---:|---:|---:|---:|---:|");
        for r in &t.rows {
            let mut name = match r.kind {
                PartnerKind::Group => format!("{} ({} members)", r.name, r.members.unwrap_or(0)),
                _ => r.name.clone(),
            };
            if let Some(w) = &r.within {
                name = format!("↳ {name} (in {w})");
            }
            let cells = [
                m.cell(r.value.as_ref(), Style::Level),
                m.cell(r.yoy_pct.as_ref(), Style::Change),
                m.cell(r.share_pct.as_ref(), Style::Level),
                m.cell(r.share_change_pp.as_ref(), Style::Change),
                m.cell(r.contribution_pp.as_ref(), Style::Change),
            ];
            m.line(&format!("| {} | {} |", esc(&name), cells.join(" | ")));
        }
        m.line("");
        m.line(&format!(
            "*Contribution identity ({}):* {}",
            status_word(t.identity.status),
            esc(&t.identity.note)
        ));
        if !t.not_held.is_empty() {
            m.line(&format!(
                "\n*Nothing held for:* {}.",
                esc(&t.not_held.join(", "))
            ));
        }
        m.line("");
    }

    if let Some(d) = &b.diversion {
        m.line("## Diversion\n");
        m.line(&format!("{}\n", esc(&d.statement)));
        let items = diversion_items(d);
        for (label, f, st) in items {
            if f.is_some() {
                let c = m.cell(f, st);
                m.line(&format!("- {}: {c}", esc(&label)));
            }
        }
        m.line("");
    }

    if !b.indicators.is_empty() || !b.other_figures.is_empty() {
        m.line("## Context indicators\n");
        for i in &b.indicators {
            let c = m.cell(Some(&i.latest), Style::Level);
            let prev = match &i.previous {
                Some(p) => format!(" (previous {})", m.cell(Some(p), Style::Level)),
                None => String::new(),
            };
            m.line(&format!(
                "- **{}** {}: {c}{prev}",
                esc(&i.label),
                i.latest_period
            ));
            if let Some(r) = &i.run {
                m.line(&format!("  - {}", esc(&r.statement)));
            }
        }
        if !b.other_figures.is_empty() {
            m.line("\n| Span | Figure | Value | y/y |");
            m.line("|---|---|---:|---:|");
            for f in &b.other_figures {
                let v = m.cell(f.value.as_ref(), Style::Level);
                let g = m.cell(f.yoy_pct.as_ref(), Style::Change);
                let name = if f.partner.is_empty() {
                    f.indicator.clone()
                } else {
                    format!("{} {}", f.indicator, f.partner)
                };
                m.line(&format!("| {} | {} | {v} | {g} |", f.span, esc(&name)));
            }
        }
        m.line("");
    }

    if !b.checks.is_empty() {
        m.line("## Consistency checks\n");
        m.line("| Status | Check | Detail |");
        m.line("|---|---|---|");
        for c in &b.checks {
            let style = if c.subject.ends_with("y/y") {
                Style::Change
            } else {
                Style::Level
            };
            let detail = match c.kind {
                CheckKind::ConflictingReports | CheckKind::FlowsVsPublished => {
                    let items: Vec<String> = c
                        .items
                        .iter()
                        .map(|it| {
                            let id = m.id(&it.figure);
                            format!("{} [{id}]", esc(&text(&it.figure, style)))
                        })
                        .collect();
                    format!("{} — {}", items.join(" vs "), esc(&c.detail))
                }
                _ => {
                    let ids: Vec<String> = c.items.iter().map(|it| m.id(&it.figure)).collect();
                    if ids.is_empty() {
                        esc(&c.detail)
                    } else {
                        format!("{} [{}]", esc(&c.detail), ids.join(", "))
                    }
                }
            };
            m.line(&format!(
                "| {} | {} | {detail} |",
                check_tag(c.status),
                esc(&c.subject),
            ));
        }
        m.line("");
    }

    if !b.notes.is_empty() {
        m.line("## Notes\n");
        for n in &b.notes {
            m.line(&format!("- {}", esc(n)));
        }
        m.line("");
    }

    m.line("## Sources\n");
    for s in &b.sources {
        // only a well-formed http(s) URL becomes a link; anything else is shown as text
        let url = match link_target(&s.url) {
            Some(u) => format!("<{u}>"),
            None => esc(&s.url),
        };
        m.line(&format!(
            "- **[{}]** {url} ({})",
            esc(&s.id),
            esc(&s.origins.join(", "))
        ));
    }
    if !m.marks.computed.is_empty() {
        m.line("\n## Computed figures\n");
        let notes = m.marks.computed.clone();
        for n in notes {
            let inputs = if n.inputs.is_empty() {
                String::new()
            } else {
                format!(" (from {})", esc(&n.inputs.join(", ")))
            };
            m.line(&format!(
                "- **[{}]** {}{inputs}",
                esc(&n.id),
                esc(&n.method)
            ));
        }
    }
    m.s
}
