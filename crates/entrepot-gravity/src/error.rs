//! The error type of the crate.
//!
//! Every variant names one kind of failure, so that callers can classify errors without
//! reading messages (the `entrepot` CLI maps them to exit codes). Text that came from the
//! user or from a file (formulas, column names, file paths) is echoed through
//! [`display_value`]: control characters escaped, long values cut.

use entrepot_core::text::display_value;
use thiserror::Error;

/// The most bytes one CSV record (a line, or several when a quoted field spans lines)
/// may hold; longer records are refused with [`GravityError::RecordTooLong`].
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Joins column names for a message: each escaped and cut, at most 12 of them.
fn name_list(names: &[String]) -> String {
    let mut out: Vec<String> = names.iter().take(12).map(|n| display_value(n)).collect();
    if names.len() > 12 {
        out.push(format!("… ({} in all)", names.len()));
    }
    out.join(", ")
}

/// `; did you mean `a`, `b`?`, or nothing without suggestions.
fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = suggestions
        .iter()
        .map(|s| format!("`{}`", display_value(s)))
        .collect();
    format!("; did you mean {}?", shown.join(", "))
}

/// The columns closest to an unknown `name`, best first (at most 3).
pub(crate) fn closest_columns(name: &str, available: &[String]) -> Vec<String> {
    entrepot_core::error::closest(name, available.iter().map(String::as_str), 3)
}

/// Everything that can go wrong while loading data, parsing a model or estimating it.
#[derive(Debug, Error)]
pub enum GravityError {
    /// Reading a file failed.
    #[error("I/O error on {}: {source}", display_value(path))]
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
    /// The input holds NUL bytes: it is binary (or UTF-16), not CSV text.
    #[error("{} is not a text file (it contains NUL bytes); give a CSV, Parquet (.parquet) or Stata (.dta) file", display_value(path))]
    NotText {
        /// The file (or `<input>` for a reader).
        path: String,
    },
    /// A CSV record is longer than [`MAX_RECORD_BYTES`] (an unclosed quote, or not CSV).
    #[error("{}: record starting on line {line} is longer than {limit} bytes (an unclosed quote, or not a CSV file)", display_value(path))]
    RecordTooLong {
        /// The file (or `<input>` for a reader).
        path: String,
        /// The 1-based line on which the record starts.
        line: u64,
        /// The limit in bytes.
        limit: usize,
    },
    /// A formula, filter, fixed effect or cluster referenced a column that does not exist.
    #[error(
        "unknown column `{}` (columns: {}){}",
        display_value(name),
        name_list(available),
        did_you_mean(suggestions)
    )]
    UnknownColumn {
        /// The missing column.
        name: String,
        /// The columns the data has.
        available: Vec<String>,
        /// The closest column names (Jaro–Winkler similarity, best first; see
        /// [`entrepot_core::error::closest`]).
        suggestions: Vec<String>,
    },
    /// A formula, filter or expression could not be parsed.
    #[error("cannot parse `{}`: {message}", display_value(input))]
    Parse {
        /// The text that failed to parse.
        input: String,
        /// What was wrong.
        message: String,
    },
    /// A sample filter is not a condition (e.g. `log(dist)`).
    #[error("filter `{}` is not a condition: {reason}", display_value(filter))]
    NotACondition {
        /// The filter.
        filter: String,
        /// Why, and what to write instead.
        reason: String,
    },
    /// An expression was applied to a column of the wrong type (e.g. `log(exporter)`).
    #[error("type error in `{}`: {message}", display_value(expr))]
    Type {
        /// The expression.
        expr: String,
        /// What was wrong.
        message: String,
    },
    /// The dependent variable of a Poisson model is negative.
    #[error(
        "dependent variable `{}` is negative ({value}) at row {row}; PPML requires y >= 0",
        display_value(variable)
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
    #[error("variable `{}` is not finite at row {row}", display_value(variable))]
    NonFinite {
        /// The variable or expression.
        variable: String,
        /// The 0-based row of the dataset.
        row: usize,
    },
    /// A weight is negative.
    #[error(
        "weights must be non-negative; `{}` is {value} at row {row}",
        display_value(variable)
    )]
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
    #[error("all regressors are collinear with the fixed effects or with each other: {}", name_list(.0))]
    AllCollinear(Vec<String>),
    /// There are no more observations than parameters: the residuals are all zero and the
    /// standard errors undefined.
    #[error("no residual degrees of freedom: {nobs} observations for {params} parameters (regressors plus fixed-effect levels); standard errors are undefined. Use fewer regressors or fixed effects, or more observations")]
    NoDegreesOfFreedom {
        /// Observations in the estimation sample.
        nobs: usize,
        /// Estimated parameters: regressors plus identified fixed-effect levels.
        params: usize,
    },
    /// The estimated variance of a coefficient is negative or not finite. Multi-way
    /// clustered variances (inclusion–exclusion) are not positive semi-definite in general
    /// and can come out negative with few clusters.
    #[error(
        "the {vcov} variance of `{}` is {value:e}, so its standard error is undefined{hint}",
        display_value(coefficient)
    )]
    InvalidVariance {
        /// The coefficient.
        coefficient: String,
        /// The variance type (`iid`, `hetero`, `cluster`).
        vcov: String,
        /// The diagonal element of the variance matrix.
        value: f64,
        /// What to do about it (may be empty).
        hint: String,
    },
    /// A cluster dimension has fewer than two clusters in the estimation sample.
    #[error("clustered standard errors need at least 2 clusters, but `{}` has {clusters} in the estimation sample", display_value(cluster))]
    TooFewClusters {
        /// The cluster dimension (`pair_id`, `a^b`).
        cluster: String,
        /// Its number of clusters.
        clusters: usize,
    },
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
