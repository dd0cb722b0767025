//! A fetch session: the client and the cache together. A request is answered from a
//! fresh cache entry when there is one (unless the session refreshes), else asked of
//! the server (`If-None-Match` when a stale entry has an ETag), checked by the
//! connector, and cached only when it passed.

use crate::cache::{Cache, CacheEntry};
use crate::error::FetchResult;
use crate::http::{Client, Notice};

/// The largest JSON or CSV answer read into memory (256 MiB).
pub const MAX_ANSWER_BYTES: u64 = 256 << 20;

/// What the connector's check says of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The body is complete: cache it.
    Complete,
    /// The body holds as many rows as the endpoint's cap (this many): the request
    /// must be split; the body is not cached.
    AtCap(u64),
}

/// What a request gave.
#[derive(Debug, Clone)]
pub enum Got {
    /// A complete body in the cache; `true` when it was already there.
    Entry(CacheEntry, bool),
    /// The answer was at the cap (now, or when this request was last made).
    AtCap(u64),
}

/// The client, the cache and the cache policy of one fetch.
pub struct Session {
    /// The HTTP client.
    pub client: Client,
    /// The disk cache.
    pub cache: Cache,
    /// Ask the server again even when a fresh entry is cached.
    pub refresh: bool,
    /// How long an entry stays fresh, in seconds.
    pub max_age_s: u64,
}

impl Session {
    /// The cache key of a request of `provider` at `url` in `format`.
    pub fn key(provider: &str, url: &str, format: &str) -> String {
        Cache::key(&[provider, url, format])
    }

    /// Whether the request has a fresh cache entry (or a fresh at-cap marker), so that
    /// it would not be asked of the server.
    pub fn is_cached(&self, key: &str) -> bool {
        !self.refresh
            && (self
                .cache
                .lookup(key)
                .is_some_and(|e| e.is_fresh(self.max_age_s))
                || self.cache.at_cap(key, self.max_age_s).is_some())
    }

    /// GETs `url` through the cache: `check` decides whether a body is complete.
    pub fn get_checked(
        &self,
        key: &str,
        url: &str,
        headers: &[(&str, &str)],
        check: &dyn Fn(&[u8]) -> FetchResult<Check>,
        notice: Notice<'_>,
    ) -> FetchResult<Got> {
        let cached = self.cache.lookup(key);
        if !self.refresh {
            if let Some(e) = cached.as_ref().filter(|e| e.is_fresh(self.max_age_s)) {
                return Ok(Got::Entry(e.clone(), true));
            }
            if let Some(n) = self.cache.at_cap(key, self.max_age_s) {
                return Ok(Got::AtCap(n));
            }
        }
        let mut headers = headers.to_vec();
        let etag = cached.as_ref().and_then(|e| e.meta.etag.clone());
        if let Some(tag) = etag.as_deref() {
            headers.push(("If-None-Match", tag));
        }
        let resp = self.client.get(url, &headers, MAX_ANSWER_BYTES, notice)?;
        if resp.status == 304 {
            if let Some(e) = &cached {
                return Ok(Got::Entry(self.cache.touch(e)?, true));
            }
        }
        match check(&resp.body)? {
            Check::Complete => Ok(Got::Entry(
                self.cache.store(key, url, resp.etag, &resp.body)?,
                false,
            )),
            Check::AtCap(n) => {
                self.cache.mark_at_cap(key, n)?;
                Ok(Got::AtCap(n))
            }
        }
    }

    /// Downloads `url` through the cache, resuming a partial download; `expected_sha256`
    /// (hex), when given, must match. Returns the entry and whether it was cached.
    pub fn download(
        &self,
        key: &str,
        url: &str,
        expected_sha256: Option<&str>,
        notice: Notice<'_>,
        progress: &dyn Fn(u64, Option<u64>),
    ) -> FetchResult<(CacheEntry, bool)> {
        if !self.refresh {
            if let Some(e) = self
                .cache
                .lookup(key)
                .filter(|e| e.is_fresh(self.max_age_s))
            {
                return Ok((e, true));
            }
        }
        let part = self.cache.part_path(key, url)?;
        let etag = crate::http::read_part_etag(&part)?;
        let got = self
            .client
            .download(url, &part, etag.as_deref(), notice, progress)?;
        if got.resumed_from > 0 {
            notice(&format!(
                "resumed the download at byte {} of {}",
                got.resumed_from, got.size
            ));
        }
        if let Some(want) = expected_sha256 {
            let (actual, _) = crate::cache::sha256_file(&part)?;
            if !actual.eq_ignore_ascii_case(want.trim()) {
                // A corrupt file is not resumed from: the next run starts again.
                crate::http::remove_part(&part);
                return Err(crate::FetchError::Checksum {
                    what: url.to_string(),
                    expected: want.trim().to_ascii_lowercase(),
                    actual,
                });
            }
        }
        Ok((self.cache.adopt(key, url, got.etag, &part)?, false))
    }
}
