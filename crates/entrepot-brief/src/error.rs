//! Errors of the brief builder.

use thiserror::Error;

/// Why a brief could not be built.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BriefError {
    /// Neither flows nor published trade figures are held for the reporter.
    #[error("no trade data held for reporter '{reporter}' (no stored flows and no published export, import or balance figures)")]
    NoData {
        /// The reporter asked for.
        reporter: String,
    },
    /// Nothing is held for the reporter in the requested period.
    #[error("no trade data held for '{reporter}' in {period}; periods held: {held}")]
    NoDataForPeriod {
        /// The reporter.
        reporter: String,
        /// The period asked for.
        period: String,
        /// A summary of the periods that are held.
        held: String,
    },
    /// A partner of interest is neither a known group nor a country code.
    #[error("unknown partner '{partner}' in the partners of interest: {reason}")]
    UnknownPartner {
        /// The partner code.
        partner: String,
        /// Why it was rejected.
        reason: String,
    },
}
