//! Diversion away from the largest shrinking partner: the partner's loss against the
//! change in trade with everyone else ("exports ex-US").

use super::figures::{change_fig, excluding_fig, growth_fig, made_up_fig};
use super::Builder;
use crate::fmt;
use crate::model::{Diversion, PartnerKind, PartnerRow, PartnerTable};
use entrepot_core::formulas;

impl Builder<'_> {
    /// Diversion away from the partner of `table` that shrank most: its loss, the growth
    /// and change of trade with all other partners, and the share of the loss they made
    /// up. `None` when no partner shrank.
    pub(super) fn diversion(&self, table: &PartnerTable) -> Option<Diversion> {
        let cands: Vec<&PartnerRow> = table
            .rows
            .iter()
            .filter(|r| r.kind == PartnerKind::Country)
            .collect();
        // The partner that shrank most in level among the partition rows, or else (levels
        // not held) the one with the steepest published fall.
        let by_level =
            formulas::largest_decline(cands.iter().filter(|r| r.in_partition).filter_map(|r| {
                let v = r.value.as_ref()?.value;
                let cv = r.comparison_value.as_ref()?.value;
                Some((*r, formulas::change(v, cv)?))
            }));
        let row = match by_level {
            Some((r, _)) => r,
            None => {
                formulas::largest_decline(
                    cands
                        .iter()
                        .filter_map(|r| r.yoy_pct.as_ref().map(|g| (*r, g.value))),
                )?
                .0
            }
        };
        let name = row.name.clone();
        let mut d = Diversion {
            partner: row.code.clone(),
            partner_name: name.clone(),
            span: table.span,
            partner_yoy_pct: row.yoy_pct.clone(),
            partner_change_bn: None,
            others_yoy_pct: None,
            others_change_bn: None,
            made_up_pct: None,
            share_change_pp: row.share_change_pp.clone(),
            statement: String::new(),
        };
        let flow = if table.flow == "export" {
            "Exports to"
        } else {
            "Imports from"
        };
        let others_word = if table.flow == "export" {
            "exports"
        } else {
            "imports"
        };
        if let (Some(v), Some(cv), Some(t), Some(ct)) = (
            &row.value,
            &row.comparison_value,
            &table.total.level,
            &table.total.comparison_level,
        ) {
            d.partner_change_bn = change_fig(v, cv);
            let on = excluding_fig(t, v, format!("total - {}", row.code));
            let oc = excluding_fig(ct, cv, format!("comparison total - {}", row.code));
            // With no trade with anyone else in either period there is nothing "ex-"
            // the partner: no figure (not a change of zero).
            if let (Some(on), Some(oc)) = (on, oc) {
                if on.value != 0.0 || oc.value != 0.0 {
                    d.others_yoy_pct = growth_fig(&on, &oc);
                    d.others_change_bn = change_fig(&on, &oc);
                }
            }
            if let (Some(pc), Some(oc)) = (&d.partner_change_bn, &d.others_change_bn) {
                d.made_up_pct = made_up_fig(oc, pc, &row.code);
            }
        }
        let g = d
            .partner_yoy_pct
            .as_ref()
            .map(|f| format!(" {}", fmt::change(f)))
            .unwrap_or_default();
        let mut s = format!(
            "{flow} {name}, the largest shrinking partner, {}:{g}",
            table.span
        );
        if let Some(pc) = &d.partner_change_bn {
            s.push_str(&format!(" ({})", fmt::change(pc)));
        }
        s.push('.');
        match (&d.others_yoy_pct, &d.others_change_bn, &d.made_up_pct) {
            (Some(og), Some(oc), made) => {
                s.push_str(&format!(
                    " {} {others_word} ex-{}: {} ({}).",
                    self.reporter,
                    row.code,
                    fmt::change(og),
                    fmt::change(oc)
                ));
                if let Some(m) = made {
                    s.push_str(&format!(
                        " Other partners made up {} of the loss on {name}.",
                        fmt::level(m)
                    ));
                }
            }
            (None, Some(oc), _) => s.push_str(&format!(
                " {} {others_word} ex-{}: {} (no growth rate: nothing in the comparison period).",
                self.reporter,
                row.code,
                fmt::change(oc)
            )),
            _ if d.partner_change_bn.is_some() => s.push_str(&format!(
                " {name} is the only partner with trade held: there is nothing excluding {name}."
            )),
            _ => s.push_str(&format!(
                " Levels for {name} and the total are not both held, so growth excluding {name} cannot be computed."
            )),
        }
        if let Some(sc) = &d.share_change_pp {
            let now = row
                .share_pct
                .as_ref()
                .map(|f| format!(" to {}", fmt::level(f)))
                .unwrap_or_default();
            s.push_str(&format!(
                " The share of {name} changed {}{now}.",
                fmt::change(sc)
            ));
        }
        d.statement = s;
        Some(d)
    }
}
