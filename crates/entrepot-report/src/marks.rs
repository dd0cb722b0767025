//! Provenance markers shared by the renderers: `[P3]` for a published figure (the id of
//! its source), `[C2]` for a computed one (numbered in order of first appearance, with
//! the method listed at the end of the report).

use entrepot_brief::{fmt, Figure, Provenance};

/// One computed-figure note: the method and its inputs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ComputedNote {
    pub id: String,
    pub method: String,
    pub inputs: Vec<String>,
}

/// Assigns markers in reading order.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    pub computed: Vec<ComputedNote>,
}

impl Marks {
    /// The marker id of a figure (`P3` or `C2`).
    pub fn id(&mut self, f: &Figure) -> String {
        self.id_of(&f.provenance)
    }

    /// The marker id of a provenance.
    pub fn id_of(&mut self, p: &Provenance) -> String {
        match p {
            Provenance::Published { source_id, .. } => source_id.clone(),
            Provenance::Computed { method, inputs, .. } => {
                if let Some(n) = self
                    .computed
                    .iter()
                    .find(|n| &n.method == method && &n.inputs == inputs)
                {
                    return n.id.clone();
                }
                let id = format!("C{}", self.computed.len() + 1);
                self.computed.push(ComputedNote {
                    id: id.clone(),
                    method: method.clone(),
                    inputs: inputs.clone(),
                });
                id
            }
        }
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Style {
    /// A level (`330.3bn`, `10.23%`).
    Level,
    /// A signed change (`+5.9%`, `-4.95pp`).
    Change,
}

/// The figure's number as text.
pub(crate) fn text(f: &Figure, style: Style) -> String {
    match style {
        Style::Level => fmt::level(f),
        Style::Change => fmt::change(f),
    }
}

/// The alternatives of a figure that disagree with it, as figures for display.
pub(crate) fn conflicting(f: &Figure) -> Vec<Figure> {
    f.alternatives
        .iter()
        .filter(|a| !a.agrees)
        .map(|a| Figure {
            value: a.value,
            unit: f.unit,
            unit_label: f.unit_label.clone(),
            decimals: a.decimals,
            approximate: a.approximate,
            tolerance: 0.0,
            provenance: a.provenance.clone(),
            alternatives: Vec::new(),
        })
        .collect()
}

/// The rows of the diversion table, in display order: label, figure, style.
pub(crate) fn diversion_items(
    d: &entrepot_brief::Diversion,
) -> Vec<(String, Option<&Figure>, Style)> {
    vec![
        (
            format!("{} y/y", d.partner),
            d.partner_yoy_pct.as_ref(),
            Style::Change,
        ),
        (
            format!("Change with {}", d.partner),
            d.partner_change_bn.as_ref(),
            Style::Change,
        ),
        (
            format!("Growth ex-{}", d.partner),
            d.others_yoy_pct.as_ref(),
            Style::Change,
        ),
        (
            format!("Change ex-{}", d.partner),
            d.others_change_bn.as_ref(),
            Style::Change,
        ),
        (
            "Loss made up by others".into(),
            d.made_up_pct.as_ref(),
            Style::Level,
        ),
        (
            format!("{} share change", d.partner),
            d.share_change_pp.as_ref(),
            Style::Change,
        ),
    ]
}
