//! How one evaluated question ended, from the finished job and the gold comparison.
//!
//! Invariant: every question gets exactly one outcome, and only [`QuestionOutcome::Correct`]
//! counts towards accuracy.

use contracts::api::{JobStatus, JobView};
use contracts::error::ErrorKind;
use contracts::result::ResultSet;
use serde::Serialize;

/// Stage whose refusal counts as a decline.
const GENERATE_SQL_STAGE: &str = "generate_sql";

/// Final verdict on one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionOutcome {
    /// The job's rows match a gold result.
    Correct,
    /// The job answered with rows that match no gold result.
    Incorrect,
    /// The job ran no query: the model declined, or the question was judged not about data.
    Declined,
    /// The job failed: its queries kept failing, or a stage broke.
    Failed,
    /// The job could not be submitted or did not finish in time.
    Lost,
    /// The job answered with rows, but no gold query could be run to compare them.
    GoldFailed,
}

impl QuestionOutcome {
    /// Wire name of the outcome.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionOutcome::Correct => "correct",
            QuestionOutcome::Incorrect => "incorrect",
            QuestionOutcome::Declined => "declined",
            QuestionOutcome::Failed => "failed",
            QuestionOutcome::Lost => "lost",
            QuestionOutcome::GoldFailed => "gold_failed",
        }
    }
}

/// What a finished job delivered, before any comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEnd<'a> {
    /// Rows to compare with the gold results.
    Answered(&'a ResultSet),
    /// No query ran; the reason given.
    Declined(String),
    /// The job failed; the recorded error.
    Failed(String),
    /// The job has not finished.
    Unfinished,
}

/// Classifies a job: succeeded with rows is an answer; succeeded without rows (chat or
/// out-of-scope) and a refusal at `generate_sql` before any SQL was tried are declines; every
/// other failure is a failure.
pub fn job_end(job_view: &JobView) -> JobEnd<'_> {
    match job_view.status {
        JobStatus::Queued | JobStatus::Running => JobEnd::Unfinished,
        JobStatus::Succeeded => match &job_view.result {
            Some(result_set) => JobEnd::Answered(result_set),
            None => JobEnd::Declined(format!(
                "answered without a query (intent {})",
                job_view
                    .intent
                    .and_then(|intent| serde_json::to_value(intent).ok())
                    .and_then(|intent| intent.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "unknown".to_owned())
            )),
        },
        JobStatus::Failed => {
            let message = job_view.error.as_ref().map_or_else(
                || "failed without a recorded error".to_owned(),
                |error| error.message.clone(),
            );
            let refused_before_any_sql = job_view.attempts.is_empty()
                && job_view.error.as_ref().is_some_and(|error| {
                    error.kind == ErrorKind::InvalidInput
                        && error.stage.as_deref() == Some(GENERATE_SQL_STAGE)
                });
            if refused_before_any_sql {
                JobEnd::Declined(message)
            } else {
                JobEnd::Failed(message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use contracts::api::SqlAttempt;
    use contracts::error::StageFailure;
    use contracts::result::ResultSet;
    use uuid::Uuid;

    use super::*;

    /// A job view with only the required fields, built the way a client reads one.
    fn job_view(status: JobStatus) -> JobView {
        serde_json::from_value(serde_json::json!({
            "job_id": Uuid::nil(),
            "status": status,
            "question": "how many?",
            "datasource": "restaurants",
            "submitted_at": Utc::now(),
        }))
        .unwrap()
    }

    fn failure(kind: ErrorKind, stage: &str) -> Option<StageFailure> {
        Some(StageFailure {
            kind,
            stage: Some(stage.to_owned()),
            message: "no table holds weather".to_owned(),
        })
    }

    #[test]
    fn a_refusal_before_any_sql_is_a_decline() {
        let mut refused = job_view(JobStatus::Failed);
        refused.error = failure(ErrorKind::InvalidInput, "generate_sql");

        assert_eq!(
            job_end(&refused),
            JobEnd::Declined("no table holds weather".to_owned())
        );
    }

    #[test]
    fn failing_queries_and_broken_stages_are_failures() {
        let mut repairs_exhausted = job_view(JobStatus::Failed);
        repairs_exhausted.error = failure(ErrorKind::InvalidInput, "generate_sql");
        repairs_exhausted.attempts = vec![SqlAttempt {
            attempt: 1,
            sql: "SELECT nope".to_owned(),
            error: Some("no column nope".to_owned()),
        }];
        let mut broken = job_view(JobStatus::Failed);
        broken.error = failure(ErrorKind::Fatal, "classify");

        assert!(matches!(job_end(&repairs_exhausted), JobEnd::Failed(_)));
        assert!(matches!(job_end(&broken), JobEnd::Failed(_)));
    }

    #[test]
    fn success_with_rows_is_an_answer_and_without_rows_a_decline() {
        let mut answered = job_view(JobStatus::Succeeded);
        answered.result = Some(ResultSet {
            columns: Vec::new(),
            rows: Vec::new(),
            truncated: false,
            total_rows: None,
        });
        let chatted = job_view(JobStatus::Succeeded);

        assert!(matches!(job_end(&answered), JobEnd::Answered(_)));
        assert!(matches!(job_end(&chatted), JobEnd::Declined(_)));
        assert_eq!(job_end(&job_view(JobStatus::Running)), JobEnd::Unfinished);
    }
}
