//! A number with its unit, precision and provenance.

use crate::id::SourceId;
use crate::provenance::Provenance;
use crate::unit::Unit;
use serde::{Deserialize, Serialize};

/// A number of a document: value, unit, the precision to print it with, and where it
/// came from — both as the typed marker every renderer prints ([`Figure::source`]) and
/// as the full [`Provenance`].
///
/// A figure that cannot be computed is never a `Figure` with a made-up value: the
/// producer writes a [`Cell::Missing`](crate::Cell::Missing) with the reason instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The value, in `unit` (finite).
    pub value: f64,
    /// The unit.
    pub unit: Unit,
    /// Decimals to print it with (as published for published figures).
    pub decimals: u8,
    /// Whether to print it with an explicit sign (`+5.9%`): a change rather than a
    /// level.
    pub signed: bool,
    /// Whether the source marked it as approximate (printed with `~`).
    pub approximate: bool,
    /// Half a unit of the last published digit, propagated through computations: the
    /// value is known to ± this much from rounding alone (0 when exact).
    pub tolerance: f64,
    /// The marker: `P3` for a figure quoted from the document's third source, `C2` for
    /// one computed by the document's second method.
    pub source: SourceId,
    /// Where it came from, in full (for a published figure, the facts-file line and the
    /// compiler's note).
    pub provenance: Provenance,
    /// Other reports of the same quantity, kept side by side and never averaged; one
    /// that does not agree is a conflict every renderer shows.
    pub alternatives: Vec<Alternative>,
}

/// Another report of the same quantity as a [`Figure`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The value reported.
    pub value: f64,
    /// Whether the source marked it as approximate.
    pub approximate: bool,
    /// Decimals to print it with.
    pub decimals: u8,
    /// Its marker.
    pub source: SourceId,
    /// Where it came from.
    pub provenance: Provenance,
    /// `value` minus the primary figure's value.
    pub difference: f64,
    /// Whether the two agree within the rounding of the published numbers.
    pub agrees: bool,
}

impl Figure {
    /// Whether another report of the same quantity disagrees with this one.
    pub fn is_conflicted(&self) -> bool {
        self.alternatives.iter().any(|a| !a.agrees)
    }

    /// Whether the figure is quoted as published.
    pub fn is_published(&self) -> bool {
        self.provenance.is_published()
    }

    /// The alternatives that disagree with the figure, as figures of the same unit and
    /// style (for display next to it).
    pub fn conflicting(&self) -> Vec<Figure> {
        self.alternatives
            .iter()
            .filter(|a| !a.agrees)
            .map(|a| Figure {
                value: a.value,
                unit: self.unit.clone(),
                decimals: a.decimals,
                signed: self.signed,
                approximate: a.approximate,
                tolerance: 0.0,
                source: a.source,
                provenance: a.provenance.clone(),
                alternatives: Vec::new(),
            })
            .collect()
    }

    /// The same figure printed as a change (`+5.9%`).
    pub fn as_change(mut self) -> Figure {
        self.signed = true;
        self
    }
}
