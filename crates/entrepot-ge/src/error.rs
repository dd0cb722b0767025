//! The error type of the crate.
//!
//! Every variant names one kind of failure, so that callers classify errors without
//! reading messages: invalid input (caught before any iteration), a model without an
//! equilibrium for the given data, or an iteration that did not reach its tolerance.

use thiserror::Error;

/// Everything that can go wrong while setting up or solving a counterfactual.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GeError {
    /// A vector or matrix does not have the size the number of countries implies.
    #[error("{what} has {got} entries, expected {expected}")]
    Dimension {
        /// What was given (`output`, `costs`, …).
        what: &'static str,
        /// Entries given.
        got: usize,
        /// Entries expected.
        expected: usize,
    },
    /// No countries at all.
    #[error("the baseline has no countries")]
    Empty,
    /// The same country code twice.
    #[error("country {0} appears twice")]
    DuplicateCountry(String),
    /// A reference country that is not in the baseline.
    #[error("reference country {0} is not in the baseline")]
    UnknownCountry(String),
    /// A negative, NaN or infinite input value.
    #[error("{what} for {at} is {value}: it must be finite and non-negative")]
    InvalidValue {
        /// Which input (`flow`, `trade cost`, `output`, …).
        what: &'static str,
        /// The country or pair it belongs to (`ARG` or `ARG → BRA`).
        at: String,
        /// The value.
        value: f64,
    },
    /// A country that produces nothing: its price and outward resistance are undefined.
    #[error("{0} has zero output: every country must produce (drop it or merge it into a rest of the world)")]
    ZeroOutput(String),
    /// A country that spends nothing: its inward resistance is undefined.
    #[error("{0} has zero expenditure: every country must buy (drop it or merge it into a rest of the world)")]
    ZeroExpenditure(String),
    /// A country whose trade-cost row or column is all zero (it can reach no market, or
    /// no supplier can reach it).
    #[error("{country} has no positive trade-cost term as {side}: it cannot trade at all")]
    Isolated {
        /// The country.
        country: String,
        /// `exporter` or `importer`.
        side: &'static str,
    },
    /// The positive trade-cost terms split the countries into groups that never trade with
    /// each other; the multilateral resistances are then not determined by one
    /// normalisation.
    #[error("the trade costs split the countries into {groups} groups that do not trade with each other (for example {example}); solve each group separately")]
    Disconnected {
        /// Number of groups.
        groups: usize,
        /// The countries of one group that does not hold the first country.
        example: String,
    },
    /// World output and world expenditure differ, so no flows can match both.
    #[error("world output {output} and world expenditure {expenditure} differ: flows cannot add up to both")]
    WorldImbalance {
        /// Σ Y.
        output: f64,
        /// Σ E.
        expenditure: f64,
    },
    /// `Deficits::Balanced` with a baseline that has trade deficits.
    #[error("balanced trade was requested but {country} has a deficit of {deficit} in the baseline; choose additive or multiplicative deficits")]
    Unbalanced {
        /// The first country with a deficit.
        country: String,
        /// Its deficit `E − Y`.
        deficit: f64,
    },
    /// An elasticity with `σ ≤ 1` (θ ≤ 0) or not finite.
    #[error(
        "the elasticity of substitution must be finite and above 1 (θ = σ − 1 > 0); got σ = {0}"
    )]
    InvalidElasticity(f64),
    /// A tolerance or iteration limit that cannot work.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The exact hat algebra works on changes of baseline flows: it cannot open trade on a
    /// pair whose baseline flow (trade cost) is zero.
    #[error("the shock gives {exporter} → {importer} a positive trade cost term where the baseline has none; exact hat algebra cannot create a new trade link (use the GEPPML solver)")]
    NewTradeLink {
        /// Exporter.
        exporter: String,
        /// Importer.
        importer: String,
    },
    /// With additive deficits a fall in output can leave a country's expenditure at or
    /// below zero: there is no equilibrium with those deficits.
    #[error("with additive deficits the expenditure of {country} would fall to {value} (output below its surplus): no equilibrium with fixed deficits; use multiplicative deficits")]
    NegativeExpenditure {
        /// The country.
        country: String,
        /// Its expenditure at the last point tried.
        value: f64,
    },
    /// An iteration did not reach its tolerance.
    #[error("{what} did not converge: residual {residual:e} after {iterations} iterations (tolerance {tolerance:e}); {hint}")]
    NotConverged {
        /// Which iteration (`multilateral resistances`, `full endowment prices`, …).
        what: &'static str,
        /// Iterations done.
        iterations: usize,
        /// The last residual.
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// What the residual suggests.
        hint: String,
    },
    /// A procedure that only exists for some options.
    #[error("{0}")]
    Unsupported(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, GeError>;
