//! The envelope every stage message travels in.
//!
//! Invariant: an envelope never carries result rows or prompts, only references to them.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of the envelope and stage payload shapes produced by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// One message between the orchestrator and a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JobEnvelope<T> {
    /// Shape version of this envelope and its payload; consumers accept this and the previous one.
    pub schema_version: u32,
    /// The job this message belongs to.
    pub job_id: Uuid,
    /// Follows one question from the HTTP request to the explanation (the request id).
    pub correlation_id: String,
    /// Delivery attempt of this stage, starting at 0 (the state machine's retry count).
    #[serde(default)]
    pub attempt: u32,
    /// When the question was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When this message was produced; `None` from producers that do not stamp it.
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    /// The stage-specific content.
    pub payload: T,
}

/// The body of a message on a worker queue: the envelope plus the token the worker reports
/// its result with (Step Functions task token, or the local runner's equivalent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TaskMessage {
    /// Token to pass to SendTaskSuccess / SendTaskFailure.
    pub task_token: String,
    /// Stage name: `classify`, `cache_lookup`, `generate_sql`, `execute`, `explain`, `record_failure`.
    pub stage: String,
    /// The stage's `JobEnvelope`, typed by `stage`.
    pub envelope: serde_json::Value,
}
