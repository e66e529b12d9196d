//! Request and response bodies of the HTTP API.
//!
//! Invariant: no field ever holds a credential other than the one-time display of a new key.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StageFailure;
use crate::result::ResultSet;
use crate::stages::Intent;

/// Body of `POST /v1/questions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubmitQuestionRequest {
    /// The question in plain language (1 to 2,000 characters).
    #[schemars(length(min = 1, max = 2000), pattern(r"\S"))]
    pub question: String,
    /// Datasource to ask; the server's default when omitted.
    #[serde(default)]
    pub datasource: Option<String>,
    /// Conversation this question continues: 1 to 128 letters, digits, `-`, `_`, `.` or `:`.
    #[serde(default)]
    #[schemars(pattern(r"^[A-Za-z0-9._:-]{1,128}$"))]
    pub conversation_id: Option<String>,
    /// SQL to run instead of generating it (an edited query); it passes the same guard and
    /// limits, and the question labels the answer.
    #[serde(default)]
    #[schemars(length(min = 1, max = 8192), pattern(r"\S"))]
    pub sql: Option<String>,
}

/// Response of `POST /v1/questions` (status 202).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubmitQuestionResponse {
    /// Identifier of the new job.
    pub job_id: Uuid,
    /// Status right after submission (`queued`).
    pub status: JobStatus,
    /// Relative URL to poll for the result.
    pub poll_url: String,
}

/// Lifecycle of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Accepted, not started.
    Queued,
    /// A stage is running.
    Running,
    /// Answered.
    Succeeded,
    /// Ended with a recorded error.
    Failed,
}

impl JobStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
    ];

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        JobStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// Wire name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }

    /// `true` for `succeeded` and `failed`.
    pub fn is_terminal(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

/// Timing of one stage run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageTiming {
    /// Stage name (`classify`, `cache_lookup`, `generate_sql`, `execute`, `explain`).
    pub stage: String,
    /// When the stage started.
    pub started_at: DateTime<Utc>,
    /// Duration in milliseconds; `None` while the stage runs.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// `ok`, `error` or `running`.
    pub outcome: String,
}

/// One SQL generation attempt, kept so the repair loop is visible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SqlAttempt {
    /// Attempt number, 1-based.
    pub attempt: u32,
    /// SQL produced by this attempt.
    pub sql: String,
    /// Error the attempt met when executed; `None` if it ran.
    #[serde(default)]
    pub error: Option<String>,
}

/// Body of `GET /v1/questions/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobView {
    /// Identifier of the job.
    pub job_id: Uuid,
    /// Current status.
    pub status: JobStatus,
    /// Stage running now, or the last one that ran.
    #[serde(default)]
    pub stage: Option<String>,
    /// The question as submitted.
    pub question: String,
    /// Datasource asked.
    pub datasource: String,
    /// Intent chosen by the classifier.
    #[serde(default)]
    pub intent: Option<Intent>,
    /// The question rewritten to stand alone, when it was a follow-up in a conversation.
    #[serde(default)]
    pub standalone_question: Option<String>,
    /// Timings of every stage run so far, in order.
    #[serde(default)]
    pub timings: Vec<StageTiming>,
    /// SQL that produced the rows.
    #[serde(default)]
    pub sql: Option<String>,
    /// Every generation attempt with its error, in order.
    #[serde(default)]
    pub attempts: Vec<SqlAttempt>,
    /// `true` when the SQL came from the semantic cache.
    #[serde(default)]
    pub cache_hit: bool,
    /// Similarity of the nearest cache entry, when the cache held one for this scope.
    #[serde(default)]
    pub cache_similarity: Option<f32>,
    /// Cache entry whose SQL was reused, on a hit.
    #[serde(default)]
    pub cache_entry_id: Option<String>,
    /// Every language-model call made for the job, in order.
    #[serde(default)]
    pub model_calls: Vec<ModelCall>,
    /// Feedback given on the answer, oldest first.
    #[serde(default)]
    pub feedback: Vec<FeedbackRecord>,
    /// The rows, capped; `truncated` says when the cap cut them.
    #[serde(default)]
    pub result: Option<ResultSet>,
    /// `true` when the job's query ran and its rows were stored, but they are gone: older than
    /// the result retention period, or evicted to keep the submitting key under its stored-bytes
    /// cap. `result` is then absent; the SQL, answer and chart are kept, and re-running the SQL
    /// gives fresh rows. Absent in older responses (read as `false`).
    #[serde(default)]
    pub result_expired: bool,
    /// Short answer grounded in the rows.
    #[serde(default)]
    pub answer: Option<String>,
    /// Vega-Lite chart specification.
    #[serde(default)]
    pub chart: Option<serde_json::Value>,
    /// Why the job failed.
    #[serde(default)]
    pub error: Option<StageFailure>,
    /// When the job was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When the job reached a terminal status.
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
}

/// One datasource as listed by `GET /v1/datasources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatasourceView {
    /// Name used in requests.
    pub name: String,
    /// Engine that runs its queries (`embedded`, `postgres`, `redshift`, `athena`).
    pub engine: String,
    /// Human description.
    #[serde(default)]
    pub description: Option<String>,
    /// Table names.
    pub tables: Vec<String>,
}

/// Body of `GET /v1/datasources/{name}/schema`: the latest stored schema snapshot of one
/// datasource, with the descriptions of its imported metadata and its sampled values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DatasourceSchemaView {
    /// Name used in requests.
    pub name: String,
    /// Engine that runs its queries (`embedded`, `postgres`, `redshift`, `athena`).
    pub engine: String,
    /// Human description.
    #[serde(default)]
    pub description: Option<String>,
    /// Content hash of the tables and metrics (hex); `None` when no snapshot is stored yet.
    #[serde(default)]
    pub version: Option<String>,
    /// Tables in name order (empty when no snapshot is stored yet).
    pub tables: Vec<TableSchemaView>,
    /// Named business measures from imported metadata, in name order.
    #[serde(default)]
    pub metrics: Vec<MetricView>,
}

/// One table of [`DatasourceSchemaView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TableSchemaView {
    /// Table name as queries refer to it.
    pub name: String,
    /// Business description.
    #[serde(default)]
    pub description: Option<String>,
    /// Number of rows when the engine reported it at the last extraction.
    #[serde(default)]
    pub n_rows: Option<u64>,
    /// Columns in table order.
    pub columns: Vec<ColumnSchemaView>,
}

/// One column of [`TableSchemaView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ColumnSchemaView {
    /// Column name.
    pub name: String,
    /// Engine type name (`BIGINT`, `VARCHAR`, `DATE`, ...).
    pub data_type: String,
    /// Business description.
    #[serde(default)]
    pub description: Option<String>,
    /// Distinct values of a low-cardinality text column (empty when none were sampled).
    #[serde(default)]
    pub sample_values: Vec<String>,
}

/// A named business measure of [`DatasourceSchemaView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricView {
    /// Metric name (`revenue`).
    pub name: String,
    /// What the metric means.
    pub description: String,
    /// SQL expression computing it, when the metadata gives one.
    #[serde(default)]
    pub sql: Option<String>,
    /// Table the metric is computed from, when it belongs to one.
    #[serde(default)]
    pub table: Option<String>,
}

/// Error body of every 4xx and 5xx response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiErrorDetail,
}

/// Code and message of an API error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiErrorDetail {
    /// Stable machine-readable code (`invalid_question`, `unknown_datasource`, `unauthorized`, ...).
    pub code: String,
    /// Safe human-readable message.
    pub message: String,
}

/// One language-model call made for a job: which model and prompt, tokens and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelCall {
    /// Stage that made the call (`classify`, `generate_sql`, `explain`).
    pub stage: String,
    /// Provider model identifier.
    pub model_id: String,
    /// Versioned prompt template (`sql_generation@v1`).
    pub prompt_version: String,
    /// Prompt tokens, summed over re-asks and retries.
    pub input_tokens: u64,
    /// Completion tokens, summed over re-asks and retries.
    pub output_tokens: u64,
    /// Wall time of the call in milliseconds.
    pub duration_ms: u64,
    /// Price of the call in US dollars, from the configured token prices; `None` when no price
    /// is configured for the model (0 for the offline planner).
    #[serde(default)]
    pub cost_usd: Option<f64>,
}

/// Verdict of a reviewer on an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The SQL (or the corrected SQL) answers the question.
    Approve,
    /// The answer is wrong.
    Reject,
}

impl Verdict {
    /// Wire name of the verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [Verdict::Approve, Verdict::Reject]
            .into_iter()
            .find(|verdict| verdict.as_str() == name)
    }
}

/// Body of `POST /v1/questions/{id}/feedback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeedbackRequest {
    /// Approve or reject.
    pub verdict: Verdict,
    /// SQL that answers the question instead of the job's; re-validated and re-executed
    /// before it is stored. Only with `approve`.
    #[serde(default)]
    #[schemars(length(min = 1, max = 8192), pattern(r"\S"))]
    pub corrected_sql: Option<String>,
    /// Free-text remark (at most 2,000 characters).
    #[serde(default)]
    #[schemars(length(max = 2000))]
    pub comment: Option<String>,
    /// Replace an approved entry of the same question whose SQL differs; without it such an
    /// approval is refused with 409.
    #[serde(default)]
    pub replace_existing: bool,
}

/// Feedback recorded on a job; also the response of `POST /v1/questions/{id}/feedback`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeedbackRecord {
    /// Job the feedback is about.
    pub job_id: Uuid,
    /// Approve or reject.
    pub verdict: Verdict,
    /// SQL admitted to memory on approval (the corrected SQL when one was given).
    #[serde(default)]
    pub sql: Option<String>,
    /// `true` when `sql` is a reviewer's correction.
    #[serde(default)]
    pub corrected: bool,
    /// Free-text remark.
    #[serde(default)]
    pub comment: Option<String>,
    /// Name of the API key that gave the feedback.
    pub given_by: String,
    /// When the feedback was given.
    pub given_at: DateTime<Utc>,
    /// Semantic-cache entry holding the approved pair.
    #[serde(default)]
    pub cache_entry_id: Option<String>,
    /// Few-shot example holding the approved pair.
    #[serde(default)]
    pub few_shot_entry_id: Option<String>,
    /// Approved entries this approval replaced (only with `replace_existing`).
    #[serde(default)]
    pub replaced_entry_ids: Vec<String>,
}

/// Which memory an entry lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKindName {
    /// The semantic cache.
    Cache,
    /// The few-shot example memory.
    FewShot,
}

/// One verified pair as listed by `GET /v1/admin/memory/{kind}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemoryEntryView {
    /// Identifier (for deletion).
    pub entry_id: String,
    /// Memory holding it.
    pub kind: MemoryKindName,
    /// Datasource of the SQL.
    pub datasource: String,
    /// Schema version the SQL was verified against.
    pub schema_version: String,
    /// The question.
    pub question: String,
    /// The SQL.
    pub sql: String,
    /// Model that embedded the question.
    pub embedding_model: String,
    /// Who approved it (`csv:<file>` for seeded examples).
    pub approved_by: String,
    /// When it was approved.
    pub approved_at: DateTime<Utc>,
    /// Job whose approval admitted it, if any.
    #[serde(default)]
    pub source_job_id: Option<Uuid>,
}

/// Response of `GET /v1/admin/memory/{kind}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemoryEntryList {
    /// Entries, newest first.
    pub entries: Vec<MemoryEntryView>,
    /// Offset of the next page, when there is one.
    #[serde(default)]
    pub next_offset: Option<u64>,
}

/// One API key as listed by `GET /v1/admin/keys`; never its plaintext or hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyView {
    /// Public identifier (used to revoke it).
    pub key_id: String,
    /// Human label.
    pub name: String,
    /// Granted scopes (`ask`, `approve`, `ingest`, `admin`).
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Revocation time, when revoked.
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Body of `POST /v1/admin/keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreateApiKeyRequest {
    /// Human label (1 to 100 characters).
    #[schemars(length(min = 1, max = 100), pattern(r"\S"))]
    pub name: String,
    /// Scopes to grant: any of `ask`, `approve`, `ingest`, `admin` (at least one; repeats are
    /// granted once).
    #[schemars(length(min = 1))]
    pub scopes: Vec<KeyScopeName>,
}

/// A scope an API key may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyScopeName {
    /// Submit and read questions.
    Ask,
    /// Approve or reject answers.
    Approve,
    /// Upload data.
    Ingest,
    /// Manage keys, cache entries and metrics.
    Admin,
}

/// Response of `POST /v1/admin/keys` (status 201): the only time the plaintext is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedApiKey {
    /// The stored key.
    pub key: ApiKeyView,
    /// The plaintext key; store it now, it cannot be shown again.
    pub api_key: String,
}
