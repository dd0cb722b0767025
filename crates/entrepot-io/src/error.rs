//! Errors of the readers.

use entrepot_core::text::{display_value, escape_controls, MAX_ECHO_CHARS};
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

/// Shows file, line, column and value, then the message. Column and value come
/// from the data: they are shown through [`display_value`] (control characters
/// escaped, at most 80 characters); the file name and the message have their
/// control characters escaped too, so that no input can drive the terminal.
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", escape_controls(&self.file), self.line)?;
        if let Some(c) = &self.column {
            write!(f, ": column '{}'", display_value(c))?;
        }
        if let Some(v) = &self.value {
            write!(f, ": value '{}'", show_value(v))?;
        }
        write!(f, ": {}", escape_controls(&self.message))
    }
}

/// Values longer than this (in characters) are cut when a row is rejected (see
/// [`kept_value`]), so that rejected rows kept in memory stay small.
pub(crate) const MAX_KEPT_VALUE_CHARS: usize = 1024;

const CUT_OPEN: &str = "…(+";
const CUT_CLOSE: &str = " chars)";

/// The value kept in a [`RowError`]: as it is when it has at most
/// [`MAX_KEPT_VALUE_CHARS`] characters, else its first
/// [`entrepot_core::text::MAX_ECHO_CHARS`] characters and the count of the others
/// (`…(+9999920 chars)`), which [`RowError`]'s `Display` shows as it is.
pub(crate) fn kept_value(v: &str) -> String {
    if v.chars().nth(MAX_KEPT_VALUE_CHARS).is_none() {
        return v.to_string();
    }
    let head: String = v.chars().take(MAX_ECHO_CHARS).collect();
    let rest = v[head.len()..].chars().count();
    format!("{head}{CUT_OPEN}{rest}{CUT_CLOSE}")
}

/// A value for a message: [`display_value`], except for a value already cut by
/// [`kept_value`], whose head is escaped and whose count is kept.
fn show_value(v: &str) -> String {
    if let Some(body) = v.strip_suffix(CUT_CLOSE) {
        if let Some(i) = body.rfind(CUT_OPEN) {
            let digits = &body[i + CUT_OPEN.len()..];
            let head = &body[..i];
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && head.chars().count() == MAX_ECHO_CHARS
            {
                return format!("{}{CUT_OPEN}{digits}{CUT_CLOSE}", escape_controls(head));
            }
        }
    }
    display_value(v)
}

/// A list of names from the data (a header) for messages: each through
/// [`display_value`], at most 40 of them, joined by `sep`.
pub(crate) fn show_names(names: &[String], sep: &str) -> String {
    const MAX: usize = 40;
    let mut out: Vec<String> = names.iter().take(MAX).map(|n| display_value(n)).collect();
    if names.len() > MAX {
        out.push(format!("… ({} more)", names.len() - MAX));
    }
    out.join(sep)
}

/// Errors of the `entrepot-io` crate.
///
/// Paths and messages are shown with their control characters escaped (see
/// [`entrepot_core::text`]); messages show data values through `display_value`.
#[derive(Debug, Error)]
pub enum IoError {
    /// An operating-system error on a file.
    #[error("{}: {}", escape_controls(.path), escape_controls(&.source.to_string()))]
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
    /// The file as a whole is unusable (missing columns, unknown format, binary
    /// input, a record above the maximum length, …).
    #[error("{}: {}", escape_controls(.path), escape_controls(.message))]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A batch does not have the canonical schema.
    #[error("schema error: {}", escape_controls(.0))]
    Schema(String),
    /// An Arrow error.
    #[error("arrow: {}", escape_controls(&.0.to_string()))]
    Arrow(#[from] arrow::error::ArrowError),
    /// A Parquet error.
    #[error("parquet: {}", escape_controls(&.0.to_string()))]
    Parquet(#[from] parquet::errors::ParquetError),
}

impl From<RowError> for IoError {
    fn from(e: RowError) -> Self {
        IoError::Row(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_kept_short_with_their_count() {
        let long = format!("\u{1b}{}", "Z".repeat(9_999_999));
        let e = RowError::new("f.csv", 2, Some("r"), Some(&kept_value(&long)), "bad");
        assert!(e.value.as_ref().is_some_and(|v| v.len() < 120));
        assert_eq!(
            e.to_string(),
            format!(
                "f.csv:2: column 'r': value '\\e{}…(+9999920 chars)': bad",
                "Z".repeat(79)
            )
        );
        let short = "a".repeat(500);
        assert_eq!(kept_value(&short), short);
        // A value that only looks cut is shown like any other.
        let fake = format!("{}…(+\u{1b} chars)", "x".repeat(80));
        assert!(!RowError::new("f", 1, None, Some(&fake), "m")
            .to_string()
            .contains('\u{1b}'));
    }
}
