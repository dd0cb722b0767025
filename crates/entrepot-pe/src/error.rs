//! The error type of the crate.
//!
//! Every variant names one kind of failure, so that callers classify errors without
//! reading messages: an invalid input value (which supplier, which field), an invalid
//! parameter, a model feature this crate refuses, a shock too large for SMART's linear
//! trade-creation term, or an unreadable elasticity table.

use thiserror::Error;

/// Everything that can go wrong while reading elasticities or simulating a tariff change.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PeError {
    /// A supplier's input value is out of its domain.
    #[error("supplier {supplier}: {field} is {value}: {requirement}")]
    InvalidSupplier {
        /// The supplier's position in the market's input (the aggregation reports its id).
        supplier: usize,
        /// Which field (`import value`, `baseline tariff`, `new tariff`).
        field: &'static str,
        /// The value given.
        value: f64,
        /// What the field must satisfy.
        requirement: &'static str,
    },
    /// A model parameter is out of its domain.
    #[error("{parameter} is {value}: {requirement}")]
    InvalidParameter {
        /// Which parameter (`import demand elasticity`, `substitution elasticity`, …).
        parameter: &'static str,
        /// The value given.
        value: f64,
        /// What the parameter must satisfy.
        requirement: &'static str,
    },
    /// A finite export supply elasticity was asked for; this crate implements SMART with
    /// perfectly elastic export supply only (world prices fixed).
    #[error("a finite export supply elasticity ({0}) is not supported: this model keeps world prices fixed (perfectly elastic export supply, SMART's default); use ExportSupply::PerfectlyElastic")]
    FiniteExportSupply(f64),
    /// SMART's trade-creation term is linear in the tariff change; a tariff rise large
    /// enough (relative to the import demand elasticity) drives a supplier's imports
    /// below zero, where the approximation has no meaning.
    #[error("supplier {supplier}: the new import value would be {value} < 0: the tariff rise is too large for SMART's linear trade-creation term (|ε_m|·Δt/(1+t0) > 1)")]
    NegativeImports {
        /// The supplier's position in the market's input.
        supplier: usize,
        /// The negative new import value the formulas give.
        value: f64,
    },
    /// Input columns of different lengths.
    #[error(
        "column {column} has {got} rows, expected {expected} (the length of the product column)"
    )]
    ColumnLength {
        /// The column's name.
        column: &'static str,
        /// Rows given.
        got: usize,
        /// Rows expected.
        expected: usize,
    },
    /// A row of the elasticity table that cannot be read.
    #[error("elasticity table, line {line}: {message}")]
    ElasticityTable {
        /// The line in the file (1 = header).
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// An HS6 code that is not six digits.
    #[error("{0:?} is not an HS6 code (six digits)")]
    InvalidHs6(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, PeError>;
