//! Helpers shared by the integration tests.
#![allow(dead_code)]

use entrepot_core::{Declarant, FlowKind, FlowSource, Period, Product, TradeFlow};

/// A total-product flow.
pub fn flow(reporter: &str, partner: &str, kind: FlowKind, period: Period, usd: f64) -> TradeFlow {
    TradeFlow {
        reporter: reporter.into(),
        partner: partner.into(),
        flow: kind,
        period,
        product: Product::Total,
        value_usd: usd,
        quantity: None,
        provenance: FlowSource {
            dataset: "test".into(),
            source_file: None,
            declared_by: Declarant::Reporter,
        },
    }
}

/// Flows of `reporter` from the penppml panel (`exp,imp,time,export`, USD): its exports
/// (rows exp == reporter) and its imports (rows imp == reporter).
pub fn penppml_flows(path: &std::path::Path, reporter: &str) -> Vec<TradeFlow> {
    let mut rdr = csv::Reader::from_path(path).expect("open penppml trade.csv");
    let h = rdr.headers().expect("header").clone();
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let (ie, ii, it, iv) = (col("exp"), col("imp"), col("time"), col("export"));
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let (e, i) = (&rec[ie], &rec[ii]);
        if e != reporter && i != reporter {
            continue;
        }
        let Ok(v) = rec[iv].parse::<f64>() else {
            continue;
        };
        let year: i32 = rec[it].parse().expect("year");
        let mut f = if e == reporter {
            flow(reporter, i, FlowKind::Export, Period::Year(year), v)
        } else {
            flow(reporter, e, FlowKind::Import, Period::Year(year), v)
        };
        f.provenance.dataset = "penppml_trade".into();
        f.provenance.declared_by = Declarant::Reconciled;
        out.push(f);
    }
    out
}
