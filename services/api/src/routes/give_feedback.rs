//! `POST /v1/questions/{id}/feedback`: approve or reject an answer; an approval admits the
//! question and its SQL (or the corrected SQL) to the semantic cache and few-shot memory.
//!
//! Invariant: needs the `approve` scope and the job's owner or an admin key (any other key gets
//! 404); the author recorded is the caller's key name.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use contracts::api::{FeedbackRecord, FeedbackRequest};
use ports::approval::FeedbackInput;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::job_access::ensure_job_reachable;
use crate::json_body::JsonBody;
use crate::require_api_key::Caller;

/// Records the feedback and answers with what was stored.
pub(crate) async fn give_feedback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw_job_id): Path<String>,
    JsonBody(feedback_request): JsonBody<FeedbackRequest>,
) -> Result<Json<FeedbackRecord>, ApiError> {
    let job_id =
        Uuid::parse_str(&raw_job_id).map_err(|_| ApiError::InvalidJobId(raw_job_id.clone()))?;
    ensure_job_reachable(&state, &caller, job_id).await?;
    let feedback_input = FeedbackInput {
        job_id,
        verdict: feedback_request.verdict,
        corrected_sql: feedback_request.corrected_sql,
        comment: feedback_request.comment,
        replace_existing: feedback_request.replace_existing,
        given_by: caller.name,
    };
    let record = state.approvals.record_feedback(feedback_input).await?;
    Ok(Json(record))
}
