//! `POST /v1/questions`: validate, store the job as `queued`, launch the pipeline, answer 202.
//!
//! Invariant: a job is launched only after it is stored, so every launched job can be polled.

use axum::Json;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use contracts::api::{JobStatus, SubmitQuestionRequest, SubmitQuestionResponse};
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::stages::ClassifyRequest;
use ports::job_store::{JobUpdate, NewJob};
use uuid::Uuid;

use crate::api_error::{ApiError, MAX_CONVERSATION_ID_CHARS, MAX_QUESTION_CHARS, MAX_SQL_CHARS};
use crate::app_state::AppState;
use crate::correlation_id::correlation_id;
use crate::json_body::JsonBody;

/// Accepts a question and answers 202 with the poll URL in the body and `Location`.
pub(crate) async fn submit_question(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(submit_question_request): JsonBody<SubmitQuestionRequest>,
) -> Result<Response, ApiError> {
    let question = validated_question(&submit_question_request.question)?;
    let provided_sql = validated_sql(submit_question_request.sql)?;
    let conversation_id = validated_conversation_id(submit_question_request.conversation_id)?;
    let datasource = submit_question_request
        .datasource
        .unwrap_or_else(|| state.default_datasource.clone());
    if state.datasources.get(&datasource).is_none() {
        return Err(ApiError::UnknownDatasource(datasource));
    }

    let new_job = NewJob {
        job_id: Uuid::new_v4(),
        correlation_id: correlation_id(&headers),
        question: question.to_owned(),
        datasource,
        conversation_id,
        provided_sql,
        submitted_at: Utc::now(),
    };
    let job_id = new_job.job_id;
    let job_envelope = classify_envelope(&new_job);
    state.job_store.create_job(new_job).await?;
    if let Err(launch_error) = state.launcher.launch(job_envelope).await {
        let stage_failure = launch_error.to_stage_failure("submit");
        if let Err(store_error) = state
            .job_store
            .update(job_id, JobUpdate::Failed(stage_failure))
            .await
        {
            tracing::warn!(job_id = %job_id, error.message = %store_error, "could not mark unlaunched job failed");
        }
        return Err(ApiError::Launch(launch_error));
    }
    tracing::info!(job_id = %job_id, "question accepted");

    let poll_url = format!("/v1/questions/{job_id}");
    let location =
        HeaderValue::from_str(&poll_url).expect("a path made of a UUID is a valid header value");
    let submit_question_response = SubmitQuestionResponse {
        job_id,
        status: JobStatus::Queued,
        poll_url,
    };
    Ok((
        StatusCode::ACCEPTED,
        [(LOCATION, location)],
        Json(submit_question_response),
    )
        .into_response())
}

/// The trimmed question, or the 400 it deserves.
fn validated_question(raw_question: &str) -> Result<&str, ApiError> {
    let question = raw_question.trim();
    if question.is_empty() {
        return Err(ApiError::InvalidQuestion);
    }
    let n_chars = question.chars().count();
    if n_chars > MAX_QUESTION_CHARS {
        return Err(ApiError::QuestionTooLong { n_chars });
    }
    Ok(question)
}

/// The conversation id: 1 to 128 letters, digits, `-`, `_`, `.` or `:`.
fn validated_conversation_id(raw_id: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(raw_id) = raw_id else {
        return Ok(None);
    };
    let well_formed = !raw_id.is_empty()
        && raw_id.len() <= MAX_CONVERSATION_ID_CHARS
        && raw_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !well_formed {
        return Err(ApiError::InvalidConversationId);
    }
    Ok(Some(raw_id))
}

/// The user's SQL, trimmed; the guard checks it when it runs.
fn validated_sql(raw_sql: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(raw_sql) = raw_sql else {
        return Ok(None);
    };
    let sql = raw_sql.trim();
    if sql.is_empty() {
        return Err(ApiError::InvalidSql(
            "the sql field must not be empty".to_owned(),
        ));
    }
    let n_chars = sql.chars().count();
    if n_chars > MAX_SQL_CHARS {
        return Err(ApiError::InvalidSql(format!(
            "the sql field has {n_chars} characters; the limit is {MAX_SQL_CHARS}"
        )));
    }
    Ok(Some(sql.to_owned()))
}

/// The first message of the pipeline for a stored job.
fn classify_envelope(new_job: &NewJob) -> JobEnvelope<ClassifyRequest> {
    JobEnvelope {
        schema_version: SCHEMA_VERSION,
        job_id: new_job.job_id,
        correlation_id: new_job.correlation_id.clone(),
        attempt: 0,
        submitted_at: new_job.submitted_at,
        sent_at: Some(Utc::now()),
        payload: ClassifyRequest {
            question: new_job.question.clone(),
            datasource: new_job.datasource.clone(),
            conversation_id: new_job.conversation_id.clone(),
            provided_sql: new_job.provided_sql.clone(),
        },
    }
}
