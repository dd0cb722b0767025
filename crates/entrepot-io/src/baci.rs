//! CEPII BACI CSV files (`t,i,j,k,v,q`).
//!
//! * `t` year; `i` exporter and `j` importer as BACI numeric country codes; `k` HS6
//!   code in the dataset's HS revision; `v` value in **thousands** of US dollars
//!   (multiplied by 1000); `q` quantity in metric tons.
//! * Every flow is an export of `i` to `j`, `declared_by` = reconciled.
//! * Country codes go through the BACI country table when one is given (both the
//!   V202201 layout `country_code,country_name_abbreviation,country_name_full,
//!   iso_2digit_alpha,iso_3digit_alpha` and the V202401 layout `country_code,
//!   country_name,country_iso2,country_iso3`), else through the built-in registry.
//!   Table rows whose ISO3 is `N/A`, empty or unknown to the registry (490 "Other
//!   Asia, nes") map to the registry's entry for the numeric code (490 → `S19`);
//!   rows of codes known to neither (849 "US Misc. Pacific Isds" in V202201) make
//!   the flows that use them bad rows. Codes missing from the table fall back to the
//!   registry (tables and data drift: the V202201 table lists Italy as 381 while
//!   V202301 data use 380).
//! * Quantities: `q` in metric tons (unit `t`); an empty `q` or `NA` is no quantity.
//! * The HS revision is an option; when absent it is inferred from the file name
//!   (`BACI_HS17_…` → HS 2017).

use crate::csvsrc::{csv_err, field_offset, CsvSource};
use crate::error::{show_names, IoError, RowError};
use crate::input::{prepare, Capped, MAX_WHOLE_FILE_BYTES};
use crate::reader::{FlowReader, ReadOptions};
use crate::validate::{
    check_value_usd, check_year, country_id, cut, lossy, parse_amount, small_key, trim_bytes,
    Code6, Core, CountryTable, FastMap, Prod, Resolved, MAX_KEPT_RAW_BYTES,
};
use arrow::record_batch::RecordBatch;
use entrepot_core::text::display_value;
use entrepot_core::{
    CountryRegistry, Declarant, FlowKind, HsRevision, Period, Quantity, QuantityUnit,
};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Infers the HS revision from a BACI file name (`BACI_HS17_Y2020_V202301.csv` →
/// HS 2017): the first `HS` followed by two digits.
pub fn infer_revision(file_name: &str) -> Option<HsRevision> {
    let up = file_name.to_ascii_uppercase();
    let b = up.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        if &b[i..i + 2] == b"HS" && b[i + 2].is_ascii_digit() && b[i + 3].is_ascii_digit() {
            let yy = &up[i + 2..i + 4];
            if b.get(i + 4).is_some_and(u8::is_ascii_digit) {
                // HS2017 style
                return up
                    .get(i + 2..i + 6)
                    .and_then(|y| y.parse::<HsRevision>().ok());
            }
            match yy {
                "92" => Some(HsRevision::Hs1992),
                "96" => Some(HsRevision::Hs1996),
                "02" => Some(HsRevision::Hs2002),
                "07" => Some(HsRevision::Hs2007),
                "12" => Some(HsRevision::Hs2012),
                "17" => Some(HsRevision::Hs2017),
                "22" => Some(HsRevision::Hs2022),
                _ => None,
            }
        } else {
            None
        }
    })
}

impl CountryTable {
    /// Reads a BACI country-code table (V202201 or V202401 layout) from a file.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        let (f, _) = crate::csvsrc::open_file(path)?;
        Self::from_reader(&path.display().to_string(), f)
    }

    /// Reads a BACI country-code table from any reader; `name` is used in messages.
    /// A code whose ISO3 is missing, `N/A` or unknown maps to the registry's entry for
    /// the numeric code; rows using a code known to neither (849 "US Misc. Pacific
    /// Isds") are rejected with a message naming the table. The table may be
    /// gzip-compressed; binary input and tables above 64 MiB are refused.
    pub fn from_reader(name: &str, r: impl Read) -> Result<Self, IoError> {
        let fmt = |m: String| IoError::Format {
            path: name.to_string(),
            message: m,
        };
        let input = prepare(name, r)?;
        let capped = Capped::new(input.reader, MAX_WHOLE_FILE_BYTES, "a country table is");
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(
            crate::validate::CountingReader::with_limit(
                capped,
                crate::input::MAX_RECORD_BYTES as u64,
            ),
        );
        let header: Vec<String> = rdr
            .byte_headers()
            .map_err(|e| csv_err(name, e))?
            .iter()
            .map(|h| {
                lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect();
        let code_i = header.iter().position(|h| h == "country_code");
        let iso_i = header
            .iter()
            .position(|h| h == "iso_3digit_alpha" || h == "country_iso3");
        let (Some(code_i), Some(iso_i)) = (code_i, iso_i) else {
            return Err(fmt(format!(
                "not a BACI country table: expected columns country_code and iso_3digit_alpha (V202201) or country_iso3 (V202401), found {}",
                show_names(&header, ",")
            )));
        };
        let reg = CountryRegistry::builtin();
        let mut map = HashMap::new();
        // Names may be Latin-1 (V202201 has "C\xf4te d'Ivoire"); only the ASCII code
        // columns are read.
        let mut rec = csv::ByteRecord::new();
        for n in 0u64.. {
            let next = rdr.position().byte();
            rdr.get_mut().set_record_start(next);
            if !rdr
                .read_byte_record(&mut rec)
                .map_err(|e| csv_err(name, e))?
            {
                break;
            }
            let line = n + 2;
            let code_s = lossy(rec.get(code_i).unwrap_or(b""));
            let code = code_s.trim();
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fmt(format!(
                    "line {line}: country_code '{}' is not a number",
                    display_value(code)
                )));
            }
            let iso_s = lossy(rec.get(iso_i).unwrap_or(b""));
            let iso = iso_s.trim();
            let by_iso = if iso.is_empty() || iso.eq_ignore_ascii_case("N/A") {
                None
            } else {
                reg.get(iso)
            };
            let entry = match by_iso.or_else(|| reg.get(code)) {
                Some(c) => country_id(&c.iso3)
                    .ok_or_else(|| Arc::<str>::from(format!("no registry index for {}", c.iso3))),
                None => {
                    let label = rec.get(1).map(lossy).unwrap_or_default();
                    Err(Arc::from(format!(
                        "country code {} ('{}') of the country table {} has no ISO3 code known to the registry",
                        display_value(code),
                        display_value(label.trim()),
                        entrepot_core::text::escape_controls(name)
                    )))
                }
            };
            let k = code.trim_start_matches('0');
            map.insert(
                if k.is_empty() {
                    "0".to_string()
                } else {
                    k.to_string()
                },
                entry,
            );
        }
        Ok(CountryTable {
            name: name.to_string(),
            map,
        })
    }

    /// Number of codes in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The ISO3 code a numeric code maps to.
    pub fn iso3(&self, code: &str) -> Option<&'static str> {
        let k = code.trim().trim_start_matches('0');
        let k = if k.is_empty() { "0" } else { k };
        match self.map.get(k) {
            Some(Ok(id)) => Some(crate::validate::iso3_of(*id)),
            _ => None,
        }
    }
}

/// A streaming reader of a CEPII BACI CSV file.
///
/// Files opened by path are read through a fast path for plain lines (six
/// comma-separated fields, no quote, no carriage return): the line is split on commas
/// and validated in place. At the first other line (quoted fields, `\r\n` endings,
/// wrong field counts, a truncated last record…) the reader hands over to the general
/// CSV parser, which resumes at that line, so that both give the same rows and the
/// same errors. When the machine has several cores the fast path parses and validates
/// on a thread of its own, ahead of the duplicate check and the batch building (in
/// file order, so the rows, errors and their order are the same).
pub struct BaciReader {
    src: CsvSource,
    fast: Option<FastInput>,
    /// Records of the CSV parser before this line were read by the fast path.
    resume_line: u64,
    /// Bytes the fast path had read when it handed over (for progress).
    fast_consumed: u64,
    core: Core,
    revision: HsRevision,
    cache: RowCache,
    done: bool,
    /// The file's SHA-256, filled by the fast path when it reads the file to its end.
    digest: Option<std::sync::Arc<crate::SourceDigest>>,
}

/// Look-up caches of the row validation: years, and the last codes of `i` and `j`
/// (sorted files repeat them on consecutive rows).
#[derive(Default)]
struct RowCache {
    years: FastMap<Box<[u8]>, Result<Period, String>>,
    last_year: Option<(u64, Period)>,
    last_country: [Option<(u64, u16)>; 2],
    /// Resolved six-digit product codes (failures stay in the core's cache).
    products: ProductCache,
}

/// Resolved six-digit product codes (as numbers), sorted, with the position after
/// the last hit: files sorted by product within a partner look up increasing codes,
/// usually the entry right after the previous one (sequential memory, no hashing);
/// other look-ups are a binary search.
#[derive(Default)]
struct ProductCache {
    sorted: Vec<(u32, Code6)>,
    next: usize,
}

/// Codes a [`ProductCache`] keeps at most (a catalogue has ~5,000 per revision).
const PRODUCT_CACHE_MAX: usize = 1 << 16;

impl ProductCache {
    #[inline]
    fn get(&mut self, n: u32) -> Option<Code6> {
        let mut i = self.next;
        for _ in 0..4 {
            match self.sorted.get(i) {
                Some(&(k, code)) if k == n => {
                    self.next = i + 1;
                    return Some(code);
                }
                Some(&(k, _)) if k < n => i += 1,
                _ => break,
            }
        }
        let i = self.sorted.binary_search_by_key(&n, |e| e.0).ok()?;
        self.next = i + 1;
        Some(self.sorted[i].1)
    }

    fn insert(&mut self, n: u32, code: Code6) {
        if self.sorted.len() >= PRODUCT_CACHE_MAX {
            return;
        }
        if let Err(i) = self.sorted.binary_search_by_key(&n, |e| e.0) {
            self.sorted.insert(i, (n, code));
            self.next = i + 1;
        }
    }
}

/// The number of a product field of exactly six ASCII digits.
#[inline]
fn six_digits(b: &[u8]) -> Option<u32> {
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')))
}

const COLS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

impl BaciReader {
    /// Opens a BACI CSV file. `revision` defaults to the one in the file name;
    /// `table` is an optional BACI country-code table.
    pub fn open(
        path: &Path,
        revision: Option<HsRevision>,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let revision = revision.or_else(|| infer_revision(&name)).ok_or_else(|| IoError::Format {
            path: path.display().to_string(),
            message: "cannot infer the HS revision from the file name (expected e.g. BACI_HS17_…): set the HS revision with --hs REV (e.g. --hs HS2017)".into(),
        })?;
        let max_record = options.max_record_bytes;
        let src = CsvSource::open(path, max_record)?;
        let mut r = Self::new(src, revision, table, options)?;
        let digest = crate::SourceDigest::new(path);
        r.fast = FastLines::open(path, max_record, Some(digest.clone()))?.map(FastInput::new);
        if r.fast.is_some() {
            r.digest = Some(digest);
        }
        Ok(r)
    }

    /// A BACI reader over any byte stream; `name` is used in messages.
    pub fn from_reader(
        name: &str,
        reader: impl Read + Send + 'static,
        revision: HsRevision,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let src = CsvSource::from_reader(
            name.to_string(),
            Box::new(reader),
            None,
            options.max_record_bytes,
        )?;
        Self::new(src, revision, table, options)
    }

    fn new(
        src: CsvSource,
        revision: HsRevision,
        table: Option<Arc<CountryTable>>,
        options: ReadOptions,
    ) -> Result<Self, IoError> {
        let h: Vec<String> = src.header.iter().map(|h| h.to_ascii_lowercase()).collect();
        if h != COLS {
            return Err(IoError::Format {
                path: src.file.clone(),
                message: format!(
                    "not a BACI file: expected the header t,i,j,k,v,q, found {}",
                    show_names(&src.header, ",")
                ),
            });
        }
        let mut core = Core::new(src.file.clone(), Some(src.file.clone()), options);
        core.country_table = table;
        Ok(BaciReader {
            src,
            fast: None,
            resume_line: 0,
            fast_consumed: 0,
            core,
            revision,
            cache: RowCache::default(),
            done: false,
            digest: None,
        })
    }

    /// Accepts these country codes as they are although the registry does not know
    /// them (e.g. UN Comtrade's legacy areas `BUN`, `KN1`, `SVU` in old panels); every
    /// other unknown code is still rejected. Call before reading.
    pub fn with_extra_country_codes(mut self, codes: &[String]) -> Result<Self, IoError> {
        self.core.set_extra_codes(codes)?;
        Ok(self)
    }

    /// The HS revision of the product codes.
    pub fn revision(&self) -> HsRevision {
        self.revision
    }

    /// Reads rows through the fast path until the batch is full, the file ends or a
    /// line needs the CSV parser.
    fn next_fast(&mut self) -> Result<(), IoError> {
        let Some(fast) = self.fast.as_mut() else {
            return Ok(());
        };
        if let Some(lines) = fast.idle.take() {
            let parser = Parser {
                lines,
                core: self.core.resolver(),
                cache: RowCache::default(),
                revision: self.revision,
                finished: false,
            };
            fast.start(parser);
        }
        while !self.core.batch_full() {
            let item = match fast.items.next() {
                Some(item) => item,
                None => {
                    fast.refill()?;
                    continue;
                }
            };
            match item {
                Item::Row(line, r) => self.core.accept(&r, line)?,
                Item::Bad(e) => self.core.reject(e)?,
                Item::Handover { line, consumed } => {
                    // Not a plain line: the CSV parser takes over from this line.
                    self.resume_line = line;
                    self.fast_consumed = consumed;
                    self.fast = None;
                    return Ok(());
                }
                Item::End => {
                    self.done = true;
                    self.fast_consumed = fast.consumed;
                    self.fast = None;
                    return Ok(());
                }
                Item::Failed(e) => {
                    self.fast_consumed = fast.consumed;
                    self.fast = None;
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// What the fast path makes of a line, in file order.
enum Item {
    /// A valid row and its line.
    Row(u64, Resolved),
    /// A bad row.
    Bad(Box<RowError>),
    /// The line that needs the CSV parser, and the bytes read before it.
    Handover { line: u64, consumed: u64 },
    /// The end of the file.
    End,
    /// A read error.
    Failed(IoError),
}

/// Lines per [`Item`] chunk of the fast path.
const CHUNK_LINES: usize = 4096;

/// The parsing and validation side of the fast path: turns lines into [`Item`]s.
struct Parser {
    lines: FastLines,
    /// A copy of the reader's validation settings, with caches of its own.
    core: Core,
    cache: RowCache,
    revision: HsRevision,
    finished: bool,
}

impl Parser {
    /// The items of the next lines (at most [`CHUNK_LINES`]) and the bytes read
    /// after them; the last chunk ends with `End`, `Handover` or `Failed`.
    fn chunk(&mut self) -> Chunk {
        let mut items = Vec::with_capacity(CHUNK_LINES);
        let quarantine = self.core.opts.on_error == crate::OnError::Quarantine;
        while items.len() < CHUNK_LINES && !self.finished {
            let (s, e) = match self.lines.next_line() {
                Ok(Some(Line::Plain(s, e))) => (s, e),
                Ok(Some(Line::TooLong)) => {
                    // The CSV parser reports it, with the same message as for any input.
                    items.push(Item::Handover {
                        line: self.lines.line,
                        consumed: self.lines.consumed(),
                    });
                    self.finished = true;
                    break;
                }
                Ok(None) => {
                    items.push(Item::End);
                    self.finished = true;
                    break;
                }
                Err(e) => {
                    items.push(Item::Failed(e));
                    self.finished = true;
                    break;
                }
            };
            let line = self.lines.line;
            let bytes = &self.lines.buf[s..e];
            if bytes.is_empty() {
                // The CSV parser skips empty lines too.
                self.lines.advance(e);
                continue;
            }
            let Some(ranges) = split6(bytes) else {
                items.push(Item::Handover {
                    line,
                    consumed: self.lines.consumed(),
                });
                self.finished = true;
                break;
            };
            let field = |i: usize| &bytes[ranges[i].0 as usize..ranges[i].1 as usize];
            let fields = [field(0), field(1), field(2), field(3), field(4), field(5)];
            let base = self.lines.base + s as u64;
            let offset = |i: usize| Some(base + u64::from(ranges[i].0));
            match resolve(
                &mut self.core,
                &mut self.cache,
                self.revision,
                line,
                &fields,
                offset,
            ) {
                Ok(r) => items.push(Item::Row(line, r)),
                Err(mut err) => {
                    if quarantine {
                        err.raw = Some(cut(lossy(bytes), MAX_KEPT_RAW_BYTES));
                    }
                    items.push(Item::Bad(err));
                }
            }
            self.lines.advance(e);
        }
        (items, self.lines.consumed())
    }
}

/// Items and the bytes read after them.
type Chunk = (Vec<Item>, u64);

/// The fast path of a reader: its [`Parser`] on a thread of its own (when the machine
/// has more than one core) or inline, and the items not yet consumed.
struct FastInput {
    path: String,
    /// The input before the first read (the parser starts then, once the reader's
    /// settings are final).
    idle: Option<FastLines>,
    inline: Option<Box<Parser>>,
    chunks: Option<std::sync::mpsc::Receiver<Chunk>>,
    items: std::vec::IntoIter<Item>,
    /// Bytes read by the parser at the end of the current chunk (for progress).
    consumed: u64,
    /// Whether the parser may run on a thread of its own.
    threaded: bool,
}

impl FastInput {
    fn new(lines: FastLines) -> Self {
        FastInput {
            path: lines.path.clone(),
            consumed: lines.consumed(),
            idle: Some(lines),
            inline: None,
            chunks: None,
            items: Vec::new().into_iter(),
            threaded: std::thread::available_parallelism().is_ok_and(|n| n.get() > 1),
        }
    }

    /// Starts the parser: on a thread (four chunks ahead at most; it stops when the
    /// reader is dropped) if the machine has more than one core and a thread can be
    /// started, else inline.
    fn start(&mut self, parser: Parser) {
        if !self.threaded {
            self.inline = Some(Box::new(parser));
            return;
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk>(4);
        // Shared so that the parser can be taken back if no thread can be started.
        let slot = Arc::new(std::sync::Mutex::new(Some(parser)));
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new()
            .name("entrepot-baci-parse".into())
            .spawn(move || {
                let Some(mut parser) = theirs.lock().ok().and_then(|mut p| p.take()) else {
                    return;
                };
                while !parser.finished {
                    if tx.send(parser.chunk()).is_err() {
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => self.chunks = Some(rx),
            Err(_) => {
                self.inline = slot.lock().ok().and_then(|mut p| p.take()).map(Box::new);
            }
        }
    }

    /// Fetches the next chunk of items.
    fn refill(&mut self) -> Result<(), IoError> {
        let stopped = |what: &str| IoError::Format {
            path: self.path.clone(),
            message: format!("internal error: the fast BACI parser {what}"),
        };
        let (items, consumed) = if let Some(p) = self.inline.as_mut() {
            p.chunk()
        } else if let Some(rx) = self.chunks.as_ref() {
            rx.recv().map_err(|_| stopped("thread stopped"))?
        } else {
            return Err(stopped("was not started"));
        };
        if items.is_empty() {
            return Err(stopped("ended without an end marker"));
        }
        self.items = items.into_iter();
        self.consumed = consumed;
        Ok(())
    }
}

/// The ranges of the six fields of a plain line: exactly five commas, no quote and
/// no carriage return. `None` for any other line.
#[inline]
fn split6(line: &[u8]) -> Option<[(u32, u32); 6]> {
    /// Bytes of `w` equal to `b`, as the high bit of each byte (exact: no false
    /// positives, unlike the shorter `(x - 0x01…) & !x` test).
    #[inline]
    fn eq_mask(w: u64, b: u8) -> u64 {
        const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
        let x = w ^ (u64::from(b) * 0x0101_0101_0101_0101);
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    if line.len() >= u32::MAX as usize {
        return None;
    }
    let mut out = [(0u32, 0u32); 6];
    let mut k = 0;
    let mut start = 0u32;
    let mut comma = |at: usize, k: &mut usize, start: &mut u32| -> bool {
        if *k == 5 {
            return false;
        }
        out[*k] = (*start, at as u32);
        *k += 1;
        *start = at as u32 + 1;
        true
    };
    let mut i = 0;
    while i + 8 <= line.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&line[i..i + 8]);
        let w = u64::from_le_bytes(w);
        if eq_mask(w, b'"') | eq_mask(w, b'\r') != 0 {
            return None;
        }
        let mut m = eq_mask(w, b',');
        while m != 0 {
            if !comma(i + (m.trailing_zeros() / 8) as usize, &mut k, &mut start) {
                return None;
            }
            m &= m - 1;
        }
        i += 8;
    }
    for (j, &b) in line[i..].iter().enumerate() {
        if b == b',' {
            if !comma(i + j, &mut k, &mut start) {
                return None;
            }
        } else if b == b'"' || b == b'\r' {
            return None;
        }
    }
    if k != 5 {
        return None;
    }
    out[5] = (start, line.len() as u32);
    Some(out)
}

/// Validates the six fields of a BACI row. `offset(i)` is the byte offset of field
/// `i` in the file, for messages about invalid UTF-8.
#[inline]
fn resolve(
    core: &mut Core,
    cache: &mut RowCache,
    revision: HsRevision,
    line: u64,
    fields: &[&[u8]; 6],
    offset: impl Fn(usize) -> Option<u64>,
) -> Result<Resolved, Box<RowError>> {
    let f = |i: usize| fields[i];
    let err = |core: &Core, i: usize, m: String| {
        core.err(line, COLS[i], Some(lossy(trim_bytes(f(i)))), m)
    };
    let utf8 = |core: &Core, i: usize| -> Result<(), Box<RowError>> {
        match std::str::from_utf8(f(i)) {
            Ok(_) => Ok(()),
            Err(e) => {
                let off = offset(i).map(|o| o + e.valid_up_to() as u64).unwrap_or(0);
                Err(err(
                    core,
                    i,
                    format!("invalid UTF-8 at byte offset {off} (line {line})"),
                ))
            }
        }
    };
    // t
    let t = trim_bytes(f(0));
    let tkey = small_key(t);
    let period = match (cache.last_year, tkey) {
        (Some((k, p)), Some(tk)) if k == tk => Ok(p),
        _ => match cache.years.get(t) {
            Some(p) => p.clone(),
            None => {
                utf8(core, 0)?;
                let r = std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                    .ok_or_else(|| format!("expected a year, found '{}'", display_value(&lossy(t))))
                    .and_then(check_year)
                    .map(Period::Year);
                // Years are short: longer text is not kept (memory stays small).
                if cache.years.len() < 1000 && t.len() <= 16 {
                    cache.years.insert(t.into(), r.clone());
                }
                r
            }
        },
    }
    .map_err(|m| err(core, 0, m))?;
    if let Some(tk) = tkey {
        cache.last_year = Some((tk, period));
    }
    // i, j
    let mut country = |core: &mut Core, i: usize| -> Result<u16, Box<RowError>> {
        let slot = i - 1;
        let key = small_key(f(i));
        if let (Some((k, id)), Some(key)) = (cache.last_country[slot], key) {
            if k == key {
                return Ok(id);
            }
        }
        let id = core.country(f(i)).map_err(|m| {
            if std::str::from_utf8(f(i)).is_err() {
                match utf8(core, i) {
                    Err(e) => e,
                    Ok(()) => err(core, i, m.to_string()),
                }
            } else {
                err(core, i, m.to_string())
            }
        })?;
        cache.last_country[slot] = key.map(|k| (k, id));
        Ok(id)
    };
    let reporter = country(core, 1)?;
    let partner = country(core, 2)?;
    // k
    let code = match six_digits(f(3)) {
        Some(n) => match cache.products.get(n) {
            Some(c) => Ok(c),
            None => {
                let r = core.product(revision, f(3));
                if let Ok(c) = r {
                    cache.products.insert(n, c);
                }
                r
            }
        },
        None => core.product(revision, f(3)),
    }
    .map_err(|m| {
        if std::str::from_utf8(f(3)).is_err() {
            utf8(core, 3)
                .err()
                .unwrap_or_else(|| err(core, 3, m.to_string()))
        } else {
            err(core, 3, m.to_string())
        }
    })?;
    // v, in thousands of US dollars
    let v = match fast_amount(f(4)) {
        Some(v) => v,
        None => {
            utf8(core, 4)?;
            parse_amount(f(4)).map_err(|m| err(core, 4, m))?
        }
    };
    let v = check_value_usd(v, 1000.0, || "BACI's v is in thousands of US dollars; check that the file is a BACI file with values in thousands".to_string())
        .map_err(|m| err(core, 4, m))?;
    // q
    let q = trim_bytes(f(5));
    let quantity = if q.is_empty() || q == b"NA" {
        None
    } else {
        let value = match fast_amount(q) {
            Some(v) => v,
            None => {
                utf8(core, 5)?;
                parse_amount(q).map_err(|m| err(core, 5, m))?
            }
        };
        Some(Quantity {
            value,
            unit: QuantityUnit::Tonnes,
        })
    };
    Ok(Resolved {
        reporter,
        partner,
        flow: FlowKind::Export,
        period,
        product: Prod::Hs(revision, code),
        value_usd: v,
        quantity,
        declared_by: Declarant::Reconciled,
    })
}

/// A line of the fast path.
enum Line {
    /// A line (without its `\n`) as a range of the buffer.
    Plain(usize, usize),
    /// A line longer than the maximum record length (left to the CSV parser, which
    /// reports it).
    TooLong,
}

/// Line-by-line input of the fast path: the file in large blocks, split on `\n`.
struct FastLines {
    file: std::fs::File,
    path: String,
    /// The maximum line length.
    max_line: usize,
    buf: Vec<u8>,
    /// Start of the unread data in `buf`.
    pos: usize,
    /// End of the data in `buf`.
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// Line number (1-based) of the line starting at `pos`.
    line: u64,
    eof: bool,
    /// Hashes every byte read, from the first (see [`crate::digest`]).
    hashing: Option<crate::digest::Hashing>,
}

const FAST_BLOCK: usize = 1 << 20;

impl FastLines {
    /// Opens `path` for the fast path, positioned after the header, if the header is
    /// a plain line naming the BACI columns (else `None`: the CSV parser reads all).
    fn open(
        path: &Path,
        max_line: usize,
        digest: Option<std::sync::Arc<crate::SourceDigest>>,
    ) -> Result<Option<Self>, IoError> {
        let (file, _) = crate::csvsrc::open_file(path)?;
        // The file is read a second time from its start: only regular files can be
        // (not pipes, sockets or devices, which the CSV parser reads alone).
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Ok(None);
        }
        let mut f = FastLines {
            file,
            path: path.display().to_string(),
            max_line,
            buf: vec![0; FAST_BLOCK],
            pos: 0,
            len: 0,
            base: 0,
            line: 1,
            eof: false,
            hashing: digest.map(crate::digest::Hashing::new),
        };
        let Some(Line::Plain(s, e)) = f.next_line()? else {
            return Ok(None);
        };
        let header = &f.buf[s..e];
        let header = header.strip_prefix("\u{feff}".as_bytes()).unwrap_or(header);
        let plain = !header.iter().any(|&b| b == b'"' || b == b'\r');
        let names: Vec<String> = header
            .split(|&b| b == b',')
            .map(|h| lossy(h).trim().to_ascii_lowercase())
            .collect();
        if !plain || names != COLS {
            return Ok(None);
        }
        f.advance(e);
        Ok(Some(f))
    }

    /// The next line (without its `\n`) as a range of `buf`, or `None` at the end.
    /// Call [`FastLines::advance`] after using it.
    fn next_line(&mut self) -> Result<Option<Line>, IoError> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.pos..self.len]) {
                return Ok(Some(Line::Plain(self.pos, self.pos + i)));
            }
            if self.len - self.pos > self.max_line {
                return Ok(Some(Line::TooLong));
            }
            if self.eof {
                return Ok((self.pos < self.len).then_some(Line::Plain(self.pos, self.len)));
            }
            self.buf.copy_within(self.pos..self.len, 0);
            self.base += self.pos as u64;
            self.len -= self.pos;
            self.pos = 0;
            if self.len == self.buf.len() {
                // A line longer than the buffer.
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = loop {
                match self.file.read(&mut self.buf[self.len..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(source) => {
                        return Err(IoError::File {
                            path: self.path.clone(),
                            source,
                        })
                    }
                }
            };
            if n == 0 {
                self.eof = true;
                if let Some(h) = self.hashing.take() {
                    h.finish();
                }
            } else if let Some(h) = &mut self.hashing {
                h.update(&self.buf[self.len..self.len + n]);
            }
            self.len += n;
        }
    }

    /// Moves past the line ending at `end` (and its `\n`, if any).
    fn advance(&mut self, end: usize) {
        self.pos = (end + 1).min(self.len);
        self.line += 1;
    }

    /// Bytes consumed so far.
    fn consumed(&self) -> u64 {
        self.base + self.pos as u64
    }
}

/// Parses a plain decimal number (`123`, `0.5`, `12.375`: digits with at most one
/// point, no sign, no exponent, no spaces) when the result is exact by construction:
/// at most 15 significant digits and 22 decimals, so that `mantissa / 10^decimals`
/// is one correctly rounded division, the same value as `str::parse::<f64>`.
/// `None` for anything else (the caller then uses the general parser).
#[inline]
fn fast_amount(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    if b.is_empty() || b.len() > 23 {
        return None;
    }
    let mut m: u64 = 0;
    let mut digits = 0usize;
    let mut point: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                // More than 15 digits are left to the parser (and would overflow `m`).
                if digits == 15 {
                    return None;
                }
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    // Digits before and after the point (`.5` and `5.` are left to the parser).
    let decimals = match point {
        None => 0,
        Some(p) if p == 0 || p + 1 == b.len() => return None,
        Some(p) => b.len() - p - 1,
    };
    if digits > 15 || decimals >= POW10.len() {
        return None;
    }
    Some(m as f64 / POW10[decimals])
}

impl FlowReader for BaciReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        if self.fast.is_some() && !self.done {
            self.next_fast()?;
        }
        while !self.done && !self.core.batch_full() {
            match self.src.next()? {
                None => self.done = true,
                // Read by the fast path already (plain lines, hence no errors).
                Some(Ok(line)) if line < self.resume_line => {}
                Some(Err(e)) if e.line < self.resume_line => {}
                Some(Err(e)) => self.core.reject(e)?,
                Some(Ok(line)) => {
                    let rec = &self.src.rec;
                    let fields: [&[u8]; 6] = std::array::from_fn(|i| rec.get(i).unwrap_or(b""));
                    let start = self.src.start;
                    let offset = |i: usize| field_offset(rec, start, i);
                    match resolve(
                        &mut self.core,
                        &mut self.cache,
                        self.revision,
                        line,
                        &fields,
                        offset,
                    ) {
                        Ok(r) => self.core.accept(&r, line)?,
                        Err(mut e) => {
                            if self.core.opts.on_error == crate::OnError::Quarantine {
                                e.raw = Some(self.src.raw_text());
                            }
                            self.core.reject(e)?
                        }
                    }
                }
            }
        }
        self.core.flush()
    }

    fn take_rejected(&mut self) -> Vec<RowError> {
        self.core.take_rejected()
    }

    fn progress(&self) -> (u64, Option<u64>) {
        match &self.fast {
            Some(f) => (f.consumed, self.src.total),
            None => (self.src.consumed().max(self.fast_consumed), self.src.total),
        }
    }

    fn describe(&self) -> String {
        format!("BACI CSV {} ({})", self.src.file, self.revision)
    }

    /// Repeated keys are bad rows of the validation core.
    fn keys_unique(&self) -> bool {
        true
    }

    fn source_digest(&self) -> Option<std::sync::Arc<crate::SourceDigest>> {
        self.digest.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OnError;

    #[test]
    fn the_fast_path_hashes_the_whole_file_as_it_reads_it() {
        use sha2::Digest;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("BACI_HS17_Y2020_digest.csv");
        // Valid rows (every HS17 code to six partners), more than one read block.
        let codes =
            entrepot_core::ProductCatalog::builtin().six_digit_codes(HsRevision::Hs2017, "");
        let mut text = String::from("t,i,j,k,v,q\n");
        for j in [24, 31, 32, 36, 40, 56] {
            for k in &codes {
                text.push_str(&format!("2020,4,{j},{k},1234.567890123,98765.4321\n"));
            }
        }
        assert!(text.len() > FAST_BLOCK, "{} bytes", text.len());
        std::fs::write(&path, &text).expect("write");
        let options = ReadOptions {
            on_error: OnError::Quarantine,
            ..ReadOptions::default()
        };
        let mut r = BaciReader::open(&path, None, None, options).expect("open");
        let digest = r.source_digest().expect("the fast path hashes");
        assert_eq!(digest.path(), path.as_path());
        assert!(digest.get().is_none(), "nothing before the end of the file");
        while r.next_batch().expect("batch").is_some() {}
        let (sha, bytes) = digest.get().expect("the digest at the end of the file");
        let expected: String = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, expected);
        assert_eq!(bytes, text.len() as u64);
    }

    #[test]
    fn fast_amount_leaves_long_numbers_to_the_parser() {
        // Found by fuzzing: 23 digits overflowed the mantissa (a panic in debug builds).
        assert_eq!(fast_amount(b"99999999999999999999999"), None);
        assert_eq!(fast_amount(b"999999999999999"), Some(999_999_999_999_999.0));
        assert_eq!(fast_amount(b"9999999999999999"), None);
        assert_eq!(fast_amount(b"12.375"), Some(12.375));
    }

    #[test]
    fn revision_from_name() {
        assert_eq!(
            infer_revision("BACI_HS17_Y2020_V202301.csv"),
            Some(HsRevision::Hs2017)
        );
        assert_eq!(
            infer_revision("baci_hs92_y1995.csv"),
            Some(HsRevision::Hs1992)
        );
        assert_eq!(infer_revision("x_HS2022.csv"), Some(HsRevision::Hs2022));
        assert_eq!(infer_revision("trade.csv"), None);
    }

    /// Everything a reader returns: batches, rejected rows after each call, and the
    /// error that stopped it.
    fn drain(mut r: BaciReader) -> (Vec<RecordBatch>, Vec<RowError>, Option<String>) {
        let (mut batches, mut rejected) = (Vec::new(), Vec::new());
        loop {
            match r.next_batch() {
                Ok(Some(b)) => {
                    batches.push(b);
                    rejected.extend(r.take_rejected());
                }
                Ok(None) => {
                    rejected.extend(r.take_rejected());
                    return (batches, rejected, None);
                }
                Err(e) => return (batches, rejected, Some(e.to_string())),
            }
        }
    }

    type Drained = Result<(Vec<RecordBatch>, Vec<RowError>, Option<String>), String>;

    /// The source lines of each batch, the bad rows and the error, for messages.
    fn summary(d: &Drained) -> String {
        match d {
            Err(e) => format!("open error {e}"),
            Ok((batches, rejected, err)) => {
                let lines: Vec<Vec<i64>> = batches
                    .iter()
                    .map(|b| {
                        b.column_by_name("source_line")
                            .and_then(|c| c.as_any().downcast_ref::<arrow::array::Int64Array>())
                            .map(|a| a.values().to_vec())
                            .unwrap_or_default()
                    })
                    .collect();
                let bad: Vec<String> = rejected
                    .iter()
                    .map(|r| format!("{}:{:?}:{:?}:{}", r.line, r.column, r.value, r.message))
                    .collect();
                format!("lines {lines:?}\nbad {bad:#?}\nerror {err:?}")
            }
        }
    }

    /// The fast path (inline or on its thread) gives exactly what the CSV parser
    /// gives: rows, batches, bad rows with their lines, columns, messages and raw
    /// text, and the stopping error, whatever the line endings, quoting or damage.
    #[test]
    fn fast_path_matches_csv_parser() {
        let h = "t,i,j,k,v,q\n";
        let good = "2020,4,24,300431,0.198,0.001\n2020,4,24,854140,12.5,\n2020,4,842,870380,3,NA\n2020,710,156,010121,1000000.125,2.5\n";
        let cases: Vec<Vec<u8>> = vec![
            format!("{h}{good}").into(),
            h.as_bytes().to_vec(),
            format!("\u{feff}{h}{good}").into(),
            format!("{h}{good}2020,4,\"24\",300432,1,1\n2020,4,24,300433,1,1\n").into(),
            format!("{h}{good}").replace('\n', "\r\n").into(),
            format!("{h}2020,4,24,300431,1,1\r\n{good}").into(),
            format!("{h}{good}\n\n2020,4,24,300432,1,1\n\n").into(),
            format!("{h}{good}2020,4,24,300432,1,1").into(),
            format!("{h}{good}2020,4,24,30").into(),
            format!("{h}{good}2020,4,24\n2020,4,24,300432,1,1,9\n2020,4,24,300433,1,1\n").into(),
            format!(
                "{h}{good} 2020 , 4 ,24, 300432 , 7 , 8 \n2020,4,24,300433,.5,5.\n\
                 2020,4,24,300434,1e3,+1\n2020,4,24,300435,00012.50,123456789012345678\n\
                 2020,4,24,300436,0.1234567890123456789,1\n2020,4,24,300437,-1,1\n\
                 2020,4,24,300438,NaN,1\n2020,4,24,300439,inf,1\n2020,4,XXX,300431,1,1\n\
                 2020,4,24,999998,1,1\n1800,4,24,300431,1,1\nabcd,4,24,300431,1,1\n\
                 2020,4,24,300431,5,5\n2020,4,24,85414,1,1\n"
            )
            .into(),
            [
                format!("{h}{good}2020,4,24,30").as_bytes(),
                b"\xff0432,1,1\n2020,4,24,300433,\xfe1,1\n2020,4,24,300434,1,1\n",
            ]
            .concat(),
            [
                format!("{h}{good}\n\r\n\n2020,4,24,300432,").as_bytes(),
                b"\xce\xff1,1\r\n\r\n2020,4,24,300433,1,\xfe1\n2020,4,24,300434,1,1\n",
            ]
            .concat(),
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, content) in cases.iter().enumerate() {
            let path = dir.path().join(format!("BACI_HS17_case{n}.csv"));
            std::fs::write(&path, content).expect("write");
            for on_error in [OnError::Fail, OnError::Quarantine] {
                for batch_size in [2, 65_536] {
                    let options = ReadOptions {
                        on_error,
                        batch_size,
                        ..ReadOptions::default()
                    };
                    let name = path.display().to_string();
                    let file = std::fs::File::open(&path).expect("open");
                    let slow = BaciReader::from_reader(
                        &name,
                        file,
                        HsRevision::Hs2017,
                        None,
                        options.clone(),
                    );
                    let slow = slow.map(drain).map_err(|e| e.to_string());
                    for threaded in [false, true] {
                        let fast =
                            BaciReader::open(&path, None, None, options.clone()).map(|mut r| {
                                if let Some(f) = r.fast.as_mut() {
                                    f.threaded = threaded;
                                }
                                drain(r)
                            });
                        let fast = fast.map_err(|e| e.to_string());
                        let what = format!(
                            "case {n}, {on_error:?}, batch {batch_size}, threaded {threaded}"
                        );
                        assert_eq!(summary(&fast), summary(&slow), "{what}");
                        assert_eq!(fast, slow, "{what}");
                    }
                }
            }
        }
    }
}
