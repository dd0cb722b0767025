//! The server's error: every failure a request can meet, answered as JSON
//! `{"error": {"class": "...", "message": "..."}}` with the status of its class.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use entrepot_app::{AppError, ErrorClass};
use std::time::Duration;

/// A failure of the server or of a request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServerError {
    /// An error of the application layer; its class decides the status (usage 400,
    /// not found 404, bad input 422, failure 500).
    #[error("{0}")]
    App(#[from] AppError),
    /// A parameter or body the server cannot use (400).
    #[error("{0}")]
    BadRequest(String),
    /// No route has this path (404).
    #[error("no endpoint {0}")]
    NoRoute(String),
    /// The route exists, not with this method (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request body is over the limit (413).
    #[error("request body over {0} bytes")]
    BodyTooLarge(usize),
    /// The query string is over the limit (414).
    #[error("query string over {0} bytes")]
    QueryTooLong(usize),
    /// Every worker is busy and the queue is full (503, `Retry-After`).
    #[error("the server is busy: {queued} heavy requests are waiting; retry in {retry_after} s")]
    Busy {
        /// The requests waiting.
        queued: usize,
        /// Seconds to wait before a retry.
        retry_after: u64,
    },
    /// The job did not finish within the time limit (503, `Retry-After`).
    #[error("the request took longer than the server's limit of {} s", .0.as_secs())]
    Timeout(Duration),
    /// An endpoint that changes the store, and no token is configured (403).
    #[error("this server is read-only: endpoints that change the store are off unless a token is configured (--token-file or ENTREPOT_TOKEN)")]
    ReadOnly,
    /// An endpoint that changes the store, without the configured token (401).
    #[error("missing or wrong token: send `Authorization: Bearer <token>`")]
    Unauthorized,
    /// A failure of the server itself (a job that panicked, a result that cannot be
    /// serialised): 500.
    #[error("internal error: {0}")]
    Internal(String),
    /// The server cannot start (address, token file, runtime).
    #[error("{0}")]
    Config(String),
}

/// A result of the server.
pub type ServerResult<T> = Result<T, ServerError>;

impl ServerError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::App(e) => match e.class {
                ErrorClass::Usage => StatusCode::BAD_REQUEST,
                ErrorClass::NotFound => StatusCode::NOT_FOUND,
                ErrorClass::BadInput => StatusCode::UNPROCESSABLE_ENTITY,
                ErrorClass::Failure => StatusCode::INTERNAL_SERVER_ERROR,
                ErrorClass::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            },
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::NoRoute(_) => StatusCode::NOT_FOUND,
            ServerError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ServerError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::QueryTooLong(_) => StatusCode::URI_TOO_LONG,
            ServerError::Busy { .. } | ServerError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::ReadOnly => StatusCode::FORBIDDEN,
            ServerError::Unauthorized => StatusCode::UNAUTHORIZED,
            ServerError::Internal(_) | ServerError::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The class named in the JSON body: `usage`, `not_found`, `bad_input`, `failure`,
    /// `unavailable` for application errors (and their server counterparts), `busy`, `timeout`,
    /// `forbidden`, `unauthorized`, `too_large`, `method_not_allowed`, `internal`.
    pub fn class(&self) -> &'static str {
        match self {
            ServerError::App(e) => match e.class {
                ErrorClass::Usage => "usage",
                ErrorClass::NotFound => "not_found",
                ErrorClass::BadInput => "bad_input",
                ErrorClass::Failure => "failure",
                ErrorClass::Unavailable => "unavailable",
            },
            ServerError::BadRequest(_) => "usage",
            ServerError::NoRoute(_) => "not_found",
            ServerError::MethodNotAllowed => "method_not_allowed",
            ServerError::BodyTooLarge(_) | ServerError::QueryTooLong(_) => "too_large",
            ServerError::Busy { .. } => "busy",
            ServerError::Timeout(_) => "timeout",
            ServerError::ReadOnly => "forbidden",
            ServerError::Unauthorized => "unauthorized",
            ServerError::Internal(_) | ServerError::Config(_) => "internal",
        }
    }

    /// The JSON body of the error.
    pub fn body(&self) -> String {
        serde_json::json!({
            "error": { "class": self.class(), "message": self.to_string() }
        })
        .to_string()
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status(),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.body(),
        )
            .into_response();
        let headers = response.headers_mut();
        match &self {
            ServerError::Busy { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ServerError::Timeout(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(5u64));
            }
            ServerError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"entrepot\""),
                );
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_classes_have_their_statuses() {
        let cases = [
            (AppError::usage("u"), 400, "usage"),
            (AppError::not_found("n"), 404, "not_found"),
            (AppError::bad_input("b"), 422, "bad_input"),
            (AppError::failure("f"), 500, "failure"),
        ];
        for (e, status, class) in cases {
            let e = ServerError::from(e);
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.class(), class);
            let v: serde_json::Value = serde_json::from_str(&e.body()).expect("json");
            assert_eq!(v["error"]["class"], class);
        }
    }

    #[test]
    fn busy_says_when_to_retry() {
        let r = ServerError::Busy {
            queued: 3,
            retry_after: 2,
        }
        .into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "2");
    }
}
