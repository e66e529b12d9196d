//! Inputs and outputs of the MCP server's tools (`/mcp` and `analyst mcp`); their JSON Schemas
//! are what `tools/list` publishes.
//!
//! Invariant: every output type is a JSON object, so MCP clients of every protocol version get
//! it as structured content.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{DatasourceView, JobStatus};
use crate::result::ResultColumn;

/// Longest wait a tool accepts, in seconds.
pub const MAX_WAIT_SECONDS: u32 = 30;

/// Rows a tool returns at most; `truncated` says when there were more.
pub const MAX_TOOL_ROWS: usize = 100;

/// Output of `list_datasources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatasourceList {
    /// Every datasource the key may ask, in name order.
    pub datasources: Vec<DatasourceView>,
}

/// Input of `describe_datasource` and `suggest_questions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatasourceInput {
    /// Datasource name, from `list_datasources`.
    pub datasource: String,
}

/// Input of `ask`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AskInput {
    /// The question in plain language (1 to 2,000 characters).
    #[schemars(length(min = 1, max = 2000))]
    pub question: String,
    /// Datasource to ask (from `list_datasources`); the server's default when omitted.
    #[serde(default)]
    pub datasource: Option<String>,
    /// Conversation this question continues (1 to 128 letters, digits, `-`, `_`, `.` or `:`);
    /// reuse one id for follow-up questions.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Seconds to wait for the answer (0 to 30, default 30); when it is not ready by then, call
    /// `get_answer` with the returned job id.
    #[serde(default)]
    #[schemars(range(max = 30))]
    pub wait_seconds: Option<u32>,
}

/// Input of `run_sql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunSqlInput {
    /// One read-only SQL query (1 to 8,192 characters); anything else is refused by the guard.
    #[schemars(length(min = 1, max = 8192))]
    pub sql: String,
    /// Datasource to run it on; the server's default when omitted.
    #[serde(default)]
    pub datasource: Option<String>,
    /// What the query answers, used to label the answer; the SQL itself when omitted.
    #[serde(default)]
    pub question: Option<String>,
    /// Seconds to wait for the rows (0 to 30, default 30).
    #[serde(default)]
    #[schemars(range(max = 30))]
    pub wait_seconds: Option<u32>,
}

/// Input of `get_answer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetAnswerInput {
    /// Job id returned by `ask` or `run_sql`.
    pub job_id: Uuid,
    /// Seconds to wait for the job to finish (0 to 30, default 0: answer at once).
    #[serde(default)]
    #[schemars(range(max = 30))]
    pub wait_seconds: Option<u32>,
}

/// Input of `approve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApproveInput {
    /// Job whose SQL is approved into the semantic cache and few-shot memory.
    pub job_id: Uuid,
    /// SQL to approve instead of the job's; it is guarded and re-run before it is stored.
    #[serde(default)]
    pub corrected_sql: Option<String>,
    /// Free-text remark (at most 2,000 characters).
    #[serde(default)]
    pub comment: Option<String>,
    /// Replace an approved entry of the same question whose SQL differs.
    #[serde(default)]
    pub replace_existing: bool,
}

/// Output of `ask`, `run_sql` and `get_answer`: a job, finished or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolAnswer {
    /// Job id; pass it to `get_answer` while `done` is `false`, or to `approve`.
    pub job_id: Uuid,
    /// Status of the job.
    pub status: JobStatus,
    /// `true` when the job succeeded or failed.
    pub done: bool,
    /// The question as submitted.
    pub question: String,
    /// Datasource asked.
    pub datasource: String,
    /// SQL that produced the rows.
    #[serde(default)]
    pub sql: Option<String>,
    /// Columns of the rows, in output order.
    #[serde(default)]
    pub columns: Vec<ResultColumn>,
    /// The rows, at most 100.
    #[serde(default)]
    pub rows: Vec<Vec<serde_json::Value>>,
    /// `true` when the query produced more rows than are returned here.
    #[serde(default)]
    pub truncated: bool,
    /// Total rows the query produced, when known.
    #[serde(default)]
    pub total_rows: Option<u64>,
    /// Short answer grounded in the rows.
    #[serde(default)]
    pub answer: Option<String>,
    /// Vega-Lite chart specification.
    #[serde(default)]
    pub chart: Option<serde_json::Value>,
    /// What the answer rests on.
    pub trust: AnswerTrust,
}

/// What an answer rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnswerTrust {
    /// `true` when the SQL came from the semantic cache of reviewer-approved answers.
    pub cache_hit: bool,
    /// Similarity (0 to 1) of the nearest cache entry, when the cache held one.
    #[serde(default)]
    pub cache_similarity: Option<f32>,
    /// `true` when a reviewer approved this job's SQL.
    pub approved: bool,
    /// SQL generation attempts made (repairs included); 0 for cache hits and user SQL.
    pub n_sql_attempts: usize,
    /// `true` when the rows were stored but are gone (older than the retention period).
    pub result_expired: bool,
}

/// Output of `suggest_questions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SuggestedQuestions {
    /// Datasource the questions are about.
    pub datasource: String,
    /// Questions built from the datasource's tables, columns and sampled values.
    pub questions: Vec<String>,
}

/// Body of a tool's error result: the API's error code and message, or a failed job's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolErrorBody {
    /// The error.
    pub error: ToolErrorDetail,
}

/// Code and message of a tool error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolErrorDetail {
    /// The API's code (`insufficient_scope`, `unknown_datasource`, ...), or `job_failed`.
    pub code: String,
    /// Safe human-readable message.
    pub message: String,
    /// HTTP status the API answered, when the API refused the call.
    #[serde(default)]
    pub http_status: Option<u16>,
    /// Job the error is about, when there is one.
    #[serde(default)]
    pub job_id: Option<Uuid>,
}
