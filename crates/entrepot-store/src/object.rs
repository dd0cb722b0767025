//! Stores on an object store: `s3://BUCKET/PREFIX`.
//!
//! An object-store store has the layout of a local one under its prefix
//! (`manifest.json`, `datasets/<name>/v<N>/…`), and its manifest is the source of
//! truth in the same way: readers fetch it once ([`Store::open_object_read`]) and read
//! exactly the files it lists, at the sizes it records; `entrepot-query` serves the
//! files to DataFusion (and to a Ballista cluster's executors) through the same S3
//! client, which reads its settings from the environment only (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT`,
//! `AWS_ALLOW_HTTP`, …, as `object_store`'s `AmazonS3Builder::from_env` reads them):
//! credentials never appear on a command line.
//!
//! ## Writes: single writer, atomic
//!
//! A write ([`ObjectWrite`]) takes the store's writer lock, an object `.lock` created
//! only if absent (S3's `If-None-Match: *`), so a second writer is refused at once,
//! naming the lock. It then fetches the manifest with its ETag and copies it into a
//! local staging store, where the ordinary local ingest (or removal) runs with all
//! its checks. [`ObjectWrite::publish`] uploads the files of every dataset version
//! the staging manifest added, then replaces `manifest.json` only if its ETag is still
//! the one read (`If-Match`; `If-None-Match: *` for a new store). That one `PUT` is the
//! commit: before it readers see the old manifest, after it the new one, never a
//! mixture. A failure before the commit deletes what was uploaded and leaves the store
//! as it was. After the commit, the versions of a dataset older than the one just
//! superseded are deleted, and so are the files of removed datasets; the version just
//! superseded is kept, because a reader that fetched the old manifest may still be
//! reading it (object stores have no reader locks).
//!
//! A writer killed between taking and releasing the lock leaves `.lock` behind; the
//! next writer's error names it, its holder and when it was taken, and says to delete
//! it once no writer runs.

use crate::manifest::{Manifest, MANIFEST_FILE};
use crate::{DatasetInfo, DatasetKind, PartitionFile, StoreError};
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, UpdateVersion};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The scheme of an S3 store.
pub const S3_SCHEME: &str = "s3://";

/// Name of the writer-lock object under the store's prefix.
pub const OBJECT_LOCK: &str = ".lock";

/// Largest manifest accepted from an object store (as for a local one).
const MAX_MANIFEST_BYTES: u64 = crate::manifest::MAX_MANIFEST_BYTES;

/// Where an object-store store is: a bucket and a prefix inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectLocation {
    bucket: String,
    /// Without leading or trailing `/`; empty for the bucket's root.
    prefix: String,
}

impl ObjectLocation {
    /// Reads `s3://BUCKET[/PREFIX]`. `Ok(None)`: `text` is not a URL (a local path).
    /// Another scheme (`gs://`, `http://`, …) is refused, naming what is supported.
    pub fn parse(text: &str) -> Result<Option<ObjectLocation>, StoreError> {
        let Some((scheme, rest)) = text.split_once("://") else {
            return Ok(None);
        };
        let invalid = |reason: &str| StoreError::ObjectStore {
            url: entrepot_core::text::truncate_value(
                &entrepot_core::text::escape_controls(text),
                200,
            ),
            message: reason.to_string(),
        };
        if !scheme.eq_ignore_ascii_case("s3") {
            if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Ok(None);
            }
            return Err(invalid(
                "only s3:// object stores are supported (or give a local directory)",
            ));
        }
        let rest = rest.trim_end_matches('/');
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(invalid(
                "the bucket name must be 3-63 lower-case letters, digits, '-' or '.'",
            ));
        }
        if text.contains(['?', '#', '@', '\\']) {
            return Err(invalid(
                "no query, fragment, user or credentials in a store URL: S3 settings and \
                 credentials come from the environment (AWS_ACCESS_KEY_ID, …)",
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix
            .split('/')
            .any(|c| (c.is_empty() && !prefix.is_empty()) || c == "." || c == "..")
            || prefix.chars().any(char::is_control)
        {
            return Err(invalid(
                "the prefix must be plain names separated by '/' (no '.', '..' or '//')",
            ));
        }
        Ok(Some(ObjectLocation {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        }))
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// `s3://BUCKET/PREFIX`.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("{S3_SCHEME}{}", self.bucket)
        } else {
            format!("{S3_SCHEME}{}/{}", self.bucket, self.prefix)
        }
    }

    /// `s3://BUCKET`: the object store a query engine registers.
    pub fn bucket_url(&self) -> String {
        format!("{S3_SCHEME}{}", self.bucket)
    }

    /// The store's URL as the path its [`crate::Store`] reports (and joins dataset and
    /// file paths to: `s3://BUCKET/PREFIX/datasets/…`).
    pub fn as_dir(&self) -> PathBuf {
        PathBuf::from(self.url())
    }

    /// The key of `relative` (a path inside the store, `/`-separated).
    pub fn key(&self, relative: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(relative)
        } else {
            ObjectPath::from(format!("{}/{relative}", self.prefix))
        }
    }

    /// The S3 client of this location's bucket, configured from the environment.
    pub fn client(&self) -> Result<Arc<dyn ObjectStore>, StoreError> {
        s3_client(&self.bucket).map_err(|message| StoreError::ObjectStore {
            url: self.url(),
            message,
        })
    }
}

/// An S3 client for `bucket`, configured from the environment (`AWS_*`), with
/// conditional writes by ETag.
pub fn s3_client(bucket: &str) -> Result<Arc<dyn ObjectStore>, String> {
    AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_conditional_put(S3ConditionalPut::ETagMatch)
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| e.to_string())
}

/// If `path` (a store path such as `s3://BUCKET/PREFIX/datasets/…/part-0.parquet`, as
/// a read view of an object-store store joins them) names an object, its bucket URL
/// (`s3://BUCKET`) and key.
pub fn split_object_path(path: &Path) -> Option<(String, ObjectPath)> {
    let text = path.to_str()?;
    let rest = text
        .get(..S3_SCHEME.len())
        .filter(|s| s.eq_ignore_ascii_case(S3_SCHEME))
        .map(|_| &text[S3_SCHEME.len()..])?;
    let (bucket, key) = rest.split_once('/')?;
    Some((format!("{S3_SCHEME}{bucket}"), ObjectPath::from(key)))
}

/// Runs `future` to completion on a runtime of its own, on a thread of its own, so
/// that blocking callers work from inside another runtime too (the server's workers).
pub(crate) fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(future))
        })
        .join()
    })
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    .unwrap_or_else(|e| panic!("cannot start an I/O runtime: {e}"))
}

fn object_error(loc: &ObjectLocation, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::ObjectStore {
        url: loc.url(),
        message: format!("{what}: {e}"),
    }
}

/// The manifest of the store at `loc` and its version (ETag), or `None` when there
/// is none.
pub(crate) async fn fetch_manifest(
    client: &dyn ObjectStore,
    loc: &ObjectLocation,
) -> Result<Option<(Manifest, UpdateVersion)>, StoreError> {
    let key = loc.key(MANIFEST_FILE);
    let got = match client.get(&key).await {
        Ok(g) => g,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(object_error(loc, "reading manifest.json", e)),
    };
    if got.meta.size > MAX_MANIFEST_BYTES {
        return Err(StoreError::Manifest {
            path: PathBuf::from(format!("{}/{MANIFEST_FILE}", loc.url())),
            message: format!(
                "{} bytes, more than the {MAX_MANIFEST_BYTES} bytes a manifest may hold",
                got.meta.size
            ),
        });
    }
    let version = UpdateVersion {
        e_tag: got.meta.e_tag.clone(),
        version: got.meta.version.clone(),
    };
    let bytes = got
        .bytes()
        .await
        .map_err(|e| object_error(loc, "reading manifest.json", e))?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::Manifest {
        path: PathBuf::from(format!("{}/{MANIFEST_FILE}", loc.url())),
        message: "not UTF-8".into(),
    })?;
    let manifest = Manifest::parse(&text, &loc.as_dir().join(MANIFEST_FILE))?;
    Ok(Some((manifest, version)))
}

/// Fetches a stored file, checking its size and SHA-256 against the manifest.
pub(crate) async fn fetch_file(
    client: &dyn ObjectStore,
    loc: &ObjectLocation,
    relative: &str,
    f: &PartitionFile,
) -> Result<bytes::Bytes, StoreError> {
    let path = loc.as_dir().join(relative);
    let bytes = match client.get(&loc.key(relative)).await {
        Ok(g) => g.bytes().await,
        Err(e) => Err(e),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(StoreError::Integrity {
                path,
                message: "missing (the manifest lists it); run `entrepot verify` and \
                          re-ingest the dataset"
                    .into(),
            })
        }
        Err(e) => return Err(object_error(loc, relative, e)),
    };
    if bytes.len() as u64 != f.bytes {
        return Err(StoreError::Integrity {
            path,
            message: format!(
                "{} bytes where the manifest records {}; the file was altered",
                bytes.len(),
                f.bytes
            ),
        });
    }
    let sha = crate::sha256_bytes(&bytes);
    if sha != f.sha256 {
        return Err(StoreError::Integrity {
            path,
            message: format!("SHA-256 {sha} differs from the manifest's {}", f.sha256),
        });
    }
    Ok(bytes)
}

/// A write to an object-store store: the writer lock, the manifest as read, and a
/// local staging store holding a copy of it (see the module docs).
#[derive(Debug)]
pub struct ObjectWrite {
    loc: ObjectLocation,
    client: Arc<dyn ObjectStore>,
    staging: PathBuf,
    base: Manifest,
    version: Option<UpdateVersion>,
    locked: bool,
}

/// What [`ObjectWrite::publish`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    /// Files uploaded.
    pub files: usize,
    /// Bytes uploaded.
    pub bytes: u64,
    /// Objects deleted after the commit (older versions, removed datasets).
    pub deleted: usize,
}

impl ObjectWrite {
    /// Takes the writer lock of the store at `loc`, reads its manifest and prepares
    /// a local staging store holding it (under the system's temporary directory).
    pub fn begin(loc: &ObjectLocation) -> Result<ObjectWrite, StoreError> {
        Self::begin_with(loc, loc.client()?)
    }

    /// [`ObjectWrite::begin`] with a given client (tests use an in-memory store).
    pub fn begin_with(
        loc: &ObjectLocation,
        client: Arc<dyn ObjectStore>,
    ) -> Result<ObjectWrite, StoreError> {
        let lock_text = format!(
            "{{\"pid\":{},\"host\":{:?},\"at\":{:?}}}",
            std::process::id(),
            hostname(),
            crate::time::format_rfc3339(crate::time::unix_now())
        );
        let c = client.clone();
        let l = loc.clone();
        let fetched = block_on(async move {
            let key = l.key(OBJECT_LOCK);
            let opts = PutOptions::from(PutMode::Create);
            match c.put_opts(&key, PutPayload::from(lock_text), opts).await {
                Ok(_) => {}
                Err(object_store::Error::AlreadyExists { .. })
                | Err(object_store::Error::Precondition { .. }) => {
                    let holder = match c.get(&key).await {
                        Ok(g) => g
                            .bytes()
                            .await
                            .map(|b| String::from_utf8_lossy(&b).chars().take(300).collect())
                            .unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    return Err(StoreError::ObjectStore {
                        url: l.url(),
                        message: format!(
                            "locked by another writer ({}); wait for it to finish, or \
                             delete {}/{OBJECT_LOCK} if no writer runs (one killed \
                             mid-write leaves it behind)",
                            if holder.is_empty() {
                                "holder unknown".to_string()
                            } else {
                                entrepot_core::text::escape_controls(&holder).into_owned()
                            },
                            l.url()
                        ),
                    });
                }
                Err(e) => return Err(object_error(&l, "taking the writer lock", e)),
            }
            let fetched = fetch_manifest(c.as_ref(), &l).await;
            let fetched = match fetched {
                // Only the lock just taken under the prefix: a new store.
                Ok(None) if only_lock(c.as_ref(), &l).await => Ok(None),
                Ok(None) => Err(StoreError::NotAStore {
                    dir: l.as_dir(),
                    message: format!(
                        "objects are stored under it but no {MANIFEST_FILE} (it is not \
                         an Entrepôt store, or its manifest was lost)"
                    ),
                }),
                other => other,
            };
            if fetched.is_err() {
                let _ = c.delete(&key).await;
            }
            fetched
        })?;
        let (base, version) = match fetched {
            Some((m, v)) => (m, Some(v)),
            None => (Manifest::default(), None),
        };
        let mut write = ObjectWrite {
            loc: loc.clone(),
            client,
            staging: PathBuf::new(),
            base,
            version,
            locked: true,
        };
        write.staging = staging_dir()?;
        if write.version.is_some() {
            write.base.save(&write.staging)?;
        }
        Ok(write)
    }

    /// The local staging store: run the write (ingest, removal) on it, then
    /// [`ObjectWrite::publish`].
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The store's location.
    pub fn location(&self) -> &ObjectLocation {
        &self.loc
    }

    /// Uploads the dataset versions the staging store added and commits its manifest
    /// (see the module docs); then deletes what no manifest needs any more. Nothing
    /// changed in the staging store: nothing is uploaded and the manifest is kept.
    pub fn publish(mut self) -> Result<Published, StoreError> {
        let after = Manifest::load_existing(&self.staging)?.unwrap_or_default();
        let added: Vec<&DatasetInfo> = after
            .datasets
            .values()
            .filter(|d| self.base.datasets.get(&d.name).map(|b| &b.path) != Some(&d.path))
            .collect();
        let removed: Vec<&DatasetInfo> = self
            .base
            .datasets
            .values()
            .filter(|b| !after.datasets.contains_key(&b.name))
            .collect();
        if added.is_empty() && removed.is_empty() {
            return Ok(Published::default());
        }
        let manifest_text = after.to_json()?;
        let client = self.client.clone();
        let loc = self.loc.clone();
        let staging = self.staging.clone();
        let version = self.version.clone();
        let superseded: Vec<(String, String)> = added
            .iter()
            .filter_map(|d| {
                self.base
                    .datasets
                    .get(&d.name)
                    .map(|b| (d.name.clone(), b.path.clone()))
            })
            .collect();
        let removed_names: Vec<String> = removed.iter().map(|d| d.name.clone()).collect();
        let uploads: Vec<(String, u64)> = added
            .iter()
            .flat_map(|d| {
                d.partitions
                    .iter()
                    .map(move |p| (format!("{}/{}", d.path, p.path), p.bytes))
            })
            .collect();
        let kept: Vec<String> = after.datasets.values().map(|d| d.path.clone()).collect();
        let result = block_on(async move {
            let mut published = Published::default();
            let mut uploaded = Vec::new();
            let outcome: Result<(), StoreError> = async {
                for (relative, bytes) in &uploads {
                    upload(client.as_ref(), &loc, &staging, relative).await?;
                    uploaded.push(loc.key(relative));
                    published.files += 1;
                    published.bytes += bytes;
                }
                let mode = match version {
                    Some(v) => PutMode::Update(v),
                    None => PutMode::Create,
                };
                match client
                    .put_opts(
                        &loc.key(MANIFEST_FILE),
                        PutPayload::from(manifest_text.into_bytes()),
                        PutOptions::from(mode),
                    )
                    .await
                {
                    Ok(_) => Ok(()),
                    Err(object_store::Error::Precondition { .. })
                    | Err(object_store::Error::AlreadyExists { .. }) => {
                        Err(StoreError::ObjectStore {
                            url: loc.url(),
                            message: "the manifest changed while this write ran (another writer \
                                  without the lock?); nothing was published, run the write again"
                                .into(),
                        })
                    }
                    Err(e) => Err(object_error(&loc, "writing manifest.json", e)),
                }
            }
            .await;
            if let Err(e) = outcome {
                for key in &uploaded {
                    let _ = client.delete(key).await;
                }
                return Err(e);
            }
            // Committed. What no manifest needs any more: versions of a replaced
            // dataset older than the one just superseded, and removed datasets.
            for (name, previous) in &superseded {
                published.deleted +=
                    delete_versions(client.as_ref(), &loc, name, &[previous.as_str()], &kept).await;
            }
            for name in &removed_names {
                published.deleted += delete_versions(client.as_ref(), &loc, name, &[], &kept).await;
            }
            Ok(published)
        });
        self.release();
        result
    }

    /// Releases the writer lock (once).
    fn release(&mut self) {
        if std::mem::take(&mut self.locked) {
            let c = self.client.clone();
            let key = self.loc.key(OBJECT_LOCK);
            block_on(async move {
                let _ = c.delete(&key).await;
            });
        }
    }
}

impl Drop for ObjectWrite {
    fn drop(&mut self) {
        self.release();
        if !self.staging.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Whether the only object under the store's prefix is the writer lock.
async fn only_lock(client: &dyn ObjectStore, loc: &ObjectLocation) -> bool {
    use futures::StreamExt;
    let prefix = (!loc.prefix.is_empty()).then(|| ObjectPath::from(loc.prefix.as_str()));
    let lock = loc.key(OBJECT_LOCK);
    let mut listing = client.list(prefix.as_ref());
    while let Some(item) = listing.next().await {
        match item {
            Ok(meta) if meta.location == lock => {}
            _ => return false,
        }
    }
    true
}

/// Uploads `staging/relative` to the store (multipart when large).
async fn upload(
    client: &dyn ObjectStore,
    loc: &ObjectLocation,
    staging: &Path,
    relative: &str,
) -> Result<(), StoreError> {
    use tokio::io::AsyncReadExt;
    let path = staging.join(relative);
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| StoreError::fs(&path, e))?;
    let mut upload = client
        .put_multipart(&loc.key(relative))
        .await
        .map_err(|e| object_error(loc, relative, e))?;
    const PART: usize = 16 << 20;
    let outcome: Result<(), StoreError> = async {
        loop {
            let mut buf = Vec::with_capacity(PART);
            let n = (&mut file)
                .take(PART as u64)
                .read_to_end(&mut buf)
                .await
                .map_err(|e| StoreError::fs(&path, e))?;
            if n == 0 {
                break;
            }
            upload
                .put_part(PutPayload::from(buf))
                .await
                .map_err(|e| object_error(loc, relative, e))?;
        }
        upload
            .complete()
            .await
            .map(|_| ())
            .map_err(|e| object_error(loc, relative, e))
    }
    .await;
    if outcome.is_err() {
        let _ = upload.abort().await;
    }
    outcome
}

/// Deletes the objects of dataset `name`'s versions other than `keep` and the paths
/// a manifest references; returns how many were deleted.
async fn delete_versions(
    client: &dyn ObjectStore,
    loc: &ObjectLocation,
    name: &str,
    keep: &[&str],
    kept: &[String],
) -> usize {
    use futures::StreamExt;
    let dir = format!("{}/{name}", crate::DATASETS_DIR);
    let mut listing = client.list(Some(&loc.key(&dir)));
    let mut doomed = Vec::new();
    while let Some(Ok(meta)) = listing.next().await {
        let key = meta.location.to_string();
        let inside = |p: &str| key.starts_with(&format!("{}/", loc.key(p)));
        if keep.iter().any(|p| inside(p)) || kept.iter().any(|p| inside(p)) {
            continue;
        }
        doomed.push(meta.location);
    }
    let mut n = 0;
    for key in doomed {
        if client.delete(&key).await.is_ok() {
            n += 1;
        }
    }
    n
}

/// A new, empty staging directory under the system's temporary directory.
fn staging_dir() -> Result<PathBuf, StoreError> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = base.join(format!(
            "entrepot-object-write-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(StoreError::fs(&dir, e)),
        }
    }
    Err(StoreError::fs(
        &base,
        std::io::Error::other("cannot create a staging directory"),
    ))
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Loads the facts of the object-store store at `loc` (`datasets` of kind facts).
pub(crate) fn load_facts(
    loc: &ObjectLocation,
    datasets: &[&DatasetInfo],
) -> Result<Vec<entrepot_core::PublishedFigure>, StoreError> {
    let client = loc.client()?;
    let mut files = Vec::new();
    for d in datasets {
        debug_assert_eq!(d.kind, DatasetKind::Facts);
        for p in &d.partitions {
            files.push((format!("{}/{}", d.path, p.path), p.clone()));
        }
    }
    let l = loc.clone();
    let fetched = block_on(async move {
        let mut out = Vec::new();
        for (relative, p) in &files {
            out.push((
                relative.clone(),
                fetch_file(client.as_ref(), &l, relative, p).await?,
            ));
        }
        Ok::<_, StoreError>(out)
    })?;
    let mut out = Vec::new();
    for (relative, bytes) in fetched {
        let path = loc.as_dir().join(&relative);
        let named = |e: parquet::errors::ParquetError| StoreError::from(e).in_file(&path);
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .map_err(named)?
            .build()
            .map_err(named)?;
        for batch in reader {
            let batch = batch.map_err(|e| StoreError::from(e).in_file(&path))?;
            out.extend(crate::facts::batch_to_figures(&batch).map_err(|e| e.in_file(&path))?);
        }
    }
    Ok(out)
}

/// Checks every file of `d` on the object store: present, of the recorded size and,
/// with `checksums`, SHA-256 (which reads it whole).
pub(crate) fn verify_dataset(
    loc: &ObjectLocation,
    d: &DatasetInfo,
    checksums: bool,
) -> Vec<StoreError> {
    let client = match loc.client() {
        Ok(c) => c,
        Err(e) => return vec![e],
    };
    let l = loc.clone();
    let d = d.clone();
    block_on(async move {
        let mut problems = Vec::new();
        for p in &d.partitions {
            let relative = format!("{}/{}", d.path, p.path);
            if checksums {
                if let Err(e) = fetch_file(client.as_ref(), &l, &relative, p).await {
                    problems.push(e);
                }
                continue;
            }
            match client.head(&l.key(&relative)).await {
                Ok(meta) if meta.size == p.bytes => {}
                Ok(meta) => problems.push(StoreError::Integrity {
                    path: l.as_dir().join(&relative),
                    message: format!(
                        "{} bytes where the manifest records {}; the file was altered",
                        meta.size, p.bytes
                    ),
                }),
                Err(e) => problems.push(object_error(&l, &relative, e)),
            }
        }
        problems
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_bucket_and_prefix() {
        let l = ObjectLocation::parse("s3://trade-data/stores/main/")
            .unwrap()
            .unwrap();
        assert_eq!(l.bucket(), "trade-data");
        assert_eq!(l.url(), "s3://trade-data/stores/main");
        assert_eq!(l.bucket_url(), "s3://trade-data");
        assert_eq!(
            l.key("manifest.json").to_string(),
            "stores/main/manifest.json"
        );
        let root = ObjectLocation::parse("S3://bkt").unwrap().unwrap();
        assert_eq!(root.key("manifest.json").to_string(), "manifest.json");
        assert_eq!(ObjectLocation::parse("/tmp/store").unwrap(), None);
        assert_eq!(ObjectLocation::parse("relative/dir").unwrap(), None);
        assert_eq!(ObjectLocation::parse("C:\\store").unwrap(), None);
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        for (bad, why) in [
            ("gs://bucket/x", "only s3://"),
            ("s3://", "bucket name"),
            ("s3://Bucket/x", "bucket name"),
            ("s3://b/x", "bucket name"),
            ("s3://bucket/a/../b", "plain names"),
            ("s3://bucket/a//b", "plain names"),
            ("s3://key:secret@bucket/x", "bucket name"),
            ("s3://bucket/x?region=eu", "environment"),
        ] {
            let e = ObjectLocation::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn store_paths_split_into_bucket_and_key() {
        let l = ObjectLocation::parse("s3://bkt/p").unwrap().unwrap();
        let file = l
            .as_dir()
            .join("datasets/t/v1")
            .join("year=2020/part-0.parquet");
        let (url, key) = split_object_path(&file).unwrap();
        assert_eq!(url, "s3://bkt");
        assert_eq!(key.to_string(), "p/datasets/t/v1/year=2020/part-0.parquet");
        assert_eq!(split_object_path(Path::new("/tmp/x.parquet")), None);
    }
}
