//! Partner tables: the rows (partners and groups of interest, the largest partners,
//! the rest of the world), their shares, changes in share and contributions to growth,
//! and the contribution identity.

use super::figures::{
    contribution_fig, growth_fig, share_change_fig, share_fig, unit_label, USD_PER_BN,
};
use super::{Builder, ROW};
use crate::fmt;
use crate::index::{norm_partner, Ind, WORLD};
use crate::model::{
    Basis, CheckStatus, ContributionIdentity, Figure, Measure, PartnerKind, PartnerRow,
    PartnerTable, Provenance,
};
use entrepot_core::{FlowKind, PeriodSpan};
use std::collections::{BTreeSet, HashMap};

impl Builder<'_> {
    /// Whether `code` is a partner group (EU27, ASEAN, …).
    pub(super) fn is_group(&self, code: &str) -> bool {
        code != WORLD && self.input.groups.contains(code)
    }

    /// The member countries of a group at the end of the brief's period, or the country
    /// itself.
    pub(super) fn members(&self, code: &str) -> Vec<String> {
        if self.is_group(code) {
            self.input
                .groups
                .members_at(code, &self.period)
                .unwrap_or_default()
        } else {
            vec![code.to_string()]
        }
    }

    /// The display name of a partner, group, the world or the rest of the world.
    pub(super) fn partner_name(&self, code: &str) -> String {
        match code {
            WORLD => "World".into(),
            ROW => "Rest of world".into(),
            "EU27" => "EU27".into(),
            "EU" => "EU".into(),
            "AFRICA" => "Africa".into(),
            "LATAM" => "Latin America".into(),
            "EUROPE" => "Europe".into(),
            "ASIA" => "Asia".into(),
            "OCEANIA" => "Oceania".into(),
            "NORTH_AMERICA" => "North America".into(),
            "NAFTA_USMCA" => "USMCA".into(),
            _ => self
                .countries
                .get(code)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| code.to_string()),
        }
    }

    /// The partner table of a flow over `span` against `cmp`: the partners of interest
    /// (plus, with flows, the largest partners and the rest of the world), with shares,
    /// changes in share and contributions to growth. `None` when nothing is held.
    pub(super) fn partner_table(
        &self,
        ind: Ind,
        span: PeriodSpan,
        cmp: PeriodSpan,
    ) -> Option<PartnerTable> {
        let total = self.measure(WORLD, ind, span, cmp);
        let kind = if ind == Ind::Export {
            FlowKind::Export
        } else {
            FlowKind::Import
        };
        let flows_mode = total
            .level
            .as_ref()
            .is_some_and(|f| f.provenance.is_from_flows());
        let mut codes: Vec<String> = Vec::new();
        for p in &self.input.partners_of_interest {
            let c = norm_partner(p);
            if c != WORLD && c != self.reporter && !codes.contains(&c) {
                codes.push(c);
            }
        }
        if flows_mode {
            let mut by_value: HashMap<String, f64> = HashMap::new();
            for p in span.periods() {
                for c in self.flows.partners_at(kind, p) {
                    *by_value.entry(c.clone()).or_insert(0.0) +=
                        self.flows.partner(c, kind, p).unwrap_or(0.0);
                }
            }
            let mut v: Vec<(String, f64)> = by_value.into_iter().collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut added = 0;
            for (c, _) in v {
                if added >= self.input.top_partners {
                    break;
                }
                if !codes.contains(&c) {
                    codes.push(c);
                    added += 1;
                }
            }
        } else {
            for c in self.facts.partners_with(ind, span) {
                if !codes.contains(&c) && c != self.reporter {
                    codes.push(c);
                }
            }
        }
        let mut rows: Vec<(PartnerRow, Vec<String>)> = Vec::new();
        let mut not_held = Vec::new();
        for code in codes {
            let m = self.measure(&code, ind, span, cmp);
            let empty = m.level.is_none() && m.yoy_pct.is_none();
            let zero = m.level.as_ref().is_some_and(|f| f.value == 0.0)
                && m.comparison_level.as_ref().is_none_or(|f| f.value == 0.0);
            if empty || zero {
                not_held.push(code);
                continue;
            }
            let members = self.members(&code);
            let is_group = self.is_group(&code);
            rows.push((
                PartnerRow {
                    name: self.partner_name(&code),
                    kind: if is_group {
                        PartnerKind::Group
                    } else {
                        PartnerKind::Country
                    },
                    members: if is_group { Some(members.len()) } else { None },
                    code,
                    in_partition: false,
                    within: None,
                    value: m.level,
                    comparison_value: m.comparison_level,
                    yoy_pct: m.yoy_pct,
                    share_pct: None,
                    comparison_share_pct: None,
                    share_change_pp: None,
                    contribution_pp: None,
                },
                members,
            ));
        }
        if rows.is_empty() && total.level.is_none() {
            return None;
        }
        // Partition: disjoint rows (members not in an earlier row) whose levels are
        // held. With flows, a row needs only the period's level: the rest of the world
        // is then the total less the partition in each period, held or not in the
        // comparison period, so that shares add up to 100% in both. With published
        // figures only, a row needs both levels (the contributions need them).
        let mut covered: BTreeSet<String> = BTreeSet::new();
        for (row, members) in rows.iter_mut() {
            let held = row.value.is_some() && (flows_mode || row.comparison_value.is_some());
            if held && members.iter().all(|m| !covered.contains(m)) {
                row.in_partition = true;
                covered.extend(members.iter().cloned());
            }
        }
        let sets: Vec<BTreeSet<String>> = rows
            .iter()
            .map(|(_, m)| m.iter().cloned().collect())
            .collect();
        for i in 0..rows.len() {
            let within = (0..rows.len())
                .find(|&j| j != i && sets[j].len() > sets[i].len() && sets[i].is_subset(&sets[j]))
                .map(|j| rows[j].0.code.clone());
            rows[i].0.within = within;
        }
        let mut rows = sorted_by_value(rows.into_iter().map(|(r, _)| r).collect());
        // Rest of world, from flows only: the total less the rows of the partition, so
        // that the partition adds up to the total. Where the reporter's total is a
        // reported world row, the partner rows held need not cover it (a file with a
        // world row and a few partners): the rest is what the world row holds beyond
        // them. Without a world row the total is the sum of the partners, and the rest
        // the partners outside the partition.
        let mut world_row_used = false;
        if flows_mode {
            let sum_rest = |s: PeriodSpan, world_row_used: &mut bool| -> Option<f64> {
                let mut t = 0.0;
                for p in s.periods() {
                    if !self.flows.covers(kind, p) {
                        return None;
                    }
                    if self.flows.has_world_row(kind, p) {
                        *world_row_used = true;
                        t += self.flows.world(kind, p).unwrap_or(0.0);
                        for c in &covered {
                            t -= self.flows.partner(c, kind, p).unwrap_or(0.0);
                        }
                    } else {
                        for c in self.flows.partners_at(kind, p) {
                            if !covered.contains(c) {
                                t += self.flows.partner(c, kind, p).unwrap_or(0.0);
                            }
                        }
                    }
                }
                Some(t / USD_PER_BN)
            };
            let value_bn = sum_rest(span, &mut world_row_used);
            let comparison_bn = sum_rest(cmp, &mut world_row_used);
            let mk = |v: f64, s: PeriodSpan| Figure {
                value: v,
                unit: self.money(),
                unit_label: unit_label(self.money()),
                decimals: 2,
                approximate: false,
                tolerance: 0.0,
                provenance: Provenance::Computed {
                    basis: Basis::Flows,
                    method: if world_row_used {
                        format!(
                            "the reported world total of {} flows, {s}, less the rows above",
                            ind.flow_name()
                        )
                    } else {
                        format!(
                            "sum of stored {} flows, {s}, with all partners not in the rows above",
                            ind.flow_name()
                        )
                    },
                    inputs: vec![self.flows.tag()],
                },
                alternatives: Vec::new(),
            };
            let value = value_bn.map(|v| mk(v, span));
            let comparison_value = comparison_bn.map(|v| mk(v, cmp));
            let yoy = match (&value, &comparison_value) {
                (Some(a), Some(b)) => growth_fig(a, b),
                _ => None,
            };
            rows.push(PartnerRow {
                code: ROW.into(),
                name: if self.partial(ind).is_some() {
                    "Other partners held".into()
                } else {
                    self.partner_name(ROW)
                },
                kind: PartnerKind::RestOfWorld,
                members: None,
                in_partition: true,
                within: None,
                value,
                comparison_value,
                yoy_pct: yoy,
                share_pct: None,
                comparison_share_pct: None,
                share_change_pp: None,
                contribution_pp: None,
            });
        }
        // Shares and contributions.
        for row in rows.iter_mut() {
            if let (Some(v), Some(t)) = (&row.value, &total.level) {
                row.share_pct = share_fig(v, t);
            }
            if let (Some(v), Some(t)) = (&row.comparison_value, &total.comparison_level) {
                row.comparison_share_pct = share_fig(v, t);
            }
            if let (Some(a), Some(b)) = (&row.share_pct, &row.comparison_share_pct) {
                row.share_change_pp = share_change_fig(a, b);
            }
            if let (Some(v), Some(cv), Some(ct)) =
                (&row.value, &row.comparison_value, &total.comparison_level)
            {
                row.contribution_pp = contribution_fig(v, cv, ct);
            }
        }
        let identity = self.identity(&rows, &total, flows_mode);
        Some(PartnerTable {
            flow: ind.flow_name().to_string(),
            span,
            comparison_span: cmp,
            total,
            rows,
            identity,
            not_held,
        })
    }

    /// The contribution identity of a table: with flows and a rest-of-world row, the
    /// contributions of the partition rows must add up to total growth.
    pub(super) fn identity(
        &self,
        rows: &[PartnerRow],
        total: &Measure,
        flows_mode: bool,
    ) -> ContributionIdentity {
        let part: Vec<&PartnerRow> = rows.iter().filter(|r| r.in_partition).collect();
        let has_row = rows.iter().any(|r| r.kind == PartnerKind::RestOfWorld);
        let g = total.yoy_pct.as_ref().map(|f| f.value);
        let contribs: Option<f64> = part
            .iter()
            .map(|r| r.contribution_pp.as_ref().map(|f| f.value))
            .sum();
        let shares: Option<f64> = part
            .iter()
            .map(|r| r.share_pct.as_ref().map(|f| f.value))
            .sum();
        if flows_mode && has_row {
            if let (Some(g), Some(c)) = (g, contribs) {
                let res = c - g;
                let ok = res.abs() <= 1e-6 * g.abs().max(1.0);
                return ContributionIdentity {
                    status: if ok { CheckStatus::Ok } else { CheckStatus::Mismatch },
                    total_growth_pct: Some(g),
                    sum_of_contributions_pp: Some(c),
                    sum_of_shares_pct: shares,
                    residual_pp: Some(res),
                    note: format!(
                        "The contributions of the {} disjoint rows (rest of world included) add up to total growth of {}% (residual {:.1e} pp); their shares add up to {}%.",
                        part.len(),
                        fmt::signed(g, 2),
                        res,
                        shares.map(|s| fmt::number(s, 2)).unwrap_or_else(|| "-".into())
                    ),
                };
            }
        }
        if flows_mode && has_row && contribs.is_none() {
            // Shares still partition the period's total; growth needs the comparison.
            return ContributionIdentity {
                status: CheckStatus::NotCheckable,
                total_growth_pct: g,
                sum_of_contributions_pp: None,
                sum_of_shares_pct: shares,
                residual_pp: None,
                note: format!(
                    "The comparison period is not held: contributions to growth cannot be computed. The shares of the {} disjoint rows (rest of world included) add up to {}%.",
                    part.len(),
                    shares.map(|s| fmt::number(s, 2)).unwrap_or_else(|| "-".into())
                ),
            };
        }
        let with_levels = rows
            .iter()
            .filter(|r| r.kind != PartnerKind::RestOfWorld && r.contribution_pp.is_some())
            .count();
        let n = rows
            .iter()
            .filter(|r| r.kind != PartnerKind::RestOfWorld)
            .count();
        ContributionIdentity {
            status: CheckStatus::NotCheckable,
            total_growth_pct: g,
            sum_of_contributions_pp: None,
            sum_of_shares_pct: None,
            residual_pp: None,
            note: format!(
                "Levels in both periods are held for {with_levels} of the {n} partners, and the partners held do not cover all trade: contributions are shown where levels allow, growth rates as published, and the identity cannot be checked."
            ),
        }
    }
}

/// The rows sorted by value, largest first (rows without a level last), each group
/// followed by the rows within it, themselves sorted the same way.
fn sorted_by_value(rows: Vec<PartnerRow>) -> Vec<PartnerRow> {
    fn value(r: &PartnerRow) -> f64 {
        r.value.as_ref().map_or(f64::NEG_INFINITY, |f| f.value)
    }
    fn place(
        parent: Option<&str>,
        rows: &[PartnerRow],
        done: &mut Vec<bool>,
        out: &mut Vec<usize>,
    ) {
        let mut children: Vec<usize> = (0..rows.len())
            .filter(|&i| !done[i] && rows[i].within.as_deref() == parent)
            .collect();
        children.sort_by(|&a, &b| {
            value(&rows[b])
                .total_cmp(&value(&rows[a]))
                .then_with(|| rows[a].code.cmp(&rows[b].code))
        });
        for i in children {
            if done[i] {
                continue;
            }
            done[i] = true;
            out.push(i);
            place(Some(rows[i].code.as_str()), rows, done, out);
        }
    }
    let mut done = vec![false; rows.len()];
    let mut order = Vec::with_capacity(rows.len());
    place(None, &rows, &mut done, &mut order);
    // Rows whose parent is not in the table (cannot happen: `within` names a row)
    // keep their place at the end.
    order.extend((0..rows.len()).filter(|&i| !done[i]));
    let mut slots: Vec<Option<PartnerRow>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
