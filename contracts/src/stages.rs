//! The typed payload of every pipeline stage: what each worker receives and returns.
//!
//! Invariant: payloads carry references to stored rows, never the rows themselves.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of answer a question needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// A question answered by a query.
    Sql,
    /// A question answered by a query and shown as a chart.
    Chart,
    /// Greeting or small talk.
    Chat,
    /// Not about the data; answered with guidance.
    OutOfScope,
}

impl Intent {
    /// Every intent.
    pub const ALL: [Intent; 4] = [Intent::Sql, Intent::Chart, Intent::Chat, Intent::OutOfScope];

    /// Wire name of the intent (`out_of_scope`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Sql => "sql",
            Intent::Chart => "chart",
            Intent::Chat => "chat",
            Intent::OutOfScope => "out_of_scope",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Intent::ALL
            .into_iter()
            .find(|intent| intent.as_str() == name)
    }
}

/// Input of the classification stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassifyRequest {
    /// The question as the user typed it.
    pub question: String,
    /// Datasource the question is asked of.
    pub datasource: String,
    /// Conversation the question continues, if any.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// SQL given by the user, run instead of generating one.
    #[serde(default)]
    pub provided_sql: Option<String>,
}

/// Output of the classification stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClassifyResult {
    /// The intent the classifier chose.
    pub intent: Intent,
    /// The question rewritten to stand alone (equal to the input when there is no conversation).
    pub standalone_question: String,
    /// Message for chat and out-of-scope questions; `None` for data questions.
    #[serde(default)]
    pub guidance: Option<String>,
}

/// Input of the semantic-cache lookup stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CacheLookupRequest {
    /// Question to look up, as submitted.
    pub question: String,
    /// Datasource the cached entry must belong to.
    pub datasource: String,
    /// Conversation the question continues; a follow-up is never looked up literally, since
    /// its meaning depends on the earlier turns.
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// Output of the semantic-cache lookup stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CacheLookupResult {
    /// `true` when a verified entry matched above the threshold.
    pub hit: bool,
    /// Cached SQL to re-execute; `None` on a miss.
    #[serde(default)]
    pub sql: Option<String>,
    /// Cosine similarity of the best entry, when any entry exists (0.0 to 1.0).
    #[serde(default)]
    pub similarity: Option<f32>,
    /// Identifier of the matched entry; `None` on a miss.
    #[serde(default)]
    pub entry_id: Option<String>,
}

/// A previous attempt that failed, fed back to the generator for repair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RepairContext {
    /// Number of generation attempts made so far (1-based count).
    pub attempt: u32,
    /// The SQL that failed.
    pub failed_sql: String,
    /// The database's or the guard's error message.
    pub error: String,
}

/// Input of the SQL generation stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GenerateSqlRequest {
    /// Standalone question to answer.
    pub question: String,
    /// Datasource to write SQL for.
    pub datasource: String,
    /// Intent chosen by the classifier (`sql` or `chart`).
    pub intent: Intent,
    /// Present when this call repairs a failed attempt.
    #[serde(default)]
    pub repair: Option<RepairContext>,
}

/// Output of the SQL generation stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GenerateSqlResult {
    /// The generated SQL, already checked to be one read-only query.
    pub sql: String,
    /// Generation attempt number, 1-based.
    pub attempt: u32,
}

/// Input of the execution stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExecuteRequest {
    /// Datasource to run the query on.
    pub datasource: String,
    /// SQL to run.
    pub sql: String,
    /// Where the SQL came from: `generated`, `cache` or `user`.
    #[serde(default)]
    pub origin: Option<String>,
    /// Generation attempt that produced the SQL; `None` for cached SQL.
    #[serde(default)]
    pub generation_attempt: Option<u32>,
}

/// Output of the execution stage; a failed query is an outcome, not a stage error, so the
/// state machine can route it to the repair loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExecuteResult {
    /// `true` when the query ran and its rows were stored.
    pub succeeded: bool,
    /// Reference to the stored rows (`None` when the query failed).
    #[serde(default)]
    pub result_ref: Option<String>,
    /// Number of rows kept.
    #[serde(default)]
    pub n_rows: u64,
    /// `true` when the row cap cut the result.
    #[serde(default)]
    pub truncated: bool,
    /// The database's or the guard's error when the query failed.
    #[serde(default)]
    pub error: Option<String>,
}

/// Input of the explanation stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExplainRequest {
    /// Standalone question being answered.
    pub question: String,
    /// Datasource the question was asked of.
    pub datasource: String,
    /// Intent chosen by the classifier.
    pub intent: Intent,
    /// Guidance text for chat and out-of-scope questions.
    #[serde(default)]
    pub guidance: Option<String>,
    /// Reference to the stored rows, for data questions.
    #[serde(default)]
    pub result_ref: Option<String>,
    /// `true` when the rows come from a cached query: the answer is written from the rows
    /// alone, without a model call.
    #[serde(default)]
    pub from_cache: bool,
}

/// Output of the explanation stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExplainResult {
    /// Short natural-language answer grounded in the rows.
    pub answer: String,
    /// Vega-Lite chart specification when a chart helps; `None` otherwise.
    #[serde(default)]
    pub chart: Option<serde_json::Value>,
}

/// Input of the failure-recording step that every `Catch` leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordFailureRequest {
    /// Error name as the state machine saw it (`InvalidInput`, `Transient`, `Fatal`, `States.*`).
    pub error: String,
    /// Cause text; a JSON-encoded [`crate::error::StageFailure`] when a worker produced it.
    #[serde(default)]
    pub cause: Option<String>,
}

/// Output of the failure-recording step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordFailureResult {
    /// `true` once the failure is stored on the job.
    pub recorded: bool,
}
