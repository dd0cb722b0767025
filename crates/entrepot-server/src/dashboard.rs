//! The dashboard: server-rendered HTML pages with inline SVG charts, no script, no
//! resource from elsewhere (it works offline), usable with a keyboard and on a
//! phone. A country page shows the report documents of the brief and of the
//! diversification indices as `entrepot-report` renders them; this module only lays
//! out the page around them.

use crate::api::{brief_request, diversification_request, AppStateRef, BriefQuery};
use crate::error::ServerError;
use crate::jobs::blocking;
use crate::params::{opt_text, text};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
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
header.site a{color:#1f5fa8;font-weight:600;text-decoration:none}header.site a:hover{text-decoration:underline}
a{color:#1f5fa8}a:focus,button:focus,input:focus{outline:3px solid #b35900;outline-offset:2px}
form.search{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;margin:1em 0}
form.search label{display:flex;flex-direction:column;font-weight:600;font-size:.95em}
form.search input{font:inherit;padding:.35em .5em;border:1px solid #555;border-radius:3px;min-width:12em}
form.search button{font:inherit;padding:.4em 1em;background:#1f5fa8;color:#fff;border:0;border-radius:3px;cursor:pointer}
.notice{border-left:4px solid #b35900;background:#fff6ed;padding:.5em 1em}
td.missing,.status-na,.meta{color:#4d4d4d}.chart .chart-empty{fill:#4d4d4d}
article.report{margin-top:2em;border-top:1px solid #ccc}
@media (max-width:600px){body{margin:1em auto}form.search input{min-width:0;width:100%}form.search label{width:100%}}
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
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t} · Entrepôt</title>\n<style>{}{CSS}</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header class=\"site\"><a href=\"/\">Entrepôt</a><nav aria-label=\"API\"><a href=\"/api/v1/openapi.json\">HTTP API (OpenAPI)</a></nav></header>\n<main id=\"main\">\n{main}</main>\n<footer class=\"meta\"><p>Entrepôt {} · figures marked P are published, C computed (see each report's sources).</p></footer>\n</body>\n</html>\n",
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

/// The parameters of a country page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountryQuery {
    period: Option<String>,
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

/// `GET /country/{iso3}?period=`: the brief of a country (headline numbers, monthly
/// exports, imports and balance, partner contributions, shares, checks) and the
/// diversification of its exports, each as its report renders it.
pub(crate) async fn country(
    State(s): AppStateRef,
    iso3: Result<Path<String>, PathRejection>,
    q: Result<Query<CountryQuery>, QueryRejection>,
) -> Response {
    let given = match iso3 {
        Ok(Path(v)) => v,
        Err(e) => return error_page(&crate::params::path_rejected(e), ""),
    };
    let period = match q
        .map_err(crate::params::query_rejected)
        .and_then(|Query(q)| period_param(q.period.as_ref()))
    {
        Ok(p) => p,
        Err(e) => return error_page(&e, ""),
    };
    let country = match text("iso3", &given).and_then(|g| {
        CountryRegistry::builtin()
            .resolve(&g)
            .map_err(|e| entrepot_app::AppError::not_found(e.to_string()).into())
    }) {
        Ok(c) => c,
        Err(e) => return error_page(&e, &given),
    };
    let iso3 = country.iso3.clone();
    let fp = match s.fingerprint.get(&s.config.store).await {
        Ok(fp) => fp,
        Err(e) => return error_page(&e, &iso3),
    };
    let bq = BriefQuery {
        period: period.clone(),
        dataset: None,
        partners: None,
        view: None,
    };
    let (brief_req, div_req) = match (
        brief_request(&iso3, &bq),
        diversification_request(&iso3, &empty_diversification_query()),
    ) {
        (Ok(b), Ok(d)) => (b, d),
        (Err(e), _) | (_, Err(e)) => return error_page(&e, &iso3),
    };
    let loc = s.config.store.clone();
    let brief_key = crate::api::brief_key(&fp, "html", &brief_req);
    let brief = fragment(
        &s,
        brief_key,
        move || Ok(entrepot_app::brief::brief(&loc, &brief_req)?.document),
        "brief-",
    )
    .await;
    let loc = s.config.store.clone();
    let div_key = crate::api::diversification_key(&fp, &div_req) + "\nhtml";
    let diversification = fragment(
        &s,
        div_key,
        move || Ok(entrepot_app::diversification::diversification(&loc, &div_req)?.document),
        "div-",
    )
    .await;
    let title = format!("{} ({iso3})", country.name);
    let period_text = period.clone().unwrap_or_default();
    let query = period
        .as_ref()
        .map(|p| format!("?period={}", url_value(p)))
        .unwrap_or_default();
    let mut main = format!(
        "<h1>{}</h1>\n<form class=\"search\" method=\"get\" action=\"/country/{}\">\n<label for=\"period\">Period<input id=\"period\" name=\"period\" value=\"{}\" placeholder=\"latest; 2025-11, 2025, 2025-Q3\"></label>\n<button type=\"submit\">Show</button>\n</form>\n<p class=\"meta\">As JSON: <a href=\"/api/v1/brief/{iso}{query}\">brief</a>, <a href=\"/api/v1/brief/{iso}{q2}view=document\">brief document</a>, <a href=\"/api/v1/diversification/{iso}\">diversification</a>. Contents: <a href=\"#brief-document\">brief</a>, <a href=\"#div-document\">diversification</a>.</p>\n",
        esc(&title),
        url_value(&iso3),
        esc(&period_text),
        iso = url_value(&iso3),
        q2 = if query.is_empty() {
            "?".to_string()
        } else {
            format!("{query}&")
        },
    );
    let mut status = StatusCode::OK;
    match &brief {
        Ok(html) => main.push_str(&String::from_utf8_lossy(html)),
        Err(e) => {
            status = e.status();
            let _ = writeln!(
                main,
                "<section id=\"brief-document\"><h2>Release brief</h2><p class=\"notice\" role=\"alert\">{}</p></section>",
                esc(&e.to_string())
            );
        }
    }
    match &diversification {
        Ok(html) => main.push_str(&String::from_utf8_lossy(html)),
        Err(e) => {
            let _ = writeln!(
                main,
                "<section id=\"div-document\"><h2>Diversification</h2><p class=\"notice\">Not available: {}</p></section>",
                esc(&e.to_string())
            );
        }
    }
    let mut r = (status, Html(page(&title, &main))).into_response();
    if let Err(ServerError::Busy { retry_after, .. }) = &brief {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    r
}

/// `GET /pair/{a}/{b}`: a partner pair — dependence and leverage both ways (shares,
/// asymmetry, trade intensity, chokepoint products) and the mirror statistics of the
/// pair, each as its report renders it; a section that cannot be computed on the store
/// says why.
pub(crate) async fn pair(
    State(s): AppStateRef,
    p: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let (a, b) = match p {
        Ok(Path(v)) => v,
        Err(e) => return error_page(&crate::params::path_rejected(e), ""),
    };
    let registry = CountryRegistry::builtin();
    let resolve = |given: &str| -> Result<entrepot_core::Country, ServerError> {
        let g = text("country", given)?;
        registry
            .resolve(&g)
            .cloned()
            .map_err(|e| entrepot_app::AppError::not_found(e.to_string()).into())
    };
    let (ca, cb) = match (resolve(&a), resolve(&b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) => return error_page(&e, &a),
        (_, Err(e)) => return error_page(&e, &b),
    };
    let (ia, ib) = (ca.iso3.clone(), cb.iso3.clone());
    let fp = match s.fingerprint.get(&s.config.store).await {
        Ok(fp) => fp,
        Err(e) => return error_page(&e, &ia),
    };
    let defaults = crate::analyses::PairQuery::default();
    let (dep_req, mir_req) = match (
        crate::analyses::dependence_request(ia.clone(), ib.clone(), &defaults),
        crate::analyses::mirror_request(ia.clone(), ib.clone(), &defaults),
    ) {
        (Ok(d), Ok(m)) => (d, m),
        (Err(e), _) | (_, Err(e)) => return error_page(&e, &ia),
    };
    let loc = s.config.store.clone();
    let key = format!("pair-dependence\n{fp}\n{dep_req:?}\nhtml");
    let dependence = fragment(
        &s,
        key,
        move || Ok(entrepot_app::dependence::dependence(&loc, &dep_req)?.document),
        "dep-",
    )
    .await;
    let loc = s.config.store.clone();
    let key = format!("pair-mirror\n{fp}\n{mir_req:?}\nhtml");
    let mirror = fragment(
        &s,
        key,
        move || Ok(entrepot_app::mirror::mirror(&loc, &mir_req)?.document),
        "mir-",
    )
    .await;
    let title = format!("{} and {} ({ia}, {ib})", ca.name, cb.name);
    let mut main = format!(
        "<h1>{}</h1>\n<p class=\"meta\">As JSON: <a href=\"/api/v1/dependence/{a}/{b}\">dependence</a>, <a href=\"/api/v1/mirror/{a}/{b}\">mirror</a>. Countries: <a href=\"/country/{a}\">{a}</a>, <a href=\"/country/{b}\">{b}</a>. Contents: <a href=\"#dep-document\">dependence</a>, <a href=\"#mir-document\">mirror statistics</a>.</p>\n",
        esc(&title),
        a = url_value(&ia),
        b = url_value(&ib),
    );
    let mut status = StatusCode::OK;
    for (result, id, heading) in [
        (&dependence, "dep-document", "Dependence and leverage"),
        (&mirror, "mir-document", "Mirror statistics"),
    ] {
        match result {
            Ok(html) => main.push_str(&String::from_utf8_lossy(html)),
            Err(e) => {
                if matches!(e, ServerError::Busy { .. }) {
                    status = e.status();
                }
                let _ = writeln!(
                    main,
                    "<section id=\"{id}\"><h2>{heading}</h2><p class=\"notice\">Not available: {}</p></section>",
                    esc(&e.to_string())
                );
            }
        }
    }
    let mut r = (status, Html(page(&title, &main))).into_response();
    for result in [&dependence, &mirror] {
        if let Err(ServerError::Busy { retry_after, .. }) = result {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
    }
    r
}

/// The parameters of the diversification shown on a country page: the defaults
/// (exports across partners, every year held).
fn empty_diversification_query() -> crate::api::DiversificationQuery {
    crate::api::DiversificationQuery::default()
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
