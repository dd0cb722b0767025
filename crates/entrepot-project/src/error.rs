//! The error type of the crate.
//!
//! Each variant names one kind of failure: a series that cannot be projected as given
//! (too few years, a gap, a share outside (0, 100)), a target year that is not after
//! the data, an interval level out of range, and a model that could not be fitted.

use thiserror::Error;

/// Everything that can go wrong while projecting a share.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProjectError {
    /// Fewer years than a method or the backtest needs.
    #[error("{got} years of data; {what} needs at least {needed}")]
    TooFewYears {
        /// What needs them (a method, the backtest).
        what: String,
        /// The years given.
        got: usize,
        /// The years needed.
        needed: usize,
    },
    /// Years and shares of different lengths.
    #[error("{years} years but {shares} shares")]
    Shape {
        /// Number of years.
        years: usize,
        /// Number of shares.
        shares: usize,
    },
    /// Years that are not consecutive (the smoothing methods need equally spaced data).
    #[error("the years are not consecutive: {after} is followed by {next}")]
    Gap {
        /// The year before the gap (or the disorder).
        after: i32,
        /// The year after it.
        next: i32,
    },
    /// A share that is not strictly between 0 and 100 percent (its log-odds is not
    /// defined).
    #[error("share {share}% in {year}: a share must be strictly between 0 and 100% to be projected (its log-odds is undefined otherwise)")]
    ShareOutOfRange {
        /// The year.
        year: i32,
        /// The share in percent.
        share: f64,
    },
    /// A target year not after the last year of data, or too far.
    #[error("target year {target}: {reason}")]
    Target {
        /// The year asked for.
        target: i32,
        /// Why it is refused.
        reason: String,
    },
    /// A prediction interval level outside (0, 1).
    #[error("interval level {0}: must be strictly between 0 and 1 (e.g. 0.8 or 0.95)")]
    Level(f64),
    /// A model whose fit failed (a singular system, a non-finite result).
    #[error("{method}: {reason}")]
    Fit {
        /// The method.
        method: &'static str,
        /// What went wrong.
        reason: String,
    },
}
