//! The id that follows one question from the HTTP request to the explanation.
//!
//! Invariant: the id is always non-empty printable ASCII of bounded length.

use axum::http::HeaderMap;
use uuid::Uuid;

/// Longest `x-request-id` accepted as the correlation id, in bytes.
const MAX_REQUEST_ID_BYTES: usize = 128;

/// The incoming `x-request-id` when it is usable, otherwise a new UUID.
pub(crate) fn correlation_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|request_id| !request_id.is_empty() && request_id.len() <= MAX_REQUEST_ID_BYTES)
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}
