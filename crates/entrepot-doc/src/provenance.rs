//! Where a number came from: the one provenance type of Entrepôt's reports.
//!
//! An analysis attaches a [`Provenance`] to every number it produces; a
//! [`Citations`](crate::Citations) register turns provenances into the document's
//! numbered [`Source`](crate::Source)s and [`Method`](crate::Method)s and gives each
//! figure its [`SourceId`](crate::SourceId).

use serde::{Deserialize, Serialize};

/// What a computed figure was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Only stored trade flows (or another data set read by Entrepôt).
    Flows,
    /// Only published figures.
    Published,
    /// Both stored flows and published figures.
    Mixed,
}

impl Basis {
    /// The basis of a computation from inputs of bases `a` and `b`.
    pub fn combine(a: Basis, b: Basis) -> Basis {
        if a == b {
            a
        } else {
            Basis::Mixed
        }
    }
}

/// Where a number came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// Computed by Entrepôt.
    Computed {
        /// Whether the inputs were stored flows, published figures, or both.
        basis: Basis,
        /// How, in words (`exports − imports`, `sum of 11 monthly figures`, …).
        method: String,
        /// The inputs: the keys of published sources (`P3`) and `flows:<dataset>`.
        inputs: Vec<String>,
    },
    /// Quoted as published.
    Published {
        /// The key of the source: in a [`Document`](crate::Document), the text of the
        /// figure's [`SourceId`](crate::SourceId) (`P1`); in an analysis' own model,
        /// whatever key it lists its sources under.
        source_id: String,
        /// The URL the figure was read from.
        source_url: String,
        /// The file and line it was read from (`china_customs_facts.csv:4`).
        origin: String,
        /// The compiler's note (approximations, conflicts, currency).
        note: String,
    },
}

impl Provenance {
    /// Whether the figure is quoted as published.
    pub fn is_published(&self) -> bool {
        matches!(self, Provenance::Published { .. })
    }

    /// Whether the figure was computed from stored flows only.
    pub fn is_from_flows(&self) -> bool {
        matches!(
            self,
            Provenance::Computed {
                basis: Basis::Flows,
                ..
            }
        )
    }

    /// The ids of the inputs: the source key of a published figure, or the inputs of a
    /// computed one.
    pub fn input_ids(&self) -> Vec<String> {
        match self {
            Provenance::Computed { inputs, .. } => inputs.clone(),
            Provenance::Published { source_id, .. } => vec![source_id.clone()],
        }
    }

    /// The basis of the figure: `Published` for a published one.
    pub fn basis(&self) -> Basis {
        match self {
            Provenance::Computed { basis, .. } => *basis,
            Provenance::Published { .. } => Basis::Published,
        }
    }
}
