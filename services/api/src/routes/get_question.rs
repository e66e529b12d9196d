//! `GET /v1/questions/{id}`: the job as it stands now.
//!
//! Invariant: read-only; polling never changes a job. Only the job's owner or an admin key
//! reaches it.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use contracts::api::JobView;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::job_access::ensure_job_reachable;
use crate::require_api_key::Caller;

/// Returns the job view, 400 for an id that is not a UUID, 404 for an unknown job or one of
/// another key.
pub(crate) async fn get_question(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw_job_id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job_id =
        Uuid::parse_str(&raw_job_id).map_err(|_| ApiError::InvalidJobId(raw_job_id.clone()))?;
    ensure_job_reachable(&state, &caller, job_id).await?;
    let job_view = state
        .job_store
        .get_job(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    Ok(Json(job_view))
}
