//! The SHA-256 of a source file, computed by its reader from the very bytes it read.
//!
//! The store records each source's checksum with the dataset. A reader that reads its
//! file from the first byte to the last through one handle (the BACI fast path) hashes
//! the blocks as it reads them and publishes the result at the end of the file
//! ([`FlowReader::source_digest`](crate::FlowReader::source_digest)); the store then
//! does not read the file a second time to hash it. A reader that stops early (an
//! error, a switch to another parser) publishes nothing, and the store hashes the
//! file itself.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The checksum of one source file, filled by its reader at the end of the file.
#[derive(Debug)]
pub struct SourceDigest {
    path: PathBuf,
    value: OnceLock<(String, u64)>,
}

impl SourceDigest {
    /// An empty slot for the file at `path`.
    pub fn new(path: &Path) -> Arc<SourceDigest> {
        Arc::new(SourceDigest {
            path: path.to_path_buf(),
            value: OnceLock::new(),
        })
    }

    /// The file the digest is of, as the reader was given it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SHA-256 (lower-case hex) and the number of bytes of the whole file, once
    /// the reader has read it to its end; `None` before, or if it stopped early.
    pub fn get(&self) -> Option<(&str, u64)> {
        self.value.get().map(|(s, n)| (s.as_str(), *n))
    }
}

/// Hashes the bytes of a file as a reader reads them, from its first byte.
#[derive(Debug)]
pub(crate) struct Hashing {
    hasher: Sha256,
    bytes: u64,
    slot: Arc<SourceDigest>,
}

impl Hashing {
    /// Hashing into `slot`.
    pub(crate) fn new(slot: Arc<SourceDigest>) -> Self {
        Hashing {
            hasher: Sha256::new(),
            bytes: 0,
            slot,
        }
    }

    /// The next bytes of the file.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
    }

    /// The end of the file: publishes the digest.
    pub(crate) fn finish(self) {
        let digest = self.hasher.finalize();
        let mut hex = String::with_capacity(64);
        for b in digest.iter() {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        let _ = self.slot.value.set((hex, self.bytes));
    }
}
