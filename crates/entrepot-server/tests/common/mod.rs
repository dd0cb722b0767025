//! Helpers of the server tests: a router over an empty store (the embedded sample
//! answers) or a small store built in the test, and requests sent with
//! `tower::ServiceExt::oneshot` (no socket).

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use entrepot_app::StoreLocation;
use entrepot_server::ServerConfig;
use std::path::Path;
use tower::ServiceExt;

/// A response: status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The class of a JSON error body.
    pub fn error_class(&self) -> String {
        self.json()["error"]["class"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {}", self.text()))
            .to_string()
    }
}

/// The configuration of a test server on a store directory.
pub fn config(store: &Path) -> ServerConfig {
    let mut c = ServerConfig::new(StoreLocation::named(store));
    c.workers = 2;
    c.queue = 256;
    c
}

/// A server on an empty store (the embedded sample answers briefs); the directory
/// lives as long as the returned guard.
pub fn sample_server() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = entrepot_server::app(config(dir.path()));
    (dir, app)
}

/// Sends a request.
pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let request = b
        .body(Body::from(body.to_string()))
        .unwrap_or_else(|e| panic!("{uri}: {e}"));
    let response = app
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A GET.
pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, "GET", uri, &[], "").await
}

/// Monthly flows of CHN, USA and DEU in 2024 and 2025, in US dollars.
pub const FLOWS: &str = "r,p,flow,period,v
CHN,USA,export,2024-01,100
CHN,DEU,export,2024-01,50
CHN,JPN,export,2024-01,30
CHN,USA,import,2024-01,40
CHN,DEU,import,2024-01,20
CHN,USA,export,2025-01,90
CHN,DEU,export,2025-01,70
CHN,JPN,export,2025-01,35
CHN,USA,import,2025-01,45
CHN,DEU,import,2025-01,25
USA,CHN,export,2025-01,44
DEU,CHN,export,2025-01,26
";

/// Ingests `csv` as dataset `name` of the store in `dir` (reporter, partner, flow,
/// period and value columns `r,p,flow,period,v`).
pub fn ingest(dir: &Path, name: &str, csv: &str) {
    let file = dir.parent().expect("parent").join(format!("{name}.csv"));
    std::fs::write(&file, csv).expect("write csv");
    let mut req = entrepot_app::ingest::IngestRequest::new(vec![file]);
    req.dataset = Some(name.to_string());
    req.map = Some("reporter=r,partner=p,flow=col:flow,period=period,value=v".into());
    let dir = dir.to_path_buf();
    // On a thread of its own: the ingest may not run inside the test's async runtime.
    std::thread::spawn(move || {
        entrepot_app::ingest::ingest(&StoreLocation::named(dir), &req, &|_, _| {})
    })
    .join()
    .expect("thread")
    .unwrap_or_else(|e| panic!("ingest {name}: {e}"));
}

/// A server on a store holding [`FLOWS`] as dataset `monthly`; the store directory
/// is `<guard>/store`.
pub fn flows_server() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ingest(&store, "monthly", FLOWS);
    let app = entrepot_server::app(config(&store));
    (dir, app)
}

/// Exports by HS6 product of three exporters to three markets in 2024.
pub const PRODUCTS: &str = "r,p,flow,period,k,v
CHN,USA,export,2024,854140,100
CHN,USA,export,2024,870380,50
CHN,DEU,export,2024,854140,20
CHN,DEU,export,2024,850760,10
DEU,USA,export,2024,854140,30
DEU,USA,export,2024,870380,70
DEU,CHN,export,2024,870380,40
USA,CHN,export,2024,850760,25
USA,DEU,export,2024,870380,15
USA,DEU,export,2024,854140,5
";

/// A server on a store holding [`PRODUCTS`] as dataset `hs` (HS 2017 codes); the
/// store directory is `<guard>/store`.
pub fn product_server() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let file = dir.path().join("hs.csv");
    std::fs::write(&file, PRODUCTS).expect("write");
    let mut req = entrepot_app::ingest::IngestRequest::new(vec![file]);
    req.dataset = Some("hs".into());
    req.map = Some(
        "reporter=r,partner=p,flow=col:flow,period=period,product=k,value=v,hs_revision=HS2017"
            .into(),
    );
    let s = store.clone();
    // On a thread of its own: the ingest may not run inside the test's async runtime.
    std::thread::spawn(move || {
        entrepot_app::ingest::ingest(&StoreLocation::named(s), &req, &|_, _| {})
    })
    .join()
    .expect("thread")
    .expect("ingest");
    let app = entrepot_server::app(config(&store));
    (dir, app)
}

/// Three economies with domestic sales, as an SQL query (the server reads no file).
pub const WORLD_SQL: &str = "SELECT column1 AS exporter, column2 AS importer, column3 AS year, column4 AS trade FROM (VALUES ('AAA','AAA',2020,500.0), ('AAA','BBB',2020,60.0), ('AAA','CCC',2020,40.0), ('BBB','AAA',2020,50.0), ('BBB','BBB',2020,400.0), ('BBB','CCC',2020,30.0), ('CCC','AAA',2020,35.0), ('CCC','BBB',2020,20.0), ('CCC','CCC',2020,300.0))";
