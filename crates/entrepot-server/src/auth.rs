//! The token rule of the endpoints that change the store: without a configured token
//! they answer 403 (the server is read-only); with one, a request must carry
//! `Authorization: Bearer <token>` or gets 401.

use crate::error::ServerError;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The middleware of the write routes.
pub(crate) async fn require_token(
    State(s): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = s.config.token.as_deref() else {
        return ServerError::ReadOnly.into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(t) if same(t.as_bytes(), expected.as_bytes()) => next.run(request).await,
        _ => ServerError::Unauthorized.into_response(),
    }
}

/// Compares two tokens in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in b.iter().enumerate() {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ x);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_whole() {
        assert!(super::same(b"0123456789abcdef", b"0123456789abcdef"));
        assert!(!super::same(b"0123456789abcdeX", b"0123456789abcdef"));
        assert!(!super::same(b"0123456789abcde", b"0123456789abcdef"));
        assert!(!super::same(b"0123456789abcdef0", b"0123456789abcdef"));
        assert!(!super::same(b"", b"0123456789abcdef"));
    }
}
