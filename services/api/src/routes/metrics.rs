//! `GET /metrics`: the process's counters and histograms in the Prometheus text format.
//!
//! Invariant: needs the `admin` scope; label values never hold questions, SQL or secrets.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::app_state::AppState;

/// Renders every metric recorded so far.
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state
        .metrics
        .as_ref()
        .map(|handle| handle.render())
        .unwrap_or_default();
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
