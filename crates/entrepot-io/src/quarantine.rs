//! Writing rejected rows to a quarantine file.

use crate::error::{IoError, RowError};
use std::path::Path;

/// Writes rejected rows as CSV with the columns `file,line,column,value,message,raw`
/// (empty cells where a field is unknown). Overwrites `path`.
pub fn write_quarantine(path: &Path, rows: &[RowError]) -> Result<(), IoError> {
    let io = |source: std::io::Error| IoError::File {
        path: path.display().to_string(),
        source,
    };
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_to_io(path, e))?;
    w.write_record(["file", "line", "column", "value", "message", "raw"])
        .map_err(|e| csv_to_io(path, e))?;
    for r in rows {
        let line = r.line.to_string();
        w.write_record([
            r.file.as_str(),
            line.as_str(),
            r.column.as_deref().unwrap_or(""),
            r.value.as_deref().unwrap_or(""),
            r.message.as_str(),
            r.raw.as_deref().unwrap_or(""),
        ])
        .map_err(|e| csv_to_io(path, e))?;
    }
    w.flush().map_err(io)
}

fn csv_to_io(path: &Path, e: csv::Error) -> IoError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => IoError::File {
            path: path.display().to_string(),
            source,
        },
        other => IoError::Format {
            path: path.display().to_string(),
            message: format!("{other:?}"),
        },
    }
}
