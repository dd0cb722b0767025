//! The partner tables as CSV. Every field, numbers included, is written through
//! [`csv_cell`]: control characters made visible, formula-like text prefixed with `'`,
//! quoted when needed.

use crate::escape::csv_cell;
use entrepot_brief::{Brief, Figure, PartnerKind, Provenance};

fn num(f: Option<&Figure>) -> String {
    f.map(|f| format!("{}", f.value)).unwrap_or_default()
}

fn prov(f: Option<&Figure>) -> String {
    match f.map(|f| &f.provenance) {
        None => String::new(),
        Some(Provenance::Published { source_url, .. }) => format!("published {source_url}"),
        Some(Provenance::Computed { basis, method, .. }) => {
            format!(
                "computed ({}) {method}",
                serde_json::to_value(basis)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            )
        }
    }
}

/// Renders every partner table row as a CSV line.
pub fn render(b: &Brief) -> String {
    let mut s = String::from(
        "reporter,flow,span,comparison_span,partner,name,kind,in_partition,within,value_usd_bn,value_provenance,comparison_value_usd_bn,yoy_pct,yoy_provenance,yoy_conflicting_reports,share_pct,share_change_pp,contribution_pp\n",
    );
    for t in &b.partner_tables {
        for r in &t.rows {
            let kind = match r.kind {
                PartnerKind::Country => "country",
                PartnerKind::Group => "group",
                PartnerKind::RestOfWorld => "rest_of_world",
            };
            let alts: Vec<String> = r
                .yoy_pct
                .iter()
                .flat_map(|f| {
                    f.alternatives
                        .iter()
                        .filter(|a| !a.agrees)
                        .map(|a| format!("{}", a.value))
                })
                .collect();
            let fields = [
                b.reporter.clone(),
                t.flow.clone(),
                t.span.to_string(),
                t.comparison_span.to_string(),
                r.code.clone(),
                r.name.clone(),
                kind.to_string(),
                r.in_partition.to_string(),
                r.within.clone().unwrap_or_default(),
                num(r.value.as_ref()),
                prov(r.value.as_ref()),
                num(r.comparison_value.as_ref()),
                num(r.yoy_pct.as_ref()),
                prov(r.yoy_pct.as_ref()),
                alts.join(";"),
                num(r.share_pct.as_ref()),
                num(r.share_change_pp.as_ref()),
                num(r.contribution_pp.as_ref()),
            ];
            let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
            s.push_str(&cells.join(","));
            s.push('\n');
        }
    }
    s
}
