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
