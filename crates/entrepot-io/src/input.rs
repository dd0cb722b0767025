//! Opening inputs safely: gzip, binary sniffing, record-length and whole-file limits.
//!
//! Every text reader (CSV with a mapping, BACI, UN Comtrade CSV and JSON, release
//! facts) opens its input through `prepare`, which reads the first block
//! ([`SNIFF_BYTES`]) and then:
//!
//! * **gzip** (magic bytes `1f 8b`): decompresses transparently (any file name, e.g.
//!   `BACI_HS17_Y2020.csv.gz`); progress counts compressed bytes;
//! * **other binary input** (a NUL byte, invalid UTF-8 in the first line or mostly
//!   invalid UTF-8 in the first block, or the magic bytes of Parquet, Stata, ZIP,
//!   bzip2, xz, zstd or a UTF-16 byte-order mark): refuses it with
//!   `FILE: not a text file (…)` before any header is parsed, so binary bytes are never
//!   echoed as column names.
//!
//! Memory stays bounded whatever the input: the CSV readers stop at a record longer
//! than [`MAX_RECORD_BYTES`] (header included; see
//! [`crate::ReadOptions::max_record_bytes`]), counted while reading by
//! the byte counter under the CSV parser; inputs that are read whole (release facts,
//! definition files) stop at [`MAX_WHOLE_FILE_BYTES`], UN Comtrade JSON at
//! [`MAX_JSON_BYTES`].

use crate::error::IoError;
use flate2::read::MultiGzDecoder;
use std::fmt;
use std::io::{Chain, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The default maximum length of one record (a line, or a quoted record spanning
/// lines), header included: 1 MiB.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The largest input read whole into memory (release facts, group and basket
/// definition files): 64 MiB.
pub const MAX_WHOLE_FILE_BYTES: u64 = 64 << 20;

/// The largest UN Comtrade JSON document (parsed whole; API responses hold at most
/// 100,000 records, a few tens of megabytes): 256 MiB, decompressed.
pub const MAX_JSON_BYTES: u64 = 256 << 20;

/// Bytes read at the start of an input to tell text from binary.
pub const SNIFF_BYTES: usize = 64 << 10;

/// Error payload of the `std::io::Error` that a reader returns when a record is
/// longer than the limit (turned into an [`IoError::Format`] naming file and line).
#[derive(Debug, Clone)]
pub(crate) struct RecordTooLong {
    pub line: u64,
    pub limit: u64,
}

impl fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: record longer than {} (the maximum record length): this is not a table of this format, or a quoted field is never closed",
            self.line,
            human_bytes(self.limit)
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// Error payload of the `std::io::Error` that a [`Capped`] reader returns past its
/// limit.
#[derive(Debug, Clone)]
pub(crate) struct InputTooLarge {
    pub limit: u64,
    pub what: &'static str,
}

impl fmt::Display for InputTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} larger than {}, the most that is read into memory: expected a much smaller file",
            self.what,
            human_bytes(self.limit)
        )
    }
}

impl std::error::Error for InputTooLarge {}

/// `1 MiB`, `64 MiB`, `1,500 bytes`.
pub(crate) fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB ({n} bytes)", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB ({n} bytes)", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Maps an I/O error of an input to an [`IoError`]: the limit errors of this module
/// become [`IoError::Format`] with their message, the rest [`IoError::File`].
pub(crate) fn io_error(file: &str, e: std::io::Error) -> IoError {
    if let Some(inner) = e.get_ref() {
        if let Some(t) = inner.downcast_ref::<RecordTooLong>() {
            return IoError::Format {
                path: file.to_string(),
                message: t.to_string(),
            };
        }
        if let Some(t) = inner.downcast_ref::<InputTooLarge>() {
            return IoError::Format {
                path: file.to_string(),
                message: t.to_string(),
            };
        }
    }
    IoError::File {
        path: file.to_string(),
        source: e,
    }
}

/// A reader that fails once more than `limit` bytes were read from it.
pub(crate) struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: &'static str,
}

impl<R: Read> Capped<R> {
    /// Caps `inner` at `limit` bytes; `what` names the input in the error
    /// (`"a facts file"`).
    pub(crate) fn new(inner: R, limit: u64, what: &'static str) -> Self {
        Capped {
            inner,
            left: limit,
            limit,
            what,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // One byte more than the limit tells "exactly at the limit" from "above".
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                InputTooLarge {
                    limit: self.limit,
                    what: self.what,
                },
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A reader that counts the bytes read through it into a shared counter (the
/// compressed bytes of a gzip input, for progress).
pub(crate) struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type Replay<R> = Chain<Cursor<Vec<u8>>, R>;

/// A text input after sniffing: the bytes as they are, or decompressed from gzip.
pub(crate) enum Prepared<R> {
    /// Plain text: the first block again, then the rest.
    Plain(Replay<R>),
    /// gzip: the first decompressed block again, then the rest of the stream.
    Gzip(Box<Replay<MultiGzDecoder<Counted<Replay<R>>>>>),
}

impl<R: Read> Read for Prepared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Prepared::Plain(r) => r.read(buf),
            Prepared::Gzip(r) => r.read(buf),
        }
    }
}

/// A sniffed text input with what the readers need for progress.
pub(crate) struct TextInput<R> {
    /// The text bytes.
    pub reader: Prepared<R>,
    /// Compressed bytes read so far, for a gzip input.
    pub raw_read: Option<Arc<AtomicU64>>,
}

/// Reads up to `n` bytes (fewer only at the end of the input).
fn read_block(r: &mut impl Read, n: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n.min(SNIFF_BYTES));
    r.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Sniffs the start of `r` (see the module docs): decompresses gzip, refuses binary
/// input. `name` is the file name used in messages.
pub(crate) fn prepare<R: Read>(name: &str, mut r: R) -> Result<TextInput<R>, IoError> {
    let first = read_block(&mut r, SNIFF_BYTES).map_err(|e| io_error(name, e))?;
    if first.starts_with(&[0x1f, 0x8b]) {
        let count = Arc::new(AtomicU64::new(0));
        let raw = Counted {
            inner: Cursor::new(first).chain(r),
            count: Arc::clone(&count),
        };
        let mut gz = MultiGzDecoder::new(raw);
        let block = read_block(&mut gz, SNIFF_BYTES).map_err(|e| IoError::Format {
            path: name.to_string(),
            message: format!("not a valid gzip file ({e})"),
        })?;
        if block.starts_with(&[0x1f, 0x8b]) {
            return Err(not_text(
                name,
                "gzip inside gzip: decompress it once first".into(),
            ));
        }
        check_text(name, &block, block.len() < SNIFF_BYTES)?;
        return Ok(TextInput {
            reader: Prepared::Gzip(Box::new(Cursor::new(block).chain(gz))),
            raw_read: Some(count),
        });
    }
    check_text(name, &first, first.len() < SNIFF_BYTES)?;
    Ok(TextInput {
        reader: Prepared::Plain(Cursor::new(first).chain(r)),
        raw_read: None,
    })
}

fn not_text(name: &str, why: String) -> IoError {
    IoError::Format {
        path: name.to_string(),
        message: format!("not a text file ({why})"),
    }
}

/// What binary format the first bytes announce, if any.
fn binary_kind(b: &[u8]) -> Option<&'static str> {
    const KINDS: [(&[u8], &str); 9] = [
        (b"PAR1", "a Parquet file: read it with --from parquet"),
        (b"<stata_dta>", "a Stata .dta file: read it with --from dta"),
        (
            b"PK\x03\x04",
            "a ZIP archive (or an Excel workbook): extract it or export it as CSV first",
        ),
        (
            b"BZh",
            "a bzip2 file: only gzip is decompressed, decompress it first",
        ),
        (
            b"\xfd7zXZ\x00",
            "an xz file: only gzip is decompressed, decompress it first",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "a zstd file: only gzip is decompressed, decompress it first",
        ),
        (b"\xff\xfe", "UTF-16 text: convert it to UTF-8"),
        (b"\xfe\xff", "UTF-16 text: convert it to UTF-8"),
        (b"\x7fELF", "an executable"),
    ];
    for (magic, what) in KINDS {
        if b.starts_with(magic) {
            return Some(what);
        }
    }
    // Stata 113-115: release byte, then the byte order (1 or 2), then 1.
    if b.len() >= 3 && (113..=115).contains(&b[0]) && matches!(b[1], 1 | 2) && b[2] == 1 {
        return Some("a Stata .dta file: read it with --from dta");
    }
    None
}

/// Refuses a first block that is not text: a known binary format, a NUL byte,
/// invalid UTF-8 in the first line, or a block that is mostly invalid UTF-8. A few
/// invalid bytes further on (a Latin-1 name in one row) are left to the row checks,
/// which report them with their line. `complete` says the block is the whole input
/// (so an incomplete UTF-8 sequence at its end is an error, not a cut).
pub(crate) fn check_text(name: &str, block: &[u8], complete: bool) -> Result<(), IoError> {
    if let Some(kind) = binary_kind(block) {
        return Err(not_text(name, kind.into()));
    }
    if let Some(i) = memchr::memchr(0, block) {
        return Err(not_text(
            name,
            format!("NUL byte at byte offset {i}: binary data, expected UTF-8 CSV text"),
        ));
    }
    let body = block.strip_prefix(b"\xef\xbb\xbf").unwrap_or(block);
    let first_line = match memchr::memchr(b'\n', body) {
        Some(i) => &body[..i],
        None => body,
    };
    if let Err(e) = std::str::from_utf8(first_line) {
        let cut = e.error_len().is_none() && first_line.len() == body.len() && !complete;
        if !cut {
            return Err(not_text(
                name,
                format!(
                    "invalid UTF-8 at byte {} of the first line: binary data or another encoding, expected UTF-8 CSV text",
                    e.valid_up_to() + (block.len() - body.len())
                ),
            ));
        }
    }
    let invalid: usize = body.utf8_chunks().map(|c| c.invalid().len()).sum();
    if invalid > 16 && invalid * 8 > body.len() {
        return Err(not_text(
            name,
            format!(
                "{invalid} of the first {} bytes are invalid UTF-8: binary data or another encoding, expected UTF-8 CSV text",
                body.len()
            ),
        ));
    }
    Ok(())
}

/// Reads a whole text file of at most [`MAX_WHOLE_FILE_BYTES`] (decompressed from
/// gzip when it is compressed): for definition files (groups, baskets) and other
/// small inputs that are parsed from a string. Binary input and invalid UTF-8 are
/// refused with the file name.
pub fn read_text_file(path: &Path) -> Result<String, IoError> {
    let name = path.display().to_string();
    let (f, size) = crate::csvsrc::open_file(path)?;
    if let Some(s) = size {
        if s > MAX_WHOLE_FILE_BYTES {
            return Err(IoError::Format {
                path: name,
                message: InputTooLarge {
                    limit: MAX_WHOLE_FILE_BYTES,
                    what: "the file is",
                }
                .to_string(),
            });
        }
    }
    let input = prepare(&name, f)?;
    let mut bytes = Vec::new();
    Capped::new(input.reader, MAX_WHOLE_FILE_BYTES, "the file is")
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&name, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        IoError::Format {
            path: name,
            message: format!("invalid UTF-8 at byte offset {at}: expected UTF-8 text"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(b: &[u8]) -> Result<Vec<u8>, String> {
        let mut input = prepare("f.csv", b).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        input
            .reader
            .read_to_end(&mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn text_passes_and_binary_is_refused() {
        assert_eq!(sniff(b"a,b\n1,2\n").unwrap(), b"a,b\n1,2\n");
        assert_eq!(sniff(b"").unwrap(), b"");
        // A stray invalid byte in a row is left to the row checks.
        assert!(sniff(b"a,b\nC\xf4te,2\n").is_ok());
        let e = sniff(&[0u8; 100]).unwrap_err();
        assert_eq!(
            e,
            "f.csv: not a text file (NUL byte at byte offset 0: binary data, expected UTF-8 CSV text)"
        );
        let e = sniff(b"a,\xff\n").unwrap_err();
        assert!(
            e.contains("invalid UTF-8 at byte 2 of the first line"),
            "{e}"
        );
        let e = sniff(b"PAR1\x15\x04").unwrap_err();
        assert!(e.contains("not a text file (a Parquet file"), "{e}");
        let e = sniff(&[0xc3u8; 4000]).unwrap_err();
        assert!(e.contains("not a text file"), "{e}");
    }

    #[test]
    fn gzip_is_decompressed() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"t,i,j,k,v,q\n").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(sniff(&gz).unwrap(), b"t,i,j,k,v,q\n");
        let e = sniff(&gz[..5]).unwrap_err();
        assert!(e.contains("not a valid gzip file"), "{e}");
    }

    #[test]
    fn capped_reader_stops_past_its_limit() {
        let mut out = Vec::new();
        assert!(Capped::new(&[1u8; 10][..], 10, "x")
            .read_to_end(&mut out)
            .is_ok());
        let e = Capped::new(&[1u8; 11][..], 10, "the input is")
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(
            io_error("f", e).to_string(),
            "f: the input is larger than 10 bytes, the most that is read into memory: expected a much smaller file"
        );
    }
}
