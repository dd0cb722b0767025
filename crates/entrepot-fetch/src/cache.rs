//! The disk cache: one folder per request, keyed by the SHA-256 of what identifies
//! the request (provider, URL without any key, format asked for), holding the body
//! as received and `meta.json` (URL, retrieval time, ETag, SHA-256, size).
//!
//! A body enters the cache only after it passed every check of its connector, and
//! atomically (written to a temporary file, synced, renamed; `meta.json` last), so the
//! cache never holds a partial or malformed answer, and a fetch interrupted at any
//! point finds, when run again, exactly the requests that were complete. An entry is
//! fresh for the connector's expiry (`max_age`); `--refresh` ignores fresh entries.
//! Partial downloads (`NAME.part`, with the ETag beside them) live in the entry's
//! folder until they are complete.

use crate::error::{FetchError, FetchResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where and when a cached body came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMeta {
    /// The URL requested (no key: keys travel in headers).
    pub url: String,
    /// When the body was retrieved (or last confirmed unchanged by the server), RFC
    /// 3339 UTC.
    pub retrieved_at: String,
    /// The same instant in seconds since the epoch.
    pub retrieved_unix: i64,
    /// The `ETag` the server gave.
    pub etag: Option<String>,
    /// SHA-256 of the body, lower-case hex.
    pub sha256: String,
    /// Size of the body in bytes.
    pub size: u64,
}

/// A complete cached body.
#[derive(Debug, Clone)]
pub struct CacheEntry {
    /// The key.
    pub key: String,
    /// The body file.
    pub body: PathBuf,
    /// Its provenance.
    pub meta: CacheMeta,
}

impl CacheEntry {
    /// Whether the entry was retrieved less than `max_age_s` seconds ago.
    pub fn is_fresh(&self, max_age_s: u64) -> bool {
        let age = unix_now() - self.meta.retrieved_unix;
        age >= 0 && (age as u64) < max_age_s
    }
}

/// The disk cache of fetched responses.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

const META: &str = "meta.json";
const AT_CAP: &str = "at-cap";

impl Cache {
    /// The cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a request: SHA-256 (hex) of its identifying parts.
    pub fn key(parts: &[&str]) -> String {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p.as_bytes());
            h.update([0u8]);
        }
        hex(&h.finalize())
    }

    /// The folder of an entry.
    pub fn entry_dir(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// The complete entry of `key`, if there is one whose body has the size recorded.
    pub fn lookup(&self, key: &str) -> Option<CacheEntry> {
        let dir = self.entry_dir(key);
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(dir.join(META)).ok()?).ok()?;
        let name = body_name(&meta.url);
        let body = dir.join(name);
        let len = std::fs::metadata(&body).ok()?.len();
        (len == meta.size).then_some(CacheEntry {
            key: key.to_string(),
            body,
            meta,
        })
    }

    /// Stores a body that passed its checks, atomically, and returns its entry.
    pub fn store(
        &self,
        key: &str,
        url: &str,
        etag: Option<String>,
        body: &[u8],
    ) -> FetchResult<CacheEntry> {
        let dir = self.entry_dir(key);
        std::fs::create_dir_all(&dir).map_err(|e| FetchError::io(&dir, e))?;
        let target = dir.join(body_name(url));
        let tmp = dir.join(".body.tmp");
        {
            let mut f = std::fs::File::create(&tmp).map_err(|e| FetchError::io(&tmp, e))?;
            f.write_all(body).map_err(|e| FetchError::io(&tmp, e))?;
            f.sync_all().map_err(|e| FetchError::io(&tmp, e))?;
        }
        // meta.json is removed first and written last: an entry is complete only when
        // both are there and agree.
        let _ = std::fs::remove_file(dir.join(META));
        std::fs::rename(&tmp, &target).map_err(|e| FetchError::io(&target, e))?;
        let meta = CacheMeta {
            url: url.to_string(),
            retrieved_at: format_rfc3339(unix_now()),
            retrieved_unix: unix_now(),
            etag,
            sha256: sha256_hex(body),
            size: body.len() as u64,
        };
        self.write_meta(key, &meta)?;
        Ok(CacheEntry {
            key: key.to_string(),
            body: target,
            meta,
        })
    }

    /// Moves a completed download (`part`, in the entry's folder) into the entry, with
    /// its checksum computed here.
    pub fn adopt(
        &self,
        key: &str,
        url: &str,
        etag: Option<String>,
        part: &Path,
    ) -> FetchResult<CacheEntry> {
        let dir = self.entry_dir(key);
        let target = dir.join(body_name(url));
        let (sha256, size) = sha256_file(part)?;
        let _ = std::fs::remove_file(dir.join(META));
        std::fs::rename(part, &target).map_err(|e| FetchError::io(&target, e))?;
        crate::http::remove_part(part);
        let meta = CacheMeta {
            url: url.to_string(),
            retrieved_at: format_rfc3339(unix_now()),
            retrieved_unix: unix_now(),
            etag,
            sha256,
            size,
        };
        self.write_meta(key, &meta)?;
        Ok(CacheEntry {
            key: key.to_string(),
            body: target,
            meta,
        })
    }

    /// Marks an entry as confirmed now (the server answered `304 Not Modified`).
    pub fn touch(&self, entry: &CacheEntry) -> FetchResult<CacheEntry> {
        let mut meta = entry.meta.clone();
        meta.retrieved_unix = unix_now();
        meta.retrieved_at = format_rfc3339(meta.retrieved_unix);
        self.write_meta(&entry.key, &meta)?;
        Ok(CacheEntry {
            meta,
            ..entry.clone()
        })
    }

    /// The path of the partial download of an entry (its folder created).
    pub fn part_path(&self, key: &str, url: &str) -> FetchResult<PathBuf> {
        let dir = self.entry_dir(key);
        std::fs::create_dir_all(&dir).map_err(|e| FetchError::io(&dir, e))?;
        Ok(dir.join(format!("{}.part", body_name(url))))
    }

    /// Records that the request of `key` was answered with `rows` records, the
    /// endpoint's cap, so that a resumed fetch splits it without asking again.
    pub fn mark_at_cap(&self, key: &str, rows: u64) -> FetchResult<()> {
        let dir = self.entry_dir(key);
        std::fs::create_dir_all(&dir).map_err(|e| FetchError::io(&dir, e))?;
        let p = dir.join(AT_CAP);
        std::fs::write(&p, format!("{rows} {}\n", unix_now())).map_err(|e| FetchError::io(&p, e))
    }

    /// The rows of a fresh at-cap marker of `key`.
    pub fn at_cap(&self, key: &str, max_age_s: u64) -> Option<u64> {
        let text = std::fs::read_to_string(self.entry_dir(key).join(AT_CAP)).ok()?;
        let mut it = text.split_whitespace();
        let rows = it.next()?.parse().ok()?;
        let at: i64 = it.next()?.parse().ok()?;
        let age = unix_now() - at;
        (age >= 0 && (age as u64) < max_age_s).then_some(rows)
    }

    fn write_meta(&self, key: &str, meta: &CacheMeta) -> FetchResult<()> {
        let dir = self.entry_dir(key);
        let path = dir.join(META);
        let tmp = dir.join(".meta.tmp");
        let text = serde_json::to_vec_pretty(meta).map_err(|e| FetchError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(|e| FetchError::io(&tmp, e))?;
            f.write_all(&text).map_err(|e| FetchError::io(&tmp, e))?;
            f.sync_all().map_err(|e| FetchError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| FetchError::io(&path, e))
    }
}

/// The file name of a body: the last segment of the URL's path (without the query),
/// made safe, or `response`.
fn body_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if clean.is_empty() || clean.starts_with('.') || clean == META {
        "response".into()
    } else {
        clean
    }
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 (hex) and size of a file, read in chunks.
pub fn sha256_file(path: &Path) -> FetchResult<(String, u64)> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| FetchError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| FetchError::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex(&h.finalize()), n))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds since the Unix epoch now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant,
/// "chrono-Compatible Low-Level Date Algorithms", `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch (Hinnant's `civil_from_days`).
pub fn format_rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(784_111_777), "1994-11-06T08:49:37Z");
        assert_eq!(format_rfc3339(1_709_251_200), "2024-03-01T00:00:00Z");
    }

    #[test]
    fn an_entry_is_complete_only_with_its_meta_and_body() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = Cache::key(&["comtrade", "http://x/a?b=1"]);
        assert!(cache.lookup(&key).is_none());
        let e = cache
            .store(
                &key,
                "http://x/data/get?b=1",
                Some("\"v1\"".into()),
                b"{\"data\":[]}",
            )
            .unwrap();
        assert_eq!(e.body.file_name().unwrap(), "get");
        let back = cache.lookup(&key).unwrap();
        assert_eq!(back.meta, e.meta);
        assert!(back.is_fresh(60));
        // A body that lost bytes is no entry.
        std::fs::write(&e.body, b"{").unwrap();
        assert!(cache.lookup(&key).is_none());
    }
}
