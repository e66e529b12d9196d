//! The approval loop: a reviewer's verdict on an answered job, which admits the question/SQL
//! pair to the semantic cache and the few-shot memory.
//!
//! Invariant: an approval never silently replaces an approved pair of the same question whose
//! SQL differs; a rejection never removes or changes any stored pair.

use async_trait::async_trait;
use contracts::api::{FeedbackRecord, Verdict};
use uuid::Uuid;

use crate::store_error::StoreError;

/// A reviewer's feedback on one job.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackInput {
    /// Job the feedback is about.
    pub job_id: Uuid,
    /// Approve or reject.
    pub verdict: Verdict,
    /// SQL to store instead of the job's (approve only).
    pub corrected_sql: Option<String>,
    /// Free-text remark.
    pub comment: Option<String>,
    /// Replace approved pairs of the same question whose SQL differs.
    pub replace_existing: bool,
    /// Name of the reviewer's API key.
    pub given_by: String,
}

/// Feedback that cannot be recorded.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// No job has this id.
    #[error("job {0} does not exist")]
    UnknownJob(Uuid),
    /// The job is still queued or running.
    #[error("job {0} has not finished yet")]
    NotFinished(Uuid),
    /// The request contradicts itself (a correction with a rejection, an empty correction).
    #[error("{0}")]
    Invalid(String),
    /// The job produced no SQL (a chat answer, a failure), so only a correction can be approved.
    #[error("{0}")]
    NothingToApprove(String),
    /// The corrected SQL was refused by the guard or failed when run.
    #[error("the corrected SQL does not run: {0}")]
    SqlRejected(String),
    /// An approved pair of the same question holds other SQL.
    #[error(
        "an approved entry for this question holds different SQL ({}); send replace_existing to replace it",
        entry_ids.join(", ")
    )]
    Conflict {
        /// The approved entries in the way.
        entry_ids: Vec<String>,
    },
    /// The engine or the embedder could not be reached; retrying may help.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records feedback and admits approved pairs.
#[async_trait]
pub trait Approvals: Send + Sync {
    /// Records the feedback; on approval, stores the pair in the cache (under the current
    /// schema version) and in the few-shot memory, and returns where.
    async fn record_feedback(&self, input: FeedbackInput) -> Result<FeedbackRecord, ApprovalError>;
}
