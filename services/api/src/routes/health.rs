//! `GET /health`: liveness without authentication.
//!
//! Invariant: touches no store, so it answers even when a store is down.

use axum::Json;
use serde_json::{Value, json};

/// Answers `{"status":"ok"}`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
