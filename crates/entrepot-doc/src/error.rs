//! Errors of the document model.

use thiserror::Error;

/// Why a value could not be read or a document is not consistent.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DocError {
    /// A source id is not `P<n>` or `C<n>` with `n` ≥ 1.
    #[error("invalid source id '{0}': expected P<n> (published) or C<n> (computed), n >= 1")]
    InvalidSourceId(String),
    /// A currency code is not three upper-case ASCII letters (ISO 4217).
    #[error("invalid currency code '{0}': expected three upper-case letters (ISO 4217)")]
    InvalidCurrency(String),
    /// A figure or an input refers to a source or method the document does not list.
    #[error("{id} is used by {place} but not listed in the document's {list}")]
    UnlistedSource {
        /// The id.
        id: String,
        /// Where it is used (`section headline, table headline, row 2`).
        place: String,
        /// `sources` or `methods`.
        list: &'static str,
    },
    /// The sources or methods are not numbered 1, 2, 3, … in order.
    #[error("the document's {list} are not numbered in order: entry {position} has id {id}")]
    Numbering {
        /// `sources` or `methods`.
        list: &'static str,
        /// Position (1-based).
        position: usize,
        /// The id found there.
        id: String,
    },
    /// A figure's provenance does not match its source id (a published figure with a
    /// computed id, or the other way round, or a different published source).
    #[error("figure at {place} has source {id} but its provenance says {provenance}")]
    ProvenanceMismatch {
        /// Where.
        place: String,
        /// Its source id.
        id: String,
        /// What its provenance says.
        provenance: String,
    },
    /// A number that must be finite is not.
    #[error("non-finite number at {place}")]
    NotFinite {
        /// Where.
        place: String,
    },
    /// The parts of a table or chart do not line up.
    #[error("{place}: {detail}")]
    Shape {
        /// Where.
        place: String,
        /// What does not line up.
        detail: String,
    },
}
