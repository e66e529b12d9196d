//! The API-key check in front of every route but `/health`, one middleware per scope.
//!
//! Invariant: the plaintext key is only hashed, never logged or stored; a request that passes
//! carries the key's [`Caller`] in its extensions.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use ports::key_store::{KeyScope, hash_api_key};

use crate::api_error::ApiError;
use crate::app_state::AppState;

/// The key a request was admitted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// Public identifier of the key.
    pub(crate) key_id: String,
    /// Human label of the key, recorded as the author of feedback.
    pub(crate) name: String,
    /// `true` when the key has the `admin` scope, which reaches every key's jobs.
    pub(crate) is_admin: bool,
}

/// Middleware admitting requests whose key is active, whatever its scopes (the MCP endpoint,
/// whose tools are each checked for their route's scope).
pub(crate) async fn require_any_scope(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    admit(&state, request, next, None).await
}

/// Middleware admitting requests whose key is active and has the `ask` scope.
pub(crate) async fn require_ask_scope(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    require_scope(state, request, next, KeyScope::Ask).await
}

/// Middleware admitting requests whose key is active and has the `approve` scope.
pub(crate) async fn require_approve_scope(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    require_scope(state, request, next, KeyScope::Approve).await
}

/// Middleware admitting requests whose key is active and has the `ingest` scope.
pub(crate) async fn require_ingest_scope(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    require_scope(state, request, next, KeyScope::Ingest).await
}

/// Middleware admitting requests whose key is active and has the `admin` scope.
pub(crate) async fn require_admin_scope(
    state: State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    require_scope(state, request, next, KeyScope::Admin).await
}

async fn require_scope(
    State(state): State<AppState>,
    request: Request,
    next: Next,
    scope: KeyScope,
) -> Result<Response, ApiError> {
    admit(&state, request, next, Some(scope)).await
}

/// Checks the key (and `scope`, when given) and the rate limit, then runs the route.
async fn admit(
    state: &AppState,
    mut request: Request,
    next: Next,
    scope: Option<KeyScope>,
) -> Result<Response, ApiError> {
    let plaintext_key = presented_key(request.headers()).ok_or(ApiError::MissingApiKey)?;
    let api_key_record = state
        .key_store
        .find_active_key(&hash_api_key(plaintext_key))
        .await?
        .ok_or(ApiError::InvalidApiKey)?;
    if let Some(scope) = scope
        && !api_key_record.scopes.contains(&scope)
    {
        return Err(ApiError::MissingScope(scope));
    }
    if let Some(rate_limiter) = &state.rate_limiter {
        rate_limiter
            .admit(&api_key_record.key_id)
            .map_err(|wait| ApiError::RateLimited {
                retry_after_secs: wait.as_secs() + 1,
            })?;
    }
    tracing::debug!(key_id = %api_key_record.key_id, "api key accepted");
    let is_admin = api_key_record.scopes.contains(&KeyScope::Admin);
    request.extensions_mut().insert(Caller {
        key_id: api_key_record.key_id,
        name: api_key_record.name,
        is_admin,
    });
    Ok(next.run(request).await)
}

/// The key from `Authorization: Bearer <key>`, else from `x-api-key`; `None` when neither has one.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer_key = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|authorization| {
            let (scheme, credentials) = authorization.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then_some(credentials.trim())
        });
    let header_key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    bearer_key
        .filter(|key| !key.is_empty())
        .or(header_key.filter(|key| !key.is_empty()))
}
