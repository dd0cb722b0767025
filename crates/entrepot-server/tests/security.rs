//! The security defaults: read-only without a token (every write endpoint answers
//! 403), 401 without the right token, no CORS headers, security headers on every
//! answer.

mod common;
use common::*;

use entrepot_server::routes::endpoints;

const TOKEN: &str = "s3cret-token-0123456789";

/// A concrete path of an endpoint (its parameters filled in).
fn concrete(path: &str) -> String {
    path.replace("{name}", "monthly")
        .replace("{reporter}", "CHN")
        .replace("{group}", "EU27")
        .replace("{iso3}", "CHN")
}

#[tokio::test]
async fn without_a_token_every_write_endpoint_answers_403() {
    let (dir, app) = flows_server();
    let writes: Vec<_> = endpoints().into_iter().filter(|e| e.write).collect();
    assert!(!writes.is_empty());
    for e in &writes {
        for auth in [None, Some(format!("Bearer {TOKEN}"))] {
            let headers: Vec<(&str, &str)> = auth
                .as_deref()
                .map(|a| vec![("authorization", a)])
                .unwrap_or_default();
            let r = send(&app, e.method, &concrete(e.path), &headers, "").await;
            assert_eq!(r.status, 403, "{} {}: {}", e.method, e.path, r.text());
            assert_eq!(r.error_class(), "forbidden");
        }
    }
    // Nothing was removed.
    assert!(dir.path().join("store").exists());
    assert_eq!(get(&app, "/api/v1/datasets/monthly").await.status, 200);
}

#[tokio::test]
async fn with_a_token_a_wrong_or_missing_one_answers_401_and_the_right_one_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    ingest(&store, "monthly", FLOWS);
    let mut config = config(&store);
    config.token = Some(TOKEN.to_string());
    let app = entrepot_server::app(config);
    let uri = "/api/v1/datasets/monthly";
    let wrong = format!("Bearer {TOKEN}x");
    let short = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    let basic = format!("Basic {TOKEN}");
    for auth in [
        None,
        Some(wrong.as_str()),
        Some(short.as_str()),
        Some(basic.as_str()),
        Some("Bearer "),
    ] {
        let headers: Vec<(&str, &str)> =
            auth.map(|a| vec![("authorization", a)]).unwrap_or_default();
        let r = send(&app, "DELETE", uri, &headers, "").await;
        assert_eq!(r.status, 401, "{auth:?}: {}", r.text());
        assert_eq!(r.error_class(), "unauthorized");
        assert!(r.headers["www-authenticate"]
            .to_str()
            .is_ok_and(|v| v.starts_with("Bearer")));
    }
    assert_eq!(get(&app, uri).await.status, 200, "still there");
    // Every write endpoint, not only this one, refuses a wrong token.
    for e in endpoints().into_iter().filter(|e| e.write) {
        let r = send(
            &app,
            e.method,
            &concrete(e.path),
            &[("authorization", &wrong)],
            "",
        )
        .await;
        assert_eq!(r.status, 401, "{} {}: {}", e.method, e.path, r.text());
    }
    assert_eq!(get(&app, uri).await.status, 200, "still there");
    let right = format!("Bearer {TOKEN}");
    let r = send(&app, "DELETE", uri, &[("authorization", &right)], "").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()[0]["status"], "removed");
    assert_eq!(get(&app, uri).await.status, 404, "removed");
    let r = send(&app, "DELETE", uri, &[("authorization", &right)], "").await;
    assert_eq!(r.status, 404, "{}", r.text());
    // Reading needs no token.
    assert_eq!(get(&app, "/api/v1/datasets").await.status, 200);
}

#[test]
fn tokens_must_be_long_and_plain() {
    assert!(entrepot_server::check_token("short").is_err());
    assert!(entrepot_server::check_token("with a space in it here").is_err());
    assert!(entrepot_server::check_token(TOKEN).is_ok());
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("token");
    std::fs::write(&f, format!("{TOKEN}\n")).expect("write");
    assert_eq!(
        entrepot_server::read_token_file(&f).ok().as_deref(),
        Some(TOKEN)
    );
    std::fs::write(&f, "\n").expect("write");
    assert!(entrepot_server::read_token_file(&f).is_err());
    assert!(entrepot_server::read_token_file(&dir.path().join("none")).is_err());
}

#[tokio::test]
async fn no_cors_headers_and_security_headers_everywhere() {
    let (_dir, app) = sample_server();
    let origin = [("origin", "https://evil.example")];
    for e in endpoints() {
        let r = send(&app, e.method, &concrete(e.path), &origin, "").await;
        for h in r.headers.keys() {
            assert!(
                !h.as_str().starts_with("access-control-"),
                "{} {}: {h}",
                e.method,
                e.path
            );
        }
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{}", e.path);
    }
    // A CORS preflight is not answered with permission.
    let preflight = [
        ("origin", "https://evil.example"),
        ("access-control-request-method", "POST"),
    ];
    let r = send(&app, "OPTIONS", "/api/v1/sql", &preflight, "").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.headers.get("access-control-allow-origin").is_none());
    // Pages allow no script.
    let r = get(&app, "/").await;
    let csp = r.headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
}
