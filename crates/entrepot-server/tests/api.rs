//! The JSON endpoints on the embedded sample and on a small store: each answers what
//! the application layer returns for the same request, and errors are JSON with the
//! status of their class.

mod common;
use common::*;

use entrepot_app::brief::BriefRequest;
use entrepot_app::StoreLocation;

/// Runs `f` on a thread of its own: the application layer's flow cubes refuse to
/// start inside the test's async runtime.
fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("thread")
}

/// JSON values equal, numbers to 1e-6 relative.
fn assert_close(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1e-12),
                "{at}: {x} vs {y}"
            );
        }
        (V::Array(x), V::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (V::Object(x), V::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}: keys"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// The brief the application layer computes, as the server renders it.
fn app_brief(store: &std::path::Path, reporter: &str, period: Option<&str>) -> serde_json::Value {
    let req = BriefRequest {
        reporter: reporter.into(),
        period: period.map(String::from),
        ..Default::default()
    };
    let store = store.to_path_buf();
    let out = off_runtime(move || entrepot_app::brief::brief(&StoreLocation::named(store), &req))
        .expect("brief");
    let text = entrepot_report::render_json_value(&out.brief).expect("json");
    serde_json::from_str(&text).expect("brief JSON")
}

#[tokio::test]
async fn the_sample_brief_equals_the_application_layers() {
    let (dir, app) = sample_server();
    let r = get(&app, "/api/v1/brief/CHN?period=2025-11").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.json(), app_brief(dir.path(), "CHN", Some("2025-11")));
    // The second answer comes from the cache and is the same.
    let again = get(&app, "/api/v1/brief/CHN?period=2025-11").await;
    assert_eq!(again.body, r.body);
    // The report document of the same brief.
    let doc = get(&app, "/api/v1/brief/CHN?period=2025-11&view=document").await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.json()["kind"], "release_brief");
    // No CORS header, ever.
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_brief_from_stored_flows_equals_the_application_layers_and_follows_the_store() {
    let (dir, app) = flows_server();
    let store = dir.path().join("store");
    let r = get(&app, "/api/v1/brief/CHN?period=2025-01").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), app_brief(&store, "CHN", Some("2025-01")));
    // A second dataset holding CHN: the cached brief is not served any more, the
    // request is now ambiguous (400), and naming the dataset answers.
    ingest(&store, "other", FLOWS);
    let r = get(&app, "/api/v1/brief/CHN?period=2025-01").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.error_class(), "usage");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("several datasets"));
    let r = get(
        &app,
        "/api/v1/brief/CHN?period=2025-01&dataset=other&partners=USA,DEU",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn diversification_is_the_application_layers_document() {
    let (dir, app) = flows_server();
    let r = get(&app, "/api/v1/diversification/CHN?from=2024&to=2025").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let req = entrepot_app::diversification::DiversificationRequest {
        reporter: "CHN".into(),
        from: Some(2024),
        to: Some(2025),
        ..Default::default()
    };
    let store = dir.path().join("store");
    let out = off_runtime(move || {
        entrepot_app::diversification::diversification(&StoreLocation::named(store), &req)
    })
    .expect("diversification");
    let expected: serde_json::Value =
        serde_json::from_str(&entrepot_report::render_json(&out.document)).expect("json");
    assert_eq!(r.json(), expected);
    let r = get(&app, "/api/v1/diversification/CHN?flow=sideways").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn datasets_and_lookups_answer_like_the_cli() {
    let (_dir, app) = flows_server();
    let r = get(&app, "/api/v1/datasets").await;
    assert_eq!(r.status, 200);
    let rows = r.json();
    assert_eq!(rows[0]["dataset"], "monthly");
    assert_eq!(rows[0]["kind"], "flows");
    assert_eq!(rows[1]["dataset"], "sample (embedded)");
    let r = get(&app, "/api/v1/datasets/monthly").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "monthly");
    let r = get(&app, "/api/v1/countries?q=korea").await;
    assert_eq!(r.status, 200);
    assert!(r
        .json()
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c["iso3"] == "KOR")));
    let r = get(&app, "/api/v1/countries?kind=aggregate").await;
    assert!(r.json().as_array().is_some_and(|a| !a.is_empty()));
    let r = get(&app, "/api/v1/products?q=lithium%20ion%20battery").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("850760"));
    let r = get(&app, "/api/v1/products?q=85&children=true&hs=HS2017").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(get(&app, "/api/v1/products?baskets=1")
        .await
        .text()
        .contains("basket"));
    let r = get(&app, "/api/v1/groups?at=2020").await;
    assert!(r
        .json()
        .as_array()
        .is_some_and(|a| a.iter().any(|g| g["group"] == "EU27")));
    let r = get(&app, "/api/v1/groups/EU?at=2019").await;
    assert!(r
        .json()
        .as_array()
        .is_some_and(|a| a.iter().any(|m| m["iso3"] == "GBR")));
    let r = get(&app, "/api/v1/groups/EU?at=2020-02-01").await;
    assert!(r
        .json()
        .as_array()
        .is_some_and(|a| !a.iter().any(|m| m["iso3"] == "GBR")));
    let r = get(&app, "/api/v1/groups/EU?history=true").await;
    assert_eq!(r.status, 200);
    let r = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(r.json()["openapi"], "3.0.3");
}

#[tokio::test]
async fn sql_is_read_only_and_bounded() {
    let (_dir, app) = flows_server();
    let json = [("content-type", "application/json")];
    let r = send(
        &app,
        "POST",
        "/api/v1/sql",
        &json,
        r#"{"query": "SELECT reporter, sum(value_usd) AS v FROM flows GROUP BY reporter ORDER BY reporter"}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()[0]["reporter"], "CHN");
    let r = send(&app, "POST", "/api/v1/sql", &json, r#"{"tables": true}"#).await;
    assert!(r.text().contains("table_name"), "{}", r.text());
    for (body, status) in [
        (r#"{"query": "SELEC 1"}"#, 400),
        (r#"{"query": "SELECT * FROM no_such_table"}"#, 400),
        (r#"{"query": "CREATE TABLE t AS SELECT 1"}"#, 400),
        (r#"{"query": "COPY (SELECT 1) TO '/tmp/x.csv'"}"#, 400),
        (r#"{"query": ""}"#, 400),
        (r#"{"query": 1}"#, 400),
        (r#"{"sql": "SELECT 1"}"#, 400),
        ("not json", 400),
    ] {
        let r = send(&app, "POST", "/api/v1/sql", &json, body).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        assert_eq!(r.error_class(), "usage", "{body}");
    }
    let big = format!(r#"{{"query": "SELECT '{}'"}}"#, "x".repeat(70 * 1024));
    let r = send(&app, "POST", "/api/v1/sql", &json, &big).await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.error_class(), "too_large");
}

#[tokio::test]
async fn errors_are_json_with_the_status_of_their_class() {
    let (_dir, app) = sample_server();
    let cases = [
        ("/api/v1/brief/QQQ", 404, "not_found"),
        ("/api/v1/brief/CHN?period=2025-13", 400, "usage"),
        ("/api/v1/brief/CHN?perod=2025-11", 400, "usage"),
        (
            "/api/v1/brief/CHN?period=2025-11&period=2025-10",
            400,
            "usage",
        ),
        ("/api/v1/brief/CHN?view=pdf", 400, "usage"),
        ("/api/v1/brief/CHN?dataset=nope", 404, "not_found"),
        ("/api/v1/datasets/nope", 404, "not_found"),
        ("/api/v1/countries?q=Qqqqqqqq", 404, "not_found"),
        ("/api/v1/products?hs=HS1800", 400, "usage"),
        ("/api/v1/products?limit=0", 400, "usage"),
        ("/api/v1/groups/NOPE", 404, "not_found"),
        ("/api/v1/groups?at=yesterday", 400, "usage"),
        ("/api/v1/diversification/CHN", 404, "not_found"),
        ("/api/v1/diversification/CHN?top=1000", 400, "usage"),
        ("/api/v1/nope", 404, "not_found"),
        ("/api/v1/brief/%FF", 400, "usage"),
    ];
    for (uri, status, class) in cases {
        let r = get(&app, uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert_eq!(r.error_class(), class, "{uri}");
        assert_eq!(r.headers["content-type"], "application/json", "{uri}");
    }
    let r = send(&app, "PUT", "/api/v1/datasets", &[], "").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.error_class(), "method_not_allowed");
    let long = format!("/api/v1/countries?q={}", "a".repeat(5000));
    let r = get(&app, &long).await;
    assert_eq!(r.status, 414);
    assert_eq!(r.error_class(), "too_large");
    let long = format!("/api/v1/countries?q={}", "a".repeat(200));
    assert_eq!(get(&app, &long).await.status, 400);
}

#[tokio::test]
async fn gravity_fits_stored_data_like_the_application_layer() {
    let (dir, app) = flows_server();
    let json = [("content-type", "application/json")];
    let sql = "SELECT value_usd AS v, CAST(year AS DOUBLE) AS t, partner FROM flows";
    let body = serde_json::json!({ "sql": sql, "formula": "v ~ t", "vcov": "hetero" }).to_string();
    let r = send(&app, "POST", "/api/v1/gravity", &json, &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut req = entrepot_app::gravity::GravityRequest::new(
        entrepot_app::gravity::SampleSource::Sql(sql.into()),
        "v ~ t",
    );
    req.vcov = Some(entrepot_app::VcovKind::Hetero);
    req.memory_limit = Some(1 << 30);
    let store = dir.path().join("store");
    let doc = off_runtime(move || {
        entrepot_app::gravity::fit_gravity(&StoreLocation::named(store), &req)
            .map(|out| entrepot_report::render_json(&out.document()))
    })
    .expect("fit");
    let expected: serde_json::Value = serde_json::from_str(&doc).expect("json");
    // The same document; estimates agree to 1e-6 relative (DataFusion returns the
    // sample's rows in no fixed order, and sums in another order differ in the last
    // digits).
    assert_close(&r.json(), &expected, "$");
    // Cached: the same answer again.
    let again = send(&app, "POST", "/api/v1/gravity", &json, &body).await;
    assert_eq!(again.body, r.body);
    for (body, status) in [
        (serde_json::json!({ "formula": "v ~ t" }), 400),
        (
            serde_json::json!({ "sql": sql, "dataset": "monthly", "formula": "v ~ t" }),
            400,
        ),
        (serde_json::json!({ "sql": sql, "formula": "v ~" }), 400),
        (serde_json::json!({ "sql": sql, "formula": "w ~ t" }), 404),
        (
            serde_json::json!({ "dataset": "nope", "formula": "v ~ t" }),
            404,
        ),
        (
            serde_json::json!({ "sql": sql, "formula": "v ~ t", "model": "probit" }),
            400,
        ),
        (
            serde_json::json!({ "sql": sql, "formula": "v ~ t", "max_iter": 0 }),
            400,
        ),
        (
            serde_json::json!({ "file": "/etc/passwd", "formula": "v ~ t" }),
            400,
        ),
    ] {
        let r = send(&app, "POST", "/api/v1/gravity", &json, &body.to_string()).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
}
