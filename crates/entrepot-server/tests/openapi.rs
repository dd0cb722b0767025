//! The OpenAPI document and the route table agree: every endpoint of the router is
//! documented (an endpoint added without documentation fails here), every documented
//! operation is routed, and every documented query parameter is accepted.

mod common;
use common::*;

use entrepot_server::routes::endpoints;
use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(entrepot_server::OPENAPI).expect("the OpenAPI document is JSON")
}

#[test]
fn every_endpoint_is_documented_and_every_documented_operation_is_routed() {
    let doc = document();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let routed: Vec<(String, String)> = endpoints()
        .iter()
        .map(|e| (e.method.to_ascii_lowercase(), e.path.to_string()))
        .collect();
    for (method, path) in &routed {
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is routed but not in the OpenAPI document"))[method];
        assert!(
            op.is_object(),
            "{} {path} is routed but not documented",
            method.to_uppercase()
        );
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path}: summary"
        );
        assert!(op["responses"].is_object(), "{method} {path}: responses");
        // Path parameters are documented by name.
        for name in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
            let documented = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path" && p["name"] == name));
            assert!(documented, "{method} {path}: path parameter {name}");
        }
    }
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            assert!(
                routed.contains(&(method.clone(), path.clone())),
                "{} {path} is documented but not routed",
                method.to_uppercase()
            );
        }
    }
    // Write endpoints say they need the token.
    for e in endpoints().iter().filter(|e| e.write) {
        let op = &paths[e.path][e.method.to_ascii_lowercase()];
        assert!(
            op["security"].is_array(),
            "{} {}: security",
            e.method,
            e.path
        );
        for status in ["401", "403"] {
            assert!(
                op["responses"][status].is_object(),
                "{} {}: {status}",
                e.method,
                e.path
            );
        }
    }
}

/// A plausible value of a documented parameter.
fn value(p: &Value) -> String {
    if let Some(e) = p["example"].as_str() {
        return e.to_string();
    }
    let schema = &p["schema"];
    if let Some(first) = schema["enum"].as_array().and_then(|a| a.first()) {
        return match first {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    match schema["type"].as_str() {
        Some("boolean") => "true".into(),
        Some("integer") => schema["minimum"].as_i64().unwrap_or(2).max(2).to_string(),
        _ => "x".into(),
    }
}

#[tokio::test]
async fn every_documented_query_parameter_is_accepted() {
    let (_dir, app) = flows_server();
    let doc = document();
    for e in endpoints().iter().filter(|e| e.method == "GET") {
        let op = &doc["paths"][e.path]["get"];
        let params: Vec<&Value> = op["parameters"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let mut path = e.path.to_string();
        for p in params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().expect("name");
            path = path.replace(&format!("{{{name}}}"), &value(p));
        }
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().expect("name");
            let uri = format!("{path}?{name}={}", value(p).replace(' ', "%20"));
            let r = get(&app, &uri).await;
            let text = r.text();
            assert!(
                !text.contains("unknown field"),
                "{uri}: a documented parameter is refused: {text}"
            );
            assert!(r.status.as_u16() < 500 || r.status == 503, "{uri}: {text}");
        }
    }
}
