//! Briefs for the renderer tests.
#![allow(dead_code)]

use entrepot_brief::{build_brief, Brief, BriefInput};
use entrepot_core::{Declarant, FlowKind, FlowSource, GroupRegistry, Period, Product, TradeFlow};

/// The CHN 2025-11 brief of the embedded sample.
pub fn sample_brief() -> Brief {
    let facts = entrepot_io::sample::sample_facts();
    let mut input = BriefInput::new("CHN", &[], &facts, GroupRegistry::builtin());
    input.period = Some("2025-11".parse().unwrap());
    input.data_label = "embedded sample".into();
    build_brief(&input).unwrap()
}

/// A monthly brief computed from synthetic flows (two years of months, partners in
/// several groups), so that every chart has data.
pub fn flows_brief() -> Brief {
    let partners = [
        ("USA", 40e9),
        ("DEU", 12e9),
        ("FRA", 6e9),
        ("VNM", 15e9),
        ("THA", 7e9),
        ("JPN", 14e9),
        ("BRA", 5e9),
        ("ZAF", 3e9),
        ("KOR", 11e9),
        ("IND", 9e9),
    ];
    let mut flows = Vec::new();
    for (i, p) in Period::month(2024, 1)
        .unwrap()
        .rolling(24)
        .periods()
        .into_iter()
        .map(|p| p.shift(23))
        .enumerate()
    {
        for (j, (c, base)) in partners.iter().enumerate() {
            let trend = if *c == "USA" {
                1.0 - 0.012 * i as f64
            } else {
                1.0 + 0.008 * i as f64
            };
            let season = 1.0 + 0.05 * (((i + j) % 12) as f64 / 12.0 * std::f64::consts::TAU).sin();
            for (kind, k) in [(FlowKind::Export, 1.0), (FlowKind::Import, 0.62)] {
                flows.push(TradeFlow {
                    reporter: "CHN".into(),
                    partner: c.to_string(),
                    flow: kind,
                    period: p,
                    product: Product::Total,
                    value_usd: base * trend * season * k,
                    quantity: None,
                    provenance: FlowSource {
                        dataset: "synthetic".into(),
                        source_file: None,
                        declared_by: Declarant::Reporter,
                    },
                });
            }
        }
    }
    let mut input = BriefInput::new("CHN", &flows, &[], GroupRegistry::builtin());
    input.period = Some(Period::month(2025, 11).unwrap());
    build_brief(&input).unwrap()
}

/// The sample brief as a report document.
pub fn sample_document() -> entrepot_doc::Document {
    entrepot_brief::brief_document(&sample_brief())
}

/// The flows brief as a report document.
pub fn flows_document() -> entrepot_doc::Document {
    entrepot_brief::brief_document(&flows_brief())
}
