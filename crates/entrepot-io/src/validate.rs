//! The validation core shared by all flow readers: code look-ups with caches, number
//! parsing, duplicate detection, the bad-row policy and batch building.
//!
//! Duplicate keys are detected exactly (no hashing collisions): a key (reporter,
//! partner, flow, period, HS revision, product) is packed losslessly into a `u64`
//! (period 12 bits, country ids 12 bits ×2, flow 2, revision 3, product 20) and kept
//! with the line of its first occurrence: 16 bytes per row in a vector while keys
//! arrive in increasing order (sorted files such as BACI), in a hash map otherwise.

use crate::error::{IoError, RowError};
use crate::input::RecordTooLong;
use crate::reader::{OnError, ReadOptions};
use crate::schema::{FlowBatchBuilder, FlowRow};
use arrow::record_batch::RecordBatch;
use entrepot_core::text::display_value;
use entrepot_core::{
    CountryRegistry, Declarant, FlowKind, HsRevision, Period, ProductCatalog, Quantity,
    MAX_FLOW_VALUE_USD,
};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::sync::{Arc, OnceLock};

/// A small, fast, non-cryptographic hasher (FxHash-style with a folded multiply),
/// used for in-memory caches keyed by short byte strings and for packed keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const K: u64 = 0x9E37_79B9_7F4A_7C15;

impl FastHasher {
    #[inline]
    fn mix(&mut self, x: u64) {
        let m = ((self.0 ^ x) as u128).wrapping_mul(K as u128);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.mix(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Index of a country in the built-in registry.
pub(crate) type CountryId = u16;

/// Country ids: registry entries ordered by M49 code (then ISO3), so that files sorted
/// by numeric country code (BACI) give increasing duplicate keys.
struct Ids {
    iso3: Vec<&'static str>,
    index: HashMap<&'static str, CountryId>,
}

fn ids() -> &'static Ids {
    static IDS: OnceLock<Ids> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut all: Vec<&'static entrepot_core::Country> =
            CountryRegistry::builtin().all().iter().collect();
        all.sort_by(|a, b| a.m49.cmp(&b.m49).then_with(|| a.iso3.cmp(&b.iso3)));
        let iso3: Vec<&'static str> = all.iter().map(|c| c.iso3.as_str()).collect();
        let index = iso3
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as CountryId))
            .collect();
        Ids { iso3, index }
    })
}

/// The id of an ISO3 code of the built-in registry.
pub(crate) fn country_id(iso3: &str) -> Option<CountryId> {
    ids().index.get(iso3).copied()
}

/// The ISO3 code of a registry id.
pub(crate) fn iso3_of(id: CountryId) -> &'static str {
    ids().iso3.get(id as usize).copied().unwrap_or("???")
}

/// The code of an id: a registry entry, or one of the extra codes of a read.
fn code_of(extra: &[String], id: CountryId) -> &str {
    let n = ids().iso3.len();
    if (id as usize) < n {
        iso3_of(id)
    } else {
        extra
            .get(id as usize - n)
            .map(String::as_str)
            .unwrap_or("???")
    }
}

/// A normalised HS code of 2, 4 or 6 digits, stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code6 {
    bytes: [u8; 6],
    len: u8,
}

impl Code6 {
    pub(crate) fn new(s: &str) -> Option<Self> {
        if !matches!(s.len(), 2 | 4 | 6) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut bytes = [0u8; 6];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Code6 {
            bytes,
            len: s.len() as u8,
        })
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    /// Unique number: 1 + n for 2 digits, 101 + n for 4 digits, 10101 + n for 6 digits
    /// (always < 2^20).
    fn packed(&self) -> u64 {
        let n: u64 = self.bytes[..self.len as usize]
            .iter()
            .fold(0, |a, b| a * 10 + u64::from(b - b'0'));
        match self.len {
            2 => 1 + n,
            4 => 101 + n,
            _ => 10_101 + n,
        }
    }
}

/// A resolved product: the total or an HS code in a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prod {
    Total,
    Hs(HsRevision, Code6),
}

/// One fully validated row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved {
    pub reporter: CountryId,
    pub partner: CountryId,
    pub flow: FlowKind,
    pub period: Period,
    pub product: Prod,
    pub value_usd: f64,
    pub quantity: Option<Quantity>,
    pub declared_by: Declarant,
}

fn flow_bits(f: FlowKind) -> u64 {
    match f {
        FlowKind::Export => 0,
        FlowKind::Import => 1,
        FlowKind::ReExport => 2,
        FlowKind::ReImport => 3,
    }
}

fn rev_bits(r: HsRevision) -> u64 {
    HsRevision::ALL.iter().position(|x| *x == r).unwrap_or(0) as u64 + 1
}

fn period_bits(p: &Period) -> u64 {
    let y = (p.year() - 1900).clamp(0, 314) as u64;
    y * 13 + p.month_of_year().map(u64::from).unwrap_or(0)
}

impl Resolved {
    /// The exact packed identity of the row (see the module docs).
    pub(crate) fn key(&self) -> u64 {
        let (rev, prod) = match self.product {
            Prod::Total => (0, 0),
            Prod::Hs(r, c) => (rev_bits(r), c.packed()),
        };
        // High to low: period, reporter, partner, flow, revision, product, so that a
        // file sorted by (year, reporter code, partner code, product) has increasing keys.
        prod | rev << 20
            | flow_bits(self.flow) << 23
            | (u64::from(self.partner) & 0xFFF) << 25
            | (u64::from(self.reporter) & 0xFFF) << 37
            | period_bits(&self.period) << 49
    }
}

/// Checks that a parsed year lies in the range periods accept.
pub(crate) fn check_year(y: i64) -> Result<i32, String> {
    if (1900..=2200).contains(&y) {
        Ok(y as i32)
    } else {
        Err(format!("year {y} out of range: expected 1900-2200"))
    }
}

/// Parses a non-negative finite number. The error says what was expected.
pub(crate) fn parse_amount(raw: &[u8]) -> Result<f64, String> {
    let s = std::str::from_utf8(raw)
        .map_err(|_| "expected a number, found invalid UTF-8".to_string())?;
    let t = s.trim();
    if t.is_empty() {
        return Err("missing value: expected a non-negative number".into());
    }
    let v: f64 = t
        .parse()
        .map_err(|_| format!("expected a non-negative number, found '{t}'"))?;
    check_amount(v)
}

/// Checks a number for NaN, infinity and sign.
pub(crate) fn check_amount(v: f64) -> Result<f64, String> {
    if v.is_nan() {
        return Err("NaN is not a valid amount: expected a finite non-negative number".into());
    }
    if v.is_infinite() {
        return Err("infinite amount: expected a finite non-negative number".into());
    }
    if v < 0.0 {
        return Err(format!(
            "negative value {}: expected a non-negative number",
            fmt_amount(v)
        ));
    }
    Ok(v + 0.0)
}

/// A number for messages: plain up to 1e15, in exponent notation beyond (Rust's
/// `Display` of `1e306` is 307 digits long).
pub(crate) fn fmt_amount(v: f64) -> String {
    if v.is_finite() && (v == 0.0 || (1e-6..1e15).contains(&v.abs())) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Checks a value in US dollars after scaling: `raw` (already checked by
/// [`check_amount`]) times `scale` must be finite and at most
/// [`MAX_FLOW_VALUE_USD`]. `hint` says what to check when it is not (the
/// `value_scale` of a mapping, the unit of BACI's `v`).
pub(crate) fn check_value_usd(
    raw: f64,
    scale: f64,
    hint: impl FnOnce() -> String,
) -> Result<f64, String> {
    let v = raw * scale;
    // The common case first, with no message built: this runs once per row of every
    // ingest (a world BACI year is 11 million rows).
    if v.is_finite() && v <= MAX_FLOW_VALUE_USD {
        return Ok(v + 0.0);
    }
    let hint = hint();
    if !v.is_finite() {
        return Err(format!(
            "value overflows: {} × {} is not a finite number: {hint}",
            fmt_amount(raw),
            fmt_amount(scale)
        ));
    }
    let how = if scale == 1.0 {
        format!("{} USD", fmt_amount(v))
    } else {
        format!(
            "{} USD after scaling ({} × {})",
            fmt_amount(v),
            fmt_amount(raw),
            fmt_amount(scale)
        )
    };
    Err(format!(
        "implausible value: {how} is above 1e15 USD (1,000 trillion), the largest value accepted for one flow: {hint}"
    ))
}

/// Checks a quantity after conversion to its unit (`1000u` → items × 1000): finite.
pub(crate) fn check_quantity(raw: f64, factor: f64) -> Result<f64, String> {
    let q = raw * factor;
    if q.is_finite() {
        Ok(q + 0.0)
    } else {
        Err(format!(
            "quantity overflows: {} × {} is not a finite number: check the quantity and its unit",
            fmt_amount(raw),
            fmt_amount(factor)
        ))
    }
}

/// Text of a byte field for error messages.
pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Bytes of a row's raw text kept in a [`RowError`] for the quarantine file.
pub(crate) const MAX_KEPT_RAW_BYTES: usize = 64 << 10;

/// Cuts `s` to at most `max` bytes (at a character boundary), saying how much was
/// cut, so that rejected rows kept in memory stay small whatever the input.
pub(crate) fn cut(mut s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut at = max;
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    let rest = s.len() - at;
    s.truncate(at);
    s.push_str(&format!("…(+{rest} bytes)"));
    s
}

/// Trims ASCII whitespace from both ends of a byte slice.
pub(crate) fn trim_bytes(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

type Cached<T> = Result<T, Arc<str>>;

/// A cache key for a short code: up to 7 bytes and the length, packed in a `u64`.
///
/// Built byte by byte: a variable-length copy into an array would call `memcpy`
/// and stall on reading the array back as a `u64`.
#[inline]
pub(crate) fn small_key(b: &[u8]) -> Option<u64> {
    if b.len() > 7 {
        return None;
    }
    let mut k = (b.len() as u64) << 56;
    for (i, &c) in b.iter().enumerate() {
        k |= u64::from(c) << (8 * i);
    }
    Some(k)
}

/// The keys seen so far, with the line of their first occurrence. Keys that arrive in
/// increasing order (sorted files) go to an append-only sequence of chunks
/// (sequential memory, no hashing, no reallocation copies, 8 bytes per key); the
/// others to a hash map. A key greater than the last key of the sequence is greater
/// than every key seen so far, so it cannot be a duplicate.
#[derive(Default)]
struct DupIndex {
    sorted: Vec<DupChunk>,
    other: FastMap<u64, u64>,
}

/// Up to [`DUP_CHUNK`] increasing keys, each stored as `(key - base_key) << 32 |
/// (line - base_line)` (a chunk ends where an offset would not fit in 32 bits).
struct DupChunk {
    base_key: u64,
    base_line: u64,
    entries: Vec<u64>,
}

/// Entries per chunk of [`DupIndex::sorted`] (512 KiB).
const DUP_CHUNK: usize = 1 << 16;

impl DupChunk {
    fn last_key(&self) -> u64 {
        self.entries
            .last()
            .map_or(self.base_key, |e| self.base_key + (e >> 32))
    }

    /// The line of `key` if the chunk holds it.
    fn find(&self, key: u64) -> Option<u64> {
        let off = key.checked_sub(self.base_key)?;
        if off > u64::from(u32::MAX) {
            return None;
        }
        let i = self
            .entries
            .binary_search_by(|e| (e >> 32).cmp(&off))
            .ok()?;
        Some(self.base_line + (self.entries[i] & 0xFFFF_FFFF))
    }

    /// Appends `key` (greater than the chunk's keys) if it fits.
    fn push(&mut self, key: u64, line: u64) -> bool {
        let (Some(off), Some(dl)) = (
            key.checked_sub(self.base_key),
            line.checked_sub(self.base_line),
        ) else {
            return false;
        };
        if self.entries.len() >= DUP_CHUNK || off > u64::from(u32::MAX) || dl > u64::from(u32::MAX)
        {
            return false;
        }
        self.entries.push(off << 32 | dl);
        true
    }
}

impl DupIndex {
    /// Records `key`; returns the line of its first occurrence if it was seen before.
    fn check_insert(&mut self, key: u64, line: u64) -> Option<u64> {
        let last = self.sorted.last().map(DupChunk::last_key);
        match last {
            Some(last) if key <= last => {
                // The first chunk whose last key is >= key holds it, if any does.
                let ci = self.sorted.partition_point(|c| c.last_key() < key);
                if let Some(first) = self.sorted.get(ci).and_then(|c| c.find(key)) {
                    return Some(first);
                }
                match self.other.entry(key) {
                    std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(line);
                        None
                    }
                }
            }
            _ => {
                if !self.sorted.last_mut().is_some_and(|c| c.push(key, line)) {
                    let mut c = DupChunk {
                        base_key: key,
                        base_line: line,
                        entries: Vec::with_capacity(DUP_CHUNK),
                    };
                    c.entries.push(0);
                    self.sorted.push(c);
                }
                None
            }
        }
    }

    /// Number of keys in the sorted sequence.
    #[cfg(test)]
    fn sorted_len(&self) -> usize {
        self.sorted.iter().map(|c| c.entries.len()).sum()
    }
}

/// The per-read validation state.
pub(crate) struct Core {
    /// The file name used in errors.
    pub file: String,
    /// The value of the `source_file` column.
    pub source_file: Option<String>,
    pub opts: ReadOptions,
    pub builder: FlowBatchBuilder,
    pub rejected: Vec<RowError>,
    seen: DupIndex,
    countries: FastMap<u64, Cached<CountryId>>,
    products: [FastMap<u64, Cached<Code6>>; 7],
    /// Optional country-code table (code → ISO3 or a failure reason), consulted first.
    pub country_table: Option<Arc<CountryTable>>,
    /// Rows accepted so far.
    pub accepted: u64,
    /// Extra country codes accepted as they are (see [`Core::set_extra_codes`]).
    extra: Vec<String>,
    /// `rejected.len()` when the last batch was handed over (0 once they are taken).
    rejected_mark: usize,
}

/// A country-code table such as CEPII BACI's `country_codes_V202401.csv`: numeric code
/// → registry entry.
#[derive(Debug, Clone, Default)]
pub struct CountryTable {
    /// The table's name (for messages).
    pub name: String,
    pub(crate) map: HashMap<String, Result<CountryId, Arc<str>>>,
}

const CACHE_ERRORS_MAX: usize = 10_000;

/// Rejected rows kept before a reader hands them over (with an empty batch if no row
/// was accepted meanwhile).
pub(crate) const MAX_PENDING_REJECTED: usize = 1024;

impl Core {
    pub(crate) fn new(file: String, source_file: Option<String>, opts: ReadOptions) -> Self {
        let cap = opts.batch_size.clamp(1, 1 << 20);
        Core {
            file,
            source_file,
            builder: FlowBatchBuilder::with_capacity(cap),
            opts,
            rejected: Vec::new(),
            seen: DupIndex::default(),
            countries: FastMap::default(),
            products: Default::default(),
            country_table: None,
            accepted: 0,
            extra: Vec::new(),
            rejected_mark: 0,
        }
    }

    /// A core with the same file, options, country table and extra codes, and empty
    /// caches, state and batch: to validate rows on another thread.
    pub(crate) fn resolver(&self) -> Core {
        let mut c = Core::new(
            self.file.clone(),
            self.source_file.clone(),
            ReadOptions {
                batch_size: 1,
                ..self.opts.clone()
            },
        );
        c.opts = self.opts.clone();
        c.country_table = self.country_table.clone();
        c.extra = self.extra.clone();
        c
    }

    /// Accepts these codes (upper-cased) as countries although the registry does not
    /// know them, e.g. UN Comtrade's legacy areas (`BUN` bunkers, `KN1`, `SVU`…) in
    /// old panels. Codes the registry knows are left to the registry. At most 1000.
    pub(crate) fn set_extra_codes(&mut self, codes: &[String]) -> Result<(), IoError> {
        let reg = CountryRegistry::builtin();
        let mut extra = Vec::new();
        for c in codes {
            let u = c.trim().to_ascii_uppercase();
            if u.is_empty() || u.len() > 8 || !u.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(IoError::Format {
                    path: self.file.clone(),
                    message: format!(
                        "invalid extra country code '{}': expected 1-8 letters or digits",
                        display_value(c)
                    ),
                });
            }
            if reg.get(&u).is_none() && !extra.contains(&u) {
                extra.push(u);
            }
        }
        if extra.len() > 1000 {
            return Err(IoError::Format {
                path: self.file.clone(),
                message: "too many extra country codes (at most 1000)".into(),
            });
        }
        self.extra = extra;
        self.countries.clear();
        Ok(())
    }

    /// Applies the bad-row policy to a rejected row.
    pub(crate) fn reject(&mut self, e: Box<RowError>) -> Result<(), IoError> {
        match self.opts.on_error {
            OnError::Fail => Err(IoError::Row(e)),
            OnError::Quarantine => {
                self.rejected.push(*e);
                Ok(())
            }
        }
    }

    /// A row error in this file.
    pub(crate) fn err(
        &self,
        line: u64,
        column: &str,
        value: Option<String>,
        message: impl Into<String>,
    ) -> Box<RowError> {
        Box::new(RowError {
            file: self.file.clone(),
            line,
            column: if column.is_empty() {
                None
            } else {
                Some(column.to_string())
            },
            value: value.map(|v| crate::error::kept_value(&v)),
            message: message.into(),
            raw: None,
        })
    }

    /// Resolves a country code (any code the registry knows, or via the country table).
    pub(crate) fn country(&mut self, raw: &[u8]) -> Result<CountryId, Arc<str>> {
        let raw = trim_bytes(raw);
        let key = small_key(raw);
        if let Some(c) = key.and_then(|k| self.countries.get(&k)) {
            return c.clone();
        }
        let r = self.resolve_country_uncached(raw);
        if let Some(k) = key {
            if r.is_ok() || self.countries.len() < CACHE_ERRORS_MAX {
                self.countries.insert(k, r.clone());
            }
        }
        r
    }

    fn resolve_country_uncached(&self, raw: &[u8]) -> Result<CountryId, Arc<str>> {
        let s = std::str::from_utf8(raw)
            .map_err(|_| Arc::<str>::from("country code is not valid UTF-8"))?;
        if s.is_empty() {
            return Err("missing country code".into());
        }
        if let Some(t) = &self.country_table {
            let key = if s.bytes().all(|b| b.is_ascii_digit()) {
                let k = s.trim_start_matches('0');
                if k.is_empty() {
                    "0"
                } else {
                    k
                }
            } else {
                s
            };
            if let Some(r) = t.map.get(key) {
                return r.clone();
            }
            // Codes the table does not list (tables and data versions drift: the
            // V202201 table lists Italy as 381, V202301 data use 380) go to the registry.
        }
        let reg = CountryRegistry::builtin();
        match reg.resolve_code(s) {
            Ok(c) => country_id(&c.iso3)
                .ok_or_else(|| Arc::from(format!("country '{s}' has no registry index"))),
            Err(e) => match self.extra.iter().position(|x| x.eq_ignore_ascii_case(s)) {
                Some(i) => Ok((ids().iso3.len() + i) as CountryId),
                None => Err(Arc::from(e.to_string())),
            },
        }
    }

    /// Resolves an HS code in a revision against the catalogue.
    pub(crate) fn product(&mut self, rev: HsRevision, raw: &[u8]) -> Result<Code6, Arc<str>> {
        let raw = trim_bytes(raw);
        let slot = HsRevision::ALL.iter().position(|x| *x == rev).unwrap_or(0);
        let key = small_key(raw);
        if let Some(c) = key.and_then(|k| self.products[slot].get(&k)) {
            return c.clone();
        }
        let r = match std::str::from_utf8(raw) {
            Err(_) => Err(Arc::from("product code is not valid UTF-8")),
            Ok(s) => match ProductCatalog::builtin().resolve(rev, s) {
                Ok(code) => Code6::new(code.as_str())
                    .ok_or_else(|| Arc::from(format!("invalid HS code '{s}'"))),
                Err(e) => Err(Arc::from(e.to_string())),
            },
        };
        if let Some(k) = key {
            if r.is_ok() || self.products[slot].len() < CACHE_ERRORS_MAX {
                self.products[slot].insert(k, r.clone());
            }
        }
        r
    }

    /// Checks a validated row for duplicates and appends it to the batch.
    pub(crate) fn accept(&mut self, r: &Resolved, line: u64) -> Result<(), IoError> {
        // Every reader checks its numbers with the column and the raw value; this is
        // the last line of defence, so that no reader can store an impossible number.
        let q_ok = r
            .quantity
            .is_none_or(|q| q.value.is_finite() && q.value >= 0.0);
        if !(r.value_usd.is_finite()
            && r.value_usd >= 0.0
            && r.value_usd <= MAX_FLOW_VALUE_USD
            && q_ok)
        {
            let e = self.err(
                line,
                "",
                Some(fmt_amount(r.value_usd)),
                "invalid value or quantity after conversion: expected a finite non-negative value of at most 1e15 USD and a finite quantity",
            );
            return self.reject(e);
        }
        if let Some(first) = self.seen.check_insert(r.key(), line) {
            {
                let e = self.err(
                    line,
                    "",
                    Some(format!(
                        "{} {} {} {} {}",
                        code_of(&self.extra, r.reporter),
                        code_of(&self.extra, r.partner),
                        r.flow,
                        r.period,
                        match r.product {
                            Prod::Total => "TOTAL".to_string(),
                            Prod::Hs(rev, c) => format!("{rev}:{}", c.as_str()),
                        }
                    )),
                    format!(
                        "duplicate key (reporter, partner, flow, period, product): first seen on line {first}"
                    ),
                );
                return self.reject(e);
            }
        }
        let (rev, product) = match &r.product {
            Prod::Total => (None, "TOTAL"),
            Prod::Hs(rev, c) => (Some(*rev), c.as_str()),
        };
        self.builder.push(&FlowRow {
            reporter: code_of(&self.extra, r.reporter),
            partner: code_of(&self.extra, r.partner),
            flow: r.flow,
            period: r.period,
            hs_revision: rev,
            product,
            value_usd: r.value_usd,
            quantity: r.quantity,
            declared_by: r.declared_by,
            source_file: self.source_file.as_deref(),
            source_line: Some(line),
        });
        self.accepted += 1;
        Ok(())
    }

    /// Rejected rows that arrived since the last batch was handed over (a caller that
    /// does not take them after each batch gets them all later).
    fn pending_rejected(&self) -> usize {
        self.rejected.len().saturating_sub(self.rejected_mark)
    }

    /// The rejected rows, taken (for [`crate::FlowReader::take_rejected`]).
    pub(crate) fn take_rejected(&mut self) -> Vec<RowError> {
        self.rejected_mark = 0;
        std::mem::take(&mut self.rejected)
    }

    /// Whether the current batch is full, or enough rejected rows are waiting to be
    /// handed over (so that a file of bad rows does not pile them up in memory).
    pub(crate) fn batch_full(&self) -> bool {
        self.builder.len() >= self.opts.batch_size.max(1)
            || self.pending_rejected() >= MAX_PENDING_REJECTED
    }

    /// Finishes the current batch if it has rows; an empty batch when it has none
    /// but [`MAX_PENDING_REJECTED`] rejected rows are waiting (the caller takes them
    /// with `take_rejected`); `None` at the end (rejected rows left are taken after).
    pub(crate) fn flush(&mut self) -> Result<Option<RecordBatch>, IoError> {
        let batch = if !self.builder.is_empty() {
            self.builder.finish()?
        } else if self.pending_rejected() >= MAX_PENDING_REJECTED {
            RecordBatch::new_empty(crate::schema::flows_schema())
        } else {
            return Ok(None);
        };
        self.rejected_mark = self.rejected.len();
        Ok(Some(batch))
    }
}

/// A reader wrapper that counts bytes and remembers the last byte read, to report
/// progress and to tell a truncated last record from a complete one.
///
/// It also records where the line terminators are, because the `csv` crate reports a
/// record as starting right after the previous one, before the terminator bytes and
/// empty lines it skips (the `\n` of a `\r\n`, blank lines), which makes its own
/// line numbers too low: [`CountingReader::record_at`] gives the exact 1-based line
/// and byte offset of a record whatever the line endings.
///
/// It enforces the maximum record length too: a read that starts more than `limit`
/// bytes after the start of the current record (set by the caller with
/// [`CountingReader::set_record_start`] after each record) fails with a
/// [`RecordTooLong`] error. The `csv` crate reads only once it has parsed everything
/// read before, so memory stays below the limit plus one buffer.
pub(crate) struct CountingReader<R> {
    inner: R,
    pub count: u64,
    pub last_byte: Option<u8>,
    pub eof: bool,
    /// The maximum record length in bytes.
    limit: u64,
    /// Byte offset of the start of the record being parsed.
    record_start: u64,
    /// Runs of consecutive `\r`/`\n` bytes not yet passed: start, end (exclusive)
    /// and the number of `\n` in the run.
    runs: std::collections::VecDeque<(u64, u64, u64)>,
    lines_before: u64,
}

impl<R: Read> CountingReader<R> {
    /// A reader that fails on records longer than `limit` bytes.
    pub(crate) fn with_limit(inner: R, limit: u64) -> Self {
        CountingReader {
            inner,
            count: 0,
            last_byte: None,
            eof: false,
            limit,
            record_start: 0,
            runs: std::collections::VecDeque::new(),
            lines_before: 0,
        }
    }

    /// The 1-based line and the byte offset of the record that the `csv` crate
    /// reports as starting at byte offset `byte`: past the terminators run that
    /// `byte` falls in, if any. Calls must come with non-decreasing offsets.
    pub(crate) fn record_at(&mut self, byte: u64) -> (u64, u64) {
        let mut start = byte;
        while let Some(&(s, e, newlines)) = self.runs.front() {
            if s > start {
                break;
            }
            if start < e {
                start = e;
            }
            self.lines_before += newlines;
            self.runs.pop_front();
        }
        (self.lines_before + 1, start)
    }

    /// The 1-based line of the record reported as starting at byte offset `byte`
    /// (see [`CountingReader::record_at`]).
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        self.record_at(byte).0
    }
}

impl<R> CountingReader<R> {
    /// Marks `byte` as the start of the next record (the `csv` reader's position
    /// after a record).
    pub(crate) fn set_record_start(&mut self, byte: u64) {
        self.record_start = self.record_start.max(byte);
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.count.saturating_sub(self.record_start) > self.limit {
            let line = self.line_at(self.record_start);
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                RecordTooLong {
                    line,
                    limit: self.limit,
                },
            ));
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if !buf.is_empty() {
                self.eof = true;
            }
        } else {
            let base = self.count;
            for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
                let at = base + i as u64;
                let newline = u64::from(buf[i] == b'\n');
                match self.runs.back_mut() {
                    Some(run) if run.1 == at => {
                        run.1 += 1;
                        run.2 += newline;
                    }
                    _ => self.runs.push_back((at, at + 1, newline)),
                }
            }
            self.count += n as u64;
            self.last_byte = Some(buf[n - 1]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_exact() {
        let r = |rep: &str, code: &str| Resolved {
            reporter: country_id(rep).unwrap(),
            partner: country_id("WLD").unwrap(),
            flow: FlowKind::Export,
            period: "2020".parse().unwrap(),
            product: Prod::Hs(HsRevision::Hs2017, Code6::new(code).unwrap()),
            value_usd: 1.0,
            quantity: None,
            declared_by: Declarant::Reporter,
        };
        assert_ne!(r("CHN", "01").key(), r("CHN", "0001").key());
        assert_ne!(r("CHN", "999999").key(), r("USA", "999999").key());
        assert_eq!(r("CHN", "854140").key(), r("CHN", "854140").key());
        assert!(r("ZWE", "999999").key() < (1u64 << 61));
    }

    #[test]
    fn dup_index_sorted_and_unsorted() {
        let mut d = DupIndex::default();
        for (k, line) in [(10, 2), (20, 3), (30, 4)] {
            assert_eq!(d.check_insert(k, line), None);
        }
        assert_eq!(
            d.check_insert(20, 5),
            Some(3),
            "late duplicate of a sorted key"
        );
        assert_eq!(d.check_insert(15, 6), None);
        assert_eq!(
            d.check_insert(15, 7),
            Some(6),
            "duplicate of an unsorted key"
        );
        assert_eq!(d.check_insert(40, 8), None);
        assert_eq!(d.check_insert(40, 9), Some(8));
        assert_eq!(d.check_insert(5, 10), None);
        assert_eq!((d.sorted_len(), d.other.len()), (4, 2));
    }

    #[test]
    fn dup_index_across_chunks() {
        let mut d = DupIndex::default();
        let n = 3 * DUP_CHUNK as u64 + 17;
        // Increasing keys with gaps, one jump too large for a 32-bit offset.
        let key = |i: u64| {
            if i < n / 2 {
                i * 3
            } else {
                (1u64 << 40) + i * 3
            }
        };
        for i in 0..n {
            assert_eq!(d.check_insert(key(i), i + 2), None);
        }
        assert_eq!(d.sorted_len() as u64, n);
        assert!(d.sorted.len() >= 4);
        for i in [
            0,
            1,
            DUP_CHUNK as u64 - 1,
            DUP_CHUNK as u64,
            n / 2 - 1,
            n / 2,
            n - 1,
        ] {
            assert_eq!(d.check_insert(key(i), 1), Some(i + 2), "key {i}");
        }
        // Keys between the sorted ones are new, then duplicates of themselves.
        assert_eq!(d.check_insert(key(10) + 1, 99), None);
        assert_eq!(d.check_insert(key(10) + 1, 100), Some(99));
        assert_eq!(d.check_insert((1u64 << 39) + 5, 101), None);
        assert_eq!(d.check_insert((1u64 << 39) + 5, 102), Some(101));
        // Lines far apart start a new chunk.
        let big = key(n - 1) + 1;
        assert_eq!(d.check_insert(big, 1u64 << 33), None);
        assert_eq!(d.check_insert(big, 7), Some(1u64 << 33));
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount(b" 12.5 ").unwrap(), 12.5);
        assert!(parse_amount(b"-1").unwrap_err().contains("negative"));
        assert!(parse_amount(b"NaN").unwrap_err().contains("NaN"));
        assert!(parse_amount(b"inf").unwrap_err().contains("infinite"));
        assert!(parse_amount(b"abc")
            .unwrap_err()
            .contains("expected a non-negative number"));
        assert_eq!(trim_bytes(b"  "), b"");
    }
}
