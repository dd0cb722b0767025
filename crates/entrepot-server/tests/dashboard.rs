//! The dashboard: server-rendered pages with the reports' SVG charts, no script, a
//! viewport for phones, labelled forms and headings in order.

mod common;
use common::*;

/// The checks every page passes: a whole document in English with a viewport, one
/// `<h1>`, no script, no resource from elsewhere, every input labelled.
fn assert_accessible_page(html: &str, what: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
    assert!(html.contains("<html lang=\"en\">"), "{what}");
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
        "{what}"
    );
    assert_eq!(html.matches("<h1").count(), 1, "{what}: one h1");
    assert!(
        html.contains("<main id=\"main\">") && html.contains("href=\"#main\""),
        "{what}"
    );
    for bad in [
        "<script",
        "javascript:",
        "src=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(bad), "{what}: {bad}");
    }
    for input in html.split("<input").skip(1) {
        let id = input
            .split("id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{what}: an input without id"));
        assert!(
            html.contains(&format!("<label for=\"{id}\"")),
            "{what}: input {id} has no label"
        );
    }
    // Headings never skip a level.
    let mut last = 1;
    for part in html.split("<h").skip(1) {
        if let Some(level) = part.chars().next().and_then(|c| c.to_digit(10)) {
            assert!(level <= last + 1, "{what}: h{level} after h{last}");
            last = level;
        }
    }
}

#[tokio::test]
async fn the_index_lists_the_datasets_and_offers_the_search() {
    let (_dir, app) = flows_server();
    let r = get(&app, "/").await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .is_ok_and(|v| v.starts_with("text/html")));
    let html = r.text();
    assert_accessible_page(&html, "/");
    assert!(html.contains("<td>monthly</td>"));
    assert!(html.contains("sample (embedded)"));
    assert!(html.contains("action=\"/country\""));
}

#[tokio::test]
async fn a_country_page_shows_the_brief_and_diversification_with_charts() {
    let (_dir, app) = flows_server();
    let r = get(&app, "/country/CHN?period=2025-01").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "/country/CHN");
    assert!(html.contains("<article class=\"report\" id=\"brief-document\">"));
    assert!(html.contains("<article class=\"report\" id=\"div-document\">"));
    assert!(html.matches("<svg").count() >= 2, "charts");
    assert!(html.contains("role=\"img\""));
    // Anchors of the two documents do not collide.
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let duplicates: Vec<&&str> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(duplicates.is_empty(), "duplicate ids: {duplicates:?}");
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(ids.contains(&target), "#{target} has no target");
    }
}

#[tokio::test]
async fn on_the_sample_the_country_page_has_the_brief_and_says_why_diversification_is_missing() {
    let (_dir, app) = sample_server();
    let r = get(&app, "/country/china?period=2025-11").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "/country/china");
    assert!(html.contains("China (CHN)"));
    assert!(html.contains("id=\"brief-document\""));
    assert!(
        html.contains("Not available:"),
        "diversification needs stored flows"
    );
}

#[tokio::test]
async fn the_search_redirects_or_lists_and_errors_are_pages() {
    let (_dir, app) = sample_server();
    let r = get(&app, "/country?q=Germany&period=2025").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.headers["location"], "/country/DEU?period=2025");
    let r = get(&app, "/country?q=Qqqqqq").await;
    assert_eq!(r.status, 404);
    assert_accessible_page(&r.text(), "not found");
    let r = get(&app, "/country/QQQ").await;
    assert_eq!(r.status, 404);
    let r = get(&app, "/country/CHN?period=%3Cscript%3E").await;
    assert_eq!(r.status, 400);
    assert!(!r.text().contains("<script>"));
    let r = get(&app, "/country/CHN?period=2025-13").await;
    assert_eq!(r.status, 400);
    assert_accessible_page(&r.text(), "bad period");
}

#[tokio::test]
async fn a_pair_page_shows_dependence_and_mirror_or_says_why() {
    let (_dir, app) = flows_server();
    let r = get(&app, "/pair/china/USA").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "/pair/china/USA");
    assert!(html.contains("China and United States") || html.contains("(CHN, USA)"));
    assert!(html.contains("id=\"dep-document\""));
    assert!(html.contains("id=\"mir-document\""));
    assert!(html.contains("href=\"/api/v1/dependence/CHN/USA\""));
    assert!(html.contains("<svg"), "dependence charts");
    // every in-page link has a target
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(ids.contains(&target), "#{target} has no target");
    }
    let r = get(&app, "/pair/CHN/XXX").await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(r.text().contains("XXX"));
}

/// Every in-page link of a page has its target, and no id is used twice.
fn assert_anchors(html: &str, what: &str) {
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let duplicates: Vec<&&str> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(
        duplicates.is_empty(),
        "{what}: duplicate ids: {duplicates:?}"
    );
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(ids.contains(&target), "{what}: #{target} has no target");
    }
}

/// The report fragment of a document as the pages render it.
fn fragment(doc: &serde_json::Value, prefix: &str) -> String {
    let doc: entrepot_app::Document = serde_json::from_value(doc.clone()).expect("a document");
    entrepot_report::render_html_fragment(
        &doc,
        &entrepot_report::HtmlFragmentOptions {
            id_prefix: prefix.into(),
            heading_level: 2,
        },
    )
}

#[tokio::test]
async fn a_products_page_shows_the_edge_and_projection_documents_of_the_api() {
    let (_dir, app) = product_server();
    let r = get(&app, "/products/china").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "/products/china");
    assert_anchors(&html, "/products/china");
    assert!(html.contains("Products of China (CHN)"));
    // The page holds the very document the API sends, as the report renders it.
    let api = get(&app, "/api/v1/edge/CHN").await;
    assert_eq!(api.status, 200);
    assert!(html.contains(&fragment(&api.json(), "edge-")));
    assert!(html.contains("<svg"), "the share chart");
    // The projection of the share: the API's document, or why it cannot be computed.
    assert!(html.contains("<section id=\"projection\">"));
    let projected = get(&app, "/api/v1/project/CHN").await;
    if projected.status == 200 {
        assert!(html.contains(&fragment(&projected.json(), "proj-")));
    } else {
        let why = projected.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let head: String = why
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == ' ')
            .take(30)
            .collect();
        assert!(
            html.contains("Not available:") && html.contains(&head),
            "{why}"
        );
    }
    for b in [
        "solar_cells",
        "electric_vehicles",
        "lithium_ion_batteries",
        "industrial_robots",
    ] {
        assert!(
            html.contains(&format!("<option value=\"{b}\">")),
            "basket {b}"
        );
    }
    // A basket chosen with the form.
    let r = get(&app, "/products/CHN?basket=solar_cells&from=2024").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert!(html.contains("<option value=\"solar_cells\" selected>"));
    let api = get(&app, "/api/v1/edge/CHN?basket=solar_cells&from=2024").await;
    assert!(html.contains(&fragment(&api.json(), "edge-")));
    assert!(html.contains("href=\"/api/v1/edge/CHN?basket=solar_cells&amp;from=2024\""));
    // Mistakes are pages with the status of the API.
    for (uri, status) in [
        ("/products/CHN?basket=solar_cells&products=854140", 400),
        ("/products/CHN?basket=tulips", 404),
        ("/products/CHN?from=1800", 400),
        ("/products/QQQ", 404),
        ("/products/CHN?colour=red", 400),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert_accessible_page(&r.text(), uri);
    }
}

#[tokio::test]
async fn on_the_sample_a_products_page_says_why_it_is_empty() {
    let (_dir, app) = sample_server();
    let r = get(&app, "/products/CHN").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let html = r.text();
    assert_accessible_page(&html, "/products/CHN on the sample");
    assert!(html.contains("Not available:"));
    assert!(html.contains("id=\"projection\""));
}

/// The query string of a scenario form on [`WORLD_SQL`].
fn scenario_form(extra: &str) -> String {
    let sql: String = WORLD_SQL
        .bytes()
        .map(|b| match b {
            b' ' => "+".to_string(),
            b if b.is_ascii_alphanumeric() => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect();
    format!("/scenario?importer=BBB&exporter=AAA&change_pp=20&theta=4&se=0.5&draws=20&sql={sql}&year=2020&currency=USD{extra}")
}

#[tokio::test]
async fn the_scenario_page_runs_the_form_as_the_api_would() {
    let (_dir, app) = flows_server();
    let r = get(&app, "/scenario?exporter=CHN").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "/scenario");
    assert!(html.contains("method=\"get\" action=\"/scenario\""));
    assert!(html.contains("id=\"exporter\" name=\"exporter\" value=\"CHN\""));
    assert!(
        html.contains("<option value=\"monthly\">"),
        "the store's datasets offered"
    );
    assert!(
        !html.contains("scn-document"),
        "no scenario without a change"
    );
    let r = get(&app, &scenario_form("")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_accessible_page(&html, "the scenario's result");
    assert_anchors(&html, "the scenario's result");
    // The JSON shown is the scenario; the API answers it with the document on the page.
    let json = html
        .split("<pre id=\"scenario-json\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .expect("the scenario's JSON")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&");
    let spec: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(spec["shock"][0]["change_pp"], 20.0);
    assert_eq!(spec["shock"][0]["importer"], "BBB");
    assert_eq!(spec["elasticity"]["theta"], 4.0);
    assert_eq!(spec["uncertainty"]["draws"], 20);
    assert_eq!(spec["data"]["sql"], WORLD_SQL);
    let api = send(
        &app,
        "POST",
        "/api/v1/scenario",
        &[("content-type", "application/json")],
        &json,
    )
    .await;
    assert_eq!(api.status, 200, "{}", api.text());
    assert!(html.contains(&fragment(&api.json(), "scn-")));
    assert!(html.contains("Trade diversion") && html.contains("<svg"));
    // The form keeps what was given.
    assert!(html.contains("id=\"change_pp\" name=\"change_pp\" value=\"20\""));
    // Mistakes: the page says what is wrong, with the form.
    let base = scenario_form("");
    for (uri, status, says) in [
        (base.replace("&theta=4", ""), 400, "θ is required"),
        (base.replace("&theta=4", "&theta=-1"), 400, "theta must be"),
        (scenario_form("&dataset=monthly"), 400, "not both"),
        (base.replace("&draws=20", "&draws=5000"), 400, "draws"),
        (scenario_form("&scale=dozens"), 400, "scale"),
        (scenario_form("&both_ways=perhaps"), 400, "both_ways"),
        (scenario_form("&path=/etc/passwd"), 400, "path"),
    ] {
        let r = get(&app, &uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert!(r.text().contains(says), "{uri}: {}", r.text());
        assert_accessible_page(&r.text(), &uri);
    }
    let r = get(
        &app,
        &scenario_form("").replace("importer=BBB", "importer=ZZZ"),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert!(r.text().contains("ZZZ") && r.text().contains("id=\"importer\""));
}
