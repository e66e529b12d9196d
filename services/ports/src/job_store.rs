//! Durable job records: status, stage progress, SQL attempts, stored rows and the answer.
//!
//! Invariant: a job that reached `succeeded` or `failed` is never changed again, except that
//! the stage that was running when it ended still gets its duration.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobStatus, JobView, ModelCall, SqlAttempt};
use contracts::error::StageFailure;
use contracts::result::ResultSet;
use contracts::stages::Intent;
use uuid::Uuid;

use crate::store_error::StoreError;

/// A question accepted by the API, before any stage ran.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Identifier of the job.
    pub job_id: Uuid,
    /// Request id that follows the question through every stage.
    pub correlation_id: String,
    /// The question as submitted.
    pub question: String,
    /// Datasource asked.
    pub datasource: String,
    /// Conversation the question continues.
    pub conversation_id: Option<String>,
    /// SQL given by the user, run instead of generating one.
    pub provided_sql: Option<String>,
    /// Id of the API key that submitted the job, the only non-admin key that may reach it;
    /// `None` for jobs stored before owners were recorded, which only admin keys reach.
    pub owner_key_id: Option<String>,
    /// Client-chosen key, unique per store, that makes a repeated submission return the first
    /// job instead of creating another (the API scopes it by API key).
    pub idempotency_key: Option<String>,
    /// When the question was submitted.
    pub submitted_at: DateTime<Utc>,
}

/// Who may reach a job (or a conversation, through its first job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOwner {
    /// Id of the submitting API key; `None` when the job predates owner records.
    pub key_id: Option<String>,
}

impl JobOwner {
    /// `true` when `key_id` is the owner's key; an unrecorded owner admits no key.
    pub fn is_key(&self, key_id: &str) -> bool {
        self.key_id.as_deref() == Some(key_id)
    }
}

/// An earlier answered question of the same conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationTurn {
    /// The question as it stood alone (the rewrite, when it was a follow-up).
    pub question: String,
    /// The SQL that answered it.
    pub sql: Option<String>,
    /// The answer.
    pub answer: Option<String>,
}

/// One change to a job, applied atomically by [`JobStore::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum JobUpdate {
    /// A stage began; the job becomes `running`.
    StageStarted {
        /// Stage name.
        stage: String,
        /// Start time.
        at: DateTime<Utc>,
    },
    /// A stage ended.
    StageFinished {
        /// Stage name.
        stage: String,
        /// Duration in milliseconds.
        duration_ms: u64,
        /// `true` when the stage returned without error.
        succeeded: bool,
    },
    /// A follow-up was rewritten to stand alone.
    Rewritten {
        /// The rewritten question.
        standalone_question: String,
    },
    /// The classifier chose an intent.
    Classified {
        /// Chosen intent.
        intent: Intent,
    },
    /// The semantic cache was consulted.
    CacheChecked {
        /// `true` on a hit.
        hit: bool,
        /// Best similarity seen, if any entry existed.
        similarity: Option<f32>,
        /// Entry whose SQL is reused, on a hit.
        entry_id: Option<String>,
    },
    /// A language-model call finished (appended in call order).
    ModelCalled(ModelCall),
    /// A generation attempt produced SQL (or met an error when run); upserted by attempt number.
    SqlAttempted(SqlAttempt),
    /// A query ran and its rows were stored under `result_ref`.
    Executed {
        /// SQL that ran.
        sql: String,
        /// Reference of the stored rows.
        result_ref: String,
    },
    /// The answer is ready; the job becomes `succeeded`.
    Answered {
        /// The answer text.
        answer: String,
        /// Vega-Lite chart, when one helps.
        chart: Option<serde_json::Value>,
    },
    /// The job ended with an error; it becomes `failed`.
    Failed(StageFailure),
}

/// Store of jobs and their results.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Records a new job in status `queued`; a job id or idempotency key already stored is a
    /// [`StoreError::Conflict`].
    async fn create_job(&self, job: NewJob) -> Result<(), StoreError>;

    /// The output a task reported, by its task token; `None` when the task never completed.
    async fn completed_task_output(
        &self,
        task_token: &str,
    ) -> Result<Option<serde_json::Value>, StoreError>;

    /// Records the output of a completed task (the first record of a token wins), so a
    /// redelivered task message is answered without running the stage again.
    async fn record_task_output(
        &self,
        job_id: Uuid,
        task_token: &str,
        stage: &str,
        output: &serde_json::Value,
    ) -> Result<(), StoreError>;

    /// The job created with `idempotency_key`, if any.
    async fn job_for_idempotency_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Uuid>, StoreError>;

    /// Applies one update; updates to a terminal job are ignored, except `StageFinished`,
    /// which closes the stage that ended the job.
    async fn update(&self, job_id: Uuid, update: JobUpdate) -> Result<(), StoreError>;

    /// The job's status alone (cheap: no rows); `None` when no such job exists.
    async fn job_status(&self, job_id: Uuid) -> Result<Option<JobStatus>, StoreError>;

    /// The owner of the job; `None` when no such job exists.
    async fn job_owner(&self, job_id: Uuid) -> Result<Option<JobOwner>, StoreError>;

    /// The owner of the conversation: the owner of its first job (earliest submitted); `None`
    /// when no job carries this conversation id.
    async fn conversation_owner(
        &self,
        conversation_id: &str,
    ) -> Result<Option<JobOwner>, StoreError>;

    /// The job as the API shows it, rows included; `None` when no such job exists. Rows that
    /// expired or were evicted under the store's retention policy
    /// ([`crate::result_retention`]) are absent, and the view says so with `result_expired`.
    async fn get_job(&self, job_id: Uuid) -> Result<Option<JobView>, StoreError>;

    /// Stores the rows of one execution under `result_ref`, replacing any earlier copy, with
    /// their size, the job's owner and the time; then applies the store's retention policy
    /// ([`crate::result_retention`]): deletes a bounded batch of expired results, and the
    /// owner's oldest results while the owner's total is above its cap (the rows just stored
    /// are kept).
    async fn store_result(
        &self,
        job_id: Uuid,
        result_ref: &str,
        result: &ResultSet,
    ) -> Result<(), StoreError>;

    /// Loads rows stored by [`JobStore::store_result`]; `None` when nothing is stored under
    /// `result_ref`, or when what is stored there has expired.
    async fn load_result(&self, result_ref: &str) -> Result<Option<ResultSet>, StoreError>;

    /// Jobs that are `queued` or `running`, oldest first (used to resume after a restart).
    async fn unfinished_jobs(&self) -> Result<Vec<NewJob>, StoreError>;

    /// Counts one more interruption of a job (found `running` at start-up, after the process
    /// that ran it stopped) and returns how many it has had; an unknown job is a
    /// [`StoreError::Conflict`].
    async fn record_interruption(&self, job_id: Uuid) -> Result<u32, StoreError>;

    /// The last `limit` succeeded jobs of `conversation_id` submitted before `before`, oldest
    /// first, counting only jobs of the conversation's owner (see
    /// [`JobStore::conversation_owner`]), so a job another key placed in the conversation never
    /// becomes context for the owner's follow-ups.
    async fn conversation_turns(
        &self,
        conversation_id: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ConversationTurn>, StoreError>;

    /// Appends feedback to a finished job; shown in its view, oldest first.
    async fn record_feedback(&self, feedback: &FeedbackRecord) -> Result<(), StoreError>;
}
