//! `POST /v1/questions`: validate, store the job as `queued`, launch the pipeline, answer 202.
//! With an `Idempotency-Key` header, a repeated submission of the same key (by the same API
//! key) answers with the first job instead of creating another. The job records the caller's
//! key as its owner; a `conversation_id` that belongs to another key is answered 404
//! `conversation_not_found`.
//!
//! Invariant: a job is launched only after it is stored, so every launched job can be polled;
//! a job is launched at most once per idempotency key.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use contracts::api::{JobStatus, SubmitQuestionRequest, SubmitQuestionResponse};
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::stages::ClassifyRequest;
use ports::job_store::{JobUpdate, NewJob};
use ports::store_error::StoreError;
use uuid::Uuid;

use crate::api_error::{
    ApiError, MAX_CONVERSATION_ID_CHARS, MAX_IDEMPOTENCY_KEY_CHARS, MAX_QUESTION_CHARS,
    MAX_SQL_CHARS,
};
use crate::app_state::AppState;
use crate::correlation_id::correlation_id;
use crate::job_access::ensure_conversation_reachable;
use crate::json_body::JsonBody;
use crate::require_api_key::Caller;

/// Accepts a question and answers 202 with the poll URL in the body and `Location`.
pub(crate) async fn submit_question(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    JsonBody(submit_question_request): JsonBody<SubmitQuestionRequest>,
) -> Result<Response, ApiError> {
    // A request is validated before a repeated key answers with its first job, so a malformed
    // request is refused whatever key it carries.
    let idempotency_key = scoped_idempotency_key(&headers, &caller)?;
    let question = validated_question(&submit_question_request.question)?;
    let provided_sql = validated_sql(submit_question_request.sql)?;
    let conversation_id = validated_conversation_id(submit_question_request.conversation_id)?;
    if let Some(key) = &idempotency_key
        && let Some(job_id) = state.job_store.job_for_idempotency_key(key).await?
    {
        return replayed(&state, job_id).await;
    }
    if let Some(conversation_id) = &conversation_id {
        ensure_conversation_reachable(&state, &caller, conversation_id).await?;
    }
    let datasource = submit_question_request
        .datasource
        .unwrap_or_else(|| state.default_datasource.clone());
    match state.datasources.resolve(&datasource).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(ApiError::UnknownDatasource(datasource)),
        Err(lookup_error) => {
            tracing::warn!(datasource = %datasource, error.message = %lookup_error, "datasource lookup failed");
            return Err(ApiError::Unavailable(format!(
                "datasource '{datasource}' could not be looked up"
            )));
        }
    }

    let new_job = NewJob {
        job_id: Uuid::new_v4(),
        correlation_id: correlation_id(&headers),
        question: question.to_owned(),
        datasource,
        conversation_id,
        provided_sql,
        owner_key_id: Some(caller.key_id.clone()),
        idempotency_key: idempotency_key.clone(),
        submitted_at: Utc::now(),
    };
    let job_id = new_job.job_id;
    let job_envelope = classify_envelope(&new_job);
    match state.job_store.create_job(new_job).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) if idempotency_key.is_some() => {
            // Another request with the same key won the race; answer with its job.
            let key = idempotency_key.as_deref().expect("checked above");
            let job_id = state
                .job_store
                .job_for_idempotency_key(key)
                .await?
                .ok_or_else(|| StoreError::Conflict("idempotency key vanished".to_owned()))?;
            return replayed(&state, job_id).await;
        }
        Err(store_error) => return Err(store_error.into()),
    }
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
    Ok(accepted(job_id, JobStatus::Queued, false))
}

/// The 202 answer for `job_id`, marked `Idempotent-Replayed: true` when it repeats an earlier
/// submission's.
fn accepted(job_id: Uuid, status: JobStatus, replayed: bool) -> Response {
    let poll_url = format!("/v1/questions/{job_id}");
    let location =
        HeaderValue::from_str(&poll_url).expect("a path made of a UUID is a valid header value");
    let submit_question_response = SubmitQuestionResponse {
        job_id,
        status,
        poll_url,
    };
    let mut response = (
        StatusCode::ACCEPTED,
        [(LOCATION, location)],
        Json(submit_question_response),
    )
        .into_response();
    if replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// The answer of a repeated submission: the first job, in its current status.
async fn replayed(state: &AppState, job_id: Uuid) -> Result<Response, ApiError> {
    let status = state
        .job_store
        .job_status(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    tracing::info!(job_id = %job_id, "repeated submission answered with the first job");
    Ok(accepted(job_id, status, true))
}

/// The `Idempotency-Key` header scoped by the caller's key: 1 to 128 visible ASCII characters.
fn scoped_idempotency_key(
    headers: &HeaderMap,
    caller: &Caller,
) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|key| {
            !key.is_empty()
                && key.len() <= MAX_IDEMPOTENCY_KEY_CHARS
                && key.bytes().all(|byte| byte.is_ascii_graphic())
        })
        .ok_or(ApiError::InvalidIdempotencyKey)?;
    Ok(Some(format!("{}:{key}", caller.key_id)))
}

/// The trimmed question, or the 400 it deserves.
fn validated_question(raw_question: &str) -> Result<&str, ApiError> {
    let question = trim_blank(raw_question);
    if question.is_empty() {
        return Err(ApiError::InvalidQuestion);
    }
    let n_chars = question.chars().count();
    if n_chars > MAX_QUESTION_CHARS {
        return Err(ApiError::QuestionTooLong { n_chars });
    }
    Ok(question)
}

/// `text` without surrounding whitespace, counting U+FEFF (a byte-order mark) as whitespace,
/// as the `\S` pattern of the request schema does.
pub(crate) fn trim_blank(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
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
    let sql = trim_blank(&raw_sql);
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
