//! Renderers on the documents of the sample brief and of a brief computed from flows.

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
    let d = common::sample_document();
    let t = render_terminal(
        &d,
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
        "-28.6% [P21]",
        "+14.8% [P17]!",
        "or +14.3% [P20]",
        "+8.2% [P19]!",
        "or +8.4% [P20]",
        "+28.2% [P20]",
        "+14.1% [P20]",
        "Total (world)       330.3bn [P1]       +5.9% [P1]",
        "[CONFLICT] exports to EU27 2025-11 y/y",
        "[CONFLICT] exports to ASEAN 2025-11 y/y",
        "Growth ex-USA",
        "24.46 CNY tn [P30]",
        "SOURCES",
        "COMPUTED FIGURES",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    assert!(
        t.lines()
            .any(|l| l.contains("NBS Manufacturing PMI 2025-11 ") && l.ends_with(" 49.2 [P27]")),
        "{t}"
    );
    // every source and method is listed at the end
    for s in &d.sources {
        assert!(
            t.contains(&format!("[{}] http", s.id)),
            "source {} not listed",
            s.id
        );
    }
    for m in &d.methods {
        assert!(
            t.contains(&format!("[{}] {}", m.id, &m.method[..10])),
            "method {}",
            m.id
        );
    }
    // colour only adds escape codes
    let c = render_terminal(
        &d,
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
    let d = common::flows_document();
    for w in [80, 100, 120] {
        let t = render_terminal(
            &d,
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
fn json_roundtrips_and_the_brief_keeps_its_own_json() {
    let d = common::sample_document();
    let j = render_json(&d);
    let back: entrepot_doc::Document = serde_json::from_str(&j).unwrap();
    assert_eq!(
        back, d,
        "every number is printed with enough digits to read back"
    );
    assert!(j.contains("\"schema_version\": \"1.0\""));
    assert!(j.contains("\"kind\": \"release_brief\""));
    // the brief's own model, with its own schema, through the same escaping
    let b = common::sample_brief();
    let bj = render_json_value(&b).unwrap();
    let back: serde_json::Value = serde_json::from_str(&bj).unwrap();
    assert_eq!(back["reporter"], "CHN");
    assert_eq!(back["schema_version"], entrepot_brief::SCHEMA_VERSION);
}

#[test]
fn markdown_has_tables_and_sources() {
    let d = common::sample_document();
    let m = render_markdown(&d);
    assert!(m.starts_with("# Release brief: China (CHN), 2025-11"));
    assert!(
        m.contains("| Partner | Value | y/y | Share | Chg share | Contrib. |"),
        "{m}"
    );
    assert!(m.contains("| +14.8% [P17] **or** +14.3% [P20] ⚠ |"), "{m}");
    assert!(m.contains("## Sources"));
    assert!(m.contains("<https://www.business-standard.com/"));
    assert!(m.contains("## Computed figures"));
    assert!(m.contains("- **[C1]** growth = (value / comparison value - 1) x 100 (from P3, P22)"));
}

#[test]
fn html_is_self_contained_with_charts() {
    for d in [common::sample_document(), common::flows_document()] {
        let h = render_html(&d);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("<title>Release brief: China (CHN), 2025-11</title>"));
        for id in ["chart-monthly", "chart-contributions", "chart-shares"] {
            assert!(h.contains(&format!("<svg id=\"{id}\"")), "{id}");
        }
        assert!(!h.contains("<script"));
        assert!(!h.contains(" src="));
        assert!(!h.contains("<link"));
        assert!(!h.contains("@import"));
        assert!(
            h.matches("<rect class=\"bar series-0\"").count() > 0,
            "export bars"
        );
        assert!(h.contains("<path class=\"line series-2\""), "balance line");
        assert!(
            h.contains("class=\"line series-3 line-dashed\""),
            "year-to-date line"
        );
        assert!(h.contains("<li id=\"P1\" value=\"1\">") || d.sources.is_empty());
        assert!(h.contains("<li id=\"C1\">"));
    }
    let h = render_html(&common::flows_document());
    assert!(h.matches("class=\"bar-neg\"").count() >= 1, "USA shrinks");
    assert!(h.matches("class=\"bar-pos\"").count() >= 1);
    assert!(h.contains("<svg id=\"chart-shares\""));
    let shares = &h[h.find("<svg id=\"chart-shares\"").unwrap()..];
    assert!(shares.contains("<path class=\"line series-0\""));
}

#[test]
fn csv_has_one_line_per_partner_row() {
    let d = common::flows_document();
    let c = render_csv(&d, &CsvOptions::tables_starting_with("partners-"));
    let tables: Vec<&entrepot_doc::Table> = d
        .tables()
        .filter(|t| t.id.starts_with("partners-"))
        .collect();
    let n: usize = tables.iter().map(|t| t.rows.len() + t.footer.len()).sum();
    assert_eq!(c.lines().count(), n + 1);
    assert!(c.starts_with("table,part,reporter,flow,span,comparison_span,partner,name,kind,"));
    assert!(c.contains(",ROW,Rest of world,rest_of_world,true,"), "{c}");
    let mut r = csv::Reader::from_reader(c.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |k: &str| h.iter().position(|x| x == k).unwrap();
    let usa = r
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[col("partner")] == "USA")
        .unwrap();
    let v: f64 = usa[col("value_usd_bn")].parse().unwrap();
    assert!(v > 0.0);
    assert!(usa[col("value_usd_bn_source")].starts_with('C'));
    assert!(usa[col("value_usd_bn_provenance")].starts_with("computed (flows)"));
    // every table when no prefix is given
    let all = render_csv(&d, &CsvOptions::all());
    let rows: usize = d.tables().map(|t| t.rows.len() + t.footer.len()).sum();
    assert_eq!(all.lines().count(), rows + 1);
}

#[test]
fn an_html_fragment_embeds_with_prefixed_anchors_and_shifted_headings() {
    let d = common::sample_document();
    let opts = HtmlFragmentOptions {
        id_prefix: "brief-".into(),
        heading_level: 2,
    };
    let f = render_html_fragment(&d, &opts);
    assert!(f.starts_with("<article class=\"report\" id=\"brief-document\">"));
    assert!(f.trim_end().ends_with("</article>"));
    for tag in ["<html", "<head", "<body", "<style", "<script", "<h1"] {
        assert!(!f.contains(tag), "{tag} in the fragment");
    }
    assert!(f.contains("<h2>") && f.contains("<h3>"));
    // Every in-page link points at an id of the fragment, all prefixed.
    let ids: Vec<&str> = f
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(ids.iter().all(|i| i.starts_with("brief-")), "{ids:?}");
    for target in f
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(ids.contains(&target), "#{target} has no id in the fragment");
    }
    // No id is given twice, in the fragment or in the page (a table whose id is its
    // section's gets none).
    let page = render_html(&d);
    for html in [&f, &page] {
        let mut all: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "an id is given twice");
    }
    // The page renderer is unchanged by the fragment: same sections, unprefixed.
    assert!(page.contains("<section id=\"sources\"><h2>Sources</h2>"));
    assert!(page.contains(HTML_STYLE));
    // A prefix that is not an anchor is ignored rather than written into markup.
    let bad = render_html_fragment(
        &d,
        &HtmlFragmentOptions {
            id_prefix: "\"><script>".into(),
            heading_level: 9,
        },
    );
    assert!(!bad.contains("<script>") && bad.contains("<h4>"));
}
