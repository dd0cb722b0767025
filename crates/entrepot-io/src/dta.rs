//! Stata `.dta` files, formats 113 to 119 (Stata 8 to 15+), read row by row.
//!
//! * Formats 113–115 have a fixed binary header; 117–119 have the tagged layout
//!   (`<stata_dta><header>…`) with a map of section offsets.
//! * Variable types: `byte`, `int`, `long` ([`DtaValue::Int`]), `float`
//!   ([`DtaValue::Float`]), `double` ([`DtaValue::Double`]), `str1`…`str2045`
//!   and `strL` ([`DtaValue::Str`]).
//! * Missing values (`.`, `.a`…`.z`) become [`DtaValue::Missing`].
//! * Strings are UTF-8 in formats 118–119; in older formats they are decoded as UTF-8
//!   when valid and as Latin-1 otherwise.
//! * Value labels, characteristics and variable labels are not used (variable labels
//!   are kept in [`DtaColumn::label`]).
//! * `strL` contents (117+) are loaded into memory before the rows are streamed (they
//!   are stored after the data); everything else is streamed.
//! * Damaged files fail with an error, never a panic or an allocation larger than the
//!   file: every section is read incrementally (a size field cannot make the reader
//!   allocate more than the bytes actually present), and a row wider than
//!   [`MAX_DTA_ROW_BYTES`] is refused.

use crate::csvsrc::open_file;
use crate::error::{IoError, RowError};
use crate::mapping::{Cell, ColumnMapping, Mapper, RowAccess};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::Core;
use arrow::record_batch::RecordBatch;
use entrepot_core::text::display_value;
use entrepot_core::HsRevision;
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The widest row a [`DtaReader`] accepts: 16 MiB (Stata's own maximum is 1 MiB per
/// observation; [`DtaFlowReader`] applies [`ReadOptions::max_record_bytes`]).
pub const MAX_DTA_ROW_BYTES: usize = 16 << 20;

/// A seekable byte source for [`DtaReader`] (a file, or bytes in memory).
pub trait DtaSource: Read + Seek + Send {}

impl<T: Read + Seek + Send> DtaSource for T {}

type Src = BufReader<Box<dyn DtaSource>>;

/// One value of a Stata row.
#[derive(Debug, Clone, PartialEq)]
pub enum DtaValue {
    /// A missing value (`.` or an extended missing value `.a`…`.z`).
    Missing,
    /// A `byte`, `int` or `long`.
    Int(i64),
    /// A `float`.
    Float(f32),
    /// A `double`.
    Double(f64),
    /// A `str#` or `strL`.
    Str(String),
}

impl DtaValue {
    /// The value as a number (a `float` widened exactly to `f64`, as Stata, R and
    /// pandas do), or `None` for strings and missing values.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            DtaValue::Int(i) => Some(*i as f64),
            DtaValue::Float(f) => Some(f64::from(*f)),
            DtaValue::Double(d) => Some(*d),
            _ => None,
        }
    }

    /// The value as CSV text: shortest round-trip text for numbers (of the `f32` itself
    /// for a `float`), empty for missing.
    pub fn to_text(&self) -> String {
        match self {
            DtaValue::Missing => String::new(),
            DtaValue::Int(i) => i.to_string(),
            DtaValue::Float(f) => f.to_string(),
            DtaValue::Double(d) => d.to_string(),
            DtaValue::Str(s) => s.clone(),
        }
    }
}

/// The storage type of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtaType {
    /// 1-byte integer.
    Byte,
    /// 2-byte integer.
    Int,
    /// 4-byte integer.
    Long,
    /// 4-byte float.
    Float,
    /// 8-byte float.
    Double,
    /// Fixed-width string of n bytes.
    Str(u16),
    /// Long string (117+).
    StrL,
}

impl DtaType {
    fn width(&self) -> usize {
        match self {
            DtaType::Byte => 1,
            DtaType::Int => 2,
            DtaType::Long | DtaType::Float => 4,
            DtaType::Double => 8,
            DtaType::Str(n) => *n as usize,
            // (v, o): 4 + 4 bytes in 117, 2 + 6 in 118, 3 + 5 in 119.
            DtaType::StrL => 8,
        }
    }
}

/// One variable of a Stata file.
#[derive(Debug, Clone, PartialEq)]
pub struct DtaColumn {
    /// Variable name.
    pub name: String,
    /// Storage type.
    pub kind: DtaType,
    /// Display format (`%9.0g`).
    pub format: String,
    /// Variable label.
    pub label: String,
}

/// A streaming reader of the rows of a `.dta` file.
pub struct DtaReader {
    file: String,
    rdr: Src,
    release: u16,
    big_endian: bool,
    columns: Vec<DtaColumn>,
    nobs: u64,
    row: u64,
    buf: Vec<u8>,
    strls: HashMap<(u64, u64), String>,
    total: u64,
}

/// Opens a `.dta` file: its column names and an iterator over its rows.
pub fn read_dta(path: &Path) -> Result<(Vec<String>, DtaReader), IoError> {
    let r = DtaReader::open(path)?;
    Ok((r.columns.iter().map(|c| c.name.clone()).collect(), r))
}

struct Hdr<'a> {
    file: &'a str,
    big: bool,
}

impl Hdr<'_> {
    fn bad(&self, m: impl Into<String>) -> IoError {
        IoError::Format {
            path: self.file.to_string(),
            message: m.into(),
        }
    }
    fn u16(&self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.big {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }
    fn u32(&self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }
    fn u64(&self, b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        if self.big {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        }
    }
    /// Unsigned integer of `n` bytes (1..=8).
    fn uint(&self, b: &[u8]) -> u64 {
        let mut v = 0u64;
        if self.big {
            for x in b {
                v = (v << 8) | u64::from(*x);
            }
        } else {
            for x in b.iter().rev() {
                v = (v << 8) | u64::from(*x);
            }
        }
        v
    }
}

/// Reads exactly `n` bytes. The buffer grows with the bytes actually read, so that a
/// damaged size field cannot make it allocate more than the file holds.
fn read_exact(r: &mut impl Read, n: usize, file: &str, what: &str) -> Result<Vec<u8>, IoError> {
    let mut v = Vec::with_capacity(n.min(1 << 16));
    r.take(n as u64)
        .read_to_end(&mut v)
        .map_err(|e| io_or_trunc(e, file, what))?;
    if v.len() < n {
        return Err(io_or_trunc(
            std::io::ErrorKind::UnexpectedEof.into(),
            file,
            what,
        ));
    }
    Ok(v)
}

fn io_or_trunc(e: std::io::Error, file: &str, what: &str) -> IoError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        IoError::Format {
            path: file.to_string(),
            message: format!("truncated file: it ends inside the {what}"),
        }
    } else {
        IoError::File {
            path: file.to_string(),
            source: e,
        }
    }
}

/// Decodes a fixed-width, NUL-terminated string field.
fn cstr(b: &[u8], utf8: bool) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    decode(&b[..end], utf8)
}

fn decode(b: &[u8], utf8: bool) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) if utf8 => String::from_utf8_lossy(b).into_owned(),
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

fn expect_tag(r: &mut impl Read, tag: &str, file: &str) -> Result<(), IoError> {
    let got = read_exact(r, tag.len(), file, tag)?;
    if got != tag.as_bytes() {
        return Err(IoError::Format {
            path: file.to_string(),
            message: format!(
                "malformed dta file: expected {tag}, found '{}'",
                display_value(&String::from_utf8_lossy(&got))
            ),
        });
    }
    Ok(())
}

impl DtaReader {
    /// Opens a `.dta` file and reads its header and variable descriptions.
    pub fn open(path: &Path) -> Result<Self, IoError> {
        let (f, size) = open_file(path)?;
        Self::from_reader(&path.display().to_string(), Box::new(f), size)
    }

    /// Reads a `.dta` file from any seekable source (`std::io::Cursor` over bytes in
    /// memory, a file); `name` is used in messages and `size` for progress.
    pub fn from_reader(
        name: &str,
        source: Box<dyn DtaSource>,
        size: Option<u64>,
    ) -> Result<Self, IoError> {
        let file = name.to_string();
        let mut rdr: Src = BufReader::with_capacity(1 << 16, source);
        let first = read_exact(&mut rdr, 1, &file, "header")?;
        let mut r = match first[0] {
            113..=115 => Self::open_old(&file, rdr, first[0])?,
            b'<' => Self::open_new(&file, rdr)?,
            other => {
                return Err(IoError::Format {
                    path: file,
                    message: format!(
                        "not a supported Stata file: first byte {other} (supported: formats 113-115 and 117-119)"
                    ),
                })
            }
        };
        r.total = size.unwrap_or(0);
        Ok(r)
    }

    fn open_old(file: &str, mut rdr: Src, release: u8) -> Result<Self, IoError> {
        let h = read_exact(&mut rdr, 108, file, "header")?;
        let big = match h[0] {
            1 => true,
            2 => false,
            b => {
                return Err(IoError::Format {
                    path: file.into(),
                    message: format!("invalid byte order {b}"),
                })
            }
        };
        let hd = Hdr { file, big };
        let nvar = hd.u16(&h[3..5]) as usize;
        let nobs = u64::from(hd.u32(&h[5..9]));
        // h[9..90] data label, h[90..108] time stamp
        let typ = read_exact(&mut rdr, nvar, file, "variable types")?;
        let names = read_exact(&mut rdr, nvar * 33, file, "variable names")?;
        let _sort = read_exact(&mut rdr, 2 * (nvar + 1), file, "sort list")?;
        let fmt_len = if release == 113 { 12 } else { 49 };
        let fmts = read_exact(&mut rdr, nvar * fmt_len, file, "formats")?;
        let _lbl = read_exact(&mut rdr, nvar * 33, file, "value label names")?;
        let labels = read_exact(&mut rdr, nvar * 81, file, "variable labels")?;
        // expansion fields
        loop {
            let e = read_exact(&mut rdr, 5, file, "expansion fields")?;
            let len = hd.u32(&e[1..5]) as usize;
            if e[0] == 0 && len == 0 {
                break;
            }
            let _ = read_exact(&mut rdr, len, file, "expansion fields")?;
        }
        let mut columns = Vec::with_capacity(nvar);
        for i in 0..nvar {
            let kind = match typ[i] {
                1..=244 => DtaType::Str(u16::from(typ[i])),
                251 => DtaType::Byte,
                252 => DtaType::Int,
                253 => DtaType::Long,
                254 => DtaType::Float,
                255 => DtaType::Double,
                t => return Err(hd.bad(format!("variable {} has unknown type code {t}", i + 1))),
            };
            columns.push(DtaColumn {
                name: cstr(&names[i * 33..(i + 1) * 33], false),
                kind,
                format: cstr(&fmts[i * fmt_len..(i + 1) * fmt_len], false),
                label: cstr(&labels[i * 81..(i + 1) * 81], false),
            });
        }
        Self::finish(
            file,
            rdr,
            u16::from(release),
            big,
            columns,
            nobs,
            HashMap::new(),
        )
    }

    fn open_new(file: &str, mut rdr: Src) -> Result<Self, IoError> {
        let t = |r: &mut Src, tag: &str| expect_tag(r, tag, file);
        t(&mut rdr, "stata_dta><header><release>")?;
        let rel = read_exact(&mut rdr, 3, file, "release")?;
        let release: u16 = std::str::from_utf8(&rel)
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|r| (117..=119).contains(r))
            .ok_or_else(|| IoError::Format {
                path: file.into(),
                message: format!(
                    "unsupported Stata release '{}' (supported: 113-115, 117-119)",
                    display_value(&String::from_utf8_lossy(&rel))
                ),
            })?;
        t(&mut rdr, "</release><byteorder>")?;
        let bo = read_exact(&mut rdr, 3, file, "byte order")?;
        let big = match &bo[..] {
            b"MSF" => true,
            b"LSF" => false,
            _ => {
                return Err(IoError::Format {
                    path: file.into(),
                    message: "invalid byte order tag".into(),
                })
            }
        };
        let hd = Hdr { file, big };
        t(&mut rdr, "</byteorder><K>")?;
        let nvar = if release == 119 {
            hd.u32(&read_exact(&mut rdr, 4, file, "K")?) as usize
        } else {
            hd.u16(&read_exact(&mut rdr, 2, file, "K")?) as usize
        };
        t(&mut rdr, "</K><N>")?;
        let nobs = if release == 117 {
            u64::from(hd.u32(&read_exact(&mut rdr, 4, file, "N")?))
        } else {
            hd.u64(&read_exact(&mut rdr, 8, file, "N")?)
        };
        t(&mut rdr, "</N><label>")?;
        let llen = if release == 117 {
            read_exact(&mut rdr, 1, file, "label")?[0] as usize
        } else {
            hd.u16(&read_exact(&mut rdr, 2, file, "label")?) as usize
        };
        let _ = read_exact(&mut rdr, llen, file, "label")?;
        t(&mut rdr, "</label><timestamp>")?;
        let tlen = read_exact(&mut rdr, 1, file, "timestamp")?[0] as usize;
        let _ = read_exact(&mut rdr, tlen, file, "timestamp")?;
        t(&mut rdr, "</timestamp></header><map>")?;
        let map = read_exact(&mut rdr, 14 * 8, file, "map")?;
        let off = |i: usize| hd.u64(&map[i * 8..i * 8 + 8]);
        t(&mut rdr, "</map><variable_types>")?;
        let typ = read_exact(&mut rdr, nvar * 2, file, "variable types")?;
        let name_len = if release == 117 { 33 } else { 129 };
        t(&mut rdr, "</variable_types><varnames>")?;
        let names = read_exact(&mut rdr, nvar * name_len, file, "variable names")?;
        t(&mut rdr, "</varnames><sortlist>")?;
        let sort_w = if release == 119 { 4 } else { 2 };
        let _ = read_exact(&mut rdr, sort_w * (nvar + 1), file, "sort list")?;
        let fmt_len = if release == 117 { 49 } else { 57 };
        t(&mut rdr, "</sortlist><formats>")?;
        let fmts = read_exact(&mut rdr, nvar * fmt_len, file, "formats")?;
        t(&mut rdr, "</formats><value_label_names>")?;
        let _ = read_exact(&mut rdr, nvar * name_len, file, "value label names")?;
        let lab_len = if release == 117 { 81 } else { 321 };
        t(&mut rdr, "</value_label_names><variable_labels>")?;
        let labels = read_exact(&mut rdr, nvar * lab_len, file, "variable labels")?;
        let utf8 = release >= 118;
        let mut columns = Vec::with_capacity(nvar);
        let mut any_strl = false;
        for i in 0..nvar {
            let code = hd.u16(&typ[i * 2..i * 2 + 2]);
            let kind = match code {
                1..=2045 => DtaType::Str(code),
                32768 => {
                    any_strl = true;
                    DtaType::StrL
                }
                65526 => DtaType::Double,
                65527 => DtaType::Float,
                65528 => DtaType::Long,
                65529 => DtaType::Int,
                65530 => DtaType::Byte,
                t => return Err(hd.bad(format!("variable {} has unknown type code {t}", i + 1))),
            };
            columns.push(DtaColumn {
                name: cstr(&names[i * name_len..(i + 1) * name_len], utf8),
                kind,
                format: cstr(&fmts[i * fmt_len..(i + 1) * fmt_len], utf8),
                label: cstr(&labels[i * lab_len..(i + 1) * lab_len], utf8),
            });
        }
        // strLs live after the data: load them first (map[10] = <strls>).
        let mut strls = HashMap::new();
        if any_strl {
            rdr.seek(SeekFrom::Start(off(10)))
                .map_err(|e| io_or_trunc(e, file, "strls"))?;
            expect_tag(&mut rdr, "<strls>", file)?;
            loop {
                let tag = read_exact(&mut rdr, 3, file, "strls")?;
                if tag == b"</s" {
                    break;
                }
                if tag != b"GSO" {
                    return Err(hd.bad("malformed strL section: expected GSO"));
                }
                let v = u64::from(hd.u32(&read_exact(&mut rdr, 4, file, "strls")?));
                let o = if release == 117 {
                    u64::from(hd.u32(&read_exact(&mut rdr, 4, file, "strls")?))
                } else {
                    hd.u64(&read_exact(&mut rdr, 8, file, "strls")?)
                };
                let kind = read_exact(&mut rdr, 1, file, "strls")?[0];
                let len = hd.u32(&read_exact(&mut rdr, 4, file, "strls")?) as usize;
                let mut data = read_exact(&mut rdr, len, file, "strls")?;
                if kind == 130 && data.last() == Some(&0) {
                    data.pop();
                }
                strls.insert((v, o), decode(&data, utf8));
            }
        }
        // Data: map[9] = <data>.
        rdr.seek(SeekFrom::Start(off(9)))
            .map_err(|e| io_or_trunc(e, file, "data"))?;
        expect_tag(&mut rdr, "<data>", file)?;
        Self::finish(file, rdr, release, big, columns, nobs, strls)
    }

    fn finish(
        file: &str,
        rdr: Src,
        release: u16,
        big_endian: bool,
        columns: Vec<DtaColumn>,
        nobs: u64,
        strls: HashMap<(u64, u64), String>,
    ) -> Result<Self, IoError> {
        let row_width: usize = columns.iter().map(|c| c.kind.width()).sum();
        if row_width > MAX_DTA_ROW_BYTES {
            return Err(IoError::Format {
                path: file.to_string(),
                message: format!(
                    "rows of {row_width} bytes, more than the {MAX_DTA_ROW_BYTES} bytes accepted: a damaged file"
                ),
            });
        }
        Ok(DtaReader {
            file: file.to_string(),
            rdr,
            release,
            big_endian,
            columns,
            nobs,
            row: 0,
            buf: vec![0; row_width],
            strls,
            total: 0,
        })
    }

    /// The file format (113–119).
    pub fn release(&self) -> u16 {
        self.release
    }

    /// The variables.
    pub fn columns(&self) -> &[DtaColumn] {
        &self.columns
    }

    /// Number of observations (rows).
    pub fn nobs(&self) -> u64 {
        self.nobs
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.row
    }

    /// Reads the next row into `out` (resized to the number of variables); `false`
    /// at the end.
    pub fn next_row_into(&mut self, out: &mut Vec<DtaValue>) -> Result<bool, IoError> {
        if self.row >= self.nobs {
            return Ok(false);
        }
        self.rdr.read_exact(&mut self.buf).map_err(|e| {
            io_or_trunc(
                e,
                &self.file,
                &format!("data (row {} of {})", self.row + 1, self.nobs),
            )
        })?;
        self.row += 1;
        out.clear();
        let hd = Hdr {
            file: &self.file,
            big: self.big_endian,
        };
        let utf8 = self.release >= 118;
        let mut p = 0;
        for c in &self.columns {
            let w = c.kind.width();
            let b = &self.buf[p..p + w];
            p += w;
            let old = self.release < 117;
            out.push(match c.kind {
                DtaType::Byte => {
                    let v = b[0] as i8;
                    if v > 100 { DtaValue::Missing } else { DtaValue::Int(i64::from(v)) }
                }
                DtaType::Int => {
                    let v = hd.u16(b) as i16;
                    if v > 32740 { DtaValue::Missing } else { DtaValue::Int(i64::from(v)) }
                }
                DtaType::Long => {
                    let v = hd.u32(b) as i32;
                    if v > 2_147_483_620 { DtaValue::Missing } else { DtaValue::Int(i64::from(v)) }
                }
                DtaType::Float => {
                    let bits = hd.u32(b);
                    let v = f32::from_bits(bits);
                    // Missing: values above the largest nonmissing float (0x7effffff).
                    if (bits & 0x7fff_ffff) > 0x7eff_ffff && (bits >> 31) == 0 || v.is_nan() {
                        DtaValue::Missing
                    } else {
                        DtaValue::Float(v)
                    }
                }
                DtaType::Double => {
                    let bits = hd.u64(b);
                    let v = f64::from_bits(bits);
                    if (bits >> 63) == 0 && bits > 0x7fdf_ffff_ffff_ffff || v.is_nan() {
                        DtaValue::Missing
                    } else {
                        DtaValue::Double(v)
                    }
                }
                DtaType::Str(_) => DtaValue::Str(cstr(b, utf8 && !old)),
                DtaType::StrL => {
                    let (v, o) = match self.release {
                        117 => (u64::from(hd.u32(&b[..4])), u64::from(hd.u32(&b[4..8]))),
                        118 => (hd.uint(&b[..2]), hd.uint(&b[2..8])),
                        _ => (hd.uint(&b[..3]), hd.uint(&b[3..8])),
                    };
                    if v == 0 && o == 0 {
                        DtaValue::Str(String::new())
                    } else {
                        match self.strls.get(&(v, o)) {
                            Some(s) => DtaValue::Str(s.clone()),
                            None => {
                                return Err(IoError::Format {
                                    path: self.file.clone(),
                                    message: format!(
                                        "row {}: variable {} refers to strL ({v},{o}) that is not in the file",
                                        self.row,
                                        display_value(&c.name)
                                    ),
                                })
                            }
                        }
                    }
                }
            });
        }
        Ok(true)
    }
}

impl Iterator for DtaReader {
    type Item = Result<Vec<DtaValue>, IoError>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut v = Vec::with_capacity(self.columns.len());
        match self.next_row_into(&mut v) {
            Ok(true) => Some(Ok(v)),
            Ok(false) => None,
            Err(e) => {
                self.row = self.nobs; // stop after an error
                Some(Err(e))
            }
        }
    }
}

struct DtaRow<'a> {
    vals: &'a [DtaValue],
}

impl RowAccess for DtaRow<'_> {
    fn cell(&self, idx: usize) -> Cell<'_> {
        match self.vals.get(idx) {
            None | Some(DtaValue::Missing) => Cell::Null,
            Some(DtaValue::Str(s)) => Cell::Text(s.as_bytes()),
            Some(v) => v.as_f64().map(Cell::Num).unwrap_or(Cell::Null),
        }
    }
}

/// A flow reader over a `.dta` file with a [`ColumnMapping`]. The line of a row in
/// errors is its 1-based row number + 1 (as if the file had a header line).
pub struct DtaFlowReader {
    rows: DtaReader,
    mapper: Mapper,
    core: Core,
    vals: Vec<DtaValue>,
    done: bool,
}

impl DtaFlowReader {
    /// Opens a `.dta` file with a column mapping.
    pub fn open(
        path: &Path,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        Self::with_rows(DtaReader::open(path)?, mapping, hs_revision, options)
    }

    /// A flow reader over a `.dta` file from any seekable source; `name` is used in
    /// messages.
    pub fn from_reader(
        name: &str,
        source: Box<dyn DtaSource>,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let rows = DtaReader::from_reader(name, source, None)?;
        Self::with_rows(rows, mapping, hs_revision, options)
    }

    fn with_rows(
        rows: DtaReader,
        mapping: &ColumnMapping,
        hs_revision: Option<HsRevision>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        if rows.buf.len() > options.max_record_bytes {
            return Err(IoError::Format {
                path: rows.file.clone(),
                message: format!(
                    "rows of {} bytes, longer than the maximum record length of {}",
                    rows.buf.len(),
                    crate::input::human_bytes(options.max_record_bytes as u64)
                ),
            });
        }
        let header: Vec<String> = rows.columns.iter().map(|c| c.name.clone()).collect();
        let mapper = Mapper::new(&rows.file, &header, mapping, hs_revision)?;
        let core = Core::new(rows.file.clone(), Some(rows.file.clone()), options);
        Ok(DtaFlowReader {
            rows,
            mapper,
            core,
            vals: Vec::new(),
            done: false,
        })
    }

    /// See [`crate::tidy::CsvFlowReader::with_extra_country_codes`].
    pub fn with_extra_country_codes(mut self, codes: &[String]) -> Result<Self, IoError> {
        self.core.set_extra_codes(codes)?;
        Ok(self)
    }
}

impl FlowReader for DtaFlowReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        while !self.done && !self.core.batch_full() {
            if !self.rows.next_row_into(&mut self.vals)? {
                self.done = true;
                break;
            }
            let line = self.rows.row + 1;
            let row = DtaRow { vals: &self.vals };
            self.mapper.process(&mut self.core, &row, line)?;
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        self.core.take_rejected()
    }

    fn progress(&self) -> (u64, Option<u64>) {
        let total = self.rows.total;
        let done = if self.rows.nobs == 0 {
            total
        } else {
            (total as f64 * self.rows.row as f64 / self.rows.nobs as f64) as u64
        };
        (done, Some(total))
    }

    fn describe(&self) -> String {
        format!(
            "Stata dta (format {}) {}{}",
            self.rows.release,
            self.rows.file,
            self.mapper.fx_note()
        )
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }

    fn currency(&self) -> Option<crate::fx::CurrencyCode> {
        self.mapper.currency()
    }
}
