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
    /// A year asked for on monthly data does not hold all twelve months of a flow.
    #[error("{reporter}'s {flow} in {year}: {held} of 12 months held (missing {missing}); an annual figure needs every month, so none is computed from part of the year")]
    IncompleteYear {
        /// The reporter.
        reporter: String,
        /// `exports` or `imports`.
        flow: String,
        /// The year asked for.
        year: i32,
        /// Number of months held.
        held: usize,
        /// The months missing (`2019-11, 2019-12`).
        missing: String,
    },
    /// A span asked for does not hold every month of a flow.
    #[error("{reporter}'s {flow} over {span}: {held} of {months} months held (missing {missing}); a span brief needs every month of the span")]
    IncompleteSpan {
        /// The reporter.
        reporter: String,
        /// `exports` or `imports`.
        flow: String,
        /// The span asked for.
        span: String,
        /// Months in the span.
        months: usize,
        /// Months held.
        held: usize,
        /// The months missing.
        missing: String,
    },
    /// A span asked for is not a range of months.
    #[error(
        "{span}: a span brief is a range of months (YYYY-MM..YYYY-MM or YYYY-Qn) of monthly data"
    )]
    NotMonthlySpan {
        /// The span asked for.
        span: String,
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
