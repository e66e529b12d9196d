//! `GET /v1/admin/keys` lists keys, `POST /v1/admin/keys` creates one (its plaintext is in the
//! response only), `DELETE /v1/admin/keys/{key_id}` revokes one.
//!
//! Invariant: needs the `admin` scope; hashes never leave the server and plaintexts are shown
//! once; an admin cannot revoke the key the request came with (no lock-out by accident).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Utc;
use contracts::api::{ApiKeyView, CreateApiKeyRequest, CreatedApiKey, KeyScopeName};
use ports::key_store::{ApiKeyRecord, KeyScope, new_key_record};

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::json_body::JsonBody;
use crate::require_api_key::Caller;

/// Longest key name, in characters.
const MAX_KEY_NAME_CHARS: usize = 100;

/// Lists every key, oldest first.
pub(crate) async fn list_api_keys(
    State(state): State<AppState>,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    let records = state.key_store.list_keys().await?;
    Ok(Json(records.iter().map(key_view).collect()))
}

/// Creates a key and answers 201 with its plaintext.
pub(crate) async fn create_api_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonBody(create_request): JsonBody<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let name = crate::routes::submit_question::trim_blank(&create_request.name);
    if name.is_empty() || name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(ApiError::InvalidParameter(format!(
            "name must be 1 to {MAX_KEY_NAME_CHARS} characters"
        )));
    }
    let mut scopes: Vec<KeyScope> = Vec::new();
    for scope in create_request.scopes.iter().map(|name| key_scope(*name)) {
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(ApiError::InvalidParameter(
            "scopes must name at least one of ask, approve, ingest, admin".to_owned(),
        ));
    }
    let (record, plaintext) = new_key_record(name, &scopes, Utc::now());
    state.key_store.insert_key(record.clone()).await?;
    tracing::info!(key_id = %record.key_id, created_by = %caller.key_id, "api key created");
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: key_view(&record),
            api_key: plaintext,
        }),
    ))
}

/// Revokes a key; 204, or 404 when no active key has this id.
pub(crate) async fn revoke_api_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(key_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if key_id == caller.key_id {
        return Err(ApiError::InvalidParameter(
            "a key cannot revoke itself; revoke it with another admin key".to_owned(),
        ));
    }
    if !state.key_store.revoke_key(&key_id, Utc::now()).await? {
        return Err(ApiError::EntryNotFound(key_id));
    }
    tracing::info!(key_id = %key_id, revoked_by = %caller.key_id, "api key revoked");
    Ok(StatusCode::NO_CONTENT)
}

fn key_view(record: &ApiKeyRecord) -> ApiKeyView {
    ApiKeyView {
        key_id: record.key_id.clone(),
        name: record.name.clone(),
        scopes: record
            .scopes
            .iter()
            .map(|scope| scope.as_str().to_owned())
            .collect(),
        created_at: record.created_at,
        revoked_at: record.revoked_at,
    }
}

fn key_scope(name: KeyScopeName) -> KeyScope {
    match name {
        KeyScopeName::Ask => KeyScope::Ask,
        KeyScopeName::Approve => KeyScope::Approve,
        KeyScopeName::Ingest => KeyScope::Ingest,
        KeyScopeName::Admin => KeyScope::Admin,
    }
}
