//! Heavy requests as jobs: a fixed pool of worker threads fed by a bounded queue, a
//! time limit per request, and a cache of results keyed by their specification and
//! the store's fingerprint.
//!
//! Workers are plain threads, outside the server's async runtime: the application
//! layer's flow cubes and SQL engine run their own runtimes and refuse to start
//! inside another. A full queue answers 503 at once (`Retry-After`), so a burst of
//! heavy requests cannot take every thread of the server: light endpoints (lookups,
//! the cached brief, the OpenAPI document) are still answered. A job whose requester
//! has given up before a worker takes it is skipped.

use crate::error::{ServerError, ServerResult};
use axum::body::Bytes;
use entrepot_app::StoreLocation;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// Locks a mutex, taking the data of a poisoned one (nothing here panics while
/// holding a lock, and a cache may always be read).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The worker pool of heavy requests.
#[derive(Debug)]
pub(crate) struct Jobs {
    queue: SyncSender<Job>,
    capacity: usize,
    timeout: Duration,
    /// Jobs in the queue, not yet taken by a worker.
    waiting: Arc<AtomicUsize>,
}

impl Jobs {
    /// `workers` threads (at least 1) taking jobs from a queue of `queue` places.
    pub(crate) fn new(workers: usize, queue: usize, timeout: Duration) -> Self {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers.max(1) {
            let rx = Arc::clone(&rx);
            // A thread that cannot be started leaves the others; with none at all the
            // queue fills and requests answer 503.
            let _ = std::thread::Builder::new()
                .name(format!("entrepot-job-{i}"))
                .stack_size(8 << 20)
                .spawn(move || work(&rx));
        }
        Jobs {
            queue: tx,
            capacity: queue,
            timeout,
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Whether the queue is full now: a request that would wait for a worker is
    /// refused before the work of reading it (a flood of heavy requests costs the
    /// server little more than their count). A queue of 0 places (jobs handed only to
    /// an idle worker) is never full in advance: [`Jobs::run`] decides.
    pub(crate) fn is_full(&self) -> bool {
        self.capacity > 0 && self.waiting.load(Ordering::Relaxed) >= self.capacity
    }

    /// The answer to a request the full queue cannot take: 503 with `Retry-After`.
    pub(crate) fn busy(&self) -> ServerError {
        ServerError::Busy {
            queued: self.capacity,
            retry_after: 1,
        }
    }

    /// Runs `f` on a worker and waits for its result, at most the time limit: 503
    /// when the queue is full or the limit passes, 500 when the job panicked.
    pub(crate) async fn run<T, F>(&self, f: F) -> ServerResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> ServerResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let waiting = Arc::clone(&self.waiting);
        let job: Job = Box::new(move || {
            waiting.fetch_sub(1, Ordering::Relaxed);
            if tx.is_closed() {
                return; // the requester is gone
            }
            let _ = tx.send(f());
        });
        self.waiting.fetch_add(1, Ordering::Relaxed);
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                return Err(self.busy());
            }
            Err(TrySendError::Disconnected(_)) => {
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                return Err(ServerError::Internal("no worker is running".into()));
            }
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(ServerError::Internal(
                "the request failed unexpectedly (see the server log)".into(),
            )),
            Err(_) => Err(ServerError::Timeout(self.timeout)),
        }
    }
}

/// A worker: takes jobs until the pool is dropped; a job that panics is contained
/// (its requester gets a 500) and the worker goes on.
fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = lock(rx).recv();
        match job {
            Ok(job) => {
                let _ = catch_unwind(AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

/// Light blocking work (reading the manifest) on the runtime's blocking threads.
pub(crate) async fn blocking<T, F>(f: F) -> ServerResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> ServerResult<T> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Internal(format!("a blocking task failed: {e}")))?
}

/// A bounded cache of response bodies keyed by their specification; when full, the
/// least recently used entry goes.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    tick: u64,
    entries: HashMap<String, (u64, Bytes)>,
}

impl Cache {
    /// A cache of at most `capacity` entries (0: caches nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        Cache {
            capacity,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    /// The body of a key, if cached.
    pub(crate) fn get(&self, key: &str) -> Option<Bytes> {
        let mut inner = lock(&self.inner);
        inner.tick += 1;
        let tick = inner.tick;
        inner.entries.get_mut(key).map(|(used, body)| {
            *used = tick;
            body.clone()
        })
    }

    /// Keeps a body under a key, evicting the least recently used entry when full.
    pub(crate) fn insert(&self, key: String, body: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = lock(&self.inner);
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&key) {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                inner.entries.remove(&k);
            }
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.entries.insert(key, (tick, body));
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }
}

/// The store's fingerprint ([`entrepot_app::datasets::fingerprint`]), recomputed only
/// when the manifest file's size, modification time or identity changed; on every
/// request when there is no local manifest to `stat` (an object store, whose manifest
/// is fetched).
#[derive(Debug, Default)]
pub(crate) struct StoreFingerprint {
    memo: Mutex<Option<(ManifestStamp, String)>>,
}

/// What a `stat` of the manifest says (`None`: no manifest).
type ManifestStamp = Option<(u64, SystemTime, u64)>;

fn manifest_stamp(location: &StoreLocation) -> ManifestStamp {
    let meta =
        std::fs::metadata(location.dir().join(entrepot_app::datasets::MANIFEST_FILE)).ok()?;
    #[cfg(unix)]
    let id = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let id = 0;
    Some((meta.len(), meta.modified().ok()?, id))
}

impl StoreFingerprint {
    /// The fingerprint of the store now.
    pub(crate) async fn get(&self, location: &StoreLocation) -> ServerResult<String> {
        let stamp = manifest_stamp(location);
        if let (Some((s, fp)), Some(_)) = (lock(&self.memo).as_ref(), &stamp) {
            if *s == stamp {
                return Ok(fp.clone());
            }
        }
        let loc = location.clone();
        let fp = blocking(move || Ok(entrepot_app::datasets::fingerprint(&loc)?)).await?;
        *lock(&self.memo) = Some((stamp, fp.clone()));
        Ok(fp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_evicts_the_least_recently_used() {
        let c = Cache::new(2);
        c.insert("a".into(), Bytes::from_static(b"1"));
        c.insert("b".into(), Bytes::from_static(b"2"));
        assert!(c.get("a").is_some());
        c.insert("c".into(), Bytes::from_static(b"3"));
        assert_eq!(c.len(), 2);
        assert!(c.get("b").is_none(), "b was the least recently used");
        assert!(c.get("a").is_some() && c.get("c").is_some());
        let none = Cache::new(0);
        none.insert("a".into(), Bytes::from_static(b"1"));
        assert!(none.get("a").is_none());
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_and_a_panic_is_contained() {
        let jobs = Arc::new(Jobs::new(1, 1, Duration::from_secs(5)));
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let hold = |started: Option<std::sync::mpsc::Sender<()>>| {
            let rx = Arc::clone(&release_rx);
            move || -> ServerResult<u8> {
                if let Some(s) = started {
                    let _ = s.send(());
                }
                let _ = lock(&rx).recv_timeout(Duration::from_secs(5));
                Ok(1)
            }
        };
        // One job holds the worker, one waits in the queue, the third is refused.
        let j = Arc::clone(&jobs);
        let job = hold(Some(started_tx));
        let first = tokio::spawn(async move { j.run(job).await });
        let started =
            tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(5)));
        assert!(
            started.await.expect("join").is_ok(),
            "the worker took the first job"
        );
        let j = Arc::clone(&jobs);
        let job = hold(None);
        let second = tokio::spawn(async move { j.run(job).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(jobs.is_full(), "one job waits in a queue of one");
        let third = jobs.run(|| Ok(3u8)).await;
        assert!(matches!(third, Err(ServerError::Busy { .. })), "{third:?}");
        for _ in 0..2 {
            let _ = release_tx.send(());
        }
        assert_eq!(first.await.expect("join").ok(), Some(1));
        assert_eq!(second.await.expect("join").ok(), Some(1));
        assert!(!jobs.is_full(), "the queue emptied");
        let panicked = jobs.run(|| -> ServerResult<u8> { panic!("boom") }).await;
        assert!(matches!(panicked, Err(ServerError::Internal(_))));
        assert_eq!(
            jobs.run(|| Ok(7u8)).await.ok(),
            Some(7),
            "the worker lives on"
        );
    }

    #[tokio::test]
    async fn a_slow_job_times_out() {
        let jobs = Jobs::new(1, 4, Duration::from_millis(50));
        let r = jobs
            .run(|| -> ServerResult<u8> {
                std::thread::sleep(Duration::from_millis(300));
                Ok(1)
            })
            .await;
        assert!(matches!(r, Err(ServerError::Timeout(_))));
    }
}
