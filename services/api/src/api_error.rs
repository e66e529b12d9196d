//! The one error type of every handler and its HTTP form.
//!
//! Invariant: a 5xx body never reveals the cause; the cause travels to the log through the
//! response extensions instead.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use contracts::api::{ApiErrorBody, ApiErrorDetail};
use ports::key_store::KeyScope;
use ports::step_error::StepError;
use ports::store_error::StoreError;

use crate::server_error_log::ServerErrorReport;

/// Longest accepted question, in characters, after trimming.
pub(crate) const MAX_QUESTION_CHARS: usize = 2_000;

/// Longest accepted conversation id, in characters.
pub(crate) const MAX_CONVERSATION_ID_CHARS: usize = 128;

/// Longest accepted `Idempotency-Key` header.
pub(crate) const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;

/// Longest accepted user SQL, in characters, after trimming.
pub(crate) const MAX_SQL_CHARS: usize = 8_192;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No key in `Authorization: Bearer` or `x-api-key`.
    #[error("an API key is required: send `Authorization: Bearer <key>` or `x-api-key: <key>`")]
    MissingApiKey,
    /// The key is unknown or revoked.
    #[error("the API key is not valid")]
    InvalidApiKey,
    /// The key is valid but lacks the scope the route needs.
    #[error("the API key lacks the `{}` scope", .0.as_str())]
    MissingScope(KeyScope),
    /// The question is empty or only whitespace.
    #[error("the question must not be empty")]
    InvalidQuestion,
    /// The trimmed question is longer than 2,000 characters.
    #[error("the question has {n_chars} characters; the limit is {MAX_QUESTION_CHARS}")]
    QuestionTooLong {
        /// Characters in the trimmed question.
        n_chars: usize,
    },
    /// No datasource has this name.
    #[error("datasource '{0}' does not exist")]
    UnknownDatasource(String),
    /// The body is not JSON of the expected shape, or not sent as `application/json`.
    #[error("{0}")]
    MalformedJson(String),
    /// The body exceeds the size limit.
    #[error("the request body is larger than {} bytes", crate::MAX_BODY_BYTES)]
    PayloadTooLarge,
    /// The job id in the path is not a UUID.
    #[error("'{0}' is not a valid job id (expected a UUID)")]
    InvalidJobId(String),
    /// No job has this id.
    #[error("job {0} does not exist")]
    JobNotFound(uuid::Uuid),
    /// No route matches the path.
    #[error("no route for this path")]
    RouteNotFound,
    /// The job already succeeded or failed, so it cannot be cancelled.
    #[error("job {0} has already ended")]
    JobAlreadyEnded(uuid::Uuid),
    /// The key sent more requests than its limit allows.
    #[error("too many requests for this API key; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until one more request is admitted.
        retry_after_secs: u64,
    },
    /// The request (its body included) took longer than the request timeout.
    #[error("the request took longer than {timeout_secs} s and was stopped; try again")]
    RequestTimeout {
        /// The timeout that was exceeded.
        timeout_secs: u64,
    },
    /// The feedback cannot be recorded as sent.
    #[error("{0}")]
    InvalidFeedback(String),
    /// The job has not finished, so it cannot be judged yet.
    #[error("job {0} has not finished yet; give feedback once it succeeded or failed")]
    JobNotFinished(uuid::Uuid),
    /// The corrected SQL was refused by the guard or failed when run.
    #[error("{0}")]
    CorrectedSqlRejected(String),
    /// The job produced no SQL, so only a correction can be approved.
    #[error("{0}")]
    NothingToApprove(String),
    /// An approved entry of the same question holds different SQL.
    #[error("{0}")]
    ApprovalConflict(String),
    /// The conversation id is empty, too long or holds other characters than allowed.
    #[error(
        "conversation_id must be 1 to {MAX_CONVERSATION_ID_CHARS} letters, digits, '-', '_', '.' or ':'"
    )]
    InvalidConversationId,
    /// The conversation belongs to another API key (answered as if it did not exist).
    #[error(
        "conversation '{0}' does not exist for this API key; send a new conversation_id to start one"
    )]
    ConversationNotFound(String),
    /// The `Idempotency-Key` header is empty, too long or not visible ASCII.
    #[error(
        "the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters"
    )]
    InvalidIdempotencyKey,
    /// The `sql` field is empty or too long.
    #[error("{0}")]
    InvalidSql(String),
    /// A query parameter is out of range or malformed.
    #[error("{0}")]
    InvalidParameter(String),
    /// The job has no chart (no rows yet, or none that a chart helps with).
    #[error("job {0} has no chart")]
    ChartNotFound(uuid::Uuid),
    /// No cache entry or few-shot example has this id.
    #[error("entry '{0}' does not exist")]
    EntryNotFound(String),
    /// The multipart upload is malformed or misses a field.
    #[error("{0}")]
    InvalidUpload(String),
    /// The uploaded archive is larger than the limit.
    #[error("the uploaded archive is larger than {max_bytes} bytes")]
    UploadTooLarge {
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// This deployment takes no uploads through the API.
    #[error("this server does not take uploads through the API")]
    UploadsNotSupported,
    /// The upload id in the path is not a UUID.
    #[error("'{0}' is not a valid upload id (expected a UUID)")]
    InvalidUploadId(String),
    /// No upload has this id.
    #[error("upload {0} does not exist")]
    UploadNotFound(uuid::Uuid),
    /// The MCP transport refused the message (not JSON-RPC, wrong `Accept` or content type, a
    /// method it does not serve), with the transport's status and reason.
    #[error("{message}")]
    InvalidMcpRequest {
        /// The status the transport answered.
        status: StatusCode,
        /// The transport's reason.
        message: String,
    },
    /// An engine or embedder needed by the request is unreachable.
    #[error("a service the request needs is unavailable; try again later")]
    Unavailable(String),
    /// A state store failed.
    #[error("state store failed")]
    Store(#[from] StoreError),
    /// The pipeline could not be started.
    #[error("pipeline launch failed")]
    Launch(#[source] StepError),
}

impl ApiError {
    /// HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingApiKey | ApiError::InvalidApiKey => StatusCode::UNAUTHORIZED,
            ApiError::MissingScope(_) => StatusCode::FORBIDDEN,
            ApiError::InvalidQuestion
            | ApiError::QuestionTooLong { .. }
            | ApiError::MalformedJson(_)
            | ApiError::InvalidJobId(_)
            | ApiError::InvalidFeedback(_)
            | ApiError::InvalidSql(_)
            | ApiError::InvalidConversationId
            | ApiError::InvalidIdempotencyKey
            | ApiError::InvalidParameter(_)
            | ApiError::InvalidUpload(_)
            | ApiError::InvalidUploadId(_) => StatusCode::BAD_REQUEST,
            ApiError::UnknownDatasource(_)
            | ApiError::JobNotFound(_)
            | ApiError::RouteNotFound
            | ApiError::EntryNotFound(_)
            | ApiError::ChartNotFound(_)
            | ApiError::ConversationNotFound(_)
            | ApiError::UploadNotFound(_)
            | ApiError::UploadsNotSupported => StatusCode::NOT_FOUND,
            ApiError::JobNotFinished(_)
            | ApiError::ApprovalConflict(_)
            | ApiError::JobAlreadyEnded(_)
            | ApiError::NothingToApprove(_) => StatusCode::CONFLICT,
            ApiError::CorrectedSqlRejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::InvalidMcpRequest { status, .. } => *status,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge | ApiError::UploadTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::Store(_) | ApiError::Launch(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MissingApiKey => "missing_api_key",
            ApiError::InvalidApiKey => "invalid_api_key",
            ApiError::MissingScope(_) => "insufficient_scope",
            ApiError::InvalidQuestion => "invalid_question",
            ApiError::QuestionTooLong { .. } => "question_too_long",
            ApiError::UnknownDatasource(_) => "unknown_datasource",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::InvalidJobId(_) => "invalid_job_id",
            ApiError::JobNotFound(_) => "job_not_found",
            ApiError::RouteNotFound => "not_found",
            ApiError::InvalidFeedback(_) => "invalid_feedback",
            ApiError::InvalidSql(_) => "invalid_sql",
            ApiError::InvalidConversationId => "invalid_conversation_id",
            ApiError::ConversationNotFound(_) => "conversation_not_found",
            ApiError::InvalidIdempotencyKey => "invalid_idempotency_key",
            ApiError::JobNotFinished(_) => "job_not_finished",
            ApiError::JobAlreadyEnded(_) => "job_already_ended",
            ApiError::CorrectedSqlRejected(_) => "corrected_sql_rejected",
            ApiError::NothingToApprove(_) => "nothing_to_approve",
            ApiError::ApprovalConflict(_) => "approval_conflict",
            ApiError::InvalidParameter(_) => "invalid_parameter",
            ApiError::EntryNotFound(_) => "entry_not_found",
            ApiError::ChartNotFound(_) => "chart_not_found",
            ApiError::InvalidUpload(_) => "invalid_upload",
            ApiError::UploadTooLarge { .. } => "upload_too_large",
            ApiError::UploadsNotSupported => "uploads_not_supported",
            ApiError::InvalidUploadId(_) => "invalid_upload_id",
            ApiError::UploadNotFound(_) => "upload_not_found",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::InvalidMcpRequest { .. } => "invalid_mcp_request",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::RequestTimeout { .. } => "request_timeout",
            ApiError::Store(_) | ApiError::Launch(_) => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() && !matches!(self, ApiError::Unavailable(_)) {
            "internal error".to_owned()
        } else {
            self.to_string()
        };
        let api_error_body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code().to_owned(),
                message,
            },
        };
        let mut response = (status, Json(api_error_body)).into_response();
        if let ApiError::RateLimited { retry_after_secs } = &self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        if status.is_server_error() {
            response
                .extensions_mut()
                .insert(ServerErrorReport::from_error(&self));
        }
        response
    }
}

impl From<ports::approval::ApprovalError> for ApiError {
    fn from(error: ports::approval::ApprovalError) -> Self {
        use ports::approval::ApprovalError;
        match error {
            ApprovalError::UnknownJob(job_id) => ApiError::JobNotFound(job_id),
            ApprovalError::NotFinished(job_id) => ApiError::JobNotFinished(job_id),
            ApprovalError::Invalid(message) => ApiError::InvalidFeedback(message),
            ApprovalError::NothingToApprove(message) => ApiError::NothingToApprove(message),
            ApprovalError::SqlRejected(_) => ApiError::CorrectedSqlRejected(error.to_string()),
            ApprovalError::Conflict { .. } => ApiError::ApprovalConflict(error.to_string()),
            ApprovalError::Unavailable(message) => ApiError::Unavailable(message),
            ApprovalError::Store(store_error) => ApiError::Store(store_error),
        }
    }
}
