//! Record-by-record CSV input shared by the CSV readers: header, line numbers,
//! wrong column counts and truncated last records.

use crate::error::{IoError, RowError};
use crate::input::{io_error, prepare};
use crate::mapping::{Cell, RowAccess};
use crate::textfmt::detect_delimiter;
use crate::validate::{cut, lossy, CountingReader, MAX_KEPT_RAW_BYTES};
use csv::ByteRecord;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A streaming CSV source.
pub(crate) struct CsvSource {
    rdr: csv::Reader<CountingReader<Box<dyn Read + Send>>>,
    /// Column names (trimmed).
    pub header: Vec<String>,
    /// The name used in errors.
    pub file: String,
    /// Total size in bytes, if known (compressed size for a gzip file).
    pub total: Option<u64>,
    /// The current record.
    pub rec: ByteRecord,
    /// Byte offset of the current record in the input.
    pub start: u64,
    /// Compressed bytes read, for a gzip input (for progress).
    raw_read: Option<Arc<AtomicU64>>,
    /// The field delimiter.
    pub delimiter: u8,
}

/// Opens a file for reading, mapping the error to [`IoError::File`].
pub(crate) fn open_file(path: &Path) -> Result<(File, Option<u64>), IoError> {
    let f = File::open(path).map_err(|source| IoError::File {
        path: path.display().to_string(),
        source,
    })?;
    let size = f.metadata().ok().map(|m| m.len());
    Ok((f, size))
}

impl CsvSource {
    /// Opens a comma-separated file (plain or gzip-compressed; binary input is
    /// refused), with records of at most `max_record` bytes.
    pub(crate) fn open(path: &Path, max_record: usize) -> Result<Self, IoError> {
        Self::open_delimited(path, max_record, Some(b','))
    }

    /// Opens a delimited file; `delimiter` `None` detects it from the header line
    /// (see [`crate::textfmt::detect_delimiter`]).
    pub(crate) fn open_delimited(
        path: &Path,
        max_record: usize,
        delimiter: Option<u8>,
    ) -> Result<Self, IoError> {
        let (f, size) = open_file(path)?;
        Self::from_reader_delimited(
            path.display().to_string(),
            Box::new(f),
            size,
            max_record,
            delimiter,
        )
    }

    /// Wraps any comma-separated reader (plain or gzip-compressed; binary input is
    /// refused).
    pub(crate) fn from_reader(
        file: String,
        r: Box<dyn Read + Send>,
        total: Option<u64>,
        max_record: usize,
    ) -> Result<Self, IoError> {
        Self::from_reader_delimited(file, r, total, max_record, Some(b','))
    }

    /// Wraps any delimited reader; `delimiter` `None` detects it from the header line.
    pub(crate) fn from_reader_delimited(
        file: String,
        r: Box<dyn Read + Send>,
        total: Option<u64>,
        max_record: usize,
        delimiter: Option<u8>,
    ) -> Result<Self, IoError> {
        let input = prepare(&file, r)?;
        let raw_read = input.raw_read.clone();
        let mut text: Box<dyn Read + Send> = Box::new(input.reader);
        let delimiter = match delimiter {
            Some(d) => d,
            None => {
                // The header line (at most one record long) is read ahead, then
                // handed back in front of the rest of the input.
                let mut first = Vec::new();
                let mut buf = BufReader::new(text);
                (&mut buf)
                    .take(max_record as u64)
                    .read_until(b'\n', &mut first)
                    .map_err(|e| io_error(&file, e))?;
                let d = detect_delimiter(&first).map_err(|message| IoError::Format {
                    path: file.clone(),
                    message,
                })?;
                text = Box::new(Cursor::new(first).chain(buf));
                d
            }
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 18)
            .from_reader(CountingReader::with_limit(text, max_record as u64));
        let header = rdr
            .byte_headers()
            .map_err(|e| csv_err(&file, e))?
            .iter()
            .map(|h| lossy(h).trim().trim_start_matches('\u{feff}').to_string())
            .collect::<Vec<_>>();
        let after_header = rdr.position().byte();
        rdr.get_mut().set_record_start(after_header);
        if header.iter().all(|h| h.is_empty()) {
            return Err(IoError::Format {
                path: file,
                message: "empty file or empty header: expected a header row".into(),
            });
        }
        Ok(CsvSource {
            rdr,
            header,
            file,
            total,
            rec: ByteRecord::new(),
            start: 0,
            raw_read,
            delimiter,
        })
    }

    /// Bytes consumed so far (of the file as stored: compressed bytes for gzip).
    pub(crate) fn consumed(&self) -> u64 {
        match &self.raw_read {
            Some(n) => n.load(Ordering::Relaxed),
            None => self.rdr.get_ref().count,
        }
    }

    /// Reads the next record into `self.rec`. Returns `Ok(None)` at the end,
    /// `Ok(Some(Ok(line)))` for a record with the header's field count, and
    /// `Ok(Some(Err(row_error)))` for a record with the wrong field count (the
    /// message says "truncated" when it is the cut-off last record of the file).
    pub(crate) fn next(&mut self) -> Result<Option<Result<u64, Box<RowError>>>, IoError> {
        let more = self
            .rdr
            .read_byte_record(&mut self.rec)
            .map_err(|e| csv_err(&self.file, e))?;
        if !more {
            return Ok(None);
        }
        let next = self.rdr.position().byte();
        self.rdr.get_mut().set_record_start(next);
        let reported = self.rec.position().map(|p| p.byte()).unwrap_or(0);
        let (line, start) = self.rdr.get_mut().record_at(reported);
        self.start = start;
        let n = self.rec.len();
        if n == self.header.len() {
            return Ok(Some(Ok(line)));
        }
        let raw = self.raw_text();
        let src = self.rdr.get_ref();
        let at_end = src.eof && self.rdr.position().byte() >= src.count;
        let no_newline = !matches!(src.last_byte, Some(b'\n') | Some(b'\r'));
        let message = if n < self.header.len() && at_end && no_newline {
            format!(
                "truncated file: the last record has {n} of {} fields and no final newline (the file was cut off)",
                self.header.len()
            )
        } else {
            format!(
                "wrong number of fields: expected {}, found {n}",
                self.header.len()
            )
        };
        let mut e = Box::new(RowError::new(self.file.clone(), line, None, None, message));
        e.raw = Some(raw);
        Ok(Some(Err(e)))
    }

    /// The current record as text (fields joined by the delimiter, cut at 64 KiB),
    /// for quarantine files.
    pub(crate) fn raw_text(&self) -> String {
        let mut s = String::new();
        for (i, f) in self.rec.iter().enumerate() {
            if i > 0 {
                s.push(self.delimiter as char);
            }
            s.push_str(&String::from_utf8_lossy(f));
            if s.len() > MAX_KEPT_RAW_BYTES {
                break;
            }
        }
        cut(s, MAX_KEPT_RAW_BYTES)
    }

    /// The current record as a row for the mapper.
    pub(crate) fn row(&self) -> CsvRow<'_> {
        CsvRow {
            rec: &self.rec,
            start: self.start,
        }
    }
}

/// A CSV record seen through [`RowAccess`].
pub(crate) struct CsvRow<'a> {
    rec: &'a ByteRecord,
    start: u64,
}

impl RowAccess for CsvRow<'_> {
    fn cell(&self, idx: usize) -> Cell<'_> {
        match self.rec.get(idx) {
            Some(b) => Cell::Text(b),
            None => Cell::Null,
        }
    }
    fn offset_of(&self, idx: usize) -> Option<u64> {
        field_offset(self.rec, self.start, idx)
    }
}

/// Approximate byte offset of a field in the file (exact for unquoted fields) of a
/// record starting at byte offset `start`.
pub(crate) fn field_offset(rec: &ByteRecord, start: u64, idx: usize) -> Option<u64> {
    let r = rec.range(idx)?;
    Some(start + r.start as u64 + idx as u64)
}

/// Maps a csv error to an [`IoError`] (a record above the maximum length to an
/// [`IoError::Format`] naming its line).
pub(crate) fn csv_err(file: &str, e: csv::Error) -> IoError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => io_error(file, source),
        other => IoError::Format {
            path: file.to_string(),
            message: match line {
                Some(l) => format!("line {l}: {other:?}"),
                None => format!("{other:?}"),
            },
        },
    }
}
