//! `GET /openapi.json`: the API's OpenAPI document, built once per process.
//!
//! Invariant: the document is derived from the wire types, never written by hand as JSON.

use std::sync::LazyLock;

use axum::Json;
use serde_json::Value;

static DOCUMENT: LazyLock<Value> = LazyLock::new(crate::openapi::openapi_document);

/// Serves the document.
pub(crate) async fn openapi_document() -> Json<Value> {
    Json(DOCUMENT.clone())
}
