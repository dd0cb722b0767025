//! Keys repeated across the sources of one ingest.
//!
//! A key is (reporter, partner, flow, period, hs_revision, product); two rows with
//! the same key in one ingest are a duplicate, and the later one is rejected. Readers
//! that say so ([`entrepot_io::FlowReader::keys_unique`]) reject their own repeated
//! keys; [`KeyCheck`] catches the rest: keys of one source repeated in a later one,
//! and repeated keys of readers that do not check.
//!
//! Keys of different periods never collide, and an ingest of several files is
//! usually one period per file (a BACI year, a Comtrade month), so the check goes by
//! period and does only the work that can find something:
//!
//! * a row is looked up only if its period occurred in an earlier source (or its
//!   reader does not check its own keys);
//! * keys are recorded only while a later source may repeat them (not for the last
//!   source), as compact lists of 128-bit hashes, and turned into a hash set only for
//!   a period that a later source does repeat.
//!
//! Keys are hashed to 128 bits (two independent 64-bit hashes): a collision, which
//! would only reject a row loudly as a duplicate, is not a practical concern.

use crate::error::StoreError;
use crate::writer::string_col;
use arrow::array::{Array, BooleanArray, Int64Array, RecordBatch};
use arrow::compute::filter_record_batch;
use entrepot_io::schema::col;
use entrepot_io::RowError;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes recorded per chunk of a [`PeriodKeys::List`] (chunks avoid the doubling
/// of one large vector).
const CHUNK: usize = 1 << 16;

/// The keys of one period.
enum PeriodKeys {
    /// Recorded, not yet looked up.
    List(Vec<Vec<u128>>),
    /// Looked up.
    Set(HashSet<u128, BuildHasherDefault<U128Hasher>>),
}

impl Default for PeriodKeys {
    fn default() -> Self {
        PeriodKeys::List(Vec::new())
    }
}

impl PeriodKeys {
    /// The keys as a set (converting a list once).
    fn set(&mut self) -> &mut HashSet<u128, BuildHasherDefault<U128Hasher>> {
        if let PeriodKeys::List(chunks) = self {
            let n = chunks.iter().map(Vec::len).sum();
            let mut set = HashSet::with_capacity_and_hasher(n, Default::default());
            for c in chunks.drain(..) {
                set.extend(c);
            }
            *self = PeriodKeys::Set(set);
        }
        match self {
            PeriodKeys::Set(s) => s,
            PeriodKeys::List(_) => unreachable!("converted above"),
        }
    }

    /// Records a key (known not to be a duplicate).
    fn push(&mut self, k: u128) {
        match self {
            PeriodKeys::Set(s) => {
                s.insert(k);
            }
            PeriodKeys::List(chunks) => match chunks.last_mut() {
                Some(c) if c.len() < CHUNK => c.push(k),
                _ => {
                    let mut c = Vec::with_capacity(CHUNK);
                    c.push(k);
                    chunks.push(c);
                }
            },
        }
    }

    /// Adds the keys of `other`.
    fn absorb(&mut self, other: PeriodKeys) {
        match other {
            PeriodKeys::List(chunks) => chunks.into_iter().flatten().for_each(|k| self.push(k)),
            PeriodKeys::Set(s) => s.into_iter().for_each(|k| self.push(k)),
        }
    }
}

/// The duplicate-key check of one ingest (see the module doc).
pub(crate) struct KeyCheck {
    /// Number of sources.
    sources: usize,
    /// The source being read.
    source: usize,
    /// Keys of the sources read before the current one, by period.
    earlier: HashMap<String, PeriodKeys>,
    /// Keys of the current source, by period.
    current: HashMap<String, PeriodKeys>,
}

impl KeyCheck {
    /// A check for an ingest of `sources` sources.
    pub(crate) fn new(sources: usize) -> KeyCheck {
        KeyCheck {
            sources,
            source: 0,
            earlier: HashMap::new(),
            current: HashMap::new(),
        }
    }

    /// Moves on to source `index` (sources are read in order).
    fn enter(&mut self, index: usize) {
        if index == self.source {
            return;
        }
        for (period, keys) in self.current.drain() {
            match self.earlier.get_mut(&period) {
                Some(e) => e.absorb(keys),
                None => {
                    self.earlier.insert(period, keys);
                }
            }
        }
        self.source = index;
    }

    /// Removes from `batch` (of source `index`, whose reader checks its own keys
    /// unless `check_own`) the rows whose key was already seen, returning them as
    /// rejected rows.
    pub(crate) fn filter(
        &mut self,
        batch: &RecordBatch,
        desc: &str,
        index: usize,
        check_own: bool,
    ) -> Result<(RecordBatch, Vec<RowError>), StoreError> {
        self.enter(index);
        let period = string_col(batch, col::PERIOD)?;
        let record = check_own || index + 1 < self.sources;
        // Runs of one period (usually the whole batch).
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let n = batch.num_rows();
        let mut i = 0;
        while i < n {
            let p = period.value(i);
            let mut j = i + 1;
            while j < n && period.value(j) == p {
                j += 1;
            }
            runs.push((i, j));
            i = j;
        }
        let needed = record
            || runs
                .iter()
                .any(|&(a, _)| self.earlier.contains_key(period.value(a)));
        if !needed {
            return Ok((batch.clone(), Vec::new()));
        }
        let reporter = string_col(batch, col::REPORTER)?;
        let partner = string_col(batch, col::PARTNER)?;
        let flow = string_col(batch, col::FLOW)?;
        let rev = string_col(batch, col::HS_REVISION)?;
        let product = string_col(batch, col::PRODUCT)?;
        let mut keep = vec![true; n];
        let mut dups = Vec::new();
        for (a, b) in runs {
            let p = period.value(a);
            let mut earlier = self.earlier.get_mut(p).map(PeriodKeys::set);
            if earlier.is_none() && !record {
                continue;
            }
            let mut current: Option<&mut PeriodKeys> = if record {
                if !self.current.contains_key(p) {
                    self.current.insert(p.to_string(), PeriodKeys::default());
                }
                self.current.get_mut(p)
            } else {
                None
            };
            if check_own {
                if let Some(c) = current.as_deref_mut() {
                    c.set();
                }
            }
            for (r, kept) in keep.iter_mut().enumerate().take(b).skip(a) {
                let fields = [
                    reporter.value(r),
                    partner.value(r),
                    flow.value(r),
                    p,
                    if rev.is_null(r) {
                        "\u{0}"
                    } else {
                        rev.value(r)
                    },
                    product.value(r),
                ];
                let k = key_hash(&fields);
                let seen_before = earlier.as_mut().is_some_and(|s| s.contains(&k));
                let seen_here = match current.as_deref_mut() {
                    Some(PeriodKeys::Set(s)) => !s.insert(k),
                    Some(c) => {
                        if !seen_before {
                            c.push(k);
                        }
                        false
                    }
                    None => false,
                };
                if seen_before || seen_here {
                    *kept = false;
                    dups.push(duplicate(batch, r, &fields, desc)?);
                }
            }
        }
        if dups.is_empty() {
            return Ok((batch.clone(), dups));
        }
        let mask = BooleanArray::from(keep);
        Ok((filter_record_batch(batch, &mask)?, dups))
    }
}

/// The rejected row of a duplicate key.
fn duplicate(
    batch: &RecordBatch,
    r: usize,
    fields: &[&str; 6],
    desc: &str,
) -> Result<RowError, StoreError> {
    let file = string_col(batch, col::SOURCE_FILE)?;
    let line = batch
        .column_by_name(col::SOURCE_LINE)
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>());
    let value: Vec<String> = fields.iter().map(|f| f.replace('\u{0}', "")).collect();
    let file_name = if file.is_null(r) {
        desc.to_string()
    } else {
        file.value(r).to_string()
    };
    let line_no = line
        .filter(|l| !l.is_null(r))
        .map_or(0, |l| l.value(r).max(0) as u64);
    Ok(RowError::new(
        file_name,
        line_no,
        None,
        Some(&value.join(",")),
        "duplicate key (reporter, partner, flow, period, hs_revision, product): \
         the same key was already read earlier in this ingest",
    ))
}

/// A 128-bit hash of the key fields: two folded-multiply hashes with different
/// seeds and multipliers over the length-prefixed fields (no SipHash: the keys come
/// from files, not from an adversary, and a collision would only reject a row
/// loudly as a duplicate).
fn key_hash(fields: &[&str; 6]) -> u128 {
    #[inline]
    fn mix(s: u64, x: u64, k: u64) -> u64 {
        let m = u128::from(s ^ x).wrapping_mul(u128::from(k));
        (m as u64) ^ ((m >> 64) as u64)
    }
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xD6E8_FEB8_6659_FD93;
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3u64, 0x1319_8A2E_0370_7344u64);
    for f in fields {
        let bytes = f.as_bytes();
        a = mix(a, bytes.len() as u64, K1);
        b = mix(b, bytes.len() as u64, K2);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            let x = u64::from_le_bytes(w);
            a = mix(a, x, K1);
            b = mix(b, x.rotate_left(29), K2);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            let x = u64::from_le_bytes(w);
            a = mix(a, x, K1);
            b = mix(b, x.rotate_left(29), K2);
        }
    }
    (u128::from(mix(a, 0, K1)) << 64) | u128::from(mix(b, 0, K2))
}

/// The hasher of the key sets: their keys are already hashes.
#[derive(Default)]
struct U128Hasher(u64);

impl Hasher for U128Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, i: u128) {
        self.0 = (i as u64) ^ ((i >> 64) as u64);
    }
}
