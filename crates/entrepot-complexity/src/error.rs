//! The error type of the crate.
//!
//! Each variant names one kind of failure: an input value out of its domain, inputs of
//! inconsistent shape, too little data left after the empty rows and columns are
//! dropped, a country or product that the presence test leaves empty, and a
//! country–product network whose ECI is not defined (disconnected, or no variation).

use thiserror::Error;

/// Everything that can go wrong while computing economic complexity.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ComplexityError {
    /// An export value that is negative, NaN or infinite.
    #[error("country {country}, product {product}: export value {value} is not a finite non-negative number")]
    InvalidValue {
        /// The country's index in the input.
        country: usize,
        /// The product's index in the input.
        product: usize,
        /// The value given.
        value: f64,
    },
    /// Inputs whose sizes do not agree.
    #[error("{what}: got {got}, expected {expected}")]
    Shape {
        /// Which input.
        what: &'static str,
        /// Its size.
        got: usize,
        /// The size it must have.
        expected: usize,
    },
    /// An index beyond the matrix's dimension.
    #[error("{what} index {index} is out of range (dimension {dimension})")]
    IndexOutOfRange {
        /// `country` or `product`.
        what: &'static str,
        /// The index given.
        index: usize,
        /// The dimension.
        dimension: usize,
    },
    /// An option out of its domain.
    #[error("{option} is {value}: {requirement}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// The value given.
        value: f64,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// Fewer than two countries or two products with positive exports.
    #[error("{countries} countries and {products} products have positive exports: economic complexity needs at least 2 of each")]
    TooSmall {
        /// Countries with positive total exports.
        countries: usize,
        /// Products with positive total exports.
        products: usize,
    },
    /// A country with positive exports but no product passing the presence test (a
    /// threshold above 1, or the population test), or a product that no country passes.
    /// ecomplexity returns NaN for every ECI and PCI of the year in this case.
    #[error("{what} {index} (input index) has no present {other} at this presence test and threshold: diversity/ubiquity 0 leaves ECI and PCI undefined (ecomplexity returns NaN); lower the threshold")]
    EmptyPresence {
        /// `country` or `product`.
        what: &'static str,
        /// Its index in the input.
        index: usize,
        /// `product` or `country`.
        other: &'static str,
    },
    /// The second eigenvalue equals the first: the country–product network falls apart
    /// in several components, and the second eigenvector (the ECI) is not unique.
    #[error("the country-product network is disconnected (second eigenvalue {second} = 1 within 1e-9): the ECI is not unique; compute it per component")]
    Disconnected {
        /// The second largest eigenvalue.
        second: f64,
    },
    /// The ECI has no variation (or no correlation with diversity to take its sign from).
    #[error("the ECI is degenerate: {0}")]
    Degenerate(&'static str),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, ComplexityError>;
