//! UN Comtrade API v1: answers written from the API's documented JSON
//! (`{"elapsedTime":…,"count":…,"data":[{"reporterCode":…,"partnerCode":…,
//! "flowCode":"X","cmdCode":…,"period":…,"primaryValue":…},…],"error":""}`).

use super::{cell, flows, options, store, store_is_empty};
use entrepot_app::fetch::comtrade::{fetch_comtrade, ComtradeRequest, KeySource};
use entrepot_app::ErrorClass;
use entrepot_core::CountryRegistry;
use entrepot_fetch::replay::{ReplayServer, Reply, Request};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A partner code Comtrade uses that the registry does not know.
const UNKNOWN_PARTNER: u16 = 9_998;

/// The partners of the replayed API: every registry country with a numeric code (in
/// Comtrade's numbering), the World, and one unknown code.
fn partners() -> Vec<u16> {
    let mut p: Vec<u16> = CountryRegistry::builtin()
        .all()
        .iter()
        .filter(|c| c.m49 != 0)
        .map(|c| entrepot_fetch::comtrade::reporter_code(c.m49))
        .collect();
    p.sort_unstable();
    p.dedup();
    p.push(0);
    p.push(UNKNOWN_PARTNER);
    p
}

/// The value the replayed API gives a record (US dollars).
fn value(reporter: u16, partner: u16, flow: &str, period: &str, cmd: &str) -> f64 {
    let f = if flow == "X" { 1.0 } else { 2.0 };
    let p: f64 = period.parse::<f64>().unwrap_or(0.0) % 100.0;
    let c = if cmd == "TOTAL" {
        1.0
    } else {
        cmd.len() as f64
    };
    (f64::from(reporter) + f64::from(partner) * 7.0 + p * 13.0 + c) * 1000.0 * f + 0.5
}

/// The records of a request, as the API documents them.
fn records(req: &Request, all: &[u16]) -> Vec<Value> {
    let list = |k: &str| -> Vec<String> {
        req.param(k)
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let reporter: u16 = req
        .param("reporterCode")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let partner_list: Vec<u16> = match req.param("partnerCode") {
        Some(p) => p.split(',').filter_map(|x| x.parse().ok()).collect(),
        None => all.to_vec(),
    };
    let freq = if req.target.contains("/C/M/") {
        "M"
    } else {
        "A"
    };
    let mut out = Vec::new();
    for period in list("period") {
        for flow in list("flowCode") {
            for cmd in list("cmdCode") {
                for &partner in &partner_list {
                    out.push(json!({
                        "typeCode": "C",
                        "freqCode": freq,
                        "refYear": period[..4].parse::<i32>().unwrap_or(0),
                        "period": period,
                        "reporterCode": reporter,
                        "flowCode": flow,
                        "partnerCode": partner,
                        "partner2Code": 0,
                        "classificationCode": "H6",
                        "cmdCode": cmd,
                        "customsCode": "C00",
                        "motCode": 0,
                        "primaryValue": value(reporter, partner, &flow, &period, &cmd),
                    }));
                }
            }
        }
    }
    out
}

/// The API's answer: at most `cap` records (the API cuts silently at its cap).
fn answer(mut data: Vec<Value>, cap: usize) -> Reply {
    data.truncate(cap);
    let body = json!({"elapsedTime": "0.02 secs", "count": data.len(), "data": data, "error": ""});
    Reply::ok("application/json", serde_json::to_vec(&body).unwrap())
}

/// A replayed API with the preview's cap.
fn api(cap: usize) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let all = partners();
    move |req: &Request| answer(records(req, &all), cap)
}

fn request(period: &str) -> ComtradeRequest {
    ComtradeRequest {
        reporters: vec!["CHN".into()],
        partners: vec!["all".into()],
        flows: vec!["X".into(), "M".into()],
        freq: "M".into(),
        period: period.into(),
        hs: vec!["total".into()],
        max_records: None,
        key: KeySource::None,
    }
}

fn no_progress(_: &entrepot_app::fetch::Progress) {}

#[test]
fn a_fetch_stores_every_record_maps_codes_and_records_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api(500));
    let out = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-03"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    let n = partners().len();
    // 3 months x 2 flows, one request each (a month with both flows would be
    // estimated at the preview's cap of 500).
    assert_eq!(server.requests().len(), 6);
    assert_eq!(cell(&out, "requests"), "6");
    // Every record of a known partner is stored; the unknown partner's 6 records are
    // set aside and reported, never dropped silently.
    let stored = flows(dir.path(), "comtrade");
    assert_eq!(stored.len(), (n - 1) * 6);
    assert_eq!(cell(&out, "rejected"), "6");
    assert!(out.messages[0].contains("9998"), "{:?}", out.messages);
    let rejected = std::fs::read_to_string(dir.path().join("rejected.csv")).unwrap();
    assert_eq!(
        rejected
            .lines()
            .skip(1)
            .filter(|l| l.contains("9998"))
            .count(),
        6
    );
    // Comtrade 842 is the United States, 699 India; values as the API gave them.
    let usa = stored
        .iter()
        .find(|f| {
            f.partner == "USA"
                && f.period.to_string() == "2024-02"
                && f.flow == entrepot_core::FlowKind::Export
        })
        .unwrap();
    assert_eq!(usa.reporter, "CHN");
    assert_eq!(usa.value_usd, value(156, 842, "X", "202402", "TOTAL"));
    assert!(stored.iter().any(|f| f.partner == "IND"));
    let expected: f64 = ["202401", "202402", "202403"]
        .iter()
        .flat_map(|p| ["X", "M"].map(move |f| (p, f)))
        .flat_map(|(p, f)| {
            partners()
                .into_iter()
                .filter(|&c| c != UNKNOWN_PARTNER)
                .map(move |c| value(156, c, f, p, "TOTAL"))
        })
        .sum();
    let total: f64 = stored.iter().map(|f| f.value_usd).sum();
    assert!((total - expected).abs() < 1e-6 * expected);
    // The manifest names each answer's URL, retrieval time and checksum.
    let info = entrepot_app::datasets::dataset(&store(dir.path()), "comtrade").unwrap();
    assert_eq!(info.sources.len(), 6);
    assert_eq!(info.readers.len(), 6);
    for r in &info.readers {
        assert!(
            r.contains(&format!(
                "from {}/public/v1/preview/C/M/HS?reporterCode=156",
                server.url()
            )),
            "{r}"
        );
        assert!(r.contains("retrieved 20"), "{r}");
        assert!(r.contains("sha256 "), "{r}");
    }
    // Run again: every answer comes from the cache, the dataset is unchanged.
    let again = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-03"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    assert_eq!(server.requests().len(), 6);
    assert_eq!(cell(&again, "cached"), "6");
    assert_eq!(cell(&again, "status"), "unchanged");
}

#[test]
fn a_dry_run_lists_the_requests_and_asks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api(500));
    let mut opts = options(&server.url(), dir.path());
    opts.dry_run = true;
    let out = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-02"),
        &opts,
        &no_progress,
    )
    .unwrap();
    assert_eq!(out.summary.rows.len(), 4);
    assert!(out.summary.rows[0][1].ends_with("period=202401&cmdCode=TOTAL&flowCode=X&partner2Code=0&customsCode=C00&motCode=0&includeDesc=false"));
    assert!(out.summary.rows.iter().all(|r| r[2] == "no"));
    assert!(server.requests().is_empty());
    assert!(store_is_empty(dir.path()));
}

#[test]
fn a_429_with_retry_after_is_waited_for_and_the_fetch_completes() {
    let dir = tempfile::tempdir().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let inner = api(500);
    let c = calls.clone();
    let server = ReplayServer::start(move |req| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(
                429,
                "application/json",
                r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}"#,
            )
            .with_header("Retry-After", "1")
        } else {
            inner(req)
        }
    });
    let start = Instant::now();
    let seen = std::sync::Mutex::new(Vec::new());
    let out = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &|p| seen.lock().unwrap().push(p.message.clone()),
    )
    .unwrap();
    assert!(
        start.elapsed().as_secs_f64() >= 1.0,
        "waited {:?}",
        start.elapsed()
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[0].target, reqs[1].target,
        "the same request asked again"
    );
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|m| m.contains("HTTP 429: waiting 1.0 s")));
    assert_eq!(cell(&out, "rows"), ((partners().len() - 1) * 2).to_string());
}

#[test]
fn a_429_that_never_ends_fails_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(|_: &Request| {
        Reply::status(429, "text/plain", "Too Many Requests").with_header("Retry-After", "0")
    });
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("rate limited (HTTP 429) after 3 attempt(s)"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("the store is unchanged"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
}

#[test]
fn a_truncated_body_is_retried_then_reported_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let inner = api(500);
    let server = ReplayServer::start(move |req| {
        let r = inner(req);
        let half = r.body.len() / 2;
        r.cut_after(half)
    });
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(e.class, ErrorClass::BadInput);
    assert!(e.message.contains("response truncated"), "{}", e.message);
    assert_eq!(server.requests().len(), 3, "retried up to the attempts");
    assert!(store_is_empty(dir.path()));
    // Nothing truncated was cached: a later fetch against a sound server asks again.
    let good = ReplayServer::start(api(500));
    fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&good.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    assert_eq!(good.requests().len(), 2);
}

#[test]
fn an_html_error_page_is_reported_with_its_title_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(|_: &Request| {
        Reply::ok(
            "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html><head><title>UN Comtrade - Scheduled maintenance</title></head><body>Back soon</body></html>",
        )
    });
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message.contains("the server sent an HTML page instead of data (HTTP 200, title 'UN Comtrade - Scheduled maintenance')"),
        "{}",
        e.message
    );
    assert_eq!(server.requests().len(), 1, "an HTML page is not retried");
    assert!(store_is_empty(dir.path()));
}

#[test]
fn a_changed_schema_or_an_api_error_is_reported_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(|_: &Request| {
        Reply::ok(
            "application/json",
            r#"{"elapsedTime":"0.01 secs","count":1,"data":[{"reporterCode":156,"partnerCode":842,"flowCode":"X","cmdCode":"TOTAL","period":"202401","tradeValue":5.0}],"error":""}"#,
        )
    });
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("record 1 has no 'primaryValue': the API's schema changed"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
    let server = ReplayServer::start(|_: &Request| {
        Reply::ok(
            "application/json",
            r#"{"elapsedTime":"0 secs","count":0,"data":null,"error":"Invalid period: 2024-13"}"#,
        )
    });
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01"),
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("the API answered with an error: Invalid period: 2024-13"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
}

#[test]
fn an_answer_at_the_cap_is_split_until_every_record_is_there() {
    let dir = tempfile::tempdir().unwrap();
    // An endpoint capped at 520 records: both flows of a month (2 x 280 partners) are
    // estimated at 500 and asked together; the answer stops at 520, so the request
    // is split into one per flow.
    let server = ReplayServer::start(api(520));
    let mut req = request("2024-01");
    req.max_records = Some(520);
    let out = fetch_comtrade(
        &store(dir.path()),
        &req,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(targets.len(), 3, "{targets:?}");
    assert!(targets[0].contains("flowCode=X,M"));
    assert!(targets[1].contains("flowCode=X&"));
    assert!(targets[2].contains("flowCode=M&"));
    assert_eq!(cell(&out, "requests"), "2");
    assert_eq!(
        flows(dir.path(), "comtrade").len(),
        (partners().len() - 1) * 2
    );
}

#[test]
fn an_answer_at_the_cap_that_cannot_be_split_fails_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api(270));
    let mut req = request("2024-01");
    req.flows = vec!["X".into()];
    req.max_records = Some(270);
    let e = fetch_comtrade(
        &store(dir.path()),
        &req,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message.contains("270 rows, the cap of this endpoint"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
}

#[test]
fn the_keyed_endpoint_gets_the_key_in_a_header_and_never_in_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let inner = api(100_000);
    let server = ReplayServer::start(move |req| {
        if req.header("ocp-apim-subscription-key") != Some("test-key-123") {
            return Reply::status(
                401,
                "application/json",
                r#"{"statusCode":401,"message":"Access denied due to missing subscription key."}"#,
            );
        }
        inner(req)
    });
    let mut req = request("2024-01..2024-12");
    req.key = KeySource::Given("test-key-123".into());
    let out = fetch_comtrade(
        &store(dir.path()),
        &req,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    // 12 months x 2 flows x 250 partners is far below the keyed cap: one request.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert!(reqs[0].target.starts_with("/data/v1/get/C/M/HS?"));
    assert!(!reqs[0].target.contains("test-key"));
    assert_eq!(
        cell(&out, "rows"),
        ((partners().len() - 1) * 24).to_string()
    );
    let manifest = std::fs::read_to_string(dir.path().join("store/manifest.json")).unwrap();
    assert!(!manifest.contains("test-key-123"));
    // A wrong key is an HTTP error with the API's message.
    let mut bad = request("2024-01");
    bad.key = KeySource::Given("wrong".into());
    let e = fetch_comtrade(
        &store(dir.path()),
        &bad,
        &options(&server.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("HTTP 401: {\"statusCode\":401,\"message\":\"Access denied"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("wrong"));
}

#[test]
fn an_interrupted_fetch_resumes_and_ends_with_the_rows_of_an_uninterrupted_one() {
    // The reference: one uninterrupted fetch.
    let whole = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(api(500));
    fetch_comtrade(
        &store(whole.path()),
        &request("2024-01..2024-06"),
        &options(&server.url(), whole.path()),
        &no_progress,
    )
    .unwrap();
    assert_eq!(server.requests().len(), 12);
    let reference = flows(whole.path(), "comtrade");
    drop(server);

    // The server dies after answering 5 requests.
    let dir = tempfile::tempdir().unwrap();
    let answered = Arc::new(AtomicUsize::new(0));
    let inner = api(500);
    let a = answered.clone();
    let dying = ReplayServer::start(move |req| {
        if a.fetch_add(1, Ordering::SeqCst) < 5 {
            inner(req)
        } else {
            Reply::drop_connection()
        }
    });
    let addr = dying.addr();
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-06"),
        &options(&dying.url(), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        e.message.contains("the store is unchanged"),
        "{}",
        e.message
    );
    assert!(store_is_empty(dir.path()));
    dying.stop();
    // Killed: connections are refused, and the store is still untouched.
    let e = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-06"),
        &options(&format!("http://{addr}"), dir.path()),
        &no_progress,
    )
    .unwrap_err();
    assert!(e.message.contains("network error"), "{}", e.message);
    assert!(store_is_empty(dir.path()));

    // It comes back on the same address: the fetch asks only for the 7 answers it
    // lacks and stores exactly the rows of the uninterrupted fetch.
    let back = ReplayServer::start_on(addr, api(500));
    let out = fetch_comtrade(
        &store(dir.path()),
        &request("2024-01..2024-06"),
        &options(&back.url(), dir.path()),
        &no_progress,
    )
    .unwrap();
    assert_eq!(back.requests().len(), 7);
    assert_eq!(cell(&out, "cached"), "5");
    let resumed = flows(dir.path(), "comtrade");
    assert_eq!(resumed.len(), reference.len());
    let rows = |f: &[entrepot_core::TradeFlow]| -> Vec<(String, u64)> {
        f.iter()
            .map(|x| (format!("{:?}", x.key()), x.value_usd.to_bits()))
            .collect()
    };
    assert_eq!(rows(&resumed), rows(&reference));
}

#[test]
fn a_server_that_does_not_answer_times_out_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = ReplayServer::start(|_: &Request| {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        Reply::ok("application/json", r#"{"count":0,"data":[]}"#)
    });
    let mut opts = options(&server.url(), dir.path());
    let client = opts.client.as_mut().unwrap();
    client.read_timeout = std::time::Duration::from_millis(300);
    client.max_attempts = 2;
    let e =
        fetch_comtrade(&store(dir.path()), &request("2024-01"), &opts, &no_progress).unwrap_err();
    assert_eq!(e.class, ErrorClass::Failure);
    assert!(e.message.contains("timed out"), "{}", e.message);
    assert_eq!(server.requests().len(), 2, "a timeout is retried");
    assert!(store_is_empty(dir.path()));
}
