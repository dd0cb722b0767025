//! The country page (`/country/{iso3}`: the release brief and the diversification of
//! exports) and the partner-pair page (`/pair/{a}/{b}`: dependence both ways and mirror
//! statistics).

use super::{error_page, esc, fragment, page, period_param, url_value};
use crate::api::{brief_request, diversification_request, AppStateRef, BriefQuery};
use crate::error::ServerError;
use crate::params::text;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use entrepot_core::CountryRegistry;
use serde::Deserialize;
use std::fmt::Write;

/// The parameters of a country page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountryQuery {
    period: Option<String>,
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
        "<h1>{}</h1>\n<form class=\"search\" method=\"get\" action=\"/country/{}\">\n<label for=\"period\">Period<input id=\"period\" name=\"period\" value=\"{}\" placeholder=\"latest; 2025-11, 2025, 2025-Q3\"></label>\n<button type=\"submit\">Show</button>\n</form>\n<p class=\"meta\">As JSON: <a href=\"/api/v1/brief/{iso}{query}\">brief</a>, <a href=\"/api/v1/brief/{iso}{q2}view=document\">brief document</a>, <a href=\"/api/v1/diversification/{iso}\">diversification</a>. Contents: <a href=\"#brief-document\">brief</a>, <a href=\"#div-document\">diversification</a>.</p>\n<nav class=\"page-links\" aria-label=\"More on this country\"><a href=\"/products/{iso}\">Products: baskets, RCA and world shares</a> <a href=\"/scenario?exporter={iso}\">A tariff scenario on its exports</a></nav>\n",
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
    q: Result<Query<PairPageQuery>, QueryRejection>,
) -> Response {
    let (a, b) = match p {
        Ok(Path(v)) => v,
        Err(e) => return error_page(&crate::params::path_rejected(e), ""),
    };
    let dataset = match q
        .map_err(crate::params::query_rejected)
        .and_then(|Query(q)| crate::params::opt_text("dataset", q.dataset.as_ref()))
    {
        Ok(d) => d,
        Err(e) => return error_page(&e, &a),
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
    let defaults = crate::analyses::PairQuery::of_dataset(dataset.clone());
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
    let dq = dataset
        .as_ref()
        .map(|d| format!("?dataset={}", url_value(d)))
        .unwrap_or_default();
    let datasets = super::flows_datasets(&s).await;
    let mut main = format!(
        "<h1>{}</h1>\n<form class=\"search\" method=\"get\" action=\"/pair/{a}/{b}\">\n<label for=\"dataset\">Dataset <span class=\"hint\">(when several hold the pair)</span><input id=\"dataset\" name=\"dataset\" value=\"{}\" list=\"datasets\" autocomplete=\"off\"></label>\n{}<button type=\"submit\">Show</button>\n</form>\n<p class=\"meta\">As JSON: <a href=\"/api/v1/dependence/{a}/{b}{dq}\">dependence</a>, <a href=\"/api/v1/mirror/{a}/{b}{dq}\">mirror</a>. Countries: <a href=\"/country/{a}\">{a}</a>, <a href=\"/country/{b}\">{b}</a>. Products: <a href=\"/products/{a}{dq}\">{a}</a>, <a href=\"/products/{b}{dq}\">{b}</a>. <a href=\"/scenario?importer={a}&amp;exporter={b}\">A tariff of {a} on {b}</a>. Contents: <a href=\"#dep-document\">dependence</a>, <a href=\"#mir-document\">mirror statistics</a>.</p>\n",
        esc(&title),
        esc(dataset.as_deref().unwrap_or("")),
        super::datalist("datasets", &datasets),
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

/// The parameters of a pair page: the dataset, when several hold the pair.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PairPageQuery {
    dataset: Option<String>,
}

/// The parameters of the diversification shown on a country page: the defaults
/// (exports across partners, every year held).
fn empty_diversification_query() -> crate::api::DiversificationQuery {
    crate::api::DiversificationQuery::default()
}
