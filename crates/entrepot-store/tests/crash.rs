//! Crash safety: an ingest process killed with SIGKILL at any point leaves the store as
//! before, or (when the kill came after the manifest was replaced) as after the ingest.
//!
//! The test re-runs its own executable with `crash_child` as the only test and an
//! environment variable that makes that test run a slow ingest.
#![cfg(unix)]

mod common;

use common::*;
use entrepot_store::{FlowFilter, IngestOptions, SinkLimits, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV_CHILD_DIR: &str = "ENTREPOT_STORE_TEST_CHILD_DIR";
const ENV_MARKER: &str = "ENTREPOT_STORE_TEST_MARKER";
const BATCHES: usize = 40;

fn child_batches() -> Vec<arrow::record_batch::RecordBatch> {
    (0..BATCHES)
        .map(|i| {
            batch(
                "slow.csv",
                &[("CHN", "USA", 1960 + i as i32, "TOTAL", i as f64 + 0.5)],
            )
        })
        .collect()
}

/// Tiny limits so that the child really writes (and recycles) staged files.
fn child_limits() -> SinkLimits {
    SinkLimits {
        row_group_rows: 1,
        buffer_bytes: 1,
        max_open_writers: 2,
        year_file_rows: 1,
    }
}

fn child_opts() -> IngestOptions {
    IngestOptions {
        replace: true,
        ..Default::default()
    }
}

/// The child side: runs only when the parent sets `ENTREPOT_STORE_TEST_CHILD_DIR`.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(ENV_CHILD_DIR) else {
        return;
    };
    let marker = PathBuf::from(std::env::var_os(ENV_MARKER).expect("marker"));
    let sleep = if std::env::var_os("ENTREPOT_STORE_CRASH_AT").is_some() {
        Duration::ZERO
    } else {
        Duration::from_millis(25)
    };
    let mut store = Store::open(&dir).expect("open");
    store.set_limits(child_limits());
    let reader = VecReader::new("slow.csv", child_batches()).sleeping(sleep);
    let progress = |p: entrepot_store::IngestProgress| {
        let _ = std::fs::write(&marker, p.rows.to_string());
    };
    store
        .ingest("trade", vec![reader.boxed()], &child_opts(), &progress)
        .expect("child ingest");
}

fn spawn_child(dir: &Path, marker: &Path, crash_at: Option<&str>) -> std::process::Child {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(ENV_CHILD_DIR, dir)
        .env(ENV_MARKER, marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match crash_at {
        Some(p) => cmd.env("ENTREPOT_STORE_CRASH_AT", p),
        None => cmd.env_remove("ENTREPOT_STORE_CRASH_AT"),
    };
    cmd.spawn().expect("spawn child")
}

fn rows_done(marker: &Path) -> u64 {
    std::fs::read_to_string(marker)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn kill_9_mid_ingest_leaves_store_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let markers = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let v1 = store
        .ingest(
            "trade",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
    drop(store);
    let before = snapshot(tmp.path());

    for (i, kill_after) in [1u64, 7, 20].into_iter().enumerate() {
        let marker = markers.path().join(format!("m{i}"));
        let mut child = spawn_child(tmp.path(), &marker, None);
        let t0 = Instant::now();
        while rows_done(&marker) < kill_after {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "child made no progress"
            );
            if let Ok(Some(st)) = child.try_wait() {
                panic!("child exited early: {st}");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().expect("SIGKILL");
        let st = child.wait().unwrap();
        assert!(!st.success(), "child was killed");
        // The staged files of the dead writer are there until the next writer;
        // readers never see them, and a read view collects nothing.
        let staged = snapshot(&tmp.path().join(".staging"));
        assert!(staged.keys().any(|p| p.ends_with(".parquet")), "{staged:?}");
        let reader = Store::open_read(tmp.path()).unwrap();
        assert_eq!(reader.dataset("trade").unwrap().checksum, v1.checksum);
        assert!(
            tmp.path().join(".staging").is_dir(),
            "a read view collected"
        );
        drop(reader);
        let mut store = Store::open(tmp.path()).unwrap();
        store.collect_garbage().unwrap();
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "killed after {kill_after} rows"
        );
        let d = store.dataset("trade").unwrap();
        assert_eq!((d.version, &d.checksum), (1, &v1.checksum));
    }

    // Kills at the commit steps, via the crash hook (the process SIGKILLs itself).
    for point in ["reading", "before_rename", "after_rename"] {
        let marker = markers.path().join(point);
        let st = spawn_child(tmp.path(), &marker, Some(point))
            .wait()
            .unwrap();
        assert!(!st.success(), "{point}: child must die");
        Store::open(tmp.path()).unwrap().collect_garbage().unwrap();
        assert_eq!(snapshot(tmp.path()), before, "crash at {point}");
    }
}

#[test]
fn kill_9_after_manifest_leaves_store_as_after() {
    // Expected content: the same ingest in a scratch store.
    let reference = tempfile::tempdir().unwrap();
    let mut rstore = Store::open(reference.path()).unwrap();
    rstore.set_limits(child_limits());
    let expected = rstore
        .ingest(
            "trade",
            vec![VecReader::new("slow.csv", child_batches()).boxed()],
            &child_opts(),
            &|_| {},
        )
        .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let markers = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store
        .ingest(
            "trade",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
    drop(store);
    let st = spawn_child(
        tmp.path(),
        &markers.path().join("m"),
        Some("after_manifest"),
    )
    .wait()
    .unwrap();
    assert!(!st.success());
    // The old version is still on disk (the kill came before its deletion)...
    assert!(tmp.path().join("datasets/trade/v1").is_dir());
    let mut store = Store::open(tmp.path()).unwrap();
    store.collect_garbage().unwrap();
    // ...and is collected by the next writer; the store is exactly the committed state.
    assert!(!tmp.path().join("datasets/trade/v1").exists());
    let d = store.dataset("trade").unwrap().clone();
    assert_eq!(d.version, 2);
    assert_eq!(d.checksum, expected.checksum);
    assert_eq!(d.rows, BATCHES as u64);
    let snap = snapshot(tmp.path());
    let files: Vec<&String> = snap
        .iter()
        .filter(|(_, h)| *h != "dir")
        .map(|(p, _)| p)
        .collect();
    let mut want: Vec<String> = d
        .partitions
        .iter()
        .map(|p| format!("datasets/trade/v2/{}", p.path))
        .collect();
    want.push("manifest.json".into());
    want.push(".readers".into());
    want.sort();
    assert_eq!(files, want.iter().collect::<Vec<_>>());
    assert_eq!(
        store.load_flows(&FlowFilter::default()).unwrap().len(),
        BATCHES
    );
}
