//! The products page (`/products/{reporter}`): a reporter's sectoral edge — world
//! market shares and revealed comparative advantage by year, for every product it
//! exports, a built-in basket or chosen HS6 codes — as the `edge` report document
//! renders it (its summary table, the share chart over time, the products and the top
//! gainers and losers), with a form to choose the basket and the years.
//!
//! The projection of the world share (of the basket, or in total) to
//! [`DEFAULT_PROJECTION_TARGET`] follows: see [`projection_section`].

use super::{esc, failed_section, fragment, page_response, resolve_country, url_value};
use crate::analyses::{
    edge_request, project_request, EdgeQuery, ProjectQuery, DEFAULT_PROJECTION_TARGET,
};
use crate::api::AppStateRef;
use crate::params::opt_text;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::fmt::Write;

/// `GET /products/{reporter}?basket=&products=&from=&to=&dataset=&top=`: the sectoral
/// edge of a reporter (the parameters of `/api/v1/edge/{reporter}`).
pub(crate) async fn products(
    State(s): AppStateRef,
    reporter: Result<Path<String>, PathRejection>,
    q: Result<Query<EdgeQuery>, QueryRejection>,
) -> Response {
    let given = match reporter {
        Ok(Path(v)) => v,
        Err(e) => return super::error_page(&crate::params::path_rejected(e), ""),
    };
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return super::error_page(&crate::params::query_rejected(e), &given),
    };
    let country = match resolve_country("reporter", &given) {
        Ok(c) => c,
        Err(e) => return super::error_page(&e, &given),
    };
    let iso3 = country.iso3.clone();
    let basket = opt_text("basket", q.basket.as_ref()).ok().flatten();
    let request = edge_request(iso3.clone(), &q);
    let title = format!("Products of {} ({iso3})", country.name);
    let mut main = format!("<h1>{}</h1>\n", esc(&title));
    main.push_str("<p>World market shares and revealed comparative advantage (Balassa RCA) by year, from the exports every exporter of the dataset reports: for a basket of products, chosen HS6 codes, or every product the country exports with the largest gainers and losers of share.</p>\n");
    let datasets = super::flows_datasets(&s).await;
    main.push_str(&form(&iso3, &q, basket.as_deref(), &datasets));
    let json_query = api_query(&q);
    let _ = writeln!(
        main,
        "<p class=\"meta\">As JSON: <a href=\"/api/v1/edge/{iso}{json_query}\">sectoral edge</a>. See also: <a href=\"/country/{iso}\">the country page</a>, <a href=\"/api/v1/products?baskets=true\">the baskets' HS codes</a>, <a href=\"/scenario?exporter={iso}\">a tariff scenario on its exports</a>. Contents: <a href=\"#edge-document\">sectoral edge</a>, <a href=\"#projection\">projection</a>.</p>",
        iso = url_value(&iso3),
    );
    let result = match request {
        Err(e) => Err(e),
        Ok(req) => match s.fingerprint.get(&s.config.store).await {
            Err(e) => Err(e),
            Ok(fp) => {
                let key = format!("page-edge\n{fp}\n{req:?}\nhtml");
                let loc = s.config.store.clone();
                fragment(
                    &s,
                    key,
                    move || Ok(entrepot_app::edge::edge(&loc, &req)?.document),
                    "edge-",
                )
                .await
            }
        },
    };
    match &result {
        Ok(html) => main.push_str(&String::from_utf8_lossy(html)),
        Err(e) => main.push_str(&failed_section("edge-document", "World shares and RCA", e)),
    }
    main.push_str(&projection_section(&s, &iso3, &q).await);
    page_response(&title, &main, result.as_ref().err())
}

/// The built-in baskets: name and description.
fn baskets() -> Vec<(String, String)> {
    entrepot_app::reference::load_baskets(None)
        .map(|bs| {
            bs.into_iter()
                .map(|b| (b.name.clone(), b.description.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The form: a basket (or every product), HS6 codes, the years and the dataset.
fn form(iso3: &str, q: &EdgeQuery, basket: Option<&str>, datasets: &[String]) -> String {
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or(""));
    let mut options = format!(
        "<option value=\"\"{}>Every product the country exports</option>",
        if basket.is_none() { " selected" } else { "" }
    );
    for (name, description) in baskets() {
        let selected = basket.is_some_and(|b| b.eq_ignore_ascii_case(&name));
        let _ = write!(
            options,
            "<option value=\"{}\"{}>{} — {}</option>",
            esc(&name),
            if selected { " selected" } else { "" },
            esc(&name),
            esc(&description)
        );
    }
    format!(
        "<form class=\"search\" method=\"get\" action=\"/products/{}\">\n<label for=\"basket\">Basket<select id=\"basket\" name=\"basket\">{options}</select></label>\n<label for=\"products\">Or HS6 codes <span class=\"hint\">(comma-separated)</span><input id=\"products\" name=\"products\" value=\"{}\" inputmode=\"numeric\" placeholder=\"854140, 870380\"></label>\n<label for=\"from\">From year<input id=\"from\" name=\"from\" value=\"{}\" inputmode=\"numeric\" placeholder=\"first held\"></label>\n<label for=\"to\">To year<input id=\"to\" name=\"to\" value=\"{}\" inputmode=\"numeric\" placeholder=\"last held\"></label>\n<label for=\"dataset\">Dataset <span class=\"hint\">(when several hold the country)</span><input id=\"dataset\" name=\"dataset\" value=\"{}\" list=\"datasets\" autocomplete=\"off\"></label>\n{}<button type=\"submit\">Show</button>\n</form>\n",
        url_value(iso3),
        value(&q.products),
        value(&q.from),
        value(&q.to),
        value(&q.dataset),
        super::datalist("datasets", datasets),
    )
}

/// The query string of the same request to the JSON API (only the parameters given).
fn api_query(q: &EdgeQuery) -> String {
    let parts: Vec<String> = [
        ("dataset", &q.dataset),
        ("basket", &q.basket),
        ("products", &q.products),
        ("from", &q.from),
        ("to", &q.to),
        ("top", &q.top),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| format!("{k}={}", url_value(v)))
    })
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&amp;"))
    }
}

/// The projection of the reporter's world share (of the basket chosen, or in total)
/// to [`DEFAULT_PROJECTION_TARGET`]: the `project` report document (chosen method,
/// interval and backtest error beside every projected figure), or why it cannot be
/// computed (fewer than ten consecutive years held, say).
async fn projection_section(
    s: &std::sync::Arc<crate::AppState>,
    iso3: &str,
    q: &EdgeQuery,
) -> String {
    let pq = ProjectQuery {
        dataset: q.dataset.clone(),
        basket: q.basket.clone(),
        from: q.from.clone(),
        to: None,
        level: None,
    };
    let result = match project_request(iso3.to_string(), &pq) {
        Err(e) => Err(e),
        Ok(req) => match s.fingerprint.get(&s.config.store).await {
            Err(e) => Err(e),
            Ok(fp) => {
                let key = format!("page-project\n{fp}\n{req:?}\nhtml");
                let loc = s.config.store.clone();
                fragment(
                    s,
                    key,
                    move || Ok(entrepot_app::project::project(&loc, &req)?.document),
                    "proj-",
                )
                .await
            }
        },
    };
    let title = format!("Projection of world shares to {DEFAULT_PROJECTION_TARGET}");
    match result {
        Ok(html) => format!(
            "<section id=\"projection\"><h2>{}</h2>\n{}</section>\n",
            esc(&title),
            String::from_utf8_lossy(&html)
        ),
        Err(e) => failed_section("projection", &title, &e),
    }
}
