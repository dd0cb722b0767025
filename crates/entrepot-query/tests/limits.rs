//! The limits of a query (`entrepot_query::limits`): memory, value sizes, stack and
//! nesting. Each test names the promise it checks; every over-limit query must end in
//! its own error, never in an abort or an exhausted machine.

use arrow::array::{AsArray, RecordBatch};
use entrepot_query::limits::{MAX_EXPR_DEPTH, MAX_QUERY_BYTES};
use entrepot_query::{render, Format, QueryEngine, QueryError, QueryOptions};
use entrepot_store::Store;

fn engine(memory_limit: Option<u64>) -> (tempfile::TempDir, QueryEngine) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    let e = QueryEngine::with_options(
        &store,
        &QueryOptions {
            memory_limit,
            ..Default::default()
        },
    )
    .unwrap();
    (tmp, e)
}

fn csv(e: &QueryEngine, q: &str) -> String {
    match e.sql_blocking(q) {
        Ok(r) => render(&r, Format::Csv),
        Err(err) => panic!("{q}: {err}"),
    }
}

fn err(e: &QueryEngine, q: &str) -> QueryError {
    match e.sql_blocking(q) {
        Ok(r) => panic!("{:.80}: expected an error, got {} rows", q, rows(&r)),
        Err(err) => err,
    }
}

fn rows(r: &[RecordBatch]) -> usize {
    r.iter().map(RecordBatch::num_rows).sum()
}

#[test]
fn long_flat_expressions_are_refused_not_a_stack_overflow() {
    let (_t, e) = engine(None);
    for terms in [3_000, 100_000] {
        let q = format!("SELECT {}", vec!["1"; terms].join(" + "));
        let x = err(&e, &q);
        assert!(
            matches!(
                x,
                QueryError::TooDeep {
                    limit: MAX_EXPR_DEPTH
                }
            ),
            "{x}"
        );
        assert_eq!(x.to_string(), "query too deeply nested (limit 1000)");
    }
    // below the limit the answer is right
    let q = format!("SELECT {} AS n", vec!["1"; 300].join(" + "));
    assert_eq!(csv(&e, &q), "n\n300\n");
}

#[test]
fn deep_parentheses_and_subqueries_are_refused() {
    let (_t, e) = engine(None);
    let q = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(err(&e, &q), QueryError::TooDeep { .. }));
    let q = format!(
        "SELECT * FROM {}(SELECT 1 AS x){}",
        "(SELECT * FROM ".repeat(2_000),
        ")".repeat(2_000)
    );
    assert!(matches!(err(&e, &q), QueryError::TooDeep { .. }));
    let q = format!("SELECT {}1{} AS x", "(".repeat(200), ")".repeat(200));
    assert_eq!(csv(&e, &q), "x\n1\n");
}

#[test]
fn an_over_long_query_is_refused() {
    let (_t, e) = engine(None);
    let q = format!("SELECT 1 -- {}", "x".repeat(MAX_QUERY_BYTES));
    let x = err(&e, &q);
    assert!(matches!(x, QueryError::TooLong { .. }), "{x}");
    assert!(
        x.to_string().contains("more than the limit of 1048576"),
        "{x}"
    );
}

#[test]
fn values_of_a_size_the_query_chooses_are_capped() {
    let (_t, e) = engine(None);
    for (q, function) in [
        ("SELECT repeat('x', 2000000000)", "repeat()"),
        ("SELECT lpad('', 100000000)", "lpad()"),
        ("SELECT rpad('a', 20000000, 'é')", "rpad()"),
        (
            "SELECT replace(repeat('x', 10000), 'x', repeat('y', 10000))",
            "replace()",
        ),
        ("SELECT array_repeat(1, 1000000000)", "array_repeat()"),
        ("SELECT range(1, 10000000000)", "range()"),
        (
            "SELECT generate_series(DATE '2000-01-01', DATE '2100-01-01', INTERVAL '1 second')",
            "generate_series()",
        ),
        ("SELECT array_resize([1], 1000000000)", "array_resize()"),
        (
            "SELECT array_to_string(range(1, 1000000), repeat('x', 1000))",
            "array_to_string()",
        ),
        (
            "SELECT repeat('x', 9000000) || repeat('x', 9000000)",
            "the || operator",
        ),
    ] {
        let x = err(&e, q);
        assert!(matches!(x, QueryError::ValueTooLarge(_)), "{q}: {x}");
        let m = x.to_string();
        assert!(m.starts_with(function), "{q}: {m}");
        assert!(
            m.contains("more than the 16.0 MiB one value may hold"),
            "{q}: {m}"
        );
    }
}

#[test]
fn nested_doubling_stops_at_the_cap() {
    let (_t, e) = engine(None);
    // each level doubles the value: 1 MiB × 2^8 without a cap
    let mut ctes = vec!["t0 AS (SELECT repeat('x', 1048576) AS s)".to_string()];
    for (i, doubled) in ["concat(s, s)", "s || s", "concat_ws('', s, s)"]
        .iter()
        .cycle()
        .take(8)
        .enumerate()
    {
        ctes.push(format!("t{} AS (SELECT {doubled} AS s FROM t{i})", i + 1));
    }
    let q = format!("WITH {} SELECT length(s) FROM t8", ctes.join(", "));
    assert!(matches!(err(&e, &q), QueryError::ValueTooLarge(_)));
    // lists built by the planner ([..] is make_array) are capped too
    let mut ctes = vec!["t0 AS (SELECT range(0, 200000) AS s)".to_string()];
    for i in 0..8 {
        ctes.push(format!("t{} AS (SELECT [s, s] AS s FROM t{i})", i + 1));
    }
    let q = format!("WITH {} SELECT cardinality(s) FROM t8", ctes.join(", "));
    assert!(matches!(err(&e, &q), QueryError::ValueTooLarge(_)));
}

#[test]
fn capped_functions_still_compute_the_same_results() {
    let (_t, e) = engine(None);
    let q = "SELECT repeat('ab', 3) AS r, lpad('7', 3, '0') AS l, rpad('é', 3, 'x') AS p, \
             concat('a', NULL, 'b') AS c, concat_ws('-', 'a', 'b') AS w, \
             replace('banana', 'a', 'oo') AS re, regexp_replace('a1b22', '[0-9]+', '<\\0>', 'g') AS rx, \
             'a' || 'b' AS o, ('a' || NULL) IS NULL AS n, \
             array_to_string([1, 2] || [3], ',') AS a, array_to_string(range(1, 4), ';') AS g, \
             cardinality(array_repeat('z', 4)) AS ar";
    assert_eq!(
        csv(&e, q),
        "r,l,p,c,w,re,rx,o,n,a,g,ar\nababab,007,éxx,ab,a-b,boonoonoo,a<1>b<22>,ab,true,\"1,2,3\",1;2;3,4\n"
    );
    // the column name of `||` is the operator's, as before
    let r = e.sql_blocking("SELECT 'a' || 'b'").unwrap();
    assert_eq!(r[0].schema().field(0).name(), "Utf8(\"a\") || Utf8(\"b\")");
    // on columns, batch after batch
    let q = "SELECT sum(length(lpad(CAST(value AS VARCHAR), 10, '*') || 'x')) AS n \
             FROM generate_series(1, 100000)";
    assert_eq!(csv(&e, q), "n\n1100000\n");
}

#[test]
fn a_cross_join_fails_within_the_memory_limit() {
    let (_t, e) = engine(Some(64 << 20));
    let started = std::time::Instant::now();
    let x = err(
        &e,
        "SELECT * FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    );
    assert!(
        matches!(x, QueryError::MemoryLimit { limit, .. } if limit == 64 << 20),
        "{x}"
    );
    let m = x.to_string();
    assert!(
        m.starts_with("the query needs more memory than the limit (64.0 MiB); raise --memory-limit or narrow the query"),
        "{m}"
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_sort_that_does_not_fit_fails_after_spilling() {
    let (_t, e) = engine(Some(16 << 20));
    let x = err(
        &e,
        "SELECT a.value * b.value AS p FROM generate_series(1, 2000) a, generate_series(1, 2000) b \
         ORDER BY p DESC",
    );
    assert!(matches!(x, QueryError::MemoryLimit { .. }), "{x}");
}

#[test]
fn function_output_counts_against_the_memory_limit() {
    // 1 MB per row, 8192 rows a batch: far more than the limit, each value under the cap
    let (_t, e) = engine(Some(64 << 20));
    let x = err(
        &e,
        "SELECT length(repeat(CAST(value AS VARCHAR), 1000000)) FROM generate_series(1, 100000)",
    );
    assert!(matches!(x, QueryError::MemoryLimit { .. }), "{x}");
    assert!(x.to_string().contains("repeat() output"), "{x}");
}

#[test]
fn a_result_too_wide_for_a_table_is_refused_but_csv_works() {
    let (_t, e) = engine(None);
    let r = e
        .sql_blocking(
            "SELECT CASE WHEN value = 1 THEN repeat('x', 10000) ELSE '' END AS s \
             FROM generate_series(1, 100000)",
        )
        .unwrap();
    let x = entrepot_query::try_render(&r, Format::Table).unwrap_err();
    assert!(matches!(x, QueryError::TooLargeForTable(_)), "{x}");
    assert!(x.to_string().contains("use --format csv or json"), "{x}");
    let text = entrepot_query::try_render(&r, Format::Csv).unwrap();
    // header, the long value, then 99,999 empty strings written as ""
    assert_eq!(text.len(), 2 + 10_001 + 99_999 * 3);
}

#[test]
fn results_are_unchanged_under_the_limits() {
    let (_t, e) = engine(Some(64 << 20));
    let r = e
        .sql_blocking("SELECT value % 3 AS k, count(*) AS n FROM generate_series(1, 300000) GROUP BY 1 ORDER BY 1")
        .unwrap();
    let n = r[0].column(1).as_primitive::<arrow::datatypes::Int64Type>();
    assert_eq!((n.len(), n.value(0)), (3, 100_000));
}

#[test]
fn query_mistakes_are_told_apart_from_failures() {
    let (_t, e) = engine(Some(64 << 20));
    for q in [
        "SELEC 1",
        "SELECT * FROM no_such_table",
        "SELECT no_such_column FROM datasets",
        "SELECT no_such_function(1)",
        "SELECT 2 / 0",
        "SELECT CAST('x' AS INT)",
        "SELECT ?",
        "SELECT $1 + 1",
    ] {
        let x = err(&e, q);
        assert!(x.is_query_mistake(), "{q}: {x}");
    }
    let q = "SELECT * FROM generate_series(1, 100000) a, generate_series(1, 100000) b";
    let x = err(&e, q);
    assert!(matches!(x, QueryError::MemoryLimit { .. }), "{x}");
    assert!(!x.is_query_mistake());
}
