//! Python exceptions for the application layer's errors: one class per
//! [`ErrorClass`], all subclasses of `EntrepotError`, each carrying the message the
//! `entrepot` command prints (after its `error: `) and the command's exit code.
//!
//! | class | Python exception | exit code of the command |
//! |---|---|---|
//! | [`ErrorClass::Usage`] | `UsageError` | 2 |
//! | [`ErrorClass::NotFound`] | `NotFoundError` | 4 |
//! | [`ErrorClass::BadInput`] | `BadInputError` | 3 |
//! | [`ErrorClass::Failure`] | `EntrepotError` itself | 1 |

use entrepot_app::{AppError, ErrorClass};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _entrepot,
    EntrepotError,
    PyException,
    "An error of Entrepôt, with the message the `entrepot` command prints; a runtime failure (exit code 1) when not one of the subclasses."
);
create_exception!(
    _entrepot,
    UsageError,
    EntrepotError,
    "The request cannot be used as given: a bad formula, option, period or name (exit code 2)."
);
create_exception!(
    _entrepot,
    NotFoundError,
    EntrepotError,
    "Something the request names does not exist: a column, dataset, file or store (exit code 4)."
);
create_exception!(
    _entrepot,
    BadInputError,
    EntrepotError,
    "The input data is bad: rows rejected, an unreadable file or table (exit code 3)."
);

/// The Python exception of an application error, with its message.
pub fn to_py(e: AppError) -> PyErr {
    match e.class {
        ErrorClass::Usage => UsageError::new_err(e.message),
        ErrorClass::NotFound => NotFoundError::new_err(e.message),
        ErrorClass::BadInput => BadInputError::new_err(e.message),
        ErrorClass::Failure | ErrorClass::Unavailable => EntrepotError::new_err(e.message),
    }
}

/// A usage error (a bad argument of a Python call), as the command would report a bad
/// flag.
pub fn usage(message: impl Into<String>) -> PyErr {
    UsageError::new_err(message.into())
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("EntrepotError", py.get_type::<EntrepotError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("BadInputError", py.get_type::<BadInputError>())?;
    Ok(())
}
