//! What a tool returns: the capped view of a job, the error result with the API's code, and
//! how long a tool waits for a job.
//!
//! Invariant: a tool never returns more than [`MAX_TOOL_ROWS`] rows without `truncated`.

use std::time::Duration;

use contracts::api::{JobStatus, JobView, Verdict};
use contracts::mcp::{
    AnswerTrust, MAX_TOOL_ROWS, MAX_WAIT_SECONDS, ToolAnswer, ToolErrorBody, ToolErrorDetail,
};
use rmcp::Json;
use rmcp::model::CallToolResult;
use uuid::Uuid;

/// The tool's view of a job: rows capped at [`MAX_TOOL_ROWS`]; a failed job is a tool error
/// (the tool's output or the error result the client shows the model).
pub(crate) fn tool_answer(job_view: JobView) -> Result<Json<ToolAnswer>, CallToolResult> {
    if job_view.status == JobStatus::Failed {
        let message = match &job_view.error {
            Some(stage_failure) => match &stage_failure.stage {
                Some(stage) => format!(
                    "the job failed in stage {stage} ({}): {}",
                    stage_failure.kind.as_str(),
                    stage_failure.message
                ),
                None => format!(
                    "the job failed ({}): {}",
                    stage_failure.kind.as_str(),
                    stage_failure.message
                ),
            },
            None => "the job failed".to_owned(),
        };
        return Err(tool_error(error_detail(
            "job_failed",
            message,
            None,
            Some(job_view.job_id),
        )));
    }
    let trust = AnswerTrust {
        cache_hit: job_view.cache_hit,
        cache_similarity: job_view.cache_similarity,
        approved: job_view
            .feedback
            .iter()
            .any(|feedback| feedback.verdict == Verdict::Approve),
        n_sql_attempts: job_view.attempts.len(),
        result_expired: job_view.result_expired,
    };
    let (columns, mut rows, truncated, total_rows) = match job_view.result {
        Some(result_set) => (
            result_set.columns,
            result_set.rows,
            result_set.truncated,
            result_set.total_rows,
        ),
        None => (Vec::new(), Vec::new(), false, None),
    };
    let truncated = truncated || rows.len() > MAX_TOOL_ROWS;
    rows.truncate(MAX_TOOL_ROWS);
    Ok(Json(ToolAnswer {
        job_id: job_view.job_id,
        status: job_view.status,
        done: job_view.status.is_terminal(),
        question: job_view.question,
        datasource: job_view.datasource,
        sql: job_view.sql,
        columns,
        rows,
        truncated,
        total_rows,
        answer: job_view.answer,
        chart: job_view.chart,
        trust,
    }))
}

/// The code and message of a tool or resource error.
pub(crate) fn error_detail(
    code: &str,
    message: String,
    http_status: Option<u16>,
    job_id: Option<Uuid>,
) -> ToolErrorDetail {
    ToolErrorDetail {
        code: code.to_owned(),
        message,
        http_status,
        job_id,
    }
}

/// An error result whose structured content is `{ "error": { "code", "message", ... } }`.
pub(crate) fn tool_error(error_detail: ToolErrorDetail) -> CallToolResult {
    let tool_error_body = ToolErrorBody {
        error: error_detail,
    };
    CallToolResult::structured_error(
        serde_json::to_value(tool_error_body).expect("an error body always serializes"),
    )
}

/// `requested` seconds (or `default_seconds`), at most [`MAX_WAIT_SECONDS`].
pub(crate) fn wait_duration(requested: Option<u32>, default_seconds: u32) -> Duration {
    Duration::from_secs(u64::from(
        requested.unwrap_or(default_seconds).min(MAX_WAIT_SECONDS),
    ))
}
