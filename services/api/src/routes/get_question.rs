//! `GET /v1/questions/{id}`: the job as it stands now.
//!
//! Invariant: read-only; polling never changes a job.

use axum::Json;
use axum::extract::{Path, State};
use contracts::api::JobView;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;

/// Returns the job view, 400 for an id that is not a UUID, 404 for an unknown job.
pub(crate) async fn get_question(
    State(state): State<AppState>,
    Path(raw_job_id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job_id =
        Uuid::parse_str(&raw_job_id).map_err(|_| ApiError::InvalidJobId(raw_job_id.clone()))?;
    let job_view = state
        .job_store
        .get_job(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    Ok(Json(job_view))
}
