//! `entrepot gravity` and `entrepot sql` on hostile input: every case ends with a precise
//! message and the documented exit code (1 failure, 2 usage, 3 bad data, 4 not found),
//! never with a stack overflow, an abort or an exhausted machine. Each test runs the
//! binary as a subprocess, so an abort would show as a signal, not as a passing test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entrepot"));
    c.env("NO_COLOR", "1")
        .env_remove("ENTREPOT_STORE")
        .env_remove("ENTREPOT_MEMORY_LIMIT");
    c
}

/// Runs `entrepot --quiet --store <store> args…`.
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

/// Asserts the exit code (a signal has no code, so an abort fails here) and that stderr
/// holds `needle`.
#[track_caller]
fn expect(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "status {:?}, stderr: {err}",
        o.status
    );
    assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
    assert!(err.len() < 4_000, "stderr of {} bytes", err.len());
}

/// A temporary directory with an (empty) store, and a gravity CSV.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = Fixture { dir };
        let csv = "exporter,importer,pair,trade,dist,one\n\
                   A,B,AB,10,1.5,1\nA,C,AC,4,2.5,1\nB,A,BA,7,1.5,1\nB,C,BC,3,3.0,1\n\
                   C,A,CA,5,2.5,1\nC,B,CB,2,3.0,1\nA,D,AD,1,4.0,1\nD,A,DA,2,4.0,1\n";
        f.write("trade.csv", csv.as_bytes());
        f
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().into_owned()
    }

    fn store(&self) -> PathBuf {
        let store = self.path("store");
        if !store.exists() {
            let good = self.write(
                "good.csv",
                b"t,i,j,k,v,q\n2020,710,156,850760,12.5,1.0\n2020,710,842,870380,3.0,\n",
            );
            let o = run(
                &store,
                &[
                    "ingest",
                    &good,
                    "--dataset",
                    "good",
                    "--from",
                    "baci",
                    "--hs",
                    "HS2017",
                ],
            );
            assert!(o.status.success(), "{}", stderr(&o));
        }
        store
    }

    /// `entrepot gravity fit --data trade.csv --formula F extra…`
    fn fit(&self, formula: &str, extra: &[&str]) -> Output {
        let data = self.path("trade.csv");
        let mut args = vec![
            "gravity",
            "fit",
            "--data",
            data.to_str().unwrap_or_default(),
            "--formula",
            formula,
        ];
        args.extend_from_slice(extra);
        run(&self.path("no-store"), &args)
    }
}

// ---- class 1: stack overflows -------------------------------------------------------

#[test]
fn gravity_deep_formulas_and_filters_are_usage_errors_not_aborts() {
    let f = Fixture::new();
    let parens = format!("trade ~ {}dist{}", "(".repeat(10_000), ")".repeat(10_000));
    expect(
        &f.fit(&parens, &[]),
        2,
        "nested too deeply (limit 200 levels)",
    );
    let minus = format!("trade ~ {}dist", "-".repeat(50_000));
    expect(&f.fit(&minus, &[]), 2, "nested too deeply");
    let filter = format!("{}dist > 0{}", "(".repeat(10_000), ")".repeat(10_000));
    expect(
        &f.fit("trade ~ dist", &["--filter", &filter]),
        2,
        "--filter: cannot parse",
    );
    let chain = vec!["dist"; 20_000].join("*");
    expect(
        &f.fit(&format!("trade ~ {chain}"), &[]),
        2,
        "nested too deeply",
    );
}

#[test]
fn sql_long_and_deep_queries_end_cleanly() {
    let f = Fixture::new();
    let store = f.store();
    for terms in [3_000, 50_000] {
        let q = format!("SELECT {}", vec!["1"; terms].join("+"));
        expect(
            &run(&store, &["sql", &q]),
            2,
            "query too deeply nested (limit 1000)",
        );
    }
    let q = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    expect(
        &run(&store, &["sql", &q]),
        2,
        "query too deeply nested (limit 1000)",
    );
    let q = format!("SELECT {} AS n", vec!["1"; 200].join(" + "));
    let o = run(&store, &["sql", "--format", "csv", &q]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "n\n200\n");
}

// ---- class 2: SQL memory ------------------------------------------------------------

/// Runs `entrepot args…` and returns its output, wall time and peak RSS in KiB (when
/// `/usr/bin/time` is there to measure it).
fn measured(store: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    let tmp = tempfile::NamedTempFile::new().expect("tempfile");
    let mut c = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(tmp.path());
        c.arg(env!("CARGO_BIN_EXE_entrepot"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_entrepot"))
    };
    c.env("NO_COLOR", "1").env_remove("ENTREPOT_MEMORY_LIMIT");
    c.envs(env.iter().copied());
    c.arg("--quiet").arg("--store").arg(store).args(args);
    let started = Instant::now();
    let o = c.output().expect("run entrepot");
    let rss = std::fs::read_to_string(tmp.path())
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    (o, started.elapsed(), rss)
}

#[test]
fn sql_huge_values_are_refused_before_they_are_built() {
    let f = Fixture::new();
    let store = f.store();
    let (o, took, rss) = measured(&store, &["sql", "SELECT repeat('x', 2000000000)"], &[]);
    expect(
        &o,
        1,
        "repeat() would make a value of up to 2000000000 bytes, more than the 16.0 MiB one value may hold",
    );
    eprintln!("repeat 2e9: {took:?}, peak RSS {rss:?} KiB");
    assert!(
        rss.is_none_or(|kib| kib < 512 * 1024),
        "peak RSS {rss:?} KiB"
    );
    for q in [
        "SELECT lpad('', 1000000000)",
        "SELECT rpad('x', 1000000000, 'y')",
    ] {
        expect(
            &run(&store, &["sql", q]),
            1,
            "more than the 16.0 MiB one value may hold",
        );
    }
}

#[test]
fn sql_cross_join_fails_within_the_memory_limit() {
    let f = Fixture::new();
    let store = f.store();
    let q = "SELECT * FROM generate_series(1, 100000) a, generate_series(1, 100000) b";
    let (o, took, rss) = measured(&store, &["sql", "--memory-limit", "64MiB", q], &[]);
    expect(
        &o,
        1,
        "the query needs more memory than the limit (64.0 MiB); raise --memory-limit or narrow the query",
    );
    eprintln!("cross join, 64 MiB limit: {took:?}, peak RSS {rss:?} KiB");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(
        rss.is_none_or(|kib| kib < 1024 * 1024),
        "peak RSS {rss:?} KiB"
    );
    // the same limit from the environment
    let (o, _, _) = measured(&store, &["sql", q], &[("ENTREPOT_MEMORY_LIMIT", "64MiB")]);
    expect(&o, 1, "more memory than the limit (64.0 MiB)");
}

#[test]
fn sql_memory_limit_must_be_a_size() {
    let f = Fixture::new();
    let store = f.store();
    for bad in ["12 parsecs", "0", "-1G"] {
        let flag = format!("--memory-limit={bad}");
        let o = run(&store, &["sql", &flag, "SELECT 1"]);
        expect(&o, 2, "invalid size");
    }
    let o = run(
        &store,
        &[
            "sql",
            "--memory-limit",
            "512MB",
            "--format",
            "csv",
            "SELECT 41 + 1 AS x",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "x\n42\n");
}

// ---- class 3: meaningless estimates -------------------------------------------------

#[test]
fn gravity_refuses_models_without_inference() {
    let f = Fixture::new();
    let one = f.write("one.csv", b"y,x\n3,1\n");
    let two = f.write("two.csv", b"y,x\n1,1\n4,2\n");
    for (data, needle) in [
        (
            &one,
            "no residual degrees of freedom: 1 observations for 1 parameters",
        ),
        (
            &two,
            "no residual degrees of freedom: 2 observations for 2 parameters",
        ),
    ] {
        for model in ["ppml", "ols"] {
            let o = run(
                &f.path("none"),
                &[
                    "gravity",
                    "fit",
                    "--data",
                    data,
                    "--formula",
                    "y ~ x",
                    "--model",
                    model,
                ],
            );
            expect(&o, 1, needle);
        }
    }
    let o = f.fit("trade ~ dist", &["--cluster", "one"]);
    expect(
        &o,
        1,
        "clustered standard errors need at least 2 clusters, but `one` has 1",
    );
}

#[test]
fn gravity_refuses_empty_and_non_condition_arguments() {
    let f = Fixture::new();
    expect(
        &f.fit("trade ~ dist", &["--cluster", ""]),
        2,
        "--cluster: cannot parse ``: empty cluster variable name",
    );
    expect(
        &f.fit("trade ~ dist", &["--cluster", "pair,,exporter"]),
        2,
        "empty cluster variable name",
    );
    expect(&f.fit("trade ~", &[]), 2, "the formula has no regressors");
    expect(
        &f.fit("trade ~ | exporter", &[]),
        2,
        "the formula has no regressors",
    );
    expect(
        &f.fit("trade ~ dist", &["--filter", "log(dist)"]),
        2,
        "filter `log(dist)` is not a condition: it is a function value",
    );
    expect(
        &f.fit("trade ~ dist", &["--filter", "dist"]),
        2,
        "filter `dist` is not a condition: it holds values other than 0 and 1",
    );
    // a 0/1 column is a condition
    let o = f.fit("trade ~ dist", &["--filter", "one", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---- class 4: exit codes ------------------------------------------------------------

#[test]
fn gravity_parse_errors_exit_2_and_unknown_names_exit_4() {
    let f = Fixture::new();
    expect(
        &f.fit("trade ~ log(dist", &[]),
        2,
        "--formula: cannot parse `log(dist`: expected `)`",
    );
    expect(
        &f.fit("trade ~ dist", &["--filter", "dist >"]),
        2,
        "--filter: cannot parse `dist >`",
    );
    expect(
        &f.fit("trade ~ dist", &["--tol", "2"]),
        2,
        "--tol must be in (0, 1)",
    );
    expect(
        &f.fit("trade ~ distt", &[]),
        4,
        "unknown column `distt` (columns: exporter, importer",
    );
    expect(
        &f.fit("trade ~ dist", &["--cluster", "pairs"]),
        4,
        "unknown column `pairs`",
    );
    expect(
        &f.fit("trade ~ dist | origin", &[]),
        4,
        "unknown column `origin`",
    );
    let o = run(
        &f.path("none"),
        &[
            "gravity",
            "fit",
            "--data",
            "/nonexistent/x.csv",
            "--formula",
            "y ~ x",
        ],
    );
    expect(&o, 4, "--data /nonexistent/x.csv: no such file");
    let o = run(
        &f.store(),
        &[
            "gravity",
            "fit",
            "--dataset",
            "nope",
            "--formula",
            "value_usd ~ year",
        ],
    );
    expect(&o, 4, "no dataset `nope` in the store");
    // control bytes in a name are shown escaped
    expect(
        &f.fit("trade ~ `di\u{1b}[31mst`", &[]),
        4,
        "unknown column `di\\e[31mst`",
    );
}

// ---- class 5: unbounded and binary input --------------------------------------------

#[test]
fn gravity_refuses_binary_and_endless_input() {
    let f = Fixture::new();
    if Path::new("/dev/zero").exists() {
        let o = run(
            &f.path("none"),
            &[
                "gravity",
                "fit",
                "--data",
                "/dev/zero",
                "--formula",
                "y ~ x",
            ],
        );
        expect(&o, 3, "/dev/zero is not a text file");
    }
    let mut long = b"y,x\n1,".to_vec();
    long.extend(std::iter::repeat_n(b'7', 2 << 20));
    let long = f.write("long.csv", &long);
    let o = run(
        &f.path("none"),
        &["gravity", "fit", "--data", &long, "--formula", "y ~ x"],
    );
    expect(
        &o,
        3,
        "record starting on line 2 is longer than 1048576 bytes",
    );
    let png = f.write("image.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let o = run(
        &f.path("none"),
        &["gravity", "fit", "--data", &png, "--formula", "y ~ x"],
    );
    expect(&o, 3, "is not a text file");
}

#[test]
fn gravity_corrupt_parquet_names_the_file() {
    let f = Fixture::new();
    let p = f.write("broken.parquet", b"PAR1 this is not really parquet PAR1");
    let o = run(
        &f.path("none"),
        &["gravity", "fit", "--data", &p, "--formula", "y ~ x"],
    );
    expect(&o, 3, "reading Parquet file ");
    assert!(stderr(&o).contains("broken.parquet"), "{}", stderr(&o));
}

#[test]
fn sql_corrupt_parquet_in_the_store_is_reported() {
    let f = Fixture::new();
    let store = f.store();
    let mut files = Vec::new();
    let mut dirs = vec![store.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                files.push(p);
            }
        }
    }
    let file = files.first().expect("a stored Parquet file");
    let mut bytes = std::fs::read(file).expect("read");
    let n = bytes.len();
    for b in &mut bytes[8..n.saturating_sub(64)] {
        *b ^= 0x5a;
    }
    std::fs::write(file, &bytes).expect("write");
    for q in ["SELECT sum(value_usd) FROM flows", "SELECT * FROM good"] {
        let o = run(&store, &["sql", q]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(".parquet") || err.contains("run `entrepot verify` to find it"),
            "{err}"
        );
    }
    // the same store through gravity --sql
    let o = run(
        &store,
        &[
            "gravity",
            "fit",
            "--sql",
            "SELECT * FROM good",
            "--formula",
            "value_usd ~ year",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
