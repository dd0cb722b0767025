//! Issue #7 through the binary: the store never loses data and never reaches
//! outside itself, whatever the environment. Each test asserts the exit code, the
//! message and the files (inside and outside the store) afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entrepot"));
    c.env("NO_COLOR", "1")
        .env_remove("ENTREPOT_STORE")
        .env_remove("ENTREPOT_ENGINE");
    c
}

fn run(store: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--quiet")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("run entrepot")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Every file and directory under `dir` with its content (no lock files).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(d: &Path, root: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(p.clone());
            let meta = std::fs::symlink_metadata(&p).expect("metadata");
            if meta.file_type().is_symlink() {
                out.push((rel, b"<symlink>".to_vec()));
            } else if meta.is_dir() {
                out.push((rel, b"<dir>".to_vec()));
                walk(&p, root, out);
            } else if p.file_name().is_some_and(|n| n != ".lock") {
                out.push((rel, std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

const GOOD: &str = "t,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n2020,710,842,870380,3.0,\n";
const OTHER: &str = "t,i,j,k,v,q\n2020,710,156,850760,99.5,1.0\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn ingest(store: &Path, file: &Path, name: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "ingest",
        file.to_str().unwrap_or(""),
        "--dataset",
        name,
        "--from",
        "baci",
        "--hs",
        "HS2017",
    ];
    args.extend_from_slice(extra);
    run(store, &args)
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let good = write(dir.path(), "good.csv", GOOD);
    let o = ingest(&store, &good, "good", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, store, good)
}

/// Class 1: `rm manifest.json` then any read command: refused, nothing deleted.
#[test]
fn a_lost_manifest_makes_reads_fail_and_deletes_nothing() {
    let (_d, store, _) = setup();
    std::fs::remove_file(store.join("manifest.json")).expect("rm");
    let before = snapshot(&store);
    for args in [
        vec!["datasets"],
        vec!["sql", "SELECT 1"],
        vec!["brief", "ZAF", "--period", "2020"],
        vec!["verify"],
    ] {
        let o = run(&store, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no manifest.json"), "{}", stderr(&o));
        assert_eq!(snapshot(&store), before, "{args:?}");
    }
    assert!(store.join("datasets/good/v1").is_dir());
}

/// Class 4: an existing name needs --replace; a zero-row ingest fails with exit 3;
/// `entrepot remove` exists.
#[test]
fn replace_is_explicit_empty_ingests_fail_and_remove_exists() {
    let (d, store, _) = setup();
    let other = write(d.path(), "other.csv", OTHER);
    let before = snapshot(&store);
    let o = ingest(&store, &other, "good", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--replace"), "{}", stderr(&o));
    assert_eq!(snapshot(&store), before);

    // Every row rejected with quarantine: exit 3, the dataset is as it was.
    let bad = write(
        d.path(),
        "bad.csv",
        "t,i,j,k,v,q\n2020,999,156,850760,1.0,1.0\n",
    );
    let q = d.path().join("q.csv");
    let o = ingest(
        &store,
        &bad,
        "good",
        &[
            "--replace",
            "--on-error",
            "quarantine",
            "--quarantine",
            q.to_str().unwrap_or(""),
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("no rows to store"), "{}", stderr(&o));
    assert_eq!(snapshot(&store), before);

    let o = ingest(&store, &other, "good", &["--replace"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &store,
        &[
            "--format",
            "csv",
            "sql",
            "SELECT sum(value_usd) AS v FROM good",
        ],
    );
    assert!(stdout(&o).contains("99500"), "{}", stdout(&o));

    let o = run(&store, &["remove", "good"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!store.join("datasets/good").exists());
    let o = run(&store, &["remove", "good"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
}

/// Class 3: a quarantine path that is the input is refused; the input survives.
#[test]
fn quarantine_onto_the_input_is_refused() {
    let d = tempfile::tempdir().expect("tempdir");
    let store = d.path().join("store");
    let text = format!("{GOOD}2020,999,156,850760,1.0,1.0\n");
    let input = write(d.path(), "in.csv", &text);
    let o = ingest(
        &store,
        &input,
        "t",
        &[
            "--on-error",
            "quarantine",
            "--quarantine",
            input.to_str().unwrap_or(""),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("it is the input file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&input).expect("read"), text);
    assert!(snapshot(&store).is_empty(), "{:?}", snapshot(&store));
}

/// Class 5: a deleted Parquet file fails `sql` (no partial count), `verify` names
/// it with exit 1, and re-ingesting the same file repairs instead of "unchanged".
#[test]
fn a_deleted_file_fails_queries_and_reingest_repairs() {
    let (_d, store, good) = setup();
    let o = run(
        &store,
        &["--format", "csv", "sql", "SELECT count(*) AS n FROM good"],
    );
    assert!(stdout(&o).contains("\n2"), "{}", stdout(&o));
    let part = walk_parquet(&store)[0].clone();
    std::fs::remove_file(&part).expect("rm");
    let o = run(&store, &["sql", "SELECT count(*) AS n FROM good"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    let o = run(&store, &["verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("DAMAGED"), "{}", stdout(&o));
    let o = ingest(&store, &good, "good", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("written"), "{}", stdout(&o));
    let o = run(&store, &["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

fn walk_parquet(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Class 5: a Parquet file planted in a version directory is not read.
#[test]
fn planted_files_are_not_read() {
    let (_d, store, _) = setup();
    let part = walk_parquet(&store)[0].clone();
    let planted = part.with_file_name("part-99.parquet");
    std::fs::copy(&part, &planted).expect("copy");
    let o = run(
        &store,
        &["--format", "csv", "sql", "SELECT count(*) AS n FROM good"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("\n2"), "{}", stdout(&o));
}

/// Class 6: a manifest path leading outside the store is refused on load.
#[test]
fn manifest_paths_outside_the_store_are_refused() {
    let (d, store, _) = setup();
    let victim = d.path().join("victim");
    std::fs::create_dir_all(victim.join("v1")).expect("mkdir");
    std::fs::write(victim.join("v1/keep"), b"precious").expect("write");
    let m = store.join("manifest.json");
    let text = std::fs::read_to_string(&m).expect("read");
    std::fs::write(&m, text.replace("\"datasets/good/v1\"", "\"../victim\"")).expect("write");
    let other = write(d.path(), "other.csv", OTHER);
    for o in [
        run(&store, &["sql", "SELECT * FROM good"]),
        ingest(&store, &other, "good", &["--replace"]),
    ] {
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("expected 'datasets/good/v1'"),
            "{}",
            stderr(&o)
        );
    }
    assert!(victim.join("v1/keep").is_file());
}

/// Class 7: `--store` at a directory that is not a store: nothing removed.
#[test]
fn a_non_store_directory_loses_nothing() {
    let d = tempfile::tempdir().expect("tempdir");
    let home = d.path().join("home");
    for p in ["datasets/photos/v1", ".staging/holiday-1-2-3"] {
        std::fs::create_dir_all(home.join(p)).expect("mkdir");
        std::fs::write(home.join(p).join("keep"), b"precious").expect("write");
    }
    std::fs::write(home.join("manifest.json.tmp"), b"precious").expect("write");
    let before = snapshot(&home);
    let good = write(d.path(), "good.csv", GOOD);
    for o in [
        run(&home, &["datasets"]),
        ingest(&home, &good, "photos", &[]),
        run(&home, &["verify", "--repair"]),
    ] {
        assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("not usable as a store"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(snapshot(&home), before);
}

/// Class 13: names differing only in case are refused.
#[test]
fn case_colliding_names_are_refused() {
    let (_d, store, good) = setup();
    let o = ingest(&store, &good, "GOOD", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("differs only in letter case"),
        "{}",
        stderr(&o)
    );
}

/// Class 16: a missing --countries file is exit 4; a symlink loop is not "no such
/// file".
#[cfg(unix)]
#[test]
fn missing_inputs_and_symlink_loops_are_told_apart() {
    let d = tempfile::tempdir().expect("tempdir");
    let store = d.path().join("store");
    let good = write(d.path(), "good.csv", GOOD);
    let o = ingest(
        &store,
        &good,
        "t",
        &["--countries", "/nonexistent/countries.csv"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("--countries"), "{}", stderr(&o));
    let a = d.path().join("a.csv");
    let b = d.path().join("b.csv");
    std::os::unix::fs::symlink(&b, &a).expect("link");
    std::os::unix::fs::symlink(&a, &b).expect("link");
    let o = ingest(&store, &a, "t", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).to_lowercase().contains("symbolic links"),
        "{}",
        stderr(&o)
    );
    assert!(!store.exists(), "a failed ingest created the store");
}

/// Class 17: read commands create nothing, and an explicit unusable store is an
/// error rather than a fallback to the sample.
#[test]
fn read_commands_create_nothing_and_never_fall_back() {
    let d = tempfile::tempdir().expect("tempdir");
    let typo = d.path().join("typo");
    for args in [vec!["datasets"], vec!["sql", "SELECT 1"], vec!["brief"]] {
        let o = run(&typo, &args);
        assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no store at"), "{}", stderr(&o));
        assert!(!typo.exists(), "{args:?} created the store");
    }
    let file = write(d.path(), "file", "x");
    let o = run(&file, &["brief"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let corrupt = d.path().join("corrupt");
    std::fs::create_dir_all(&corrupt).expect("mkdir");
    std::fs::write(corrupt.join("manifest.json"), b"{not json").expect("write");
    let o = run(&corrupt, &["brief"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("manifest"), "{}", stderr(&o));
}

/// Class 8: control bytes in data never reach the terminal through an error.
#[test]
fn control_bytes_in_errors_are_escaped() {
    let d = tempfile::tempdir().expect("tempdir");
    let store = d.path().join("store");
    let bad = write(
        d.path(),
        "bad.csv",
        "t,i,j,k,v,q\n2020,710,156,85\u{1b}[31m\u{7}0760,1.0,1.0\n",
    );
    let o = ingest(&store, &bad, "t", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\e[31m"), "{err}");
}
