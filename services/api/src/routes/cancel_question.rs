//! `DELETE /v1/questions/{id}`: cancels a queued or running job; no further stage runs for it.
//!
//! Invariant: a job that already ended is never changed; the stage running at the moment of
//! the cancellation finishes, its result is discarded. Only the job's owner or an admin key
//! may cancel it.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use contracts::api::JobView;
use contracts::error::{ErrorKind, StageFailure};
use ports::job_store::JobUpdate;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::job_access::ensure_job_reachable;
use crate::require_api_key::Caller;

/// Marks the job failed with a cancellation message and returns its view; 404 for an unknown
/// job or one of another key.
pub(crate) async fn cancel_question(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw_job_id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let job_id =
        Uuid::parse_str(&raw_job_id).map_err(|_| ApiError::InvalidJobId(raw_job_id.clone()))?;
    ensure_job_reachable(&state, &caller, job_id).await?;
    let status = state
        .job_store
        .job_status(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    if status.is_terminal() {
        return Err(ApiError::JobAlreadyEnded(job_id));
    }
    let cancellation = StageFailure {
        kind: ErrorKind::InvalidInput,
        stage: None,
        message: format!("cancelled by {}", caller.name),
    };
    state
        .job_store
        .update(job_id, JobUpdate::Failed(cancellation))
        .await?;
    tracing::info!(job_id = %job_id, key_id = %caller.key_id, "job cancelled");
    let job_view = state
        .job_store
        .get_job(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    Ok(Json(job_view))
}
