//! [`record_ended_execution`]: the failure of a question whose Step Functions execution ended
//! (failed, timed out, aborted) without its failure recorder having run, e.g. a top-level
//! timeout, which no `Catch` can take, or a recorder that could not start.
//!
//! Invariant: a job that already ended is never changed, so a status change that arrives after
//! the recorder (or after success) is a no-op.

use contracts::error::{ErrorKind, StageFailure};
use contracts::execution_status::{ExecutionDetail, ExecutionStatus};
use ports::job_store::{JobStore, JobUpdate};
use ports::store_error::StoreError;
use uuid::Uuid;

/// Longest cause text copied onto the job.
const MAX_CAUSE_CHARS: usize = 1000;

/// What [`record_ended_execution`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedExecution {
    /// The job was still queued or running; it is now failed.
    Recorded,
    /// The job had already ended.
    AlreadyEnded,
    /// The execution succeeded or is still running.
    NotAFailure,
    /// The execution's name is no job of this store.
    UnknownJob,
}

/// Marks the job of `execution` failed when the execution ended unsuccessfully and the job did
/// not end.
pub async fn record_ended_execution(
    job_store: &dyn JobStore,
    execution: &ExecutionDetail,
) -> Result<EndedExecution, StoreError> {
    if !execution.status.ended_unsuccessfully() {
        return Ok(EndedExecution::NotAFailure);
    }
    let Ok(job_id) = execution.name.parse::<Uuid>() else {
        return Ok(EndedExecution::UnknownJob);
    };
    match job_store.job_status(job_id).await? {
        None => return Ok(EndedExecution::UnknownJob),
        Some(status) if status.is_terminal() => return Ok(EndedExecution::AlreadyEnded),
        Some(_) => {}
    }
    let failure = StageFailure {
        kind: match execution.status {
            ExecutionStatus::TimedOut => ErrorKind::Transient,
            _ => ErrorKind::Fatal,
        },
        stage: None,
        message: ended_execution_message(execution, "the question's execution", "the job"),
    };
    tracing::warn!(%job_id, status = execution.status.as_str(), "execution ended without recording the job's end");
    job_store.update(job_id, JobUpdate::Failed(failure)).await?;
    Ok(EndedExecution::Recorded)
}

/// "`subject` timed out before `what` ended (States.Timeout: …)", the cause cut to
/// [`MAX_CAUSE_CHARS`]; the failure text of a job or upload whose execution ended unrecorded.
pub fn ended_execution_message(execution: &ExecutionDetail, subject: &str, what: &str) -> String {
    let ended = match execution.status {
        ExecutionStatus::TimedOut => "timed out",
        ExecutionStatus::Aborted => "was stopped",
        _ => "failed",
    };
    let detail = match (&execution.error, &execution.cause) {
        (Some(error), Some(cause)) if !cause.is_empty() => {
            format!(" ({error}: {})", truncated(cause))
        }
        (Some(error), _) => format!(" ({error})"),
        (None, Some(cause)) if !cause.is_empty() => format!(" ({})", truncated(cause)),
        _ => String::new(),
    };
    format!("{subject} {ended} before {what} ended{detail}")
}

fn truncated(text: &str) -> String {
    match text.char_indices().nth(MAX_CAUSE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
