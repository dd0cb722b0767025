//! The common interface of flow readers.

use crate::error::{IoError, RowError};
use crate::fx::CurrencyCode;
use arrow::record_batch::RecordBatch;

/// What to do with a bad row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop at the first bad row with its error.
    #[default]
    Fail,
    /// Set bad rows aside with their reasons and read the rest.
    Quarantine,
}

/// Options common to all readers. Build it with `..ReadOptions::default()` so that
/// options added later keep their defaults.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Bad-row policy.
    pub on_error: OnError,
    /// Rows per output batch.
    pub batch_size: usize,
    /// The maximum length of one record in bytes, header included (default
    /// [`crate::input::MAX_RECORD_BYTES`], 1 MiB): a longer line, or a quoted field
    /// that is never closed, stops the read with an error naming the file and line,
    /// before it can take more memory. For the CSV readers (mapped CSV, BACI, UN
    /// Comtrade CSV) and the width of a Stata row.
    pub max_record_bytes: usize,
    /// The field delimiter of a text file (`,`, `;`, tab, `|`); `None` detects it
    /// from the header line (see [`crate::textfmt::detect_delimiter`]). For the mapped
    /// CSV and UN Comtrade CSV readers (BACI files are always comma-separated).
    pub delimiter: Option<u8>,
    /// The decimal mark of the numbers in text cells, which says which thousands
    /// separators are read (see [`crate::textfmt`]). For the mapped readers.
    pub decimal: crate::textfmt::DecimalMark,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            on_error: OnError::Fail,
            batch_size: 65_536,
            max_record_bytes: crate::input::MAX_RECORD_BYTES,
            delimiter: None,
            decimal: crate::textfmt::DecimalMark::Auto,
        }
    }
}

/// A streaming source of validated canonical flows.
pub trait FlowReader: Send {
    /// The next batch of valid rows in the canonical schema, or `None` at the end.
    /// With [`OnError::Fail`] a bad row returns `Err(IoError::Row(..))`. With
    /// [`OnError::Quarantine`] a batch may be empty: when a thousand rows were
    /// rejected since the last batch, the reader returns so that they can be taken
    /// with [`FlowReader::take_rejected`] (memory stays bounded).
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError>;

    /// Rows rejected since the last call (only with [`OnError::Quarantine`]).
    fn take_rejected(&mut self) -> Vec<RowError>;

    /// Bytes consumed so far and the total size of the input, if known (for progress).
    fn progress(&self) -> (u64, Option<u64>);

    /// A short description of the source (`BACI CSV data/x.csv`).
    fn describe(&self) -> String;

    /// Whether the reader itself guarantees that no two rows it returns share a key
    /// (reporter, partner, flow, period, hs_revision, product), i.e. it rejects
    /// repeated keys as bad rows. The store then checks duplicates only across
    /// sources. The default, `false`, makes the store check every row.
    fn keys_unique(&self) -> bool {
        false
    }

    /// The currency of the values of the rows returned so far: US dollars for every
    /// reader but a mapped file whose values are in another currency and kept in it
    /// (no exchange-rate table given). `None` until the first row of such a file is
    /// read. A reader never returns rows in two currencies: a row in another currency
    /// than the earlier ones is a bad row.
    fn currency(&self) -> Option<CurrencyCode> {
        Some(CurrencyCode::USD)
    }

    /// The SHA-256 of the source file, which the reader computes from the bytes it
    /// reads and publishes when it has read the whole file ([`crate::digest`]); `None`
    /// (the default) when it does not, and the store hashes the file itself.
    fn source_digest(&self) -> Option<std::sync::Arc<crate::SourceDigest>> {
        None
    }
}
