//! The global `--engine` and stores named by URL, through the binary: what is refused
//! before anything runs (exit 2), and that every read command (SQL, the brief, the
//! analyses) sends its queries to the engine named, so an unreachable cluster is
//! reported by each (exit 5, naming the scheduler). The cluster itself and stores in
//! S3 are exercised by `ci/ballista.sh` and `ci/s3.sh`.

mod common;

use common::*;

/// A store holding a small flows dataset.
fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("flows.csv");
    std::fs::write(
        &csv,
        "exp,imp,year,value\nCHN,USA,2020,10\nCHN,DEU,2020,5\nCHN,USA,2021,12\nCHN,DEU,2021,7\nUSA,CHN,2020,3\nUSA,CHN,2021,4\n",
    )
    .expect("write");
    let store = dir.path().join("store");
    ok(
        &store,
        &[
            "ingest",
            csv.to_str().expect("path"),
            "--dataset",
            "small",
            "--map",
            "reporter=exp,partner=imp,period=year,value=value,flow=export",
        ],
    );
    (dir, store)
}

/// A loopback port where nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn an_unreachable_cluster_is_named_by_every_read_command() {
    let (_dir, store) = store();
    let port = closed_port();
    let engine = format!("ballista://127.0.0.1:{port}");
    for args in [
        vec!["sql", "SELECT COUNT(*) FROM flows"],
        vec!["brief", "CHN", "--period", "2021"],
        vec!["diversification", "CHN"],
        vec!["dependence", "CHN", "USA"],
        vec!["decompose", "CHN", "--from", "2020", "--to", "2021"],
    ] {
        let mut all = vec!["--engine", engine.as_str()];
        all.extend(args.iter().copied());
        let o = run(&store, &all);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("127.0.0.1:{port}")),
            "{args:?}: {err}"
        );
        assert!(stdout(&o).is_empty(), "{args:?}: nothing printed");
        // The same from the environment.
        let o = bin()
            .env("ENTREPOT_ENGINE", &engine)
            .arg("--quiet")
            .arg("--store")
            .arg(&store)
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(5), "{args:?} (ENTREPOT_ENGINE)");
    }
    // The local engine answers.
    ok(&store, &["--engine", "local", "diversification", "CHN"]);
}

#[test]
fn bad_engines_and_store_urls_are_usage_errors() {
    let (_dir, store) = store();
    let o = run(&store, &["--engine", "spark://h:1", "sql", "SELECT 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("ballista://HOST:PORT"),
        "{}",
        stderr(&o)
    );
    for (url, why) in [
        ("gs://bucket/store", "only s3://"),
        ("s3://B/store", "bucket name"),
        ("s3://bucket/a/../b", "plain names"),
        ("s3://bucket/store?key=secret", "environment"),
    ] {
        let o = bin()
            .args(["--quiet", "--store", url, "datasets"])
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{url}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{url}: {}", stderr(&o));
        let o = bin()
            .args(["--quiet", "--store", url, "remove", "x"])
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{url} (a write): {}", stderr(&o));
    }
}
