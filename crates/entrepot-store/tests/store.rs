//! Ingest, reload, idempotence, failure atomicity, quarantine, duplicates, locking.
#![allow(clippy::type_complexity)] // table-driven test cases

mod common;

use common::*;
use entrepot_core::{FlowKind, Period, PeriodSpan, Product, PublishedFigure, Unit};
use entrepot_io::OnError;
use entrepot_store::{
    DatasetKind, FileLayout, FlowFilter, IngestOptions, SinkLimits, Store, StoreError,
    MANIFEST_FILE, REPORTER_BUCKET_BOUNDS,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn quiet(_: entrepot_store::IngestProgress) {}

fn ingest_sample(store: &mut Store, name: &str, replace: bool) -> entrepot_store::IngestReport {
    let sources = vec![
        VecReader::new("a.csv", sample_batches("a.csv")).boxed(),
        VecReader::new(
            "b.csv",
            vec![batch("b.csv", &[("FRA", "DEU", 2016, "TOTAL", 5.0)])],
        )
        .boxed(),
    ];
    let opts = IngestOptions {
        replace,
        ..Default::default()
    };
    store.ingest(name, sources, &opts, &quiet).expect("ingest")
}

#[test]
fn ingest_reopen_load() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    assert!(store.datasets().is_empty());
    let rep = ingest_sample(&mut store, "trade", false);
    assert_eq!(rep.version, 1);
    assert_eq!(rep.rows, 9);
    assert_eq!(rep.rejected, 0);
    // One file per year: 2016 (CHN, FRA, USA; 6 rows) and 2017 (CHN, DEU, USA; 3).
    assert_eq!(rep.partitions, 2);
    assert_eq!(rep.files, 2);
    assert!(!rep.unchanged);
    drop(store);

    let store = Store::open(tmp.path()).unwrap();
    let d = store.dataset("trade").expect("dataset").clone();
    assert_eq!(d.kind, DatasetKind::Flows);
    assert_eq!(d.path, "datasets/trade/v1");
    assert_eq!(d.rows, 9);
    assert_eq!(d.reporters, vec!["CHN", "DEU", "FRA", "USA"]);
    assert_eq!(d.years, vec![2016, 2017]);
    assert!(d.created_at.ends_with('Z') && d.created_at.len() == 20);
    assert!(d.checksum.starts_with("sha256:"));
    assert_eq!(d.partitions.iter().map(|p| p.rows).sum::<u64>(), 9);
    assert_eq!(d.partition_columns, vec!["year"]);
    let ranges: Vec<(&str, Option<i32>, Option<(&str, &str)>, u64)> = d
        .partitions
        .iter()
        .map(|p| (p.path.as_str(), p.year, p.reporter_bounds(), p.rows))
        .collect();
    assert_eq!(
        ranges,
        vec![
            (
                "year=2016/part-0.parquet",
                Some(2016),
                Some(("CHN", "USA")),
                6
            ),
            (
                "year=2017/part-0.parquet",
                Some(2017),
                Some(("CHN", "USA")),
                3
            ),
        ]
    );
    assert!(d.partitions.iter().all(|p| p.layout() == FileLayout::Year));

    // Hive layout by year: `reporter` is a column of the files, `year` is not.
    let files = store.flow_files("trade").unwrap();
    assert_eq!(files.len(), 2);
    let y2016 = tmp
        .path()
        .join("datasets/trade/v1/year=2016/part-0.parquet");
    assert!(files.contains(&std::path::absolute(&y2016).unwrap()));
    let f = std::fs::File::open(&y2016).unwrap();
    let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let names: Vec<String> = r
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert!(names.contains(&"reporter".to_string()) && !names.contains(&"year".to_string()));
    assert_eq!(names[0], "reporter");
    assert!(names.contains(&"partner".to_string()));

    // Manifest is valid JSON with the schema version.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join(MANIFEST_FILE)).unwrap())
            .unwrap();
    assert_eq!(m["schema_version"], 2);
    assert_eq!(m["datasets"]["trade"]["kind"], "flows");
    assert_eq!(
        m["datasets"]["trade"]["partitions"][0]["reporter_range"],
        serde_json::json!({"min": "CHN", "max": "USA"})
    );

    let all = store.load_flows(&FlowFilter::default()).unwrap();
    assert_eq!(all.len(), 9);
    let chn_usa = store
        .load_flows(&FlowFilter {
            reporter: Some("CHN".into()),
            partner: Some("USA".into()),
            years: Some(2016..=2016),
            product_level: Some(0),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(chn_usa.len(), 1);
    let f = &chn_usa[0];
    assert_eq!(f.value_usd, 100.0);
    assert_eq!(f.period, Period::Year(2016));
    assert_eq!(f.product, Product::Total);
    assert_eq!(f.flow, FlowKind::Export);
    assert_eq!(f.provenance.dataset, "trade");
    assert_eq!(f.provenance.source_file.as_deref(), Some("a.csv"));
    let hs = store
        .load_flows(&FlowFilter {
            dataset: Some("trade".into()),
            product_level: Some(6),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hs.len(), 1);
    assert_eq!(hs[0].product.code_str(), "851712");
    let imports = store
        .load_flows(&FlowFilter {
            flow: Some(FlowKind::Import),
            ..Default::default()
        })
        .unwrap();
    assert!(imports.is_empty());
    assert!(matches!(
        store.load_flows(&FlowFilter {
            dataset: Some("nope".into()),
            ..Default::default()
        }),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn idempotent_reingest_and_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let a = src.path().join("a.csv");
    std::fs::write(&a, "pretend source\n").unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let opts = IngestOptions {
        source_files: vec![a.clone()],
        ..Default::default()
    };
    let run = |store: &mut Store, opts: &IngestOptions| {
        store.ingest(
            "trade",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            opts,
            &quiet,
        )
    };
    let r1 = run(&mut store, &opts).unwrap();
    assert_eq!(store.dataset("trade").unwrap().sources[0].size, Some(15));
    let before = snapshot(tmp.path());

    // Same source checksums, no replace: a no-op.
    let r2 = run(&mut store, &opts).unwrap();
    assert!(r2.unchanged);
    assert_eq!(
        (r2.version, r2.rows, &r2.checksum),
        (1, r1.rows, &r1.checksum)
    );
    assert_eq!(snapshot(tmp.path()), before);

    // Forced re-ingest of the same content: same checksum, reported unchanged.
    let replace = IngestOptions {
        replace: true,
        ..opts.clone()
    };
    let r3 = run(&mut store, &replace).unwrap();
    assert!(r3.unchanged);
    assert_eq!(
        (r3.version, r3.rows, &r3.checksum),
        (1, r1.rows, &r1.checksum)
    );
    assert_eq!(snapshot(tmp.path()), before);

    // Re-ingesting into a fresh store gives the same checksum too.
    let tmp2 = tempfile::tempdir().unwrap();
    let mut store2 = Store::open(tmp2.path()).unwrap();
    let r4 = run(&mut store2, &opts).unwrap();
    assert_eq!(r4.checksum, r1.checksum);

    // Different sources without replace: refused.
    std::fs::write(&a, "changed source\n").unwrap();
    let err = run(&mut store, &opts).unwrap_err();
    assert!(
        matches!(err, StoreError::Exists { version: 1, .. }),
        "{err}"
    );

    // Different content with replace: version 2, old version gone.
    let r5 = store
        .ingest(
            "trade",
            vec![VecReader::new(
                "c.csv",
                vec![batch("c.csv", &[("CHN", "JPN", 2018, "TOTAL", 1.0)])],
            )
            .boxed()],
            &replace,
            &quiet,
        )
        .unwrap();
    assert_eq!((r5.version, r5.rows, r5.unchanged), (2, 1, false));
    assert!(!tmp.path().join("datasets/trade/v1").exists());
    assert!(tmp
        .path()
        .join("datasets/trade/v2/year=2018/part-0.parquet")
        .is_file());
    assert!(!tmp.path().join(".staging").exists());
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.dataset("trade").unwrap().version, 2);
    assert_eq!(store.load_flows(&FlowFilter::default()).unwrap().len(), 1);
}

#[test]
fn failure_midway_leaves_store_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    ingest_sample(&mut store, "trade", false);
    // Small limits so that files are really written to staging before the failure.
    store.set_limits(SinkLimits {
        row_group_rows: 1,
        buffer_bytes: 1,
        max_open_writers: 2,
        year_file_rows: 2,
    });
    let before = snapshot(tmp.path());
    for k in 0..4 {
        let mut batches = sample_batches("x.csv");
        batches.extend(sample_batches("y.csv").into_iter().map(|b| {
            // shift years so keys do not collide
            let rows: Vec<(String, String, i32, String, f64)> =
                entrepot_io::schema::batch_to_flows(&b, "t")
                    .unwrap()
                    .into_iter()
                    .map(|f| {
                        (
                            f.reporter,
                            f.partner,
                            f.period.year() + 10,
                            f.product.code_str().to_string(),
                            f.value_usd,
                        )
                    })
                    .collect();
            let rows: Vec<Row<'_>> = rows
                .iter()
                .map(|(a, b, y, p, v)| (a.as_str(), b.as_str(), *y, p.as_str(), *v))
                .collect();
            batch("y.csv", &rows)
        }));
        let sources = vec![
            VecReader::new(
                "ok.csv",
                vec![batch("ok.csv", &[("ITA", "ESP", 2015, "TOTAL", 1.0)])],
            )
            .boxed(),
            VecReader::new("x.csv", batches).failing_at(k).boxed(),
        ];
        let opts = IngestOptions {
            replace: true,
            ..Default::default()
        };
        let err = store.ingest("trade", sources, &opts, &quiet).unwrap_err();
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(snapshot(tmp.path()), before, "failure at batch {k}");
        // A new dataset failing is not left behind either.
        let err = store
            .ingest(
                "other",
                vec![VecReader::new("x.csv", sample_batches("x.csv"))
                    .failing_at(k)
                    .boxed()],
                &IngestOptions::default(),
                &quiet,
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Read { .. }));
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "new dataset, failure at batch {k}"
        );
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.datasets().len(), 1);
    assert_eq!(store.load_flows(&FlowFilter::default()).unwrap().len(), 9);
}

#[test]
fn fail_mode_bad_row_aborts_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    ingest_sample(&mut store, "trade", false);
    let before = snapshot(tmp.path());
    let src =
        VecReader::new("a.csv", sample_batches("a.csv")).rejecting(1, vec![bad_row("a.csv", 7)]);
    let opts = IngestOptions {
        replace: true,
        on_error: OnError::Fail,
        ..Default::default()
    };
    let err = store
        .ingest("trade", vec![src.boxed()], &opts, &quiet)
        .unwrap_err();
    assert!(matches!(err, StoreError::Row(_)));
    assert!(err.to_string().contains("a.csv:7"), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn quarantine_counts_and_cross_file_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let q = tempfile::tempdir().unwrap();
    let qpath = q.path().join("rejected.csv");
    let mut store = Store::open(tmp.path()).unwrap();
    let a = VecReader::new("a.csv", sample_batches("a.csv"))
        .rejecting(0, vec![bad_row("a.csv", 3), bad_row("a.csv", 9)])
        .rejecting(3, vec![bad_row("a.csv", 20)]);
    // b.csv repeats two keys of a.csv (CHN-USA-2016-TOTAL, USA-MEX-2017-TOTAL) and adds one.
    let b = VecReader::new(
        "b.csv",
        vec![batch(
            "b.csv",
            &[
                ("CHN", "USA", 2016, "TOTAL", 999.0),
                ("KOR", "JPN", 2016, "TOTAL", 3.0),
                ("USA", "MEX", 2017, "TOTAL", 999.0),
            ],
        )],
    );
    let opts = IngestOptions {
        on_error: OnError::Quarantine,
        quarantine_path: Some(qpath.clone()),
        ..Default::default()
    };
    let rep = store
        .ingest("trade", vec![a.boxed(), b.boxed()], &opts, &quiet)
        .unwrap();
    assert_eq!(rep.rows, 9);
    assert_eq!(rep.rejected, 5);
    assert_eq!(rep.quarantine_path.as_deref(), Some(qpath.as_path()));
    assert_eq!(store.dataset("trade").unwrap().rejected, 5);
    let text = std::fs::read_to_string(&qpath).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "file,line,column,value,message,raw");
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines.iter().filter(|l| l.contains("duplicate key")).count(),
        2
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("b.csv,2,,") && l.contains("CHN,USA,export,2016,,TOTAL")));
    // The first occurrence wins.
    let chn_usa = store
        .load_flows(&FlowFilter {
            reporter: Some("CHN".into()),
            partner: Some("USA".into()),
            years: Some(2016..=2016),
            product_level: Some(0),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(chn_usa.len(), 1);
    assert_eq!(chn_usa[0].value_usd, 100.0);

    // In fail mode the duplicate aborts and nothing is stored.
    let tmp2 = tempfile::tempdir().unwrap();
    let mut store2 = Store::open(tmp2.path()).unwrap();
    let before = snapshot(tmp2.path());
    let err = store2
        .ingest(
            "trade",
            vec![
                VecReader::new("a.csv", sample_batches("a.csv")).boxed(),
                VecReader::new(
                    "b.csv",
                    vec![batch("b.csv", &[("USA", "MEX", 2017, "TOTAL", 1.0)])],
                )
                .boxed(),
            ],
            &IngestOptions::default(),
            &quiet,
        )
        .unwrap_err();
    assert!(err.to_string().contains("duplicate key"), "{err}");
    assert!(err.to_string().contains("b.csv:2"), "{err}");
    assert_eq!(snapshot(tmp2.path()), before);
    assert!(Store::open(tmp2.path()).unwrap().datasets().is_empty());
}

/// A reader that, while the outer ingest holds the lock, tries to write to the same
/// store from a second handle and records what happened.
struct Intruder {
    dir: PathBuf,
    seen: Arc<Mutex<Option<String>>>,
    done: bool,
}

impl entrepot_io::FlowReader for Intruder {
    fn next_batch(
        &mut self,
    ) -> Result<Option<arrow::record_batch::RecordBatch>, entrepot_io::IoError> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        // Opening while locked works (and does not collect the live staging dir).
        let mut other = Store::open(&self.dir).expect("open while locked");
        let r = other.ingest(
            "second",
            vec![VecReader::new("z.csv", sample_batches("z.csv")).boxed()],
            &IngestOptions::default(),
            &quiet,
        );
        let staging_alive = std::fs::read_dir(self.dir.join(".staging"))
            .map(|d| d.count())
            .unwrap_or(0);
        let msg = match r {
            Err(e @ StoreError::Locked { .. }) => format!("{e} | staging={staging_alive}"),
            Err(e) => format!("unexpected error: {e}"),
            Ok(_) => "unexpectedly succeeded".into(),
        };
        *self.seen.lock().unwrap() = Some(msg);
        Ok(Some(batch("i.csv", &[("CHN", "USA", 2016, "TOTAL", 1.0)])))
    }
    fn take_rejected(&mut self) -> Vec<entrepot_io::RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    fn describe(&self) -> String {
        "intruder".into()
    }
}

#[test]
fn lock_contention_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let seen = Arc::new(Mutex::new(None));
    let intruder = Intruder {
        dir: tmp.path().to_path_buf(),
        seen: seen.clone(),
        done: false,
    };
    let rep = store
        .ingest(
            "first",
            vec![Box::new(intruder)],
            &IngestOptions::default(),
            &quiet,
        )
        .unwrap();
    assert_eq!(rep.rows, 1);
    let msg = seen.lock().unwrap().clone().expect("intruder ran");
    assert!(msg.contains("is locked by another writer"), "{msg}");
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    assert!(msg.contains("staging=1"), "{msg}");
    // After the first ingest released the lock, the second writer succeeds.
    let mut other = Store::open(tmp.path()).unwrap();
    ingest_sample(&mut other, "second", false);
    assert_eq!(other.datasets().len(), 2);
}

#[test]
fn bounded_writers_split_years_without_losing_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    // Years of 80 rows are split by reporter bucket after 20 rows; three open files
    // for four buckets a year force files to be closed and continued.
    store.set_limits(SinkLimits {
        row_group_rows: 7,
        buffer_bytes: 4096,
        max_open_writers: 3,
        year_file_rows: 20,
    });
    let reporters = ["AUS", "BRA", "CAN", "CHN", "DEU", "FRA", "IND", "JPN"];
    let partners = [
        "USA", "GBR", "ITA", "ESP", "MEX", "KOR", "ZAF", "NGA", "EGY", "ARG",
    ];
    let mut batches = Vec::new();
    let mut expected = 0.0;
    for year in 2010..2013 {
        for p in partners {
            let rows: Vec<Row<'_>> = reporters
                .iter()
                .map(|r| (*r, p, year, "TOTAL", (year - 2000) as f64))
                .collect();
            expected += rows.iter().map(|r| r.4).sum::<f64>();
            batches.push(batch("big.csv", &rows));
        }
    }
    let rep = store
        .ingest(
            "big",
            vec![VecReader::new("big.csv", batches).boxed()],
            &IngestOptions::default(),
            &quiet,
        )
        .unwrap();
    assert_eq!(rep.rows, 240);
    assert_eq!(rep.partitions, 3);
    assert!(
        rep.files > 4 * rep.partitions,
        "writers were recycled: {} files",
        rep.files
    );
    // Files written after the split hold one reporter bucket each.
    let d = store.dataset("big").unwrap();
    for p in &d.partitions {
        let (min, max) = p.reporter_bounds().unwrap();
        let bucket = |r: &str| REPORTER_BUCKET_BOUNDS.partition_point(|b| *b <= r);
        assert!(min <= max, "{p:?}");
        // Only a year's first file may be its single file from before the split.
        if !p.path.ends_with("/part-0.parquet") {
            assert_eq!(bucket(min), bucket(max), "{p:?}");
        }
    }
    let flows = store.load_flows(&FlowFilter::default()).unwrap();
    assert_eq!(flows.len(), 240);
    assert_eq!(flows.iter().map(|f| f.value_usd).sum::<f64>(), expected);
    let mut keys: Vec<_> = flows.iter().map(|f| f.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 240);
}

fn figure(span: &str, indicator: &str, value: Option<f64>, unit: Unit) -> PublishedFigure {
    PublishedFigure {
        span: span.parse::<PeriodSpan>().unwrap(),
        reporter: "CHN".into(),
        partner: "USA".into(),
        indicator: indicator.into(),
        value,
        unit,
        yoy_pct: Some(-2.5),
        source_url: "https://example.org/x".into(),
        note: "approx.".into(),
        origin: "china_customs_facts.csv:4".into(),
    }
}

#[test]
fn facts_roundtrip_and_remove() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let figs = vec![
        figure("2025-11", "export", Some(330.3), Unit::UsdBn),
        figure(
            "2025-01..2025-11",
            "balance",
            None,
            Unit::Other("bn rubles".into()),
        ),
        figure("2024", "nbs_manufacturing_pmi", Some(49.2), Unit::Index),
    ];
    let rep = store
        .ingest_facts(
            "china_facts",
            figs.clone(),
            &[(PathBuf::from("facts.csv"), "ab".repeat(32))],
        )
        .unwrap();
    assert_eq!((rep.version, rep.rows), (1, 3));
    assert!(tmp
        .path()
        .join("datasets/china_facts/v1/facts.parquet")
        .is_file());
    let again = store
        .ingest_facts("china_facts", figs.clone(), &[])
        .unwrap();
    assert!(again.unchanged);
    ingest_sample(&mut store, "trade", false);
    let store2 = Store::open(tmp.path()).unwrap();
    assert_eq!(store2.load_facts(None).unwrap(), figs);
    assert_eq!(store2.load_facts(Some("china_facts")).unwrap(), figs);
    assert!(matches!(
        store2.load_facts(Some("trade")),
        Err(StoreError::KindMismatch { .. })
    ));
    let d = store2.dataset("china_facts").unwrap();
    assert_eq!(d.kind, DatasetKind::Facts);
    assert_eq!(d.years, vec![2024, 2025]);
    assert_eq!(d.sources[0].sha256, "ab".repeat(32));
    // Flows into a facts dataset is refused.
    let err = store
        .ingest(
            "china_facts",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            &IngestOptions {
                replace: true,
                ..Default::default()
            },
            &quiet,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::KindMismatch { .. }));

    let removed = store.remove("china_facts").unwrap();
    assert_eq!(removed.name, "china_facts");
    assert!(!tmp.path().join("datasets/china_facts").exists());
    assert!(matches!(
        store.remove("china_facts"),
        Err(StoreError::NotFound(_))
    ));
    let store3 = Store::open(tmp.path()).unwrap();
    assert_eq!(store3.datasets().len(), 1);
    assert!(store3.load_facts(None).unwrap().is_empty());
}

#[test]
fn names_are_validated_and_garbage_is_collected() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    for bad in ["", "../x", ".hidden", "a/b", "a b", "-x"] {
        let err = store
            .ingest(bad, vec![], &IngestOptions::default(), &quiet)
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidName(_)), "{bad}");
    }
    ingest_sample(&mut store, "trade", false);
    let before = snapshot(tmp.path());
    // Leftovers of crashed writers: a staging dir, an unreferenced version, a stray
    // dataset directory and a manifest temp file.
    std::fs::create_dir_all(tmp.path().join(".staging/x-1-2-3/year=2016")).unwrap();
    std::fs::write(tmp.path().join(".staging/x-1-2-3/year=2016/f"), b"x").unwrap();
    std::fs::create_dir_all(tmp.path().join("datasets/trade/v2/year=2016")).unwrap();
    std::fs::create_dir_all(tmp.path().join("datasets/ghost/v1")).unwrap();
    std::fs::write(tmp.path().join("manifest.json.tmp"), b"{").unwrap();
    // A read view sees only the manifest's data and removes nothing...
    let reader = Store::open_read(tmp.path()).unwrap();
    assert_eq!(reader.load_flows(&FlowFilter::default()).unwrap().len(), 9);
    assert!(tmp.path().join("datasets/ghost/v1").is_dir());
    drop(reader);
    // ...the next writer collects.
    let mut store = Store::open(tmp.path()).unwrap();
    store.collect_garbage().unwrap();
    assert_eq!(snapshot(tmp.path()), before);
    assert_eq!(store.load_flows(&FlowFilter::default()).unwrap().len(), 9);
}

#[test]
fn empty_ingest_stores_nothing_and_default_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("nested/store")).unwrap();
    let err = store
        .ingest(
            "empty",
            vec![VecReader::new("e.csv", vec![]).boxed()],
            &IngestOptions::default(),
            &quiet,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("no rows to store"), "{err}");
    assert!(store.dataset("empty").is_none());
    assert!(store.load_flows(&FlowFilter::default()).unwrap().is_empty());
    assert!(
        entrepot_store::default_store_dir().ends_with("entrepot")
            || std::env::var_os("ENTREPOT_STORE").is_some()
    );
}

/// Readers that reject repeated keys themselves (`keys_unique`): a single source is
/// not checked again by the store, but keys repeated across sources still are, and
/// the reader's own duplicates are still rejected.
#[test]
fn duplicates_with_key_checking_readers() {
    use entrepot_io::baci::BaciReader;
    use entrepot_io::{FlowReader, ReadOptions};
    let data = tempfile::tempdir().unwrap();
    let a = data.path().join("BACI_HS17_a.csv");
    let b = data.path().join("BACI_HS17_b.csv");
    std::fs::write(
        &a,
        "t,i,j,k,v,q\n2020,4,24,300431,1,1\n2020,4,24,854140,2,\n2020,4,24,300431,3,1\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "t,i,j,k,v,q\n2020,4,24,854140,5,\n2020,4,842,854140,7,\n",
    )
    .unwrap();
    let open = |p: &std::path::Path| -> Box<dyn FlowReader> {
        let options = ReadOptions {
            on_error: OnError::Quarantine,
            ..Default::default()
        };
        Box::new(BaciReader::open(p, None, None, options).unwrap())
    };
    assert!(open(&a).keys_unique());
    let q = tempfile::tempdir().unwrap();
    let qpath = q.path().join("rejected.csv");
    let opts = IngestOptions {
        on_error: OnError::Quarantine,
        quarantine_path: Some(qpath.clone()),
        ..Default::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let rep = store.ingest("one", vec![open(&a)], &opts, &quiet).unwrap();
    assert_eq!((rep.rows, rep.rejected), (2, 1));
    let rep = store
        .ingest("two", vec![open(&a), open(&b)], &opts, &quiet)
        .unwrap();
    assert_eq!((rep.rows, rep.rejected), (3, 2));
    let text = std::fs::read_to_string(&qpath).unwrap();
    assert!(text.contains("first seen on line 2"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("BACI_HS17_b.csv,2,") && l.contains("duplicate key")),
        "{text}"
    );
    let flows = store
        .load_flows(&FlowFilter {
            dataset: Some("two".into()),
            ..Default::default()
        })
        .unwrap();
    let mut values: Vec<f64> = flows.iter().map(|f| f.value_usd).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![1000.0, 2000.0, 7000.0]);
}

/// Keys repeated across sources are caught whatever sources lie between, keys of
/// different periods never collide, and a reader that does not check its own keys
/// is checked by the store.
#[test]
fn duplicates_across_sources_and_periods() {
    let tmp = tempfile::tempdir().unwrap();
    let q = tempfile::tempdir().unwrap();
    let qpath = q.path().join("rejected.csv");
    let mut store = Store::open(tmp.path()).unwrap();
    let sources = vec![
        VecReader::new(
            "y2016.csv",
            vec![batch(
                "y2016.csv",
                &[
                    ("CHN", "USA", 2016, "TOTAL", 1.0),
                    ("CHN", "DEU", 2016, "TOTAL", 2.0),
                ],
            )],
        )
        .boxed(),
        // Same keys, another period: no duplicate. Its own repeated key is one.
        VecReader::new(
            "y2017.csv",
            vec![batch(
                "y2017.csv",
                &[
                    ("CHN", "USA", 2017, "TOTAL", 3.0),
                    ("CHN", "DEU", 2017, "TOTAL", 4.0),
                    ("CHN", "USA", 2017, "TOTAL", 5.0),
                ],
            )],
        )
        .boxed(),
        // Repeats a 2016 key two sources later.
        VecReader::new(
            "late.csv",
            vec![batch(
                "late.csv",
                &[
                    ("CHN", "DEU", 2016, "TOTAL", 6.0),
                    ("CHN", "FRA", 2016, "TOTAL", 7.0),
                ],
            )],
        )
        .boxed(),
    ];
    let opts = IngestOptions {
        on_error: OnError::Quarantine,
        quarantine_path: Some(qpath.clone()),
        ..Default::default()
    };
    let rep = store.ingest("trade", sources, &opts, &quiet).unwrap();
    assert_eq!((rep.rows, rep.rejected), (5, 2));
    let text = std::fs::read_to_string(&qpath).unwrap();
    assert!(text.contains("y2017.csv,4,"), "{text}");
    assert!(text.contains("late.csv,2,"), "{text}");
    let mut values: Vec<f64> = store
        .load_flows(&FlowFilter::default())
        .unwrap()
        .iter()
        .map(|f| f.value_usd)
        .collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0, 7.0]);
}
