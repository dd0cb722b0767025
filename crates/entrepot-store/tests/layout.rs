//! The on-disk layout: one sorted, indexed file per small year; a large year split
//! into files of contiguous reporter ranges that a reporter filter skips; stores of
//! layout 1 (manifest version 1) read, kept and moved to layout 2 on re-ingest.
#![allow(clippy::type_complexity)] // table-driven test cases

mod common;

use common::*;
use entrepot_store::{
    FileLayout, FlowFilter, IngestOptions, SinkLimits, Store, StoreError, MANIFEST_FILE,
    REPORTER_BUCKET_BOUNDS,
};
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use std::path::Path;

fn quiet(_: entrepot_store::IngestProgress) {}

fn ingest(store: &mut Store, name: &str, batches: Vec<arrow::record_batch::RecordBatch>) {
    store
        .ingest(
            name,
            vec![VecReader::new("in.csv", batches).boxed()],
            &IngestOptions::default(),
            &quiet,
        )
        .expect("ingest");
}

/// The reporter, partner and product of every row of a stored file, in file order.
fn keys_of(path: &Path) -> Vec<(String, String, String)> {
    let f = std::fs::File::open(path).unwrap();
    let r = ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for b in r {
        let b = b.unwrap();
        let s = |n: &str| {
            b.column_by_name(n)
                .unwrap()
                .as_any()
                .downcast_ref::<arrow::array::StringArray>()
                .unwrap()
                .clone()
        };
        let (r, p, k) = (s("reporter"), s("partner"), s("product"));
        for i in 0..b.num_rows() {
            out.push((
                r.value(i).to_string(),
                p.value(i).to_string(),
                k.value(i).to_string(),
            ));
        }
    }
    out
}

#[test]
fn a_small_year_is_one_sorted_file_with_statistics_and_page_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    // Unsorted input over two batches.
    ingest(
        &mut store,
        "trade",
        vec![
            batch(
                "in.csv",
                &[
                    ("USA", "CHN", 2020, "TOTAL", 1.0),
                    ("CHN", "USA", 2020, "851712", 2.0),
                    ("CHN", "DEU", 2020, "TOTAL", 3.0),
                ],
            ),
            batch(
                "in.csv",
                &[
                    ("AFG", "PAK", 2020, "TOTAL", 4.0),
                    ("CHN", "USA", 2020, "8517", 5.0),
                    ("CHN", "DEU", 2020, "010121", 6.0),
                ],
            ),
        ],
    );
    let d = store.dataset("trade").unwrap();
    assert_eq!(d.partitions.len(), 1);
    let p = &d.partitions[0];
    assert_eq!(p.path, "year=2020/part-0.parquet");
    assert_eq!(p.reporter_bounds(), Some(("AFG", "USA")));
    let path = store.flow_files("trade").unwrap().remove(0);
    let keys = keys_of(&path);
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, "AFG");

    // Statistics and page indexes for the columns filters prune on.
    let f = std::fs::File::open(&path).unwrap();
    let opts = ArrowReaderOptions::new()
        .with_page_index_policy(parquet::file::metadata::PageIndexPolicy::Required);
    let b = ParquetRecordBatchReaderBuilder::try_new_with_options(f, opts).unwrap();
    let meta = b.metadata();
    let schema = meta.file_metadata().schema_descr();
    let col = |name: &str| {
        (0..schema.num_columns())
            .find(|&i| schema.column(i).name() == name)
            .unwrap()
    };
    let rg = meta.row_group(0);
    for name in ["reporter", "partner", "product", "flow", "period"] {
        let stats = rg.column(col(name)).statistics();
        assert!(stats.is_some_and(|s| s.min_bytes_opt().is_some()), "{name}");
        let index = meta.column_index().expect("column index");
        assert!(
            !matches!(
                index[0][col(name)],
                parquet::file::page_index::column_index::ColumnIndexMetaData::NONE
            ),
            "{name} has a page index"
        );
    }
    let stats = rg.column(col("reporter")).statistics().unwrap();
    assert_eq!(stats.min_bytes_opt(), Some(&b"AFG"[..]));
    assert_eq!(stats.max_bytes_opt(), Some(&b"USA"[..]));
}

/// 40 reporters over every bucket, 30 partners, one year.
fn world_batches() -> (Vec<arrow::record_batch::RecordBatch>, Vec<String>) {
    let reporters: Vec<String> = [
        "AFG", "ARG", "AUS", "BEL", "BOL", "BRA", "CAN", "CHN", "DEU", "DNK", "EGY", "ESP", "FRA",
        "GBR", "GUF", "IND", "ITA", "JPN", "KOR", "LAO", "MEX", "MLI", "MUS", "NGA", "NLD", "PAK",
        "POL", "QAT", "RUS", "S19", "SAU", "SWE", "TGO", "THA", "TUR", "UKR", "USA", "VNM", "ZAF",
        "ZWE",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut batches = Vec::new();
    // Rows arrive reporter by reporter, in an order that is not the code order.
    for r in reporters.iter().rev() {
        let rows: Vec<Row<'_>> = reporters
            .iter()
            .take(30)
            .filter(|p| *p != r)
            .map(|p| (r.as_str(), p.as_str(), 2021, "TOTAL", 1.0))
            .collect();
        batches.push(batch("world.csv", &rows));
    }
    (batches, reporters)
}

#[test]
fn a_large_year_is_split_into_reporter_ranges_that_prune() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store.set_limits(SinkLimits {
        year_file_rows: 100,
        ..SinkLimits::default()
    });
    let (batches, reporters) = world_batches();
    let total: usize = batches.iter().map(|b| b.num_rows()).sum();
    ingest(&mut store, "world", batches);
    let d = store.dataset("world").unwrap().clone();
    assert_eq!(d.rows as usize, total);
    // Eight buckets, eight files, disjoint ranges, each inside one bucket.
    assert_eq!(d.partitions.len(), REPORTER_BUCKET_BOUNDS.len() + 1);
    let bucket = |r: &str| REPORTER_BUCKET_BOUNDS.partition_point(|b| *b <= r);
    let mut ranges: Vec<(&str, &str)> = d
        .partitions
        .iter()
        .map(|p| p.reporter_bounds().unwrap())
        .collect();
    ranges.sort();
    for w in ranges.windows(2) {
        assert!(w[0].1 < w[1].0, "{ranges:?}");
    }
    for (min, max) in &ranges {
        assert_eq!(bucket(min), bucket(max), "{min}..{max}");
    }
    for p in &d.partitions {
        assert!(p.path.starts_with("year=2021/part-"), "{}", p.path);
        let keys = keys_of(&tmp.path().join(&d.path).join(&p.path));
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{} is sorted", p.path);
        assert_eq!(keys.len() as u64, p.rows);
    }

    // A reporter filter opens only the file whose range holds the reporter: with
    // every other file deleted, it still reads; an unfiltered read fails.
    let chn = d
        .partitions
        .iter()
        .find(|p| p.may_hold_reporter("CHN"))
        .unwrap();
    for p in &d.partitions {
        if p.path != chn.path {
            std::fs::remove_file(tmp.path().join(&d.path).join(&p.path)).unwrap();
        }
    }
    let view = Store::open_read(tmp.path()).unwrap();
    let flows = view
        .load_flows(&FlowFilter {
            reporter: Some("CHN".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(flows.len(), 29);
    assert!(flows
        .iter()
        .all(|f| f.reporter == "CHN" && f.period.year() == 2021));
    let err = view.load_flows(&FlowFilter::default()).unwrap_err();
    assert!(matches!(err, StoreError::Integrity { .. }), "{err}");
    assert!(reporters.contains(&"CHN".to_string()));
}

/// Row groups are sorted slices of the year, so each holds a narrow range of
/// reporters, and `load_flows` reads only those whose `reporter` statistics admit
/// the reporter it is asked for.
#[test]
fn row_groups_hold_narrow_reporter_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store.set_limits(SinkLimits {
        row_group_rows: 29,
        ..SinkLimits::default()
    });
    let (batches, _) = world_batches();
    ingest(&mut store, "world", batches);
    let files = store.flow_files("world").unwrap();
    assert_eq!(files.len(), 1);
    let f = std::fs::File::open(&files[0]).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let meta = b.metadata();
    assert!(meta.num_row_groups() > 30, "{}", meta.num_row_groups());
    // Sorted rows: the row groups' reporter ranges follow each other, and ZAF's
    // 30 rows are in at most two of them.
    let mut previous_max: Vec<u8> = Vec::new();
    let mut admitting_zaf = 0;
    for g in 0..meta.num_row_groups() {
        let s = meta.row_group(g).column(0).statistics().unwrap();
        let (min, max) = (s.min_bytes_opt().unwrap(), s.max_bytes_opt().unwrap());
        assert!(previous_max.as_slice() <= min, "row group {g}");
        previous_max = max.to_vec();
        if min <= &b"ZAF"[..] && &b"ZAF"[..] <= max {
            admitting_zaf += 1;
        }
    }
    assert!((1..=2).contains(&admitting_zaf), "{admitting_zaf}");
    let view = Store::open_read(tmp.path()).unwrap();
    let flows = view
        .load_flows(&FlowFilter {
            reporter: Some("ZAF".into()),
            partner: Some("CHN".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(
        (flows[0].reporter.as_str(), flows[0].partner.as_str()),
        ("ZAF", "CHN")
    );
}

/// Copies the version-1 store written by the previous layout
/// (`tests/fixtures/store_v1`: dataset `trade` of 9 rows in six
/// `reporter=<R>/year=<Y>` files, and a facts dataset).
fn v1_store() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store_v1");
    let tmp = tempfile::tempdir().unwrap();
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let t = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), &t).unwrap();
            }
        }
    }
    copy(&src, tmp.path());
    tmp
}

#[test]
fn version_1_stores_are_read_kept_and_moved_on_reingest() {
    let tmp = v1_store();
    let view = Store::open_read(tmp.path()).unwrap();
    let d = view.dataset("trade").unwrap().clone();
    assert!(d
        .partitions
        .iter()
        .all(|p| p.layout() == FileLayout::ReporterYear));
    assert!(view.verify(None).unwrap().iter().all(|(_, p)| p.is_empty()));
    assert_eq!(view.load_flows(&FlowFilter::default()).unwrap().len(), 9);
    let chn = view
        .load_flows(&FlowFilter {
            reporter: Some("CHN".into()),
            years: Some(2016..=2016),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(chn.len(), 4);
    assert!(chn
        .iter()
        .all(|f| f.reporter == "CHN" && f.period.year() == 2016));
    assert_eq!(view.load_facts(None).unwrap().len(), 1);
    drop(view);

    // A write keeps the old dataset as it is and saves the manifest as version 2.
    let before = snapshot(&tmp.path().join("datasets/trade"));
    let mut store = Store::open(tmp.path()).unwrap();
    ingest(
        &mut store,
        "fresh",
        vec![batch("f.csv", &[("BRA", "ARG", 2019, "TOTAL", 7.0)])],
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join(MANIFEST_FILE)).unwrap())
            .unwrap();
    assert_eq!(m["schema_version"], 2);
    assert_eq!(snapshot(&tmp.path().join("datasets/trade")), before);
    let view = Store::open_read(tmp.path()).unwrap();
    assert_eq!(view.dataset("trade").unwrap(), &d);
    assert_eq!(view.load_flows(&FlowFilter::default()).unwrap().len(), 10);
    assert_eq!(
        view.dataset("fresh").unwrap().partitions[0].layout(),
        FileLayout::Year
    );
    drop(view);

    // Re-ingesting the dataset writes it in layout 2.
    store
        .ingest(
            "trade",
            vec![VecReader::new("a.csv", sample_batches("a.csv")).boxed()],
            &IngestOptions {
                replace: true,
                ..Default::default()
            },
            &quiet,
        )
        .unwrap();
    let d = store.dataset("trade").unwrap();
    assert_eq!(d.version, 2);
    assert!(d.partitions.iter().all(|p| p.layout() == FileLayout::Year));
    assert!(!tmp.path().join("datasets/trade/v1").exists());
}

/// A version-1 manifest may not name files of layout 2, and no manifest may name
/// a file whose path disagrees with its entry.
#[test]
fn manifests_naming_other_files_are_refused() {
    let edits: Vec<(&str, Box<dyn Fn(&mut serde_json::Value)>)> = vec![
        (
            "layout 2 entry in a version-1 manifest",
            Box::new(|v| {
                let p = &mut v["datasets"]["trade"]["partitions"][0];
                p["path"] = "year=2016/part-0.parquet".into();
                p["reporter"] = serde_json::Value::Null;
                p["reporter_range"] = serde_json::json!({"min": "CHN", "max": "CHN"});
            }),
        ),
        (
            "year not the path's",
            Box::new(|v| v["datasets"]["trade"]["partitions"][0]["year"] = 1999.into()),
        ),
        (
            "reporter not the path's",
            Box::new(|v| v["datasets"]["trade"]["partitions"][0]["reporter"] = "USA".into()),
        ),
        (
            "unknown schema version",
            Box::new(|v| v["schema_version"] = 3.into()),
        ),
    ];
    for (what, edit) in edits {
        let tmp = v1_store();
        let p = tmp.path().join(MANIFEST_FILE);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
        let err = Store::open_read(tmp.path()).unwrap_err();
        assert!(matches!(err, StoreError::Manifest { .. }), "{what}: {err}");
    }
}
