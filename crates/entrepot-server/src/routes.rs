//! The route table: every endpoint once, with its method, path and handler. The
//! router is built from it, and [`endpoints`] lists it for the test that holds the
//! OpenAPI document to it (an endpoint added here without documentation fails that
//! test).

use crate::error::ServerError;
use crate::{analyses, api, auth, dashboard, AppState, MAX_BODY_BYTES, MAX_QUERY_BYTES};
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use std::sync::Arc;

/// One endpoint of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The HTTP method (`GET`, `POST`, `DELETE`).
    pub method: &'static str,
    /// The path, with parameters as `{name}` (the syntax of axum and OpenAPI).
    pub path: &'static str,
    /// Whether it changes the store (then it needs the token: see the crate's
    /// security defaults).
    pub write: bool,
}

type State = Arc<AppState>;

/// An endpoint and its handler, routed with the endpoint's own method.
fn ep<H, T>(
    method: &'static str,
    path: &'static str,
    write: bool,
    handler: H,
) -> (Endpoint, MethodRouter<State>)
where
    H: Handler<T, State>,
    T: 'static,
{
    let filter = match method {
        "POST" => MethodFilter::POST,
        "DELETE" => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    };
    (
        Endpoint {
            method,
            path,
            write,
        },
        axum::routing::on(filter, handler),
    )
}

/// The table.
fn table() -> Vec<(Endpoint, MethodRouter<State>)> {
    vec![
        ep("GET", "/", false, dashboard::index),
        ep("GET", "/country", false, dashboard::search),
        ep("GET", "/country/{iso3}", false, dashboard::country),
        ep("GET", "/pair/{a}/{b}", false, dashboard::pair),
        ep("GET", "/products/{reporter}", false, dashboard::products),
        ep("GET", "/scenario", false, dashboard::scenario),
        ep("GET", "/api/v1/openapi.json", false, api::openapi),
        ep("GET", "/api/v1/datasets", false, api::datasets),
        ep("GET", "/api/v1/datasets/{name}", false, api::dataset),
        ep(
            "DELETE",
            "/api/v1/datasets/{name}",
            true,
            api::remove_dataset,
        ),
        ep("GET", "/api/v1/countries", false, api::countries),
        ep("GET", "/api/v1/products", false, api::products),
        ep("GET", "/api/v1/groups", false, api::groups),
        ep("GET", "/api/v1/groups/{group}", false, api::group),
        ep("GET", "/api/v1/brief/{reporter}", false, api::brief),
        ep(
            "GET",
            "/api/v1/diversification/{reporter}",
            false,
            api::diversification,
        ),
        ep(
            "GET",
            "/api/v1/decompose/{reporter}",
            false,
            analyses::decompose,
        ),
        ep(
            "GET",
            "/api/v1/dependence/{reporter}/{partner}",
            false,
            analyses::dependence,
        ),
        ep(
            "GET",
            "/api/v1/mirror/{reporter}/{partner}",
            false,
            analyses::mirror,
        ),
        ep(
            "GET",
            "/api/v1/reroute/{origin}/{target}",
            false,
            analyses::reroute,
        ),
        ep("GET", "/api/v1/edge/{reporter}", false, analyses::edge),
        ep("GET", "/api/v1/series/{reporter}", false, analyses::series),
        ep(
            "GET",
            "/api/v1/project/{reporter}",
            false,
            analyses::project,
        ),
        ep("GET", "/api/v1/complexity", false, analyses::complexity),
        ep("GET", "/api/v1/tariff/{importer}", false, analyses::tariff),
        ep("POST", "/api/v1/scenario", false, analyses::scenario),
        ep("POST", "/api/v1/gravity", false, api::gravity),
        ep("POST", "/api/v1/sql", false, api::sql),
    ]
}

/// Every endpoint of the server, in the order of the table.
pub fn endpoints() -> Vec<Endpoint> {
    table().into_iter().map(|(e, _)| e).collect()
}

/// The router: the table, the token rule on write endpoints, the body and query
/// limits, security headers, and JSON answers for unknown paths and methods.
pub(crate) fn router(state: State) -> Router {
    let mut router = Router::new();
    for (e, handler) in table() {
        let handler = if e.write {
            handler.layer(middleware::from_fn_with_state(
                Arc::clone(&state),
                auth::require_token,
            ))
        } else {
            handler
        };
        router = router.route(e.path, handler);
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(limits_and_headers))
        .with_state(state)
}

async fn no_route(uri: Uri) -> ServerError {
    let path: String = uri.path().chars().take(200).collect();
    ServerError::NoRoute(path)
}

async fn method_not_allowed() -> ServerError {
    ServerError::MethodNotAllowed
}

/// Refuses an over-long query string (414) and adds the security headers to every
/// answer: no MIME sniffing, no referrer, no framing, and for pages a content
/// security policy that allows no script and no resource from elsewhere.
async fn limits_and_headers(request: Request, next: Next) -> Response {
    if request.uri().query().map_or(0, str::len) > MAX_QUERY_BYTES {
        return ServerError::QueryTooLong(MAX_QUERY_BYTES).into_response();
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
    }
    response
}
