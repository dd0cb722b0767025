//! The error of the application layer: a message for the user and its class, which
//! the CLI turns into an exit code and the server into an HTTP status.

use entrepot_cube::CubeError;
use entrepot_gravity::GravityError;
use entrepot_io::IoError;
use entrepot_query::QueryError;
use entrepot_store::StoreError;

/// What kind of failure an [`AppError`] is: decides the exit code of the CLI (see
/// [`ErrorClass::exit_code`]) and the status of a server response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The request cannot be used as given (a bad option, formula, period, name or
    /// combination): exit code 2, HTTP 400.
    Usage,
    /// Something the request names does not exist (a dataset, file, code, group,
    /// store): exit code 4, HTTP 404.
    NotFound,
    /// The input data is bad (rows rejected with the fail policy, an unreadable file,
    /// an ingest that would store nothing): exit code 3, HTTP 422.
    BadInput,
    /// A runtime failure (I/O, the store, a query, a model that cannot be estimated):
    /// exit code 1, HTTP 500.
    Failure,
    /// A service the request needs does not answer (the Ballista scheduler of
    /// `--engine ballista://…`): exit code 5, HTTP 503. Trying again later, or with
    /// another engine, may succeed.
    Unavailable,
}

impl ErrorClass {
    /// The exit code of the `entrepot` command for this class (documented in the
    /// README): usage 2, not found 4, bad input 3, failure 1, unavailable 5.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorClass::Usage => 2,
            ErrorClass::NotFound => 4,
            ErrorClass::BadInput => 3,
            ErrorClass::Failure => 1,
            ErrorClass::Unavailable => 5,
        }
    }
}

/// An error of the application layer: the message shown to the user (data quoted in
/// it is shown as it is; the CLI escapes control characters when it prints) and its
/// class.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The class of the failure.
    pub class: ErrorClass,
    /// The message.
    pub message: String,
}

impl AppError {
    /// An error of a class with a message.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        AppError {
            class,
            message: message.into(),
        }
    }

    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Usage, message)
    }

    /// A "does not exist" error (exit code 4).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::NotFound, message)
    }

    /// A bad-input error (exit code 3).
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::BadInput, message)
    }

    /// A runtime failure (exit code 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Failure, message)
    }

    /// The same error with `context: ` put before its message.
    pub fn context(self, context: &str) -> Self {
        AppError {
            class: self.class,
            message: format!("{context}: {}", self.message),
        }
    }
}

/// A result of the application layer.
pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    /// Bad rows and ingests that would store nothing are bad input; a refused name,
    /// replace or quarantine path is a usage error; a missing dataset or store is not
    /// found; the rest are failures.
    fn from(e: StoreError) -> Self {
        use StoreError as E;
        let msg = e.to_string();
        match e {
            E::Row(_)
            | E::Read {
                error: IoError::Row(_),
                ..
            } => AppError::bad_input(format!("{msg}; store unchanged")),
            E::Empty { .. } | E::MixedCurrencies { .. } => AppError::bad_input(msg),
            E::NotUsd { .. } => AppError::usage(msg),
            E::Exists { .. }
            | E::NameCollision { .. }
            | E::BadQuarantine { .. }
            | E::InvalidName(_)
            | E::KindMismatch { .. } => AppError::usage(msg),
            E::NotFound(_) | E::NoStore { .. } => AppError::not_found(msg),
            _ => AppError::failure(msg),
        }
    }
}

impl From<IoError> for AppError {
    /// Bad rows are bad input (the store is unchanged); the rest are failures.
    fn from(e: IoError) -> Self {
        match e {
            IoError::Row(_) => AppError::bad_input(format!("{e}; store unchanged")),
            other => AppError::failure(other.to_string()),
        }
    }
}

impl From<QueryError> for AppError {
    /// An over-long or over-nested query, a bad size, or a query that does not parse
    /// or names what does not exist ([`QueryError::is_query_mistake`]) is a usage
    /// error; everything else (the memory limit, a damaged file) a failure.
    fn from(e: QueryError) -> Self {
        let class = match e {
            QueryError::TooDeep { .. }
            | QueryError::TooLong { .. }
            | QueryError::InvalidSize { .. }
            | QueryError::InvalidEngine { .. } => ErrorClass::Usage,
            QueryError::Unreachable { .. } | QueryError::ClusterTimeout { .. } => {
                ErrorClass::Unavailable
            }
            ref q if q.is_query_mistake() => ErrorClass::Usage,
            _ => ErrorClass::Failure,
        };
        AppError::new(class, e.to_string())
    }
}

impl From<CubeError> for AppError {
    /// An unknown dataset or code is not found; a dataset that holds no flows is a
    /// usage error; the rest are failures.
    fn from(e: CubeError) -> Self {
        let class = match e {
            CubeError::UnknownDataset(_) | CubeError::Core(_) => ErrorClass::NotFound,
            CubeError::NotFlows(_) => ErrorClass::Usage,
            // Data in two currencies for one figure: the data cannot answer it as
            // asked.
            CubeError::MixedCurrencies { .. } => ErrorClass::BadInput,
            CubeError::Query(QueryError::Unreachable { .. })
            | CubeError::Query(QueryError::ClusterTimeout { .. }) => ErrorClass::Unavailable,
            _ => ErrorClass::Failure,
        };
        AppError::new(class, e.to_string())
    }
}

/// The class of a gravity error, decided variant by variant (a new variant needs a
/// decision): parse errors and unusable specifications are usage errors, an unknown
/// column or missing file is not found, unreadable or model-violating data is bad
/// input, a model that cannot be estimated is a failure.
pub fn gravity_class(e: &GravityError) -> ErrorClass {
    use GravityError as G;
    match e {
        G::Parse { .. } | G::NotACondition { .. } | G::Type { .. } | G::InvalidSpec(_) => {
            ErrorClass::Usage
        }
        G::UnknownColumn { .. } => ErrorClass::NotFound,
        G::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            ErrorClass::NotFound
        }
        G::Io { .. } => ErrorClass::Failure,
        G::Csv(_)
        | G::InvalidData(_)
        | G::NotText { .. }
        | G::RecordTooLong { .. }
        | G::NegativeDependent { .. }
        | G::NonFinite { .. }
        | G::NegativeWeight { .. } => ErrorClass::BadInput,
        G::NoObservations(_)
        | G::AllCollinear(_)
        | G::NotConverged { .. }
        | G::DemeanNotConverged { .. }
        | G::SeparationNotConverged(_)
        | G::Numerical(_)
        | G::NoDegreesOfFreedom { .. }
        | G::TooFewClusters { .. }
        | G::InvalidVariance { .. } => ErrorClass::Failure,
    }
}

impl From<GravityError> for AppError {
    fn from(e: GravityError) -> Self {
        AppError::new(gravity_class(&e), e.to_string())
    }
}

impl From<entrepot_ge::GeError> for AppError {
    fn from(e: entrepot_ge::GeError) -> Self {
        use entrepot_ge::GeError as G;
        let class = match &e {
            G::UnknownCountry(_) => ErrorClass::NotFound,
            G::InvalidElasticity(_) | G::InvalidOption(_) | G::Unsupported(_) => ErrorClass::Usage,
            G::NegativeExpenditure { .. } | G::NotConverged { .. } => ErrorClass::Failure,
            _ => ErrorClass::BadInput,
        };
        AppError::new(class, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_have_the_documented_exit_codes() {
        assert_eq!(ErrorClass::Failure.exit_code(), 1);
        assert_eq!(ErrorClass::Usage.exit_code(), 2);
        assert_eq!(ErrorClass::BadInput.exit_code(), 3);
        assert_eq!(ErrorClass::NotFound.exit_code(), 4);
    }

    #[test]
    fn context_keeps_the_class() {
        let e = AppError::not_found("no such column").context("--formula");
        assert_eq!(e.class, ErrorClass::NotFound);
        assert_eq!(e.to_string(), "--formula: no such column");
    }

    #[test]
    fn store_errors_are_classified() {
        let e: AppError = StoreError::NotFound("x".into()).into();
        assert_eq!(e.class, ErrorClass::NotFound);
        let e: AppError = StoreError::InvalidName("bad name".into()).into();
        assert_eq!(e.class, ErrorClass::Usage);
    }
}
