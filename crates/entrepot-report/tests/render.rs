//! Renderers on the sample brief and on a brief computed from flows.

mod common;
use entrepot_report::*;

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\x1b' {
            for d in it.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn terminal_shows_the_story_within_100_columns() {
    let b = common::sample_brief();
    let t = render_terminal(
        &b,
        &TerminalOptions {
            width: 100,
            color: false,
        },
    );
    for (i, l) in t.lines().enumerate() {
        assert!(
            l.chars().count() <= 100,
            "line {} is {} wide: {l}",
            i + 1,
            l.chars().count()
        );
    }
    assert!(!t.contains('\x1b'));
    for needle in [
        "330.3bn [P1]",
        "+5.9% [P1]",
        "+1.9% [P2]",
        "111.68bn [P3]",
        "passed $1tn for the first time",
        "-28.6% [P",
        "+14.8% [P",
        "or +14.3% [P",
        "+8.2% [P",
        "or +8.4% [P",
        "+28.2% [P",
        "+14.1% [P",
        "[CONFLICT] exports to EU27 2025-11 y/y",
        "[CONFLICT] exports to ASEAN 2025-11 y/y",
        "ex-USA",
        "NBS Manufacturing PMI 2025-11: 49.2",
        "SOURCES",
        "COMPUTED FIGURES",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    // every marker used is listed at the end
    for s in &b.sources {
        assert!(
            t.contains(&format!("[{}] http", s.id)),
            "source {} not listed",
            s.id
        );
    }
    // colour only adds escape codes
    let c = render_terminal(
        &b,
        &TerminalOptions {
            width: 100,
            color: true,
        },
    );
    assert!(c.contains('\x1b'));
    assert_eq!(strip_ansi(&c), t);
}

#[test]
fn terminal_width_is_respected_for_flows_too() {
    let b = common::flows_brief();
    for w in [80, 100, 120] {
        let t = render_terminal(
            &b,
            &TerminalOptions {
                width: w,
                color: false,
            },
        );
        for l in t.lines() {
            assert!(l.chars().count() <= w, "{w}: {l}");
        }
        assert!(t.contains("Rest of world"));
    }
}

#[test]
fn json_roundtrips() {
    let b = common::sample_brief();
    let j = render_json(&b);
    let back: entrepot_brief::Brief = serde_json::from_str(&j).unwrap();
    // equal up to the last bit of float parsing
    fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value::*;
        match (a, b) {
            (Number(x), Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                (x - y).abs() <= 1e-12 * x.abs().max(1.0)
            }
            (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b)),
            (Object(x), Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
            }
            _ => a == b,
        }
    }
    assert!(close(
        &serde_json::to_value(&back).unwrap(),
        &serde_json::to_value(&b).unwrap()
    ));
    assert!(j.contains("\"schema_version\": \"1.0\""));
}

#[test]
fn markdown_has_tables_and_sources() {
    let b = common::sample_brief();
    let m = render_markdown(&b);
    assert!(m.starts_with("# Release brief: China (CHN), 2025-11"));
    assert!(m.contains("| Partner | Value | y/y | Share | Change in share | Contribution |"));
    assert!(m.contains("+14.8% [P"), "{m}");
    assert!(m.contains("**or** +14.3% [P"), "{m}");
    assert!(m.contains("## Sources"));
    assert!(m.contains("<https://www.business-standard.com/"));
    assert!(m.contains("## Computed figures"));
}

#[test]
fn html_is_self_contained_with_charts() {
    for b in [common::sample_brief(), common::flows_brief()] {
        let h = render_html(&b);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("<title>Release brief: China (CHN), 2025-11</title>"));
        for id in ["chart-monthly", "chart-contributions", "chart-shares"] {
            assert!(h.contains(&format!("<svg id=\"{id}\"")), "{id}");
        }
        assert!(!h.contains("<script"));
        assert!(!h.contains(" src="));
        assert!(!h.contains("<link"));
        assert!(!h.contains("@import"));
        assert!(h.matches("<rect class=\"bar-exports\"").count() > 0);
        assert!(h.contains("class=\"line-balance\""));
        assert!(h.contains("class=\"line-ytd\""));
        assert!(h.contains("class=\"share-line\""));
        assert!(h.contains("id=\"P1\"") || b.sources.is_empty());
    }
    let h = render_html(&common::flows_brief());
    assert!(h.matches("class=\"bar-neg\"").count() >= 1, "USA shrinks");
    assert!(h.matches("class=\"bar-pos\"").count() >= 1);
}

#[test]
fn csv_has_one_line_per_row() {
    let b = common::flows_brief();
    let c = render_partners_csv(&b);
    let n: usize = b.partner_tables.iter().map(|t| t.rows.len()).sum();
    assert_eq!(c.lines().count(), n + 1);
    assert!(c.starts_with("reporter,flow,span,"));
    assert!(c.contains(",ROW,Rest of world,rest_of_world,true,"));
}
