//! The error type of the crate.

use thiserror::Error;

/// Everything that can go wrong while loading data, parsing a model or estimating it.
#[derive(Debug, Error)]
pub enum GravityError {
    /// Reading a file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV reader failed (malformed record, bad UTF-8, ...).
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// A CSV file or dataset had no header / no columns.
    #[error("invalid dataset: {0}")]
    InvalidData(String),
    /// A formula, filter or expression referenced a column that does not exist.
    #[error("unknown column `{0}`")]
    UnknownColumn(String),
    /// A formula, filter or expression could not be parsed.
    #[error("cannot parse `{input}`: {message}")]
    Parse {
        /// The text that failed to parse.
        input: String,
        /// What was wrong.
        message: String,
    },
    /// An expression was applied to a column of the wrong type (e.g. `log(exporter)`).
    #[error("type error in `{expr}`: {message}")]
    Type {
        /// The expression.
        expr: String,
        /// What was wrong.
        message: String,
    },
    /// The dependent variable of a Poisson model is negative.
    #[error(
        "dependent variable `{variable}` is negative ({value}) at row {row}; PPML requires y >= 0"
    )]
    NegativeDependent {
        /// The dependent variable.
        variable: String,
        /// The 0-based row of the dataset.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A variable holds NaN or an infinite value after evaluation (and `drop_missing` is off).
    #[error("variable `{variable}` is not finite at row {row}")]
    NonFinite {
        /// The variable or expression.
        variable: String,
        /// The 0-based row of the dataset.
        row: usize,
    },
    /// A weight is negative.
    #[error("weights must be non-negative; `{variable}` is {value} at row {row}")]
    NegativeWeight {
        /// The weight variable.
        variable: String,
        /// The 0-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// No observation is left after filters, missing values, singletons and separation.
    #[error("no observations left to estimate the model ({0})")]
    NoObservations(String),
    /// Every regressor was dropped as collinear (with each other or with the fixed effects).
    #[error("all regressors are collinear with the fixed effects or with each other: {0:?}")]
    AllCollinear(Vec<String>),
    /// The IRLS loop hit the iteration limit.
    #[error("PPML did not converge after {iterations} iterations (last relative deviance change {criterion:e}, tolerance {tol:e})")]
    NotConverged {
        /// Iterations done.
        iterations: usize,
        /// Last value of the convergence criterion.
        criterion: f64,
        /// The requested tolerance.
        tol: f64,
    },
    /// The alternating-projections demeaning hit its iteration limit.
    #[error(
        "fixed-effect demeaning did not converge after {iterations} iterations (tolerance {tol:e})"
    )]
    DemeanNotConverged {
        /// Iterations done.
        iterations: usize,
        /// The requested tolerance.
        tol: f64,
    },
    /// The iterated-rectifier separation check hit its iteration limit.
    #[error("separation check (iterated rectifier) did not converge after {0} iterations")]
    SeparationNotConverged(usize),
    /// The deviance became non-finite and step halving could not recover.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// An option or specification is inconsistent.
    #[error("invalid specification: {0}")]
    InvalidSpec(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, GravityError>;
