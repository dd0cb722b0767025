//! `entrepot fetch` end to end, against a replay server on loopback: the base URL and
//! the key come from the environment (never the command line), the summary is
//! printed, the manifest says where the data came from, failures exit with their
//! class and leave no store behind.

mod common;
use common::*;
use entrepot_fetch::replay::{ReplayServer, Reply, Request};
use serde_json::{json, Value};
use std::path::Path;

/// A Comtrade API answering every request with one record per period, flow and
/// partner, when the key is right.
fn comtrade(req: &Request) -> Reply {
    if req.header("ocp-apim-subscription-key") != Some("key-from-env") {
        return Reply::status(
            401,
            "application/json",
            r#"{"statusCode":401,"message":"Access denied"}"#,
        );
    }
    let list = |k: &str| -> Vec<String> {
        req.param(k)
            .unwrap_or("")
            .split(',')
            .map(str::to_string)
            .collect()
    };
    let mut data = Vec::new();
    for period in list("period") {
        for flow in list("flowCode") {
            for partner in list("partnerCode") {
                data.push(json!({"reporterCode": 842, "partnerCode": partner.parse::<u16>().unwrap_or(0),
                    "flowCode": flow, "cmdCode": "TOTAL", "period": period, "classificationCode": "H6",
                    "partner2Code": 0, "customsCode": "C00", "motCode": 0, "primaryValue": 1.5e9}));
            }
        }
    }
    Reply::ok(
        "application/json",
        serde_json::to_vec(
            &json!({"elapsedTime": "0.1 secs", "count": data.len(), "data": data, "error": ""}),
        )
        .unwrap(),
    )
}

fn fetch(store: &Path, cache: &Path, url: &str, args: &[&str]) -> std::process::Output {
    bin()
        .env("ENTREPOT_COMTRADE_URL", url)
        .env("ENTREPOT_COMTRADE_KEY", "key-from-env")
        .env("ENTREPOT_CONFIG", cache.join("no-config.toml"))
        .env("ENTREPOT_CACHE_DIR", cache)
        // Rejected rows (none here) are written beside the cache, not in the working
        // directory.
        .current_dir(cache.parent().expect("a temporary folder"))
        .arg("--quiet")
        .arg("--store")
        .arg(store)
        .arg("fetch")
        .args(args)
        .output()
        .expect("run entrepot")
}

const ARGS: [&str; 10] = [
    "comtrade",
    "--reporter",
    "USA",
    "--partner",
    "CHN,IND",
    "--freq",
    "A",
    "--period",
    "2022..2023",
    "--format=json",
];

#[test]
fn fetch_comtrade_stores_the_answers_and_datasets_says_where_they_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let (store, cache) = (dir.path().join("store"), dir.path().join("cache"));
    let server = ReplayServer::start(comtrade);
    let o = fetch(&store, &cache, &server.url(), &ARGS);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(rows[0]["rows"], "8", "{rows}");
    assert_eq!(rows[0]["status"], "written");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].target,
        "/data/v1/get/C/A/HS?reporterCode=842&period=2022,2023&cmdCode=TOTAL&flowCode=X,M&partnerCode=156,699&partner2Code=0&customsCode=C00&motCode=0&includeDesc=false"
    );
    let info: Value = serde_json::from_str(&ok(&store, &["datasets", "comtrade"])).unwrap();
    let reader = info["readers"][0].as_str().unwrap();
    assert!(
        reader.contains(&format!(
            "UN Comtrade API from {}/data/v1/get/",
            server.url()
        )),
        "{reader}"
    );
    assert!(!std::fs::read_to_string(store.join("manifest.json"))
        .unwrap()
        .contains("key-from-env"));
    // A dry run lists the one request, cached now.
    let o = fetch(
        &store,
        &cache,
        &server.url(),
        &[&ARGS[..], &["--dry-run"]].concat(),
    );
    let listed: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(listed[0]["cached"], "yes");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_key_is_not_taken_from_the_command_line_and_failures_leave_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let (store, cache) = (dir.path().join("store"), dir.path().join("cache"));
    let server = ReplayServer::start(|_: &Request| {
        Reply::ok(
            "text/html",
            "<html><head><title>Sign in</title></head></html>",
        )
    });
    let o = fetch(
        &store,
        &cache,
        &server.url(),
        &[&ARGS[..], &["--key", "secret"]].concat(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(server.requests().is_empty());
    let o = fetch(&store, &cache, &server.url(), &ARGS);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("HTML page instead of data (HTTP 200, title 'Sign in')"),
        "{}",
        stderr(&o)
    );
    assert!(!store.join("manifest.json").exists());
}
