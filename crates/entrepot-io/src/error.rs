//! Errors of the readers.

use std::fmt;
use thiserror::Error;

/// A rejected input row: where it is, which field, what was found and what was expected.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// The file the row is in.
    pub file: String,
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// The column name, when the problem is in one field.
    pub column: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The raw text of the row, when the reader kept it (for the quarantine file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl RowError {
    /// A row error without raw text.
    pub fn new(
        file: impl Into<String>,
        line: u64,
        column: Option<&str>,
        value: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        RowError {
            file: file.into(),
            line,
            column: column.map(str::to_string),
            value: value.map(str::to_string),
            message: message.into(),
            raw: None,
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ": column '{c}'")?;
        }
        if let Some(v) = &self.value {
            write!(f, ": value '{v}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Errors of the `entrepot-io` crate.
#[derive(Debug, Error)]
pub enum IoError {
    /// An operating-system error on a file.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A row was rejected and the policy is to fail.
    #[error("{0}")]
    Row(Box<RowError>),
    /// The file as a whole is unusable (missing columns, unknown format, …).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A batch does not have the canonical schema.
    #[error("schema error: {0}")]
    Schema(String),
    /// An Arrow error.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A Parquet error.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}

impl From<RowError> for IoError {
    fn from(e: RowError) -> Self {
        IoError::Row(Box::new(e))
    }
}
