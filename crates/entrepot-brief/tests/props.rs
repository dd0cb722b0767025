//! Property tests on random flows: shares add up to 100%, contributions to total
//! growth, and the balance is exports minus imports.

mod common;
use common::flow;
use entrepot_brief::*;
use entrepot_core::{FlowKind, GroupRegistry, Period, PeriodSpan, TradeFlow};
use proptest::prelude::*;

const PARTNERS: &[&str] = &[
    "USA", "DEU", "FRA", "JPN", "VNM", "THA", "BRA", "ZAF", "NGA", "GBR", "KOR", "IND", "AUS",
    "MEX", "CAN", "CHL",
];

fn flows_strategy() -> impl Strategy<Value = (Vec<TradeFlow>, bool)> {
    (
        prop::collection::vec(
            (0usize..PARTNERS.len(), 0u8..2, 0u8..2, 0.0f64..5e10),
            4..60,
        ),
        any::<bool>(),
    )
        .prop_map(|(rows, monthly)| {
            let periods = if monthly {
                [
                    Period::month(2023, 6).unwrap(),
                    Period::month(2024, 6).unwrap(),
                ]
            } else {
                [Period::Year(2023), Period::Year(2024)]
            };
            let mut v: Vec<TradeFlow> = rows
                .into_iter()
                .map(|(p, k, t, x)| {
                    let kind = if k == 0 {
                        FlowKind::Export
                    } else {
                        FlowKind::Import
                    };
                    flow("CHN", PARTNERS[p], kind, periods[t as usize], x)
                })
                .collect();
            // make sure both periods and both flows are held with something positive
            for p in periods {
                v.push(flow("CHN", "USA", FlowKind::Export, p, 1e9));
                v.push(flow("CHN", "DEU", FlowKind::Import, p, 1e9));
            }
            (v, monthly)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn identities_hold((flows, monthly) in flows_strategy()) {
        let period = if monthly { Period::month(2024, 6).unwrap() } else { Period::Year(2024) };
        let mut input = BriefInput::new("CHN", &flows, &[], GroupRegistry::builtin());
        input.period = Some(period);
        let b = build_brief(&input).unwrap();
        let h = &b.headline.current[0];
        let x = h.exports.level.as_ref().unwrap().value;
        let m = h.imports.level.as_ref().unwrap().value;
        let bal = h.balance.level.as_ref().unwrap().value;
        prop_assert!((bal - (x - m)).abs() <= 1e-9 * x.abs().max(1.0));
        for t in b.partner_tables.iter().filter(|t| t.span == PeriodSpan::single(period)) {
            let part: Vec<&PartnerRow> = t.rows.iter().filter(|r| r.in_partition).collect();
            let shares: f64 = part.iter().map(|r| r.share_pct.as_ref().map(|f| f.value).unwrap_or(0.0)).sum();
            prop_assert!((shares - 100.0).abs() < 1e-9, "shares {}", shares);
            let g = t.total.yoy_pct.as_ref().unwrap().value;
            let c: f64 = part.iter().map(|r| r.contribution_pp.as_ref().unwrap().value).sum();
            prop_assert!((c - g).abs() < 1e-9 * g.abs().max(1.0), "{} vs {}", c, g);
            prop_assert_eq!(t.identity.status, CheckStatus::Ok);
            // no partner country is counted twice in the partition
            let mut seen = std::collections::BTreeSet::new();
            for r in &part {
                if r.kind == PartnerKind::Country {
                    prop_assert!(seen.insert(r.code.clone()));
                }
            }
        }
    }
}
