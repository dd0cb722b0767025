//! The terminal report: plain text that fits the requested width (100 columns by
//! default), with optional ANSI colour.
//!
//! Every line reaches the output through [`Out::push`] or [`Out::push_painted`],
//! which replace control characters with visible escapes, and is laid out by
//! [`crate::text`], which measures the escaped text. The only control bytes in the
//! output are the colour codes that `push_painted` adds itself.

use crate::labels::{check_tag, flow_title, growth_header, status_word, window_label};
use crate::marks::{conflicting, text, Marks, Style};
use crate::text::{cut, pad_right, safe, width, wrap, Align, TextTable};
use crate::TerminalOptions;
use entrepot_brief::{
    fmt, Brief, CheckKind, CheckStatus, Figure, HeadlineRow, Measure, PartnerKind, PartnerTable,
};

struct Out<'a> {
    lines: Vec<String>,
    opts: &'a TerminalOptions,
    marks: Marks,
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
        let t = title.to_ascii_uppercase();
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
    fn cell(&mut self, f: Option<&Figure>, style: Style) -> String {
        match f {
            None => "-".into(),
            Some(f) => {
                let id = self.marks.id(f);
                let bang = if f.is_conflicted() { "!" } else { "" };
                format!("{} [{id}]{bang}", text(f, style))
            }
        }
    }

    /// Cells for the conflicting alternatives of a figure.
    fn alt_cells(&mut self, f: Option<&Figure>, style: Style) -> Vec<String> {
        match f {
            None => Vec::new(),
            Some(f) => conflicting(f)
                .iter()
                .map(|a| {
                    let id = self.marks.id(a);
                    format!("or {} [{id}]", text(a, style))
                })
                .collect(),
        }
    }
}

/// Renders the brief for a terminal.
pub fn render(b: &Brief, opts: &TerminalOptions) -> String {
    let mut o = Out {
        lines: Vec::new(),
        opts,
        marks: Marks::default(),
    };
    let title = format!(
        "ENTREPOT RELEASE BRIEF  {} ({})  {}",
        b.reporter_name, b.reporter, b.period
    );
    let bar = "=".repeat(o.w());
    o.push(&bar);
    o.push_painted(&title, "1", "");
    o.push(&bar);
    let mut basis = format!("Data: {}", b.data_basis.description);
    if !b.data_basis.label.is_empty() {
        basis.push_str(&format!(" - {}", b.data_basis.label));
    }
    o.para(&basis, "", 6);
    o.para(&b.comparison.description, "", 0);
    o.para(
        "Markers: [Pn] published figure (sources listed at the end), [Cn] computed by Entrepot (methods listed at the end), ~ approximate, ! published reports disagree (alternatives shown).",
        "",
        0,
    );

    headline(&mut o, b);
    records(&mut o, b);
    for t in &b.partner_tables {
        partners(&mut o, b, t);
    }
    diversion(&mut o, b);
    indicators(&mut o, b);
    checks(&mut o, b);
    if !b.notes.is_empty() {
        o.section("Notes");
        for n in &b.notes {
            o.para(n, "- ", 2);
        }
    }
    sources(&mut o, b);
    let mut s = o.lines.join("\n");
    s.push('\n');
    s
}

fn measure_rows(o: &mut Out<'_>, label: &str, r: &HeadlineRow) -> Vec<Vec<String>> {
    let ms: [&Measure; 3] = [&r.exports, &r.imports, &r.balance];
    let mut rows = Vec::new();
    let mut lv = vec![label.to_string(), "value".into()];
    let mut gv = vec![
        String::new(),
        format!("vs {}", short_span(&r.comparison_span.to_string())),
    ];
    let mut cv = vec![String::new(), "comparison".into()];
    let mut alts: Vec<Vec<String>> = Vec::new();
    for (i, m) in ms.iter().enumerate() {
        lv.push(o.cell(m.level.as_ref(), Style::Level));
        gv.push(o.cell(m.yoy_pct.as_ref(), Style::Change));
        cv.push(o.cell(m.comparison_level.as_ref(), Style::Level));
        for (j, a) in o
            .alt_cells(m.yoy_pct.as_ref(), Style::Change)
            .into_iter()
            .enumerate()
        {
            if alts.len() <= j {
                alts.push(vec![String::new(); 5]);
            }
            alts[j][i + 2] = a;
        }
    }
    rows.push(lv);
    if gv.iter().skip(2).any(|c| c != "-") {
        rows.push(gv);
    }
    rows.extend(alts);
    if cv.iter().skip(2).any(|c| c != "-") {
        rows.push(cv);
    }
    rows
}

fn short_span(s: &str) -> String {
    s.to_string()
}

fn headline(o: &mut Out<'_>, b: &Brief) {
    o.section("Headline");
    let headers = vec![
        String::new(),
        String::new(),
        "Exports".into(),
        "Imports".into(),
        "Balance".into(),
    ];
    let align = vec![
        Align::Left,
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
    ];
    let mut rows = Vec::new();
    for r in &b.headline.current {
        let label = window_label(r.window, &r.span);
        rows.extend(measure_rows(o, &label, r));
    }
    let t = TextTable {
        headers: headers.clone(),
        align: align.clone(),
        rows,
    };
    let w = o.w();
    for l in t.render(w) {
        o.push(l);
    }
    if !b.headline.previous.is_empty() {
        o.blank();
        o.push("Previous period, for context:");
        let mut rows = Vec::new();
        for r in &b.headline.previous {
            let label = window_label(r.window, &r.span);
            let mut m = measure_rows(o, &label, r);
            m.retain(|row| row.get(1).map(String::as_str) != Some("comparison"));
            rows.extend(m);
        }
        let t = TextTable {
            headers,
            align,
            rows,
        };
        for l in t.render(w) {
            o.push(l);
        }
    }
}

fn records(o: &mut Out<'_>, b: &Brief) {
    if b.records.is_empty() {
        return;
    }
    o.section("Records");
    for r in &b.records {
        let id = o.marks.id(&r.figure);
        let s = format!(
            "{} [{id}] ({}).",
            r.statement.trim_end_matches('.'),
            r.history.description
        );
        let s = if r.first_time || r.is_record {
            format!("* {s}")
        } else {
            format!("- {s}")
        };
        o.para(&s, "", 2);
    }
}

fn partners(o: &mut Out<'_>, _b: &Brief, t: &PartnerTable) {
    o.section(&format!(
        "{} {} (vs {})",
        flow_title(&t.flow),
        t.span,
        t.comparison_span
    ));
    let tot = o.cell(t.total.level.as_ref(), Style::Level);
    let g = o.cell(t.total.yoy_pct.as_ref(), Style::Change);
    o.push(format!("Total: {tot}, {g}"));
    let mut rows = Vec::new();
    for r in &t.rows {
        let mut name = match r.kind {
            PartnerKind::Group => format!("{} ({})", r.name, r.members.unwrap_or(0)),
            _ => r.name.clone(),
        };
        if let Some(w) = &r.within {
            name = format!("  {name} (in {w})");
        }
        rows.push(vec![
            name,
            o.cell(r.value.as_ref(), Style::Level),
            o.cell(r.yoy_pct.as_ref(), Style::Change),
            o.cell(r.share_pct.as_ref(), Style::Level),
            o.cell(r.share_change_pp.as_ref(), Style::Change),
            o.cell(r.contribution_pp.as_ref(), Style::Change),
        ]);
        for a in o.alt_cells(r.yoy_pct.as_ref(), Style::Change) {
            rows.push(vec![
                String::new(),
                String::new(),
                a,
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let table = TextTable {
        headers: vec![
            "Partner".into(),
            "Value".into(),
            growth_header(t),
            "Share".into(),
            "Chg share".into(),
            "Contrib.".into(),
        ],
        align: vec![
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
        rows,
    };
    let w = o.w();
    for l in table.render(w) {
        o.push(l);
    }
    let status = status_word(t.identity.status);
    o.para(
        &format!("Contribution identity [{status}]: {}", t.identity.note),
        "",
        2,
    );
    if !t.not_held.is_empty() {
        o.para(
            &format!("Nothing held for: {}.", t.not_held.join(", ")),
            "",
            2,
        );
    }
}

fn diversion(o: &mut Out<'_>, b: &Brief) {
    let Some(d) = &b.diversion else { return };
    o.section("Diversion");
    o.para(&d.statement, "", 0);
    let rows: Vec<(String, Option<&Figure>, Style)> = vec![
        (
            format!("{} y/y", d.partner),
            d.partner_yoy_pct.as_ref(),
            Style::Change,
        ),
        (
            format!("change with {}", d.partner),
            d.partner_change_bn.as_ref(),
            Style::Change,
        ),
        (
            format!("ex-{} y/y", d.partner),
            d.others_yoy_pct.as_ref(),
            Style::Change,
        ),
        (
            format!("change ex-{}", d.partner),
            d.others_change_bn.as_ref(),
            Style::Change,
        ),
        (
            "loss made up by others".into(),
            d.made_up_pct.as_ref(),
            Style::Level,
        ),
        (
            format!("{} share change", d.partner),
            d.share_change_pp.as_ref(),
            Style::Change,
        ),
    ];
    for (label, f, style) in rows {
        if f.is_some() {
            let c = o.cell(f, style);
            o.push(format!("  {}{c}", pad_right(&label, 28)));
        }
    }
}

fn indicators(o: &mut Out<'_>, b: &Brief) {
    if b.indicators.is_empty() && b.other_figures.is_empty() {
        return;
    }
    o.section("Context indicators");
    for i in &b.indicators {
        let c = o.cell(Some(&i.latest), Style::Level);
        let mut s = format!("{} {}: {c}", i.label, i.latest_period);
        if let Some(p) = &i.previous {
            let pc = o.cell(Some(p), Style::Level);
            s.push_str(&format!(" (previous {pc})"));
        }
        o.para(&s, "- ", 2);
        if let Some(r) = &i.run {
            o.para(&r.statement, "  ", 2);
        }
    }
    if !b.other_figures.is_empty() {
        o.blank();
        o.push("Other published figures for the period:");
        let mut rows = Vec::new();
        for f in &b.other_figures {
            rows.push(vec![
                f.span.to_string(),
                if f.partner.is_empty() {
                    f.indicator.clone()
                } else {
                    format!("{} {}", f.indicator, f.partner)
                },
                o.cell(f.value.as_ref(), Style::Level),
                o.cell(f.yoy_pct.as_ref(), Style::Change),
            ]);
        }
        let t = TextTable {
            headers: vec!["Span".into(), "Figure".into(), "Value".into(), "y/y".into()],
            align: vec![Align::Left, Align::Left, Align::Right, Align::Right],
            rows,
        };
        let w = o.w();
        for l in t.render(w) {
            o.push(format!("  {l}").trim_end());
        }
    }
}

fn checks(o: &mut Out<'_>, b: &Brief) {
    if b.checks.is_empty() {
        return;
    }
    o.section("Consistency checks");
    for c in &b.checks {
        let tag = check_tag(c.status);
        let colour = match c.status {
            CheckStatus::Ok => "32",
            CheckStatus::MinorDifference => "33",
            CheckStatus::NotCheckable => "2",
            _ => "31",
        };
        let detail =
            if c.kind == CheckKind::ConflictingReports || c.kind == CheckKind::FlowsVsPublished {
                let items: Vec<String> = c
                    .items
                    .iter()
                    .map(|it| {
                        let st = if c.subject.ends_with("y/y") {
                            Style::Change
                        } else {
                            Style::Level
                        };
                        o.cell(Some(&it.figure), st)
                    })
                    .collect();
                let verdict = match c.status {
                    CheckStatus::Conflict => {
                        "published reports disagree; shown side by side, not averaged"
                    }
                    CheckStatus::Ok => "agree within rounding",
                    _ => "differ",
                };
                format!("{} - {verdict}", items.join(" vs "))
            } else if c.kind == CheckKind::ContributionIdentity {
                continue;
            } else {
                let ids: Vec<String> = c.items.iter().map(|it| o.marks.id(&it.figure)).collect();
                if ids.is_empty() {
                    c.detail.clone()
                } else {
                    format!("{} [{}]", c.detail, ids.join(", "))
                }
            };
        // wrap without colour, then paint the tag at the start of the first line
        let tag = format!("[{tag}]");
        let lines = wrap(&format!("{tag} {}: {detail}", c.subject), o.w(), "", 4);
        for (i, l) in lines.into_iter().enumerate() {
            match l.strip_prefix(&tag) {
                Some(rest) if i == 0 => o.push_painted(&tag, colour, rest),
                _ => o.push(l),
            }
        }
    }
}

fn sources(o: &mut Out<'_>, b: &Brief) {
    o.section("Sources");
    for s in &b.sources {
        let origins: Vec<String> = s.origins.clone();
        // a URL is cut at the width rather than moved to its own line
        let w = o.w();
        for line in cut(&s.url, w, &format!("[{}] ", s.id), 5) {
            o.push(line);
        }
        o.para(&format!("from {}", origins.join(", ")), "     ", 5);
    }
    if !o.marks.computed.is_empty() {
        o.section("Computed figures");
        let notes = o.marks.computed.clone();
        for n in notes {
            let inputs = if n.inputs.is_empty() {
                String::new()
            } else {
                format!(" (from {})", n.inputs.join(", "))
            };
            o.para(&format!("[{}] {}{inputs}", n.id, n.method), "", 5);
        }
    }
    let _ = fmt::number(0.0, 0);
}
