//! One test per format on a document built by hand with every kind of section, cell,
//! chart and check: what each renderer must show of each, with its marker.

use entrepot_doc::*;
use entrepot_report::*;

fn published(key: &str, url: &str, line: &str) -> Provenance {
    Provenance::Published {
        source_id: key.into(),
        source_url: url.into(),
        origin: line.into(),
        note: "as published".into(),
    }
}

fn computed(method: &str, inputs: &[&str]) -> Provenance {
    Provenance::Computed {
        basis: Basis::Published,
        method: method.into(),
        inputs: inputs.iter().map(|s| s.to_string()).collect(),
    }
}

/// Exports 330.3bn [P1] (+5.9% [C1]), a partner table with a conflict, a missing
/// value, an indented row and a total; a regression table with an estimate; the three
/// kinds of chart; a record; checks of every status; two sources and two methods.
fn handmade() -> Document {
    let mut cite = Citations::new();
    cite.add_source("P1", "https://customs.example/nov", &["facts.csv:2".into()]);
    let usd = Unit::money(Currency::USD, Scale::Billions);
    let exports = cite.figure(
        330.3,
        usd.clone(),
        1,
        &published("P1", "https://customs.example/nov", "facts.csv:2"),
    );
    let growth = cite
        .figure(
            5.9,
            Unit::Percent,
            1,
            &computed("growth = (value / comparison - 1) x 100", &["P1"]),
        )
        .as_change();
    let mut eu = cite
        .figure(
            14.8,
            Unit::Percent,
            1,
            &published("P1", "https://customs.example/nov", "facts.csv:3"),
        )
        .as_change();
    eu.alternatives.push(cite.alternative(
        14.3,
        false,
        1,
        &published("news", "https://news.example/eu", "facts.csv:9"),
        -0.5,
        false,
    ));
    let mut approx = cite.figure(
        1080.0,
        usd.clone(),
        0,
        &published("P1", "https://customs.example/nov", "facts.csv:5"),
    );
    approx.approximate = true;
    let yuan = cite.figure(
        24.46,
        Unit::money(Currency::CNY, Scale::Trillions),
        2,
        &published("P1", "https://customs.example/nov", "facts.csv:7"),
    );
    let ppml = cite.method(
        Basis::Flows,
        "PPML with exporter-year and importer-year fixed effects",
        &["estimation sample".into()],
    );

    let mut d = Document::new("handmade", "Handmade report");
    d.lead = vec!["Built by hand for the renderer tests.".into()];
    d.currency = Some(Currency::USD);
    let col = |k: &str, l: &str| Column {
        key: k.into(),
        label: l.into(),
        detail: false,
    };
    d.sections = vec![
        Section {
            id: "headline".into(),
            title: "Headline".into(),
            blocks: vec![
                Block::Figures {
                    items: vec![
                        FigureItem {
                            label: "Exports".into(),
                            value: Cell::figure(exports.clone()),
                            note: Some("A record month.".into()),
                        },
                        FigureItem {
                            label: "Exports y/y".into(),
                            value: Cell::figure(growth.clone()),
                            note: None,
                        },
                        FigureItem {
                            label: "Imports".into(),
                            value: Cell::missing("no imports published"),
                            note: None,
                        },
                    ],
                },
                Block::Note(Note {
                    text: "The cumulative surplus passed $1tn for the first time.".into(),
                    figures: vec![approx.clone()],
                    emphasis: true,
                }),
            ],
        },
        Section {
            id: "partners".into(),
            title: "Partners".into(),
            blocks: vec![Block::Table(Table {
                id: "partners-export".into(),
                title: "Exports by partner".into(),
                source: None,
                columns: vec![
                    col("name", "Partner"),
                    Column {
                        key: "code".into(),
                        label: "code".into(),
                        detail: true,
                    },
                    col("value_usd_bn", "Value"),
                    col("yoy_pct", "y/y"),
                ],
                rows: vec![
                    Row::new(vec![
                        Cell::text("EU27"),
                        Cell::text("EU27"),
                        Cell::missing("no level published"),
                        Cell::figure(eu),
                    ]),
                    Row {
                        cells: vec![
                            Cell::text("Germany (in EU27)"),
                            Cell::text("DEU"),
                            Cell::figure(yuan),
                            Cell::missing("not published"),
                        ],
                        indent: 1,
                        emphasis: false,
                    },
                ],
                footer: vec![Row {
                    cells: vec![
                        Cell::text("Total"),
                        Cell::text("WLD"),
                        Cell::figure(exports.clone()),
                        Cell::figure(growth.clone()),
                    ],
                    indent: 0,
                    emphasis: true,
                }],
            })],
        },
        Section {
            id: "gravity".into(),
            title: "Gravity".into(),
            blocks: vec![
                Block::Table(Table {
                    id: "coefficients".into(),
                    title: "PPML estimates".into(),
                    source: Some(ppml),
                    columns: vec![
                        col("term", ""),
                        col("estimate", "PPML (trade)"),
                        col("z", "z"),
                    ],
                    rows: vec![Row::new(vec![
                        Cell::text("log(dist)"),
                        Cell::Estimate {
                            estimate: -0.840963,
                            std_error: 0.031769,
                            p_value: 1e-12,
                            stars: 3,
                            decimals: 3,
                        },
                        Cell::Number {
                            value: -26.47,
                            unit: Unit::Number,
                            decimals: 2,
                            signed: false,
                        },
                    ])],
                    footer: vec![Row::new(vec![
                        Cell::text("Observations"),
                        Cell::Number {
                            value: 28152.0,
                            unit: Unit::Count,
                            decimals: 0,
                            signed: false,
                        },
                        Cell::text(""),
                    ])],
                }),
                Block::Note(Note::text("Significance: *** p<0.01, ** p<0.05, * p<0.1.")),
            ],
        },
        Section {
            id: "charts".into(),
            title: "Charts".into(),
            blocks: vec![
                Block::Chart(Chart {
                    id: "chart-trend".into(),
                    title: "Exports and balance (USD bn)".into(),
                    unit: usd.clone(),
                    empty_reason: None,
                    plot: Plot::Series {
                        x_labels: vec!["2025-09".into(), "2025-10".into(), "2025-11".into()],
                        series: vec![
                            Series {
                                label: "Exports".into(),
                                mark: Mark::Bar,
                                axis: Axis::Left,
                                values: vec![Some(328.5), Some(305.35), Some(330.3)],
                                breaks: vec![],
                            },
                            Series {
                                label: "Balance".into(),
                                mark: Mark::Line,
                                axis: Axis::Left,
                                values: vec![Some(90.45), None, Some(111.68)],
                                breaks: vec![],
                            },
                            Series {
                                label: "Year-to-date".into(),
                                mark: Mark::DashedLine,
                                axis: Axis::Right,
                                values: vec![Some(877.0), Some(964.8), Some(1080.0)],
                                breaks: vec![1],
                            },
                        ],
                        right_unit: Some(usd.clone()),
                    },
                }),
                Block::Chart(Chart {
                    id: "chart-bars".into(),
                    title: "Contributions (pp)".into(),
                    unit: Unit::PercentagePoints,
                    empty_reason: None,
                    plot: Plot::Bars {
                        bars: vec![
                            Bar {
                                label: "United States".into(),
                                value: -4.34,
                                total: false,
                            },
                            Bar {
                                label: "ASEAN".into(),
                                value: 2.5,
                                total: false,
                            },
                            Bar {
                                label: "Total".into(),
                                value: 5.9,
                                total: true,
                            },
                        ],
                    },
                }),
                Block::Chart(Chart {
                    id: "chart-heat".into(),
                    title: "Shares by partner and year (%)".into(),
                    unit: Unit::Percent,
                    empty_reason: None,
                    plot: Plot::HeatMap {
                        x_labels: vec!["2024".into(), "2025".into()],
                        y_labels: vec!["USA".into(), "VNM".into()],
                        values: vec![vec![Some(14.7), Some(10.2)], vec![Some(4.5), None]],
                    },
                }),
                Block::Chart(Chart {
                    id: "chart-empty".into(),
                    title: "Nothing to draw".into(),
                    unit: Unit::Ratio,
                    empty_reason: Some("No levels held in both periods".into()),
                    plot: Plot::Bars { bars: vec![] },
                }),
            ],
        },
        Section {
            id: "checks".into(),
            title: "Checks".into(),
            blocks: vec![Block::Checks {
                checks: vec![
                    Check {
                        status: CheckStatus::Ok,
                        subject: "balance 2025-11".into(),
                        detail: "agrees within rounding".into(),
                        items: vec![FigureItem {
                            label: "exports".into(),
                            value: Cell::figure(exports),
                            note: None,
                        }],
                    },
                    Check {
                        status: CheckStatus::Warning,
                        subject: "ytd".into(),
                        detail: "differs by 0.1%".into(),
                        items: vec![],
                    },
                    Check {
                        status: CheckStatus::Conflict,
                        subject: "EU27 y/y".into(),
                        detail: "reports disagree".into(),
                        items: vec![],
                    },
                    Check {
                        status: CheckStatus::NotCheckable,
                        subject: "contributions".into(),
                        detail: "levels missing".into(),
                        items: vec![FigureItem {
                            label: "growth".into(),
                            value: Cell::figure(growth),
                            note: None,
                        }],
                    },
                ],
            }],
        },
    ];
    (d.sources, d.methods) = cite.into_parts();
    d.validate().expect("the handmade document is consistent");
    d
}

#[test]
fn the_handmade_document_has_every_kind() {
    let d = handmade();
    let blocks: Vec<&Block> = d.sections.iter().flat_map(|s| &s.blocks).collect();
    assert!(blocks.iter().any(|b| matches!(b, Block::Figures { .. })));
    assert!(blocks.iter().any(|b| matches!(b, Block::Note(_))));
    assert!(blocks.iter().any(|b| matches!(b, Block::Checks { .. })));
    for kind in ["series", "bars", "heat_map"] {
        assert!(
            blocks.iter().any(|b| matches!(b, Block::Chart(c)
            if serde_json::to_value(&c.plot).unwrap()["kind"] == kind)),
            "{kind}"
        );
    }
    let ids: Vec<String> = d
        .sources
        .iter()
        .map(|s| s.id.to_string())
        .chain(d.methods.iter().map(|m| m.id.to_string()))
        .collect();
    assert_eq!(ids, ["P1", "P2", "C1", "C2"]);
}

#[test]
fn terminal_renders_every_kind() {
    let t = render_terminal(
        &handmade(),
        &TerminalOptions {
            width: 80,
            color: false,
        },
    );
    for l in t.lines() {
        assert!(l.chars().count() <= 80, "{l}");
    }
    for needle in [
        "Handmade report",
        "Money in USD unless another currency is named.",
        "  Exports      330.3bn [P1]",
        "  Exports y/y  +5.9% [C1]",
        "  Imports      - (no imports published)",
        "    A record month.",
        "* The cumulative surplus passed $1tn for the first time. [P1]",
        "+14.8% [P1]!",
        "or +14.3% [P2]",
        "  Germany (in EU27)  24.46 CNY tn [P1]",
        "Total",
        "PPML estimates [C2]",
        "log(dist)     -0.841*** (0.032)  -26.47",
        "28,152",
        "Chart: Exports and balance (USD bn): Exports, Balance, Year-to-date from 2025-09",
        "  United States ------------------------------------- -4.34",
        "  Total         ================================================== +5.90",
        "Total                     330.3bn [P1]      +5.9% [C1]",
        "Observations             28,152",
        "Chart: Shares by partner and year (%): 2 rows by 2 columns",
        "Chart: Nothing to draw: No levels held in both periods.",
        "[OK] balance 2025-11: agrees within rounding (exports 330.3bn [P1])",
        "[WARNING] ytd",
        "[CONFLICT] EU27 y/y",
        "[N/A] contributions",
        "[P1] https://customs.example/nov",
        "[P2] https://news.example/eu",
        "[C1] growth = (value / comparison - 1) x 100 (from P1)",
        "[C2] PPML with exporter-year and importer-year fixed effects (from estimation\n     sample)",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    // the detail column is not shown
    assert!(!t.contains("DEU"), "{t}");
}

#[test]
fn json_renders_every_kind_and_validates() {
    let d = handmade();
    let j = render_json(&d);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "../../entrepot-doc/schema/document.schema.json"
    ))
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let back: Document = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, d);
    let fig = &v["sections"][0]["blocks"][0]["items"][0]["value"]["figure"];
    assert_eq!(fig["value"], 330.3);
    assert_eq!(fig["source"], "P1");
    assert_eq!(
        fig["unit"],
        serde_json::json!({"kind": "money", "currency": "USD", "scale": "billions"})
    );
    assert_eq!(
        v["sections"][0]["blocks"][0]["items"][2]["value"]["reason"],
        "no imports published"
    );
    assert_eq!(v["methods"][1]["id"], "C2");
}

#[test]
fn markdown_renders_every_kind() {
    let m = render_markdown(&handmade());
    for needle in [
        "# Handmade report\n",
        "- **Exports**: 330.3bn [P1]",
        "  - A record month.",
        "- **Imports**: – (no imports published)",
        "- **The cumulative surplus passed $1tn for the first time.** [P1]",
        "| Partner | Value | y/y |\n|---|---:|---:|",
        "| EU27 | – | +14.8% [P1] **or** +14.3% [P2] ⚠ |",
        "| ↳ Germany (in EU27) | 24.46 CNY tn [P1] | – |",
        "| **Total** | 330.3bn [P1] | +5.9% [C1] |",
        "### PPML estimates [C2]",
        "| log(dist) | -0.841\\*\\*\\* (0.032) | -26.47 |",
        "| **Total** | +5.90 |",
        "| United States | -4.34 |",
        "*Chart: Shares by partner and year (%): 2 rows by 2 columns (drawn in the HTML report).*",
        "*Chart: Nothing to draw: No levels held in both periods.*",
        "| OK | balance 2025-11 | exports: 330.3bn [P1] | agrees within rounding |",
        "| N/A | contributions | growth: +5.9% [C1] | levels missing |",
        "- **[P2]** <https://news.example/eu> (facts.csv:9)",
        "- **[C2]** PPML with exporter-year and importer-year fixed effects (from estimation sample)",
    ] {
        assert!(m.contains(needle), "missing {needle:?} in\n{m}");
    }
    assert!(!m.contains("DEU"));
}

#[test]
fn html_renders_every_kind() {
    let h = render_html(&handmade());
    for needle in [
        "<title>Handmade report</title>",
        "<dt>Exports</dt><dd>330.3bn<sup class=\"mark published\"><a href=\"#P1\" title=\"published: https://customs.example/nov (as published)\">P1</a></sup>",
        "<dt>Imports</dt><dd>– <span class=\"meta\">(no imports published)</span>",
        "<p class=\"emphasis\">The cumulative surplus passed $1tn for the first time.<sup class=\"mark published\">",
        "<td class=\"num conflict\">+14.8%",
        "<span class=\"alt\">or +14.3%<sup class=\"mark published\"><a href=\"#P2\"",
        "<td class=\"indent-1\">Germany (in EU27)</td>",
        "<td class=\"num missing\"><span class=\"missing\" title=\"not published\">–</span></td>",
        "<tr class=\"footer\"><td>Total</td>",
        "<h3>PPML estimates <sup class=\"mark computed\"><a href=\"#C2\">C2</a></sup></h3>",
        "-0.841*** (0.032)",
        "<svg id=\"chart-trend\"",
        "<rect class=\"bar series-0\"",
        "<path class=\"line series-1\"",
        "class=\"line series-2 line-dashed\"",
        "class=\"tick tick-right\"",
        "<svg id=\"chart-bars\"",
        "<rect class=\"bar-neg\"",
        "<rect class=\"bar-pos\"",
        "<rect class=\"bar-total\"",
        "<svg id=\"chart-heat\"",
        "<rect class=\"cell cell-empty\"",
        "<svg id=\"chart-empty\"",
        "No levels held in both periods",
        "<td class=\"status-ok\">OK</td>",
        "<td class=\"status-warning\">WARNING</td>",
        "<td class=\"status-conflict\">CONFLICT</td>",
        "<td class=\"status-na\">N/A</td>",
        "<li id=\"P2\" value=\"2\"><strong>P2</strong> <a href=\"https://news.example/eu\" rel=\"noreferrer\">",
        "<li id=\"C1\"><strong>C1</strong> growth = (value / comparison - 1) x 100 <span class=\"meta\">(from <a href=\"#P1\">P1</a>)</span></li>",
    ] {
        assert!(h.contains(needle), "missing {needle:?} in\n{h}");
    }
    // the balance line has a gap where the value is missing; the year-to-date line
    // starts again at its break
    let trend = &h[h.find("<svg id=\"chart-trend\"").unwrap()..];
    let balance = &trend[trend.find("<path class=\"line series-1\"").unwrap()..];
    let d = &balance[balance.find(" d=\"").unwrap() + 4..];
    assert_eq!(d[..d.find('"').unwrap()].matches('M').count(), 2, "gap");
    assert!(!h.contains("<script"));
    assert!(!h.contains("DEU"));
}

#[test]
fn csv_renders_every_table() {
    let d = handmade();
    let c = render_csv(&d, &CsvOptions::all());
    let mut r = csv::Reader::from_reader(c.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        h,
        [
            "table",
            "part",
            "name",
            "code",
            "value_usd_bn",
            "value_usd_bn_source",
            "value_usd_bn_provenance",
            "value_usd_bn_conflicting",
            "yoy_pct",
            "yoy_pct_source",
            "yoy_pct_provenance",
            "yoy_pct_conflicting",
            "term",
            "estimate",
            "estimate_std_error",
            "estimate_p_value",
            "estimate_stars",
            "z",
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 5, "three partner rows and two regression rows");
    let col = |k: &str| h.iter().position(|x| x == k).unwrap();
    let eu = &rows[0];
    assert_eq!(&eu[col("code")], "EU27");
    assert_eq!(&eu[col("value_usd_bn")], "");
    assert_eq!(
        &eu[col("value_usd_bn_provenance")],
        "missing: no level published"
    );
    assert_eq!(&eu[col("yoy_pct")], "14.8");
    assert_eq!(&eu[col("yoy_pct_source")], "P1");
    assert_eq!(
        &eu[col("yoy_pct_provenance")],
        "published https://customs.example/nov"
    );
    assert_eq!(&eu[col("yoy_pct_conflicting")], "14.3 [P2]");
    let total = &rows[2];
    assert_eq!(
        (&total[col("part")], &total[col("value_usd_bn")]),
        ("footer", "330.3")
    );
    assert_eq!(
        &total[col("yoy_pct_provenance")],
        "computed (published) growth = (value / comparison - 1) x 100"
    );
    let est = &rows[3];
    assert_eq!(&est[col("table")], "coefficients");
    assert_eq!(&est[col("estimate")], "-0.840963");
    assert_eq!(&est[col("estimate_std_error")], "0.031769");
    assert_eq!(&est[col("estimate_stars")], "3");
    assert_eq!(&est[col("z")], "-26.47");
    assert_eq!(&rows[4][col("estimate")], "28152");
    // one table only
    let only = render_csv(&d, &CsvOptions::tables_starting_with("coefficients"));
    assert_eq!(only.lines().count(), 3);
    assert!(only.starts_with(
        "table,part,term,estimate,estimate_std_error,estimate_p_value,estimate_stars,z\n"
    ));
}

#[test]
fn latex_renders_every_table() {
    let l = render_latex(&handmade());
    for needle in [
        "% Exports by partner\n\\begin{tabular}{lcc}\n\\toprule\nPartner & Value & y/y \\\\\n\\midrule\n",
        "EU27 & -- & +14.8\\%\\textsuperscript{P1} \\\\\n",
        "\\quad Germany (in EU27) & 24.46 CNY tn\\textsuperscript{P1} & -- \\\\\n",
        "\\midrule\nTotal & 330.3bn\\textsuperscript{P1} & +5.9\\%\\textsuperscript{C1} \\\\\n\\bottomrule\n\\end{tabular}\n",
        " & PPML (trade) & z \\\\\n",
        "log(dist) & -0.841$^{***}$ & -26.47 \\\\\n & (0.032) &  \\\\\n",
        "Observations & 28,152 &  \\\\\n",
        "% Significance: *** p<0.01, ** p<0.05, * p<0.1.\n",
    ] {
        assert!(l.contains(needle), "missing {needle:?} in\n{l}");
    }
    assert_eq!(l.matches("\\begin{tabular}").count(), 2);
}
