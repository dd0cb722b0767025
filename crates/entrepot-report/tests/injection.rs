//! Hostile text in a document cannot drive a terminal, inject markup or links, or
//! plant spreadsheet formulas or LaTeX commands, in any output format.
//!
//! The documents under test have *every* free-text field poisoned: the document is
//! turned into JSON, and each string that can be replaced while the JSON still reads
//! back as a document (titles, labels, text cells, notes, methods, URLs and origins,
//! section, table and chart ids, unit labels, …, but not typed source ids, currency
//! codes or enum tags) is replaced by one of the payloads below. A field added to the
//! model later is poisoned without a change here. A brief poisoned the same way goes
//! through `brief_document` too, so the producer is covered as well.

mod common;
use entrepot_brief::Brief;
use entrepot_doc::{Document, Source, SourceId};
use entrepot_report::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Terminal escapes (CSI colour, OSC title, C1 CSI, BEL, NUL), HTML breaking out of an
/// attribute, Markdown table and link syntax, `javascript:` URLs and spreadsheet
/// formulas.
const PAYLOADS: &[&str] = &[
    "\u{1b}[31mred\u{7}bel\0nul \"><script>alert(1)</script> | *x* [a](javascript:alert(1))",
    "=HYPERLINK(\"http://evil.example\",\"x\")\u{1b}]0;title\u{7}",
    "javascript:alert(1)",
    "@SUM(1+1)\n| injected | row |\n<img src=x onerror=alert(1)>",
    "-2+3\r\u{9b}31m'><script>alert(2)</script>",
    "+cmd|' /C calc'!A0 `code` \\ & <b>",
];

/// The one well-formed URL added to the sources: it must stay a link.
const GOOD_URL: &str = "https://good.example/report?a=1&b=2#p";

/// Hostile URLs added to the sources.
const BAD_URLS: &[&str] = &[
    "javascript:alert(1)",
    "JAVASCRIPT:alert(document.cookie)",
    "https://x.example/\"><script>alert(1)</script>",
    "https://x.example/\u{1b}[31m",
    "https://x.example/a|b c",
];

/// The path of every string leaf of `v`.
fn string_paths(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::String(_) => out.push(path.clone()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                string_paths(x, path, out);
                path.pop();
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                path.push(PathStep::Key(k.clone()));
                string_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

/// The path with array indices dropped: fields at the same place in the schema.
fn schema_path(path: &[PathStep]) -> String {
    path.iter()
        .map(|s| match s {
            PathStep::Key(k) => k.as_str(),
            PathStep::Index(_) => "*",
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `x` with every free-text field replaced by a payload.
fn poison<T: serde::Serialize + serde::de::DeserializeOwned>(x: &T) -> T {
    let clean = serde_json::to_value(x).unwrap();
    let mut paths = Vec::new();
    string_paths(&clean, &mut Vec::new(), &mut paths);
    let mut free_text: HashMap<String, bool> = HashMap::new();
    let mut v = clean.clone();
    let mut poisoned = 0;
    for (i, p) in paths.iter().enumerate() {
        // a field is free text if a brief with a payload in it still reads back
        let ok = *free_text.entry(schema_path(p)).or_insert_with(|| {
            let mut probe = clean.clone();
            *at(&mut probe, p) = Value::String(PAYLOADS[0].into());
            serde_json::from_value::<T>(probe).is_ok()
        });
        if ok {
            *at(&mut v, p) = Value::String(PAYLOADS[i % PAYLOADS.len()].into());
            poisoned += 1;
        }
    }
    assert!(poisoned > 20, "only {poisoned} fields poisoned");
    serde_json::from_value(v).unwrap()
}

/// A poisoned document with hostile sources added (and one good one).
fn poison_document(d: &Document) -> Document {
    let mut d = poison(d);
    d.lead.push(PAYLOADS[0].into());
    let n = d.sources.len() as u32;
    for (i, url) in BAD_URLS.iter().chain([&GOOD_URL]).enumerate() {
        d.sources.push(Source {
            id: SourceId::published(n + 1 + i as u32).unwrap(),
            url: url.to_string(),
            origins: vec![PAYLOADS[i % PAYLOADS.len()].into()],
        });
    }
    d
}

/// A brief with hostile names where the tables show them, every free-text field
/// poisoned, and hostile sources added.
fn poison_brief(b: &Brief) -> Brief {
    let mut b = poison(b);
    if let Some(t) = b.partner_tables.first_mut() {
        if let Some(r) = t.rows.first_mut() {
            r.code = PAYLOADS[5].into();
            r.name = PAYLOADS[1].into();
            r.within = Some(PAYLOADS[3].into());
        }
    }
    b.notes.push(PAYLOADS[0].into());
    b.reporter_name = PAYLOADS[0].into();
    for (i, url) in BAD_URLS.iter().chain([&GOOD_URL]).enumerate() {
        b.sources.push(entrepot_brief::Source {
            id: format!("P{}", 90 + i),
            url: url.to_string(),
            origins: vec![PAYLOADS[i % PAYLOADS.len()].into()],
        });
    }
    b
}

/// The sample and flows documents, poisoned, and the documents of the poisoned sample
/// and flows briefs (built once for all tests).
fn hostile_documents() -> &'static [Document] {
    static DOCS: OnceLock<Vec<Document>> = OnceLock::new();
    DOCS.get_or_init(|| {
        vec![
            poison_document(&common::sample_document()),
            poison_document(&common::flows_document()),
            entrepot_brief::brief_document(&poison_brief(&common::sample_brief())),
            entrepot_brief::brief_document(&poison_brief(&common::flows_brief())),
        ]
    })
}

/// Control characters of `s` other than the newlines that end lines.
fn raw_controls(s: &str) -> Vec<(usize, char)> {
    s.char_indices()
        .filter(|(_, c)| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn terminal_output_holds_no_raw_control_byte_from_data() {
    for b in hostile_documents() {
        let plain = render_terminal(
            b,
            &TerminalOptions {
                width: 100,
                color: false,
            },
        );
        assert_eq!(raw_controls(&plain), vec![], "{plain}");
        // the hostile text is shown, made visible
        assert!(plain.contains("\\e[31mred\\u{07}bel\\0nul"), "{plain}");
        // widths are measured on the escaped text
        for l in plain.lines() {
            assert!(l.chars().count() <= 100, "{} wide: {l}", l.chars().count());
        }

        // with colour, the only escape sequences are the renderer's own colour codes
        let coloured = render_terminal(
            b,
            &TerminalOptions {
                width: 100,
                color: true,
            },
        );
        let own_codes = [
            "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m",
        ];
        let mut rest = coloured.clone();
        for code in own_codes {
            rest = rest.replace(code, "");
        }
        assert_eq!(raw_controls(&rest), vec![]);
        assert_eq!(rest, plain);
    }
}

/// Whether the character at byte `i` of `s` is escaped by a backslash (an odd
/// number of backslashes before it).
fn escaped_at(s: &str, i: usize) -> bool {
    s[..i].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// Unescaped `|` in a Markdown line (a `\` escapes the next character).
fn columns(line: &str) -> usize {
    let mut n = 0;
    let mut it = line.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => {
                it.next();
            }
            '|' => n += 1,
            _ => {}
        }
    }
    n
}

#[test]
fn markdown_carries_no_markup_or_link_from_data() {
    for b in hostile_documents() {
        let m = render_markdown(b);
        assert_eq!(raw_controls(&m), vec![], "{m}");
        let lower = m.to_ascii_lowercase();
        for bad in ["<script", "<img", "<b>", "<javascript:", "\"><"] {
            assert!(!lower.contains(bad), "{bad:?} in\n{m}");
        }
        // `[a](javascript:…)` from data only appears with its brackets escaped
        for (i, _) in m.match_indices("](") {
            assert!(
                escaped_at(&m, i),
                "link syntax at {i}: {}",
                &m[i.saturating_sub(40)..i + 2]
            );
        }
        assert!(m.contains("&lt;script&gt;"), "payload not shown");
        // no URL other than well-formed http(s) ones becomes an autolink
        for l in m.lines() {
            for (i, _) in l.match_indices('<') {
                let link = &l[i + 1..];
                let end = link.find('>').expect("closed autolink");
                let url = &link[..end];
                assert!(url.starts_with("https://"), "{url:?} linked in {l}");
                assert!(!url.contains(['"', ' ', '\\', '<']), "{url:?}");
            }
        }
        assert!(m.contains(&format!("<{GOOD_URL}>")), "good URL not linked");
        // a table row has as many columns as its header: no `|` from data splits a cell
        let mut header_cols = None;
        for l in m.lines() {
            if l.starts_with('|') {
                let n = columns(l);
                let h = *header_cols.get_or_insert(n);
                assert_eq!(n, h, "{l}");
            } else {
                header_cols = None;
            }
        }
        // and no line of data starts a heading or a list of its own
        for l in m.lines() {
            assert!(!l.starts_with("| injected"), "{l}");
        }
    }
}

/// The value of every `href` attribute.
fn hrefs(h: &str) -> Vec<&str> {
    h.match_indices("href=")
        .map(|(i, _)| {
            let rest = &h[i + 6..];
            assert_eq!(&h[i + 5..i + 6], "\"", "unquoted href");
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_and_svg_escape_every_text_and_attribute() {
    for b in hostile_documents() {
        let h = render_html(b);
        assert_eq!(raw_controls(&h), vec![]);
        let lower = h.to_ascii_lowercase();
        for bad in ["<script", "<img", "<b>"] {
            assert!(!lower.contains(bad), "{bad:?} in the HTML");
        }
        assert!(!lower.contains("href=\"javascript"));
        assert!(h.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(h.contains("\\e[31mred\\u{07}bel\\0nul"));
        // links: in-page markers, or well-formed http(s) URLs
        for u in hrefs(&h) {
            match u.strip_prefix('#') {
                Some(id) => assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "href {u:?}"),
                None => assert!(
                    u.starts_with("https://") || u.starts_with("http://"),
                    "href {u:?}"
                ),
            }
            assert!(!u.contains(['<', '>', '\'', ' ', '\n', '\\']), "href {u:?}");
        }
        assert!(h.contains("href=\"https://good.example/report?a=1&amp;b=2#p\""));
        // every chart is still one well-formed element with hostile labels
        assert_eq!(h.matches("<svg ").count(), h.matches("</svg>").count());
        assert_eq!(h.matches("<svg").count(), 3);
    }
    // chart labels and titles come from data: they are escaped inside the SVG too
    let d = poison_document(&common::flows_document());
    let h = render_html(&d);
    let charts = &h[h.find("<svg ").unwrap()..h.rfind("</svg>").unwrap()];
    assert!(charts.contains("&lt;script&gt;"), "labels not poisoned");
}

#[test]
fn csv_cells_are_neutralised() {
    for b in hostile_documents() {
        let c = render_csv(b, &CsvOptions::all());
        assert_eq!(raw_controls(&c), vec![]);
        let rows: usize = b.tables().map(|t| t.rows.len() + t.footer.len()).sum();
        assert_eq!(c.lines().count(), rows + 1, "one line per record");
        // records of unequal length are an error of the reader
        let mut r = csv::ReaderBuilder::new().from_reader(c.as_bytes());
        let mut prefixed = 0;
        for rec in r.records() {
            let rec = rec.unwrap();
            for cell in rec.iter() {
                assert!(!cell.chars().any(char::is_control), "{cell:?}");
                if cell.starts_with(['=', '+', '-', '@']) {
                    assert!(cell.parse::<f64>().is_ok(), "formula cell {cell:?}");
                }
                if cell.starts_with("'=") || cell.starts_with("'+") || cell.starts_with("'@") {
                    prefixed += 1;
                }
            }
        }
        assert!(prefixed >= 2, "no hostile cell reached the CSV");
        // negative numbers stay numbers
        assert!(
            c.split([',', '\n'])
                .any(|f| f.starts_with('-') && f.parse::<f64>().is_ok()),
            "no negative number in {}",
            b.title
        );
    }
}

#[test]
fn json_escapes_control_bytes_and_round_trips_them() {
    for b in hostile_documents() {
        let j = render_json(b);
        assert_eq!(raw_controls(&j), vec![]);
        assert!(j.contains("\\u001b[31mred\\u0007bel\\u0000nul"));
        let back: Document = serde_json::from_str(&j).unwrap();
        assert_eq!(back.title, b.title);
        assert_eq!(back.lead, b.lead);
        assert_eq!(back.sources, b.sources);
        assert!(back.lead.iter().any(|l| l.contains('\u{1b}')));
    }
}

#[test]
fn latex_carries_no_command_from_data() {
    for b in hostile_documents() {
        let l = render_latex(b);
        assert_eq!(raw_controls(&l), vec![]);
        assert!(l.contains("\\begin{tabular}"));
        // the only backslashes are the renderer's own commands and escapes
        let mut rest = l.as_str();
        while let Some(i) = rest.find('\\') {
            let after = &rest[i + 1..];
            if let Some(next) = after.strip_prefix('\\') {
                rest = next; // a row end
                continue;
            }
            let ok = [
                "begin{",
                "end{",
                "toprule",
                "midrule",
                "bottomrule",
                "textbackslash{}",
                "textasciicircum{}",
                "textasciitilde{}",
                "textsuperscript{",
                "quad ",
                "_",
                "&",
                "%",
                "$",
                "#",
                "{",
                "}",
            ]
            .iter()
            .any(|p| after.starts_with(p));
            assert!(ok, "stray command: {}", &after[..after.len().min(30)]);
            rest = after;
        }
        assert!(!l.contains("\\input"), "command from data");
        // comment lines hold no newline from data: each note is one line
        for line in l.lines().filter(|x| x.starts_with('%')) {
            assert!(!line.contains("\\end{tabular}"), "{line}");
        }
    }
}
