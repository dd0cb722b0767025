//! The store against a hostile or broken environment (issue #7): a lost manifest,
//! an edited manifest, symbolic links, a directory that is not a store, a damaged
//! file, a quarantine file that is an input, name collisions, empty ingests and a
//! replace racing a reader. Each test asserts the outcome and the state of the store
//! (or of the files outside it) afterwards.

mod common;

use common::*;
use entrepot_io::OnError;
use entrepot_store::{FlowFilter, IngestOptions, Store, StoreError, MANIFEST_FILE};
use std::path::{Path, PathBuf};

fn quiet(_: entrepot_store::IngestProgress) {}

fn sources() -> Vec<Box<dyn entrepot_io::FlowReader>> {
    vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()]
}

fn ingest(
    store: &mut Store,
    name: &str,
    replace: bool,
) -> Result<entrepot_store::IngestReport, StoreError> {
    let opts = IngestOptions {
        replace,
        ..Default::default()
    };
    store.ingest(name, sources(), &opts, &quiet)
}

fn store_with_trade() -> (tempfile::TempDir, Store) {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    ingest(&mut store, "trade", false).unwrap();
    (tmp, store)
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let p = dir.join(MANIFEST_FILE);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

/// Class 1: a store whose manifest was deleted is refused by every open, and no
/// dataset is collected.
#[test]
fn missing_manifest_is_refused_never_collected() {
    let (tmp, store) = store_with_trade();
    drop(store);
    std::fs::remove_file(tmp.path().join(MANIFEST_FILE)).unwrap();
    let before = snapshot(tmp.path());
    for err in [
        Store::open_read(tmp.path()).unwrap_err(),
        Store::open(tmp.path()).unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
        assert!(err.to_string().contains("no manifest.json"), "{err}");
    }
    assert_eq!(snapshot(tmp.path()), before);
    assert!(tmp.path().join("datasets/trade/v1").is_dir());
}

/// Class 7: `--store` pointed at a directory that is not a store: nothing in it is
/// removed, whatever its names look like, by reads or writes.
#[test]
fn a_directory_that_is_not_a_store_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for p in ["datasets/photos/v1", ".staging/x-1-2-3"] {
        std::fs::create_dir_all(d.join(p)).unwrap();
        std::fs::write(d.join(p).join("keep.txt"), b"precious").unwrap();
    }
    std::fs::write(d.join("manifest.json.tmp"), b"precious").unwrap();
    let before = snapshot(d);
    assert!(matches!(
        Store::open_read(d).unwrap_err(),
        StoreError::NotAStore { .. }
    ));
    assert!(matches!(
        Store::open(d).unwrap_err(),
        StoreError::NotAStore { .. }
    ));
    assert_eq!(snapshot(d), before);
}

/// Class 7: garbage collection never follows a symbolic link: a symlinked
/// `.staging`, dataset folder or version folder keeps its target's files.
#[cfg(unix)]
#[test]
fn garbage_collection_never_follows_symlinks() {
    use std::os::unix::fs::symlink;
    let (tmp, mut store) = store_with_trade();
    let victim = tempfile::tempdir().unwrap();
    for p in ["v1", "v2", "x-1-2-3"] {
        std::fs::create_dir_all(victim.path().join(p)).unwrap();
        std::fs::write(victim.path().join(p).join("f"), b"victim").unwrap();
    }
    let outside = snapshot(victim.path());
    symlink(victim.path(), tmp.path().join("datasets/evil")).unwrap();
    symlink(
        victim.path().join("v2"),
        tmp.path().join("datasets/trade/v7"),
    )
    .unwrap();
    symlink(victim.path(), tmp.path().join(".staging")).unwrap();
    // A writer refuses to stage through the symlinked .staging...
    let err = ingest(&mut store, "other", false).unwrap_err();
    assert!(matches!(err, StoreError::Unsafe { .. }), "{err}");
    assert_eq!(snapshot(victim.path()), outside);
    // ...and collecting removes nothing behind the links.
    store.collect_garbage().unwrap();
    assert_eq!(snapshot(victim.path()), outside);
    assert!(tmp.path().join("datasets/trade/v1").is_dir());
}

/// Class 6: manifest paths that leave the store are refused when the manifest is
/// loaded, before any file is opened or removed.
#[test]
fn manifest_paths_outside_the_store_are_refused() {
    let victim = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(victim.path().join("v1")).unwrap();
    std::fs::write(victim.path().join("v1/f"), b"victim").unwrap();
    let outside = snapshot(victim.path());
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "dataset path",
            Box::new(|v| v["datasets"]["trade"]["path"] = "../victim".into()),
        ),
        (
            "absolute dataset path",
            Box::new(move |v| v["datasets"]["trade"]["path"] = "/tmp".into()),
        ),
        (
            "partition path",
            Box::new(|v| {
                v["datasets"]["trade"]["partitions"][0]["path"] = "../../../etc/passwd".into()
            }),
        ),
        (
            "absolute partition path",
            Box::new(|v| v["datasets"]["trade"]["partitions"][0]["path"] = "/etc/passwd".into()),
        ),
        (
            "name",
            Box::new(|v| v["datasets"]["trade"]["name"] = "../x".into()),
        ),
    ];
    for (what, edit) in cases {
        let (tmp, store) = store_with_trade();
        drop(store);
        edit_manifest(tmp.path(), |v| edit(v));
        let before = snapshot(tmp.path());
        let err = Store::open_read(tmp.path()).unwrap_err();
        assert!(matches!(err, StoreError::Manifest { .. }), "{what}: {err}");
        let err = Store::open(tmp.path()).unwrap_err();
        assert!(matches!(err, StoreError::Manifest { .. }), "{what}: {err}");
        assert_eq!(snapshot(tmp.path()), before, "{what}");
        assert_eq!(snapshot(victim.path()), outside, "{what}");
    }
}

/// Class 5: a deleted or altered stored file fails every read, `verify` names it,
/// and a re-ingest of the same sources repairs the dataset instead of saying
/// "unchanged".
#[test]
fn damaged_files_fail_reads_and_are_repaired_by_reingest() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src.csv");
    std::fs::write(&src, b"some source bytes").unwrap();
    let dir = tmp.path().join("store");
    let opts = IngestOptions {
        source_files: vec![src.clone()],
        ..Default::default()
    };
    let mut store = Store::open(&dir).unwrap();
    store.ingest("trade", sources(), &opts, &quiet).unwrap();
    let files = store.flow_files("trade").unwrap();
    let victim = files[0].clone();

    // Missing file.
    std::fs::remove_file(&victim).unwrap();
    let view = Store::open_read(&dir).unwrap();
    let err = view.load_flows(&FlowFilter::default()).unwrap_err();
    assert!(matches!(err, StoreError::Integrity { .. }), "{err}");
    assert!(err.to_string().contains("missing"), "{err}");
    let problems = view.verify(None).unwrap();
    assert_eq!(problems[0].1.len(), 1, "{:?}", problems);
    drop(view);

    // A re-ingest of the same sources repairs rather than saying "unchanged".
    let rep = store.ingest("trade", sources(), &opts, &quiet).unwrap();
    assert!(!rep.unchanged);
    assert_eq!(rep.version, 2);
    assert!(store.verify(None).unwrap()[0].1.is_empty());

    // Altered file (same size, different bytes): size check passes, checksum fails.
    let files = store.flow_files("trade").unwrap();
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&files[0], &bytes).unwrap();
    let problems = store.verify(Some("trade")).unwrap();
    assert!(
        problems[0].1[0].to_string().contains("SHA-256"),
        "{:?}",
        problems
    );
    // Truncated file: every read fails.
    std::fs::write(&files[0], &bytes[..10]).unwrap();
    let err = Store::open_read(&dir)
        .unwrap()
        .load_flows(&FlowFilter::default())
        .unwrap_err();
    assert!(
        err.to_string().contains("bytes where the manifest records"),
        "{err}"
    );
}

/// Class 3: a quarantine path that is an input (same path, another spelling, a
/// hard link) or inside the store is refused; the input is untouched.
#[test]
fn quarantine_on_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    std::fs::write(&input, b"reporter,partner\nCHN,USA\n").unwrap();
    let link = tmp.path().join("hard.csv");
    std::fs::hard_link(&input, &link).unwrap();
    let dir = tmp.path().join("store");
    let mut store = Store::open(&dir).unwrap();
    let spelled = tmp.path().join(".").join("in.csv");
    for q in [input.clone(), spelled, link, dir.join("q.csv")] {
        let opts = IngestOptions {
            on_error: OnError::Quarantine,
            quarantine_path: Some(q.clone()),
            source_files: vec![input.clone()],
            ..Default::default()
        };
        let err = store.ingest("trade", sources(), &opts, &quiet).unwrap_err();
        assert!(
            matches!(err, StoreError::BadQuarantine { .. }),
            "{q:?}: {err}"
        );
        assert_eq!(
            std::fs::read(&input).unwrap(),
            b"reporter,partner\nCHN,USA\n"
        );
    }
    assert!(store.datasets().is_empty());
    assert!(!dir.join(MANIFEST_FILE).exists());
}

/// Class 3: a source that changes while it is read is refused (its recorded
/// checksum would not be that of the bytes read).
#[test]
fn a_source_changed_during_the_ingest_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.csv");
    std::fs::write(&input, b"first version").unwrap();
    let dir = tmp.path().join("store");
    let mut store = Store::open(&dir).unwrap();
    let path = input.clone();
    let reader = ChangingReader { path, done: false };
    let opts = IngestOptions {
        source_files: vec![input.clone()],
        ..Default::default()
    };
    let err = store
        .ingest("trade", vec![Box::new(reader)], &opts, &quiet)
        .unwrap_err();
    assert!(matches!(err, StoreError::SourceChanged { .. }), "{err}");
    assert!(store.datasets().is_empty());
}

/// A reader that rewrites its own source file while being read.
struct ChangingReader {
    path: PathBuf,
    done: bool,
}

impl entrepot_io::FlowReader for ChangingReader {
    fn next_batch(
        &mut self,
    ) -> Result<Option<arrow::record_batch::RecordBatch>, entrepot_io::IoError> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        std::fs::write(&self.path, b"a longer, second version").unwrap();
        Ok(sample_batches("in.csv").into_iter().next())
    }
    fn take_rejected(&mut self) -> Vec<entrepot_io::RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    fn describe(&self) -> String {
        "changing".into()
    }
}

/// Class 4: an existing dataset is replaced only with `replace`; an ingest that
/// stores no row (every row quarantined) fails and changes nothing.
#[test]
fn replacing_needs_replace_and_empty_ingests_change_nothing() {
    let (tmp, mut store) = store_with_trade();
    let before = snapshot(tmp.path());
    let other = IngestOptions {
        source_files: vec![],
        ..Default::default()
    };
    let err = store
        .ingest(
            "trade",
            vec![VecReader::new(
                "b.csv",
                vec![batch("b.csv", &[("FRA", "DEU", 2016, "TOTAL", 5.0)])],
            )
            .boxed()],
            &other,
            &quiet,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("--replace"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);

    let all_rejected = IngestOptions {
        on_error: OnError::Quarantine,
        replace: true,
        ..Default::default()
    };
    let reader = VecReader::new("c.csv", vec![])
        .rejecting(0, vec![bad_row("c.csv", 2), bad_row("c.csv", 3)]);
    let err = store
        .ingest("trade", vec![reader.boxed()], &all_rejected, &quiet)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Empty { rejected: 2, .. }),
        "{err}"
    );
    assert_eq!(snapshot(tmp.path()), before);
    assert_eq!(store.dataset("trade").unwrap().rows, 8);
}

/// Class 13: names differing only in letter case are refused.
#[test]
fn names_differing_only_in_case_collide() {
    let (tmp, mut store) = store_with_trade();
    let before = snapshot(tmp.path());
    let err = ingest(&mut store, "TRADE", false).unwrap_err();
    assert!(matches!(err, StoreError::NameCollision { .. }), "{err}");
    assert!(err.to_string().contains("'trade'"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}

/// Class 14: a read view keeps the files of the version it sees while an ingest
/// replaces that version; the old files go with the next writer after the reader.
#[test]
fn a_replace_never_removes_files_a_reader_holds() {
    let (tmp, mut store) = store_with_trade();
    let view = Store::open_read(tmp.path()).unwrap();
    let old_files = view.flow_files("trade").unwrap();
    let rep = store
        .ingest(
            "trade",
            vec![VecReader::new(
                "b.csv",
                vec![batch("b.csv", &[("FRA", "DEU", 2016, "TOTAL", 5.0)])],
            )
            .boxed()],
            &IngestOptions {
                replace: true,
                ..Default::default()
            },
            &quiet,
        )
        .unwrap();
    assert_eq!(rep.version, 2);
    assert!(old_files.iter().all(|f| f.is_file()));
    assert_eq!(view.load_flows(&FlowFilter::default()).unwrap().len(), 8);
    drop(view);
    store.collect_garbage().unwrap();
    assert!(!tmp.path().join("datasets/trade/v1").exists());
    assert_eq!(
        Store::open_read(tmp.path())
            .unwrap()
            .load_flows(&FlowFilter::default())
            .unwrap()
            .len(),
        1
    );
}

/// Class 17: read views create nothing: a missing directory is an error, and an
/// empty directory stays empty.
#[test]
fn read_views_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("typo");
    assert!(matches!(
        Store::open_read(&missing).unwrap_err(),
        StoreError::NoStore { .. }
    ));
    assert!(!missing.exists());
    let view = Store::open_read(tmp.path()).unwrap();
    assert!(view.datasets().is_empty());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(
        Store::open_read(&file).unwrap_err(),
        StoreError::NotAStore { .. }
    ));
}
