//! The dashboard: server-rendered HTML pages with inline SVG charts, no script, no
//! resource from elsewhere (it works offline), usable with a keyboard and on a
//! phone. Each page shows report documents as `entrepot-report` renders them; these
//! modules only lay out the page around them.
//!
//! | module | pages |
//! |---|---|
//! | here | the page frame (navigation, styles), `/` (datasets, country search), `/country` (the search's target) |
//! | `country` | `/country/{iso3}` (brief, diversification), `/pair/{a}/{b}` (dependence, mirror) |
//! | `products` | `/products/{reporter}` (baskets, world shares and RCA: the sectoral edge) |
//! | `scenario` | `/scenario` (a tariff change in general equilibrium: a form, then diversion and welfare) |

mod country;
mod products;
mod scenario;

pub(crate) use country::{country, pair};
pub(crate) use products::products;
pub(crate) use scenario::scenario;

use crate::api::AppStateRef;
use crate::error::ServerError;
use crate::jobs::blocking;
use crate::params::{opt_text, text};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use entrepot_core::Country;
use entrepot_core::CountryRegistry;
use entrepot_report::HtmlFragmentOptions;
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;

/// The dashboard's own styles, after the report's: layout, form controls, a skip
/// link, visible focus, and darker greys than the report's for text that must be
/// read (WCAG AA contrast on white).
const CSS: &str = r#"
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.4em .8em;border:2px solid #1f5fa8}
.skip:focus{left:1em;z-index:10}
header.site{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:baseline;border-bottom:2px solid #1f5fa8;padding-bottom:.4em}
header.site nav{display:flex;flex-wrap:wrap;gap:.3em 1em}header.site a{color:#1f5fa8;font-weight:600;text-decoration:none}header.site a:hover{text-decoration:underline}
a{color:#1f5fa8}a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #b35900;outline-offset:2px}
form.search{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;margin:1em 0}
form.search label{display:flex;flex-direction:column;font-weight:600;font-size:.95em}
form.search input,form.search select,form.search textarea{font:inherit;padding:.35em .5em;border:1px solid #555;border-radius:3px;min-width:12em;background:#fff}
form.search fieldset{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;border:1px solid #bbb;border-radius:4px;padding:.5em 1em 1em;margin:0;width:100%;box-sizing:border-box}
form.search legend{font-weight:700;padding:0 .3em}form.search label.check{flex-direction:row;align-items:center;gap:.4em}form.search label.check input{min-width:0}
form.search .hint{font-weight:400;font-size:.85em;color:#4d4d4d}form.search textarea{width:100%;min-height:4em}form.search label.wide{width:100%}
form.search button{font:inherit;padding:.4em 1em;background:#1f5fa8;color:#fff;border:0;border-radius:3px;cursor:pointer}
.notice{border-left:4px solid #b35900;background:#fff6ed;padding:.5em 1em}
td.missing,.status-na,.meta{color:#4d4d4d}.chart .chart-empty{fill:#4d4d4d}
article.report{margin-top:2em;border-top:1px solid #ccc}
nav.page-links{margin:.5em 0}nav.page-links a{margin-right:1em}
section.placeholder{border:2px dashed #767676;padding:.5em 1em;margin-top:2em}
dl.figures dt,dl.figures dd{overflow-wrap:anywhere;min-width:0}
@media (max-width:600px){body{margin:1em auto;padding:0 .5em}dl.figures{grid-template-columns:minmax(0,1fr)}dl.figures dd{margin:0 0 .5em}table.checks{display:block;overflow-x:auto;max-width:100%}form.search label.check input{width:auto}form.search input,form.search select{min-width:0;width:100%;box-sizing:border-box}form.search label{width:100%}}
"#;

/// Text made safe for HTML: markup characters as entities, control characters as
/// visible escapes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
fn url_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A whole page around `main`.
fn page(title: &str, main: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t} · Entrepôt</title>\n<style>{}{CSS}</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"site\"><a href=\"/\">Entrepôt</a><nav aria-label=\"Site\"><a href=\"/\">Countries</a> <a href=\"/scenario\">Tariff scenario</a> <a href=\"/api/v1/openapi.json\">HTTP API (OpenAPI)</a></nav></header>\n<main id=\"main\">\n{main}</main>\n<footer class=\"meta\"><p>Entrepôt {} · figures marked P are published, C computed (see each report's sources).</p></footer>\n</body>\n</html>\n",
        entrepot_report::HTML_STYLE,
        env!("CARGO_PKG_VERSION"),
        t = esc(title),
    )
}

/// The country search form (prefilled with `q` and `period`).
fn search_form(q: &str, period: &str) -> String {
    format!(
        "<form class=\"search\" method=\"get\" action=\"/country\" role=\"search\">\n<label for=\"q\">Country (name or code)<input id=\"q\" name=\"q\" value=\"{}\" required autocomplete=\"off\" placeholder=\"China, CHN, 156\"></label>\n<label for=\"period\">Period (optional)<input id=\"period\" name=\"period\" value=\"{}\" placeholder=\"2025-11, 2025, 2025-Q3\"></label>\n<button type=\"submit\">Show</button>\n</form>\n",
        esc(q),
        esc(period)
    )
}

/// An error as a page, with the status of the error.
fn error_page(e: &ServerError, q: &str) -> Response {
    let main = format!(
        "<h1>{}</h1>\n<p class=\"notice\" role=\"alert\">{}</p>\n{}",
        e.status().canonical_reason().unwrap_or("Error"),
        esc(&e.to_string()),
        search_form(q, "")
    );
    let mut r = (e.status(), Html(page("Error", &main))).into_response();
    if let ServerError::Busy { retry_after, .. } = e {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    r
}

/// A country named by a request (a path segment, a form field): any code or name the
/// registry resolves, or 404.
fn resolve_country(name: &str, given: &str) -> Result<Country, ServerError> {
    let g = text(name, given)?;
    CountryRegistry::builtin()
        .resolve(&g)
        .cloned()
        .map_err(|e| entrepot_app::AppError::not_found(e.to_string()).into())
}

/// A page answer with the status of the failure of its main section, if any (a 404
/// when the country has no data, 503 with `Retry-After` when the server is busy).
fn page_response(title: &str, main: &str, failure: Option<&ServerError>) -> Response {
    let status = failure.map_or(StatusCode::OK, ServerError::status);
    let mut r = (status, Html(page(title, main))).into_response();
    if let Some(ServerError::Busy { retry_after, .. }) = failure {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    r
}

/// A section that could not be computed: its heading and why, as an alert.
fn failed_section(id: &str, heading: &str, e: &ServerError) -> String {
    format!(
        "<section id=\"{id}\"><h2>{heading}</h2><p class=\"notice\" role=\"alert\">Not available: {}</p></section>\n",
        esc(&e.to_string())
    )
}

/// The names of the store's flows datasets (none when the store cannot be read: the
/// forms that offer them still work with a name typed in).
async fn flows_datasets(s: &AppState) -> Vec<String> {
    let loc = s.config.store.clone();
    blocking(move || Ok(entrepot_app::datasets::datasets(&loc)?))
        .await
        .map(|l| {
            let name = l.headers.iter().position(|h| h == "dataset");
            let kind = l.headers.iter().position(|h| h == "kind");
            l.rows
                .iter()
                .filter(|r| kind.and_then(|k| r.get(k)).is_some_and(|k| k == "flows"))
                .filter_map(|r| name.and_then(|n| r.get(n)).cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// A `<datalist>` of names, the suggestions of a text input (`list="{id}"`).
fn datalist(id: &str, names: &[String]) -> String {
    let mut out = format!("<datalist id=\"{id}\">");
    for n in names {
        let _ = write!(out, "<option value=\"{}\">", esc(n));
    }
    out.push_str("</datalist>\n");
    out
}

/// `GET /`: the datasets of the store and the country search.
pub(crate) async fn index(State(s): AppStateRef) -> Response {
    let loc = s.config.store.clone();
    let listing = match blocking(move || Ok(entrepot_app::datasets::datasets(&loc)?)).await {
        Ok(l) => l,
        Err(e) => return error_page(&e, ""),
    };
    let mut main = String::from("<h1>Entrepôt: trade flows, briefs and indices</h1>\n<p>Look up a country for its release brief (headline, records, partners, diversion, checks) and the diversification of its exports.</p>\n");
    main.push_str(&search_form("", ""));
    main.push_str("<h2>Datasets</h2>\n<div class=\"scroll\"><table>\n<caption class=\"meta\">What the store holds; the embedded sample stands in when it holds nothing for a country.</caption>\n<tr>");
    for h in &listing.headers {
        let _ = write!(main, "<th scope=\"col\">{}</th>", esc(h));
    }
    main.push_str("</tr>\n");
    for r in &listing.rows {
        main.push_str("<tr>");
        for c in r {
            let _ = write!(main, "<td>{}</td>", esc(c));
        }
        main.push_str("</tr>\n");
    }
    main.push_str("</table></div>\n<p>Example: <a href=\"/country/CHN\">China (CHN)</a>, from the embedded sample when the store has no data for it.</p>\n");
    Html(page("Entrepôt", &main)).into_response()
}

/// The parameters of the search form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    period: Option<String>,
}

/// A period safe to put in a URL (the application layer checks what it means).
fn period_param(p: Option<&String>) -> Result<Option<String>, ServerError> {
    let p = opt_text("period", p)?;
    if let Some(v) = &p {
        if !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b' '))
        {
            return Err(ServerError::BadRequest(
                "period is YYYY-MM, YYYY, YYYY-Qn or YYYY-MM..YYYY-MM".into(),
            ));
        }
    }
    Ok(p)
}

/// `GET /country?q=&period=`: the search form's target. A country the registry
/// resolves is redirected to its page; otherwise the closest matches are listed.
pub(crate) async fn search(q: Result<Query<SearchQuery>, QueryRejection>) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return error_page(&crate::params::query_rejected(e), ""),
    };
    let query = q.q.as_deref().unwrap_or("").trim().to_string();
    let (name, period) = match (text("q", &query), period_param(q.period.as_ref())) {
        (Ok(n), Ok(p)) => (n, p),
        (Err(e), _) | (_, Err(e)) => return error_page(&e, &query),
    };
    let reg = CountryRegistry::builtin();
    let suffix = period
        .map(|p| format!("?period={}", url_value(&p)))
        .unwrap_or_default();
    if let Ok(c) = reg.resolve(&name) {
        return Redirect::to(&format!("/country/{}{suffix}", url_value(&c.iso3))).into_response();
    }
    let hits = reg.search(&name);
    if hits.is_empty() {
        let e = match reg.resolve(&name) {
            Err(e) => ServerError::from(entrepot_app::AppError::not_found(e.to_string())),
            Ok(_) => ServerError::NoRoute(String::new()),
        };
        return error_page(&e, &query);
    }
    let mut main = format!("<h1>Countries matching “{}”</h1>\n<ul>\n", esc(&name));
    for m in hits.iter().take(50) {
        let _ = writeln!(
            main,
            "<li><a href=\"/country/{}{suffix}\">{} ({})</a> <span class=\"meta\">{}</span></li>",
            url_value(&m.country.iso3),
            esc(&m.country.name),
            esc(&m.country.iso3),
            esc(&m.country.kind.to_string())
        );
    }
    main.push_str("</ul>\n");
    main.push_str(&search_form(&query, ""));
    Html(page("Search", &main)).into_response()
}

/// A report fragment from the cache, or computed on a worker and cached.
async fn fragment(
    s: &Arc<AppState>,
    key: String,
    compute: impl FnOnce() -> Result<entrepot_app::Document, ServerError> + Send + 'static,
    prefix: &'static str,
) -> Result<Bytes, ServerError> {
    if let Some(body) = s.cache.get(&key) {
        return Ok(body);
    }
    let body = s
        .jobs
        .run(move || {
            let doc = compute()?;
            let opts = HtmlFragmentOptions {
                id_prefix: prefix.into(),
                heading_level: 2,
            };
            Ok(Bytes::from(entrepot_report::render_html_fragment(
                &doc, &opts,
            )))
        })
        .await?;
    s.cache.insert(key, body.clone());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_urls_are_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u{1b}"
        );
        assert_eq!(url_value("2018-04..2018-09"), "2018-04..2018-09");
        assert_eq!(url_value("a b&c"), "a%20b%26c");
    }
}
