//! Which unfinished jobs are resumed at start-up: a job found `running` was interrupted by the
//! stop of the process that ran it; after its second interruption it is failed instead of
//! resumed, so a job that brings the process down (a poison job) cannot do so forever.
//!
//! Invariant: every interruption is counted in the job store before the job is resumed, so a
//! crash during the resume itself still counts.

use contracts::api::JobStatus;
use contracts::error::{ErrorKind, StageFailure};
use ports::job_store::{JobStore, JobUpdate, NewJob};
use ports::store_error::StoreError;

/// Interruptions after which a job is failed rather than resumed.
pub const MAX_INTERRUPTIONS: u32 = 2;

/// The message a job failed for its interruptions carries.
pub const INTERRUPTED_TWICE_MESSAGE: &str = "interrupted twice: the server stopped while this job was running, two times; it is not resumed again";

/// The unfinished jobs to resume, oldest first. Each job found `running` counts one more
/// interruption; one that reaches [`MAX_INTERRUPTIONS`] is marked failed and left out. Queued
/// jobs that never started are always resumed.
pub async fn jobs_to_resume(job_store: &dyn JobStore) -> Result<Vec<NewJob>, StoreError> {
    let mut resumable = Vec::new();
    for job in job_store.unfinished_jobs().await? {
        if job_store.job_status(job.job_id).await? != Some(JobStatus::Running) {
            resumable.push(job);
            continue;
        }
        let n_interruptions = job_store.record_interruption(job.job_id).await?;
        if n_interruptions < MAX_INTERRUPTIONS {
            resumable.push(job);
            continue;
        }
        tracing::warn!(job_id = %job.job_id, n_interruptions, "job interrupted twice, failed instead of resumed");
        let failure = StageFailure {
            kind: ErrorKind::Fatal,
            stage: None,
            message: INTERRUPTED_TWICE_MESSAGE.to_owned(),
        };
        job_store
            .update(job.job_id, JobUpdate::Failed(failure))
            .await?;
    }
    Ok(resumable)
}
