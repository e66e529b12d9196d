//! Fallback for paths no route matches.
//!
//! Invariant: unknown paths get the same JSON error shape as every other failure.

use crate::api_error::ApiError;

/// Answers 404 `not_found`.
pub(crate) async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}
