//! Writes to an object-store store (`s3://…`), against an in-memory object store:
//! the writer lock, the conditional commit of the manifest, what is uploaded and what
//! is deleted after a replace or a removal.

mod common;

use common::*;
use entrepot_store::object::{ObjectLocation, ObjectWrite, OBJECT_LOCK};
use entrepot_store::{IngestOptions, Store, MANIFEST_FILE};
use futures::StreamExt;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

fn quiet(_: entrepot_store::IngestProgress) {}

fn location() -> ObjectLocation {
    ObjectLocation::parse("s3://bucket/stores/main")
        .unwrap()
        .unwrap()
}

fn keys(client: &Arc<dyn ObjectStore>) -> Vec<String> {
    rt().block_on(async {
        let mut out: Vec<String> = client
            .list(None)
            .map(|m| m.unwrap().location.to_string())
            .collect()
            .await;
        out.sort();
        out
    })
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One write: ingests the sample as `name` in the staging store and publishes.
fn write(
    client: &Arc<dyn ObjectStore>,
    name: &str,
    replace: bool,
) -> entrepot_store::object::Published {
    let w = ObjectWrite::begin_with(&location(), client.clone()).unwrap();
    let mut staging = Store::open(w.dir()).unwrap();
    let opts = IngestOptions {
        replace,
        ..Default::default()
    };
    let source = if replace { "b.csv" } else { "a.csv" };
    staging
        .ingest(
            name,
            vec![VecReader::new(source, sample_batches(source)).boxed()],
            &opts,
            &quiet,
        )
        .unwrap();
    drop(staging);
    w.publish().unwrap()
}

#[test]
fn an_ingest_uploads_its_files_then_commits_the_manifest_and_releases_the_lock() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let published = write(&client, "trade", false);
    assert!(published.files >= 1);
    let all = keys(&client);
    assert!(
        all.contains(&format!("stores/main/{MANIFEST_FILE}")),
        "{all:?}"
    );
    assert!(all
        .iter()
        .any(|k| k.starts_with("stores/main/datasets/trade/v1/") && k.ends_with(".parquet")));
    assert!(
        !all.iter().any(|k| k.ends_with(OBJECT_LOCK)),
        "the lock is released: {all:?}"
    );
    // The staging directory is gone.
    let manifest: serde_json::Value = rt().block_on(async {
        let b = client
            .get(&ObjectPath::from(format!("stores/main/{MANIFEST_FILE}")))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        serde_json::from_slice(&b).unwrap()
    });
    assert_eq!(manifest["datasets"]["trade"]["path"], "datasets/trade/v1");
}

#[test]
fn a_second_writer_is_refused_while_the_lock_is_held() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let first = ObjectWrite::begin_with(&location(), client.clone()).unwrap();
    let err = ObjectWrite::begin_with(&location(), client.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("locked by another writer"), "{err}");
    assert!(err.contains("s3://bucket/stores/main/.lock"), "{err}");
    assert!(err.contains("pid"), "the holder is named: {err}");
    drop(first);
    // Dropped without publishing: lock released, nothing stored.
    assert!(keys(&client).is_empty(), "{:?}", keys(&client));
    ObjectWrite::begin_with(&location(), client.clone()).unwrap();
}

#[test]
fn a_manifest_changed_behind_the_writer_fails_the_commit_and_uploads_are_removed() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    write(&client, "trade", false);
    let before = keys(&client);
    let w = ObjectWrite::begin_with(&location(), client.clone()).unwrap();
    let mut staging = Store::open(w.dir()).unwrap();
    staging
        .ingest(
            "other",
            vec![VecReader::new("b.csv", sample_batches("b.csv")).boxed()],
            &IngestOptions::default(),
            &quiet,
        )
        .unwrap();
    drop(staging);
    // Someone rewrites the manifest without taking the lock.
    let key = ObjectPath::from(format!("stores/main/{MANIFEST_FILE}"));
    rt().block_on(async {
        let b = client.get(&key).await.unwrap().bytes().await.unwrap();
        client
            .put(&key, PutPayload::from(b.to_vec()))
            .await
            .unwrap();
    });
    let err = w.publish().unwrap_err().to_string();
    assert!(
        err.contains("manifest changed while this write ran"),
        "{err}"
    );
    assert_eq!(keys(&client), before, "the store is as it was");
}

#[test]
fn a_replace_keeps_the_superseded_version_and_deletes_older_ones() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    write(&client, "trade", false);
    write(&client, "trade", true);
    let all = keys(&client);
    assert!(
        all.iter().any(|k| k.contains("/datasets/trade/v1/")),
        "v1 kept for readers: {all:?}"
    );
    assert!(all.iter().any(|k| k.contains("/datasets/trade/v2/")));
    // A third version: v1 goes, v2 (just superseded) stays.
    let w = ObjectWrite::begin_with(&location(), client.clone()).unwrap();
    let mut staging = Store::open(w.dir()).unwrap();
    let opts = IngestOptions {
        replace: true,
        ..Default::default()
    };
    staging
        .ingest(
            "trade",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            &opts,
            &quiet,
        )
        .unwrap();
    drop(staging);
    let published = w.publish().unwrap();
    assert!(published.deleted >= 1);
    let all = keys(&client);
    assert!(
        !all.iter().any(|k| k.contains("/datasets/trade/v1/")),
        "{all:?}"
    );
    assert!(all.iter().any(|k| k.contains("/datasets/trade/v2/")));
    assert!(all.iter().any(|k| k.contains("/datasets/trade/v3/")));
}

#[test]
fn a_removal_commits_then_deletes_the_files() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    write(&client, "trade", false);
    let w = ObjectWrite::begin_with(&location(), client.clone()).unwrap();
    let mut staging = Store::open(w.dir()).unwrap();
    staging.remove("trade").unwrap();
    drop(staging);
    w.publish().unwrap();
    let all = keys(&client);
    assert_eq!(all, vec![format!("stores/main/{MANIFEST_FILE}")], "{all:?}");
}

#[test]
fn objects_that_are_not_a_store_are_left_alone() {
    let client: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    rt().block_on(async {
        client
            .put(
                &ObjectPath::from("stores/main/notes.txt"),
                PutPayload::from("x"),
            )
            .await
            .unwrap();
    });
    let err = ObjectWrite::begin_with(&location(), client.clone())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not usable as a store") || err.contains("no manifest"),
        "{err}"
    );
    assert_eq!(keys(&client), vec!["stores/main/notes.txt".to_string()]);
}
