//! Every route survives garbage: generated path segments, query parameters (the
//! documented names and others) and bodies never get a 5xx other than 503, and never
//! a panic (a panic in a handler would fail the request here).

mod common;
use common::*;

use entrepot_server::routes::endpoints;
use serde_json::Value;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces garbage is made of: codes and periods that mean something, near misses,
/// numbers at the edges, paths, markup, SQL, control characters and odd Unicode.
const PIECES: &[&str] = &[
    "",
    "CHN",
    "chn",
    "USA",
    "EU27",
    "WLD",
    "monthly",
    "sample",
    "2025-11",
    "2025",
    "2025-Q3",
    "2018-04..2018-09",
    "2025-13",
    "2025-00",
    "0000-01",
    "9999-12",
    "-2025",
    "2025-Q0",
    "2025-Q",
    "..",
    "...",
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    "18446744073709551616",
    "99999999999999999999",
    "true",
    "yes",
    "2",
    "4",
    "6",
    "7",
    "export",
    "import",
    "products",
    "partners",
    "document",
    "HS2017",
    "H5",
    "85",
    "850760",
    "8541x",
    "../../etc/passwd",
    "/",
    "\\",
    "C:\\Windows",
    "<script>alert(1)</script>",
    "\"",
    "'",
    "' OR 1=1 --",
    ";",
    ",",
    ",,,",
    "&",
    "=",
    "?",
    "#",
    "%",
    "+",
    " ",
    "\t",
    "\n",
    "\u{0}",
    "\u{1b}[2J",
    "\u{7f}",
    "\u{9b}",
    "\u{202e}",
    "\u{feff}",
    "é",
    "中国",
    "🇨🇳",
    "Ω≈ç√",
    "Korea, Rep.",
    "Côte d'Ivoire",
];

/// Percent-encodes every byte but the unreserved ones.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A garbage value, percent-encoded; now and then with raw bytes that are not UTF-8
/// or a very long run.
fn garbage(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..1 + rng.below(3) {
        s.push_str(&encode(rng.pick(PIECES)));
    }
    match rng.below(12) {
        0 => s.push_str("%FF%FE"),
        1 => s.push_str(&"A".repeat(rng.below(400))),
        2 => s.push_str("%C3"),
        _ => {}
    }
    s
}

/// The documented query parameter names of an operation.
fn documented(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method.to_ascii_lowercase()]["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_survived(r: &Reply, what: &str, seen: &mut std::collections::BTreeMap<u16, usize>) {
    let s = r.status.as_u16();
    assert!(s < 500 || s == 503, "{what}: {s} {}", r.text());
    *seen.entry(s).or_default() += 1;
}

#[tokio::test]
async fn every_route_survives_garbage_parameters() {
    let (_dir, app) = flows_server();
    let doc: Value = serde_json::from_str(entrepot_server::OPENAPI).expect("json");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sent = 0;
    let mut seen = std::collections::BTreeMap::new();
    for e in endpoints().iter().filter(|e| e.method == "GET") {
        let names = documented(&doc, e.method, e.path);
        for _ in 0..120 {
            let mut path = String::new();
            for (i, part) in e.path.split('{').enumerate() {
                match part.split_once('}') {
                    Some((_, rest)) if i > 0 => {
                        // Half the time something that exists, so the handlers go deep.
                        if rng.below(2) == 0 {
                            path.push_str(&encode(rng.pick(&["CHN", "monthly", "EU27", "USA"])));
                        } else {
                            let g = garbage(&mut rng);
                            path.push_str(if g.is_empty() { "x" } else { &g });
                        }
                        path.push_str(rest);
                    }
                    _ => path.push_str(part),
                }
            }
            let mut query = Vec::new();
            for _ in 0..rng.below(4) {
                let name = if !names.is_empty() && rng.below(5) > 0 {
                    names[rng.below(names.len())].clone()
                } else {
                    garbage(&mut rng)
                };
                query.push(format!("{name}={}", garbage(&mut rng)));
            }
            let uri = if query.is_empty() {
                path
            } else {
                format!("{path}?{}", query.join("&"))
            };
            let r = get(&app, &uri).await;
            assert_survived(&r, &uri, &mut seen);
            sent += 1;
        }
    }
    // Bodies: garbage text, JSON of the wrong shape, queries and formulas of garbage.
    let json = [("content-type", "application/json")];
    for i in 0..80 {
        let g: String = (0..1 + rng.below(4)).map(|_| rng.pick(PIECES)).collect();
        let body = match i % 4 {
            0 => g.clone(),
            1 => serde_json::json!({ "query": g }).to_string(),
            2 => serde_json::json!({ "query": format!("SELECT {g}") }).to_string(),
            _ => serde_json::json!({ "query": format!("SELECT * FROM flows WHERE reporter = '{}'", g.replace('\'', "''")) }).to_string(),
        };
        let r = send(&app, "POST", "/api/v1/sql", &json, &body).await;
        assert_survived(&r, &body, &mut seen);
        sent += 1;
    }
    for i in 0..60 {
        let g: String = (0..1 + rng.below(4)).map(|_| rng.pick(PIECES)).collect();
        let body = match i % 3 {
            0 => serde_json::json!({ "dataset": "monthly", "formula": g }),
            1 => serde_json::json!({ "dataset": g, "formula": "value_usd ~ year" }),
            _ => serde_json::json!({ "dataset": "monthly", "formula": "value_usd ~ year", "filters": [g], "cluster": rng.pick(PIECES) }),
        }
        .to_string();
        let r = send(&app, "POST", "/api/v1/gravity", &json, &body).await;
        assert_survived(&r, &body, &mut seen);
        sent += 1;
    }
    // Scenarios: garbage countries, data, elasticities and shapes; numbers at the edges.
    let numbers = [0.0, -1.0, 1e-300, 1e300, -100.0, 1000.0, 7.6];
    for i in 0..60 {
        let g: String = (0..1 + rng.below(4)).map(|_| rng.pick(PIECES)).collect();
        let n = numbers[rng.below(numbers.len())];
        let shock = serde_json::json!({ "type": "tariff", "importer": "USA", "exporter": "DEU", "change_pp": 20 });
        let body = match i % 6 {
            0 => serde_json::json!({ "data": { "dataset": "monthly" }, "elasticity": { "theta": 4 }, "shock": [{ "type": "tariff", "importer": g, "exporter": "DEU", "change_pp": n }] }),
            1 => serde_json::json!({ "data": { "dataset": g }, "elasticity": { "theta": n }, "shock": [shock] }),
            2 => serde_json::json!({ "data": { "sql": format!("SELECT {g}") }, "elasticity": { "sigma": n }, "shock": [shock] }),
            3 => serde_json::json!({ "data": { "sql": WORLD_SQL, "year": 2020 }, "elasticity": { "theta": n, "se": n }, "uncertainty": { "draws": rng.below(50), "level": n }, "shock": [{ "type": "tariff", "importer": "BBB", "exporter": "AAA", "change_pp": n, "from_pct": n }] }),
            4 => serde_json::json!({ "data": { "sql": WORLD_SQL }, "elasticity": { "theta": 4 }, "model": { "reference": g, "solver": "both" }, "shock": [{ "type": "cost", "importer": "BBB", "exporter": "AAA", "change_pct": n }] }),
            _ => serde_json::json!({ "data": { "sql": WORLD_SQL }, "elasticity": { "theta": 4 }, "shock": [{ "type": g, "members": [g], "variable": g, "active": true }] }),
        }
        .to_string();
        let r = send(&app, "POST", "/api/v1/scenario", &json, &body).await;
        assert_survived(&r, &body, &mut seen);
        sent += 1;
    }
    eprintln!("{sent} requests, answers by status: {seen:?}");
    assert!(sent > 1000, "{sent} requests");
    assert!(
        seen.get(&200).is_some_and(|n| *n > 50),
        "too few requests went deep: {seen:?}"
    );
}
