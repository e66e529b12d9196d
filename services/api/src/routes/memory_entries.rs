//! `GET /v1/admin/memory/{kind}` lists cache entries (`cache`) or few-shot examples
//! (`few_shot`), newest first; `DELETE /v1/admin/memory/{kind}/{entry_id}` removes one.
//!
//! Invariant: needs the `admin` scope; embeddings never leave the server.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use contracts::api::{MemoryEntryList, MemoryEntryView, MemoryKindName};
use ports::memory_store::{MemoryKind, PageRequest, VerifiedPair};
use serde::Deserialize;

use crate::api_error::ApiError;
use crate::app_state::AppState;

/// Entries per page when `limit` is not given.
const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page.
const MAX_PAGE_SIZE: u32 = 500;

/// Query string of the listing.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    datasource: Option<String>,
    offset: Option<u64>,
    limit: Option<u32>,
}

/// Lists one page of entries.
pub(crate) async fn list_memory_entries(
    State(state): State<AppState>,
    Path(raw_kind): Path<String>,
    list_query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<MemoryEntryList>, ApiError> {
    let Query(list_query) =
        list_query.map_err(|rejection| ApiError::InvalidParameter(rejection.body_text()))?;
    let kind_name = parse_kind(&raw_kind)?;
    let limit = list_query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if limit == 0 || limit > MAX_PAGE_SIZE {
        return Err(ApiError::InvalidParameter(format!(
            "limit must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    let offset = list_query.offset.unwrap_or(0);
    // One extra entry tells whether a next page exists.
    let page = PageRequest {
        offset,
        limit: limit + 1,
    };
    let mut pairs = state
        .pair_store
        .list_pairs(
            memory_kind(kind_name),
            list_query.datasource.as_deref(),
            page,
        )
        .await?;
    let next_offset = (pairs.len() > limit as usize).then(|| offset + u64::from(limit));
    pairs.truncate(limit as usize);
    let entries = pairs
        .into_iter()
        .map(|pair| entry_view(kind_name, pair))
        .collect();
    Ok(Json(MemoryEntryList {
        entries,
        next_offset,
    }))
}

/// Deletes one entry; 204 when it existed, 404 otherwise.
pub(crate) async fn delete_memory_entry(
    State(state): State<AppState>,
    Path((raw_kind, entry_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let kind_name = parse_kind(&raw_kind)?;
    let deleted = state
        .pair_store
        .delete_pair(memory_kind(kind_name), &entry_id)
        .await?;
    if !deleted {
        return Err(ApiError::EntryNotFound(entry_id));
    }
    tracing::info!(entry_id = %entry_id, kind = raw_kind, "memory entry deleted");
    Ok(StatusCode::NO_CONTENT)
}

fn parse_kind(raw_kind: &str) -> Result<MemoryKindName, ApiError> {
    match raw_kind {
        "cache" => Ok(MemoryKindName::Cache),
        "few_shot" => Ok(MemoryKindName::FewShot),
        _ => Err(ApiError::InvalidParameter(format!(
            "'{raw_kind}' is not a memory kind (expected `cache` or `few_shot`)"
        ))),
    }
}

fn memory_kind(kind_name: MemoryKindName) -> MemoryKind {
    match kind_name {
        MemoryKindName::Cache => MemoryKind::Cache,
        MemoryKindName::FewShot => MemoryKind::FewShot,
    }
}

fn entry_view(kind: MemoryKindName, pair: VerifiedPair) -> MemoryEntryView {
    MemoryEntryView {
        entry_id: pair.entry_id,
        kind,
        datasource: pair.datasource,
        schema_version: pair.schema_version,
        question: pair.question,
        sql: pair.sql,
        embedding_model: pair.embedding_model,
        approved_by: pair.approved_by,
        approved_at: pair.approved_at,
        source_job_id: pair.source_job_id,
    }
}
