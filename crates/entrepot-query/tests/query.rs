//! SQL over a store built in a temporary directory, and over the penppml panel.

use arrow::array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use entrepot_core::{Declarant, FlowKind, Period};
use entrepot_io::schema::{FlowBatchBuilder, FlowRow};
use entrepot_io::{FlowReader, IoError, OnError, RowError};
use entrepot_query::{render, sql_identifier, Format, QueryEngine};
use entrepot_store::{IngestOptions, SinkLimits, Store};
use std::path::Path;

/// A reader over prepared batches.
struct VecReader(Vec<RecordBatch>, String);

impl FlowReader for VecReader {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, IoError> {
        Ok(if self.0.is_empty() {
            None
        } else {
            Some(self.0.remove(0))
        })
    }
    fn take_rejected(&mut self) -> Vec<RowError> {
        Vec::new()
    }
    fn progress(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    fn describe(&self) -> String {
        self.1.clone()
    }
}

fn batch(rows: &[(&str, &str, FlowKind, i32, f64)]) -> RecordBatch {
    let mut b = FlowBatchBuilder::default();
    for (i, (r, p, f, y, v)) in rows.iter().enumerate() {
        b.push(&FlowRow {
            reporter: r,
            partner: p,
            flow: *f,
            period: Period::Year(*y),
            hs_revision: None,
            product: "TOTAL",
            value_usd: *v,
            quantity: None,
            declared_by: Declarant::Reporter,
            source_file: Some("t.csv"),
            source_line: Some(i as u64 + 2),
        });
    }
    b.finish().unwrap()
}

/// Two flows datasets and a facts dataset. `main-set`'s 2016 (5 rows) is split by
/// reporter bucket (CHN and DEU in one file, USA in another), its 2017 is one file;
/// `2nd` is one file (CHN, JPN).
fn small_store(dir: &Path) -> Store {
    use FlowKind::{Export as X, Import as M};
    let mut store = Store::open(dir).unwrap();
    store.set_limits(SinkLimits {
        year_file_rows: 2,
        ..SinkLimits::default()
    });
    let a = batch(&[
        ("CHN", "USA", X, 2016, 100.0),
        ("CHN", "USA", M, 2016, 40.0),
        ("CHN", "DEU", X, 2016, 7.0),
        ("CHN", "USA", X, 2017, 120.0),
        ("USA", "CHN", X, 2016, 30.0),
        ("DEU", "USA", X, 2016, 5.0),
    ]);
    let b = batch(&[("CHN", "USA", X, 2016, 1.5), ("JPN", "USA", X, 2016, 9.0)]);
    let q = |_| {};
    store
        .ingest(
            "main-set",
            vec![Box::new(VecReader(vec![a], "a".into()))],
            &IngestOptions::default(),
            &q,
        )
        .unwrap();
    store.set_limits(SinkLimits::default());
    store
        .ingest(
            "2nd",
            vec![Box::new(VecReader(vec![b], "b".into()))],
            &IngestOptions::default(),
            &q,
        )
        .unwrap();
    let fig = entrepot_core::PublishedFigure {
        span: "2025-11".parse().unwrap(),
        reporter: "CHN".into(),
        partner: "USA".into(),
        indicator: "export".into(),
        value: Some(33.8),
        unit: entrepot_core::Unit::UsdBn,
        yoy_pct: Some(-28.6),
        source_url: "https://example.org".into(),
        note: String::new(),
        origin: "facts.csv:2".into(),
    };
    store.ingest_facts("china_facts", vec![fig], &[]).unwrap();
    store
}

fn f64_at(b: &[RecordBatch], col: usize) -> f64 {
    b[0].column(col)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap()
        .value(0)
}

#[test]
fn identifiers() {
    assert_eq!(sql_identifier("main-set"), "main_set");
    assert_eq!(sql_identifier("2nd"), "_2nd");
    assert_eq!(sql_identifier("Flows"), "ds_flows");
    assert_eq!(sql_identifier("baci.hs17"), "baci_hs17");
}

#[test]
fn sum_over_flows_and_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let store = small_store(tmp.path());
    let e = QueryEngine::new(&store).unwrap();
    assert_eq!(e.table_of("main-set"), Some("main_set"));
    assert_eq!(e.table_of("2nd"), Some("_2nd"));

    let r = e
        .sql_blocking(
            "SELECT SUM(value_usd) FROM flows WHERE reporter='CHN' AND partner='USA' \
             AND flow='export' AND year=2016",
        )
        .unwrap();
    assert_eq!(f64_at(&r, 0), 101.5);
    let r = e
        .sql_blocking("SELECT SUM(value_usd) FROM main_set WHERE reporter='CHN' AND partner='USA' AND year=2016")
        .unwrap();
    assert_eq!(f64_at(&r, 0), 140.0);

    // The dataset column of the union.
    let r = e
        .sql_blocking("SELECT dataset, COUNT(*) AS n FROM flows GROUP BY dataset ORDER BY dataset")
        .unwrap();
    let text = render(&r, Format::Csv);
    assert_eq!(text, "dataset,n\n2nd,2\nmain-set,6\n");

    // Partition columns are typed: year is Int32 and compares numerically.
    let r = e
        .sql_blocking("SELECT MIN(year) + 1 AS y, arrow_typeof(year) AS t FROM flows GROUP BY 2")
        .unwrap();
    assert_eq!(render(&r, Format::Csv), "y,t\n2017,Int32\n");

    // datasets and facts.
    let r = e
        .sql_blocking("SELECT name, table_name, kind, rows, files FROM datasets ORDER BY name")
        .unwrap();
    assert_eq!(
        render(&r, Format::Csv),
        "name,table_name,kind,rows,files\n2nd,_2nd,flows,2,1\nchina_facts,china_facts,facts,1,1\nmain-set,main_set,flows,6,3\n"
    );
    let r = e
        .sql_blocking("SELECT dataset, span, value, yoy_pct FROM facts")
        .unwrap();
    let json = render(&r, Format::Json);
    assert_eq!(
        json,
        r#"[{"dataset":"china_facts","span":"2025-11","value":33.8,"yoy_pct":-28.6}]"#
    );
    let table = render(&r, Format::Table);
    assert!(table.contains("| china_facts |"), "{table}");

    // Read-only.
    for q in [
        "CREATE TABLE x AS SELECT 1",
        "COPY flows TO '/tmp/x.parquet'",
        "SET datafusion.execution.batch_size = 1",
    ] {
        assert!(e.sql_blocking(q).is_err(), "{q} must be refused");
    }
    assert!(e.sql_blocking("SELECT nope FROM flows").is_err());
}

/// The files of `dataset` (paths relative to the store) that `keep` selects.
fn files_of(
    store: &Store,
    dataset: &str,
    keep: impl Fn(&entrepot_store::PartitionFile) -> bool,
) -> Vec<String> {
    let d = store.dataset(dataset).unwrap();
    d.partitions
        .iter()
        .filter(|p| keep(p))
        .map(|p| format!("{}/{}", d.path, p.path))
        .collect()
}

fn explain(e: &QueryEngine, query: &str) -> String {
    let r = e.sql_blocking(&format!("EXPLAIN {query}")).unwrap();
    render(&r, Format::Csv)
}

#[test]
fn reporter_and_year_filters_prune_files_by_range() {
    let tmp = tempfile::tempdir().unwrap();
    let store = small_store(tmp.path());
    let e = QueryEngine::new(&store).unwrap();
    type Expect = Box<dyn Fn(&entrepot_store::PartitionFile) -> bool>;
    let cases: Vec<(&str, Expect)> = vec![
        (
            "reporter='USA' AND year=2016",
            Box::new(|p| p.year == Some(2016) && p.may_hold_reporter("USA")),
        ),
        (
            "reporter IN ('DEU', 'FRA') AND year >= 2016",
            Box::new(|p| p.may_hold_reporter("DEU") || p.may_hold_reporter("FRA")),
        ),
        ("year = 2017", Box::new(|p| p.year == Some(2017))),
        (
            "reporter > 'KOR'",
            Box::new(|p| p.reporter_bounds().is_some_and(|(_, max)| max > "KOR")),
        ),
    ];
    for (filter, keep) in cases {
        let plan = explain(
            &e,
            &format!("SELECT SUM(value_usd) FROM flows WHERE {filter}"),
        );
        let mut kept = 0;
        for dataset in ["main-set", "2nd"] {
            for f in files_of(&store, dataset, |p| keep(p)) {
                assert!(plan.contains(&f), "{filter}: {f} read\n{plan}");
                kept += 1;
            }
            for f in files_of(&store, dataset, |p| !keep(p)) {
                assert!(!plan.contains(&f), "{filter}: {f} not pruned\n{plan}");
            }
        }
        assert!(kept > 0, "{filter}");
    }
    // The USA file is only USA's: the answer is right, from one file.
    let r = e
        .sql_blocking("SELECT SUM(value_usd) FROM main_set WHERE reporter='USA' AND year=2016")
        .unwrap();
    assert_eq!(f64_at(&r, 0), 30.0);
}

/// The store written by the previous layout (`reporter=<R>/year=<Y>` files,
/// manifest version 1), copied into `dir`.
fn copy_v1_store(dir: &Path) {
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
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../entrepot-store/tests/fixtures/store_v1");
    copy(&src, dir);
}

#[test]
fn version_1_stores_are_served_with_the_same_schema() {
    let tmp = tempfile::tempdir().unwrap();
    copy_v1_store(tmp.path());
    let mut store = Store::open(tmp.path()).unwrap();
    // A dataset of layout 2 beside the old one.
    store
        .ingest(
            "fresh",
            vec![Box::new(VecReader(
                vec![batch(&[("CHN", "USA", FlowKind::Export, 2016, 1.0)])],
                "f".into(),
            ))],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
    let e = QueryEngine::new(&store).unwrap();
    let schema_of = |t: &str| {
        let r = e
            .sql_blocking(&format!("SELECT * FROM {t} LIMIT 1"))
            .unwrap();
        r[0].schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable()))
            .collect::<Vec<_>>()
    };
    assert_eq!(schema_of("trade"), schema_of("fresh"));
    assert_eq!(schema_of("trade").len(), 15);
    let r = e
        .sql_blocking("SELECT * FROM trade WHERE reporter='CHN' AND year=2016 ORDER BY value_usd")
        .unwrap();
    let names: Vec<String> = r[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let n = names.len();
    assert_eq!(&names[n - 2..], ["reporter", "year"]);
    assert_eq!(names[0], "partner");

    let r = e
        .sql_blocking("SELECT SUM(value_usd) FROM trade WHERE reporter='CHN' AND year=2016")
        .unwrap();
    assert_eq!(f64_at(&r, 0), 164.0);
    let plan = explain(
        &e,
        "SELECT SUM(value_usd) FROM trade WHERE reporter='CHN' AND year=2016",
    );
    assert!(
        plan.contains("reporter=CHN/year=2016/part-0.parquet"),
        "{plan}"
    );
    for other in ["reporter=USA", "reporter=DEU", "reporter=FRA", "year=2017"] {
        assert!(!plan.contains(other), "{other} not pruned:\n{plan}");
    }
    let r = e
        .sql_blocking(
            "SELECT dataset, reporter, year, COUNT(*) AS n FROM flows \
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        )
        .unwrap();
    assert_eq!(
        render(&r, Format::Csv),
        "dataset,reporter,year,n\nfresh,CHN,2016,1\ntrade,CHN,2016,4\ntrade,CHN,2017,1\n\
         trade,DEU,2017,1\ntrade,FRA,2016,1\ntrade,USA,2016,1\ntrade,USA,2017,1\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_sql_and_empty_store() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let e = QueryEngine::new(&store).unwrap();
    let r = e.sql("SELECT COUNT(*) FROM flows").await.unwrap();
    let n = r[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(n, 0);
    let r = e.sql("SELECT COUNT(*) FROM facts").await.unwrap();
    assert_eq!(
        r[0].column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap()
            .value(0),
        0
    );
    let r = e.sql("SELECT * FROM datasets").await.unwrap();
    assert_eq!(r.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    assert_eq!(render(&[], Format::Json), "[]");
    // The blocking wrapper refuses to nest runtimes instead of panicking.
    assert!(e.sql_blocking("SELECT 1").is_err());
}

/// Test-only reader of `penppml_trade/trade.csv` (`exp,imp,time,export,...`).
fn read_penppml(path: &Path) -> Vec<RecordBatch> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let mut out = Vec::new();
    let mut b = FlowBatchBuilder::with_capacity(65_536);
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        let year: i32 = rec[2].parse().unwrap();
        let value: f64 = rec[3].parse().unwrap();
        b.push(&FlowRow {
            reporter: &rec[0],
            partner: &rec[1],
            flow: FlowKind::Export,
            period: Period::Year(year),
            hs_revision: None,
            product: "TOTAL",
            value_usd: value,
            quantity: None,
            declared_by: Declarant::Reporter,
            source_file: Some("penppml_trade/trade.csv"),
            source_line: Some(i as u64 + 2),
        });
        if b.len() == 65_536 {
            out.push(b.finish().unwrap());
        }
    }
    if !b.is_empty() {
        out.push(b.finish().unwrap());
    }
    out
}

#[test]
fn penppml_acceptance() {
    let path = entrepot_testdata::require_shared_data!("penppml_trade/trade.csv");
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let opts = IngestOptions {
        on_error: OnError::Quarantine,
        source_files: vec![path.clone()],
        ..Default::default()
    };
    let rep = store
        .ingest(
            "penppml",
            vec![Box::new(VecReader(read_penppml(&path), "penppml".into()))],
            &opts,
            &|_| {},
        )
        .unwrap();
    assert_eq!(rep.rows + rep.rejected, 316_317);
    assert_eq!(rep.rejected, 0);
    let e = QueryEngine::new(&store).unwrap();
    let r = e
        .sql_blocking(
            "SELECT SUM(value_usd) FROM flows WHERE reporter='CHN' AND partner='USA' AND year=2016",
        )
        .unwrap();
    let v = f64_at(&r, 0);
    assert!((v / 1e9 - 384.92).abs() < 0.005, "CHN->USA 2016 = {v}");
    let r = e
        .sql_blocking("SELECT COUNT(*), COUNT(DISTINCT reporter) FROM penppml")
        .unwrap();
    let n = r[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0);
    let reporters = r[0]
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(n, 316_317);
    assert_eq!(reporters, 210);
    let r = e.sql_blocking("SELECT reporters FROM datasets").unwrap();
    let s = r[0]
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert!(!s.is_null(0) && s.value(0).contains("CHN"));
}

/// DuckDB (if the Python module is installed) reads the store without Entrepôt.
#[test]
fn duckdb_reads_the_store() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        entrepot_testdata::skipped(
            "SKIPPED duckdb_reads_the_store: python3 -c 'import duckdb' failed",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let store = small_store(tmp.path());
    let dir = store.dataset_dir("main-set").unwrap();
    let script = format!(
        "import duckdb\n\
         r = duckdb.sql(\"SELECT SUM(value_usd), MIN(typeof(year)) FROM read_parquet('{}/**/*.parquet', hive_partitioning=true) \
         WHERE reporter='CHN' AND partner='USA' AND year=2016 AND flow='export'\").fetchall()\n\
         print(r[0][0])\n",
        dir.display()
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "100.0");
}

/// Runs `query` on `e` and, through the cluster codec, on a bare session that has
/// none of the store's tables (as a Ballista scheduler has none): both answers as CSV,
/// rows sorted.
fn local_and_through_codec(e: &QueryEngine, query: &str) -> (String, String) {
    use datafusion_proto::bytes::{
        logical_plan_from_bytes_with_extension_codec, logical_plan_to_bytes_with_extension_codec,
    };
    let sorted = |batches: &[RecordBatch]| {
        let text = render(batches, Format::Csv);
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].sort_unstable();
        lines.join("\n")
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let local = e.sql_blocking(query).unwrap();
    let remote = rt.block_on(async {
        let plan = e
            .context()
            .sql(query)
            .await
            .unwrap()
            .into_optimized_plan()
            .unwrap();
        let codec = entrepot_query::codec::EntrepotCodec::default();
        let bytes = logical_plan_to_bytes_with_extension_codec(&plan, &codec).unwrap();
        let bare = datafusion::prelude::SessionContext::new();
        let decoded =
            logical_plan_from_bytes_with_extension_codec(&bytes, &bare.task_ctx(), &codec).unwrap();
        bare.execute_logical_plan(decoded)
            .await
            .unwrap()
            .collect()
            .await
            .unwrap()
    });
    (sorted(&local), sorted(&remote))
}

#[test]
fn plans_travel_to_a_cluster_with_the_manifest_tables_and_give_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let store = small_store(tmp.path());
    let e = QueryEngine::new(&store).unwrap();
    for query in [
        // every row of every dataset, both layouts' columns
        "SELECT * FROM flows",
        // pruned by reporter and year on the manifest's ranges
        "SELECT partner, SUM(value_usd) AS v FROM main_set WHERE reporter = 'CHN' AND year = 2016 GROUP BY partner",
        // facts, and the manifest's in-memory table
        "SELECT * FROM facts",
        "SELECT name, rows, files FROM datasets",
        // a join of a manifest table with the in-memory one
        "SELECT d.name, COUNT(*) AS n FROM flows f JOIN datasets d ON d.name = f.dataset GROUP BY d.name",
    ] {
        let (local, remote) = local_and_through_codec(&e, query);
        assert!(local.lines().count() > 1, "{query}: no rows");
        assert_eq!(local, remote, "{query}");
    }
}

#[test]
fn a_decoded_plan_reads_only_the_files_its_manifest_listed() {
    use datafusion_proto::bytes::{
        logical_plan_from_bytes_with_extension_codec, logical_plan_to_bytes_with_extension_codec,
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = small_store(tmp.path());
    let e = QueryEngine::new(&store).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plan = rt
        .block_on(async {
            e.context()
                .sql("SELECT COUNT(*) FROM main_set")
                .await?
                .into_optimized_plan()
        })
        .unwrap();
    let codec = entrepot_query::codec::EntrepotCodec::default();
    let bytes = logical_plan_to_bytes_with_extension_codec(&plan, &codec).unwrap();
    // A file the manifest lists disappears after the plan left the client: the node
    // that decodes the plan fails the query, naming the file, instead of answering
    // with the rows of the other files.
    let victim = store
        .datasets()
        .into_iter()
        .find(|d| d.name == "main-set")
        .map(|d| store.dir().join(&d.path).join(&d.partitions[0].path))
        .unwrap();
    std::fs::remove_file(&victim).unwrap();
    let err = rt.block_on(async {
        let bare = datafusion::prelude::SessionContext::new();
        let decoded =
            logical_plan_from_bytes_with_extension_codec(&bytes, &bare.task_ctx(), &codec)?;
        bare.execute_logical_plan(decoded).await?.collect().await
    });
    let text = err.unwrap_err().to_string();
    assert!(text.contains("missing"), "{text}");
}
