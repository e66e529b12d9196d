//! The answer block printed by `analyst ask` and `analyst serve --ask`: SQL, rows, answer.
//!
//! Invariant: renders only; printing and exit codes belong to the commands.

use contracts::api::JobView;

use crate::table_print::render_table;

/// The block for a finished job: the SQL and rows when there are any, then the answer. A failed
/// job shows what it produced before failing; its reason comes from [`failure_message`].
pub fn render_answer(job_view: &JobView) -> String {
    let mut sections = Vec::new();
    if let Some(sql) = &job_view.sql {
        let cache_note = if job_view.cache_hit {
            " (from the semantic cache)"
        } else {
            ""
        };
        sections.push(format!("SQL{cache_note}:\n{}", indent(sql)));
    }
    if let Some(result_set) = &job_view.result {
        sections.push(format!("Rows:\n{}", indent(&render_table(result_set))));
    } else if job_view.result_expired {
        sections
            .push("Rows:\n  no longer stored (expired or evicted); run the SQL again".to_owned());
    }
    if let Some(answer) = &job_view.answer {
        sections.push(format!("Answer:\n{}", indent(answer)));
    }
    sections.join("\n\n")
}

/// Why a failed job failed, with the stage when known.
pub fn failure_message(job_view: &JobView) -> String {
    match &job_view.error {
        Some(stage_failure) => match &stage_failure.stage {
            Some(stage) => format!("job failed at stage {stage}: {}", stage_failure.message),
            None => format!("job failed: {}", stage_failure.message),
        },
        None => "job failed without a recorded reason".to_owned(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use contracts::api::{JobStatus, JobView};
    use contracts::error::{ErrorKind, StageFailure};
    use uuid::Uuid;

    use super::{failure_message, render_answer};

    fn job_view(status: JobStatus) -> JobView {
        JobView {
            job_id: Uuid::new_v4(),
            status,
            stage: None,
            question: "hello".to_owned(),
            datasource: "restaurants".to_owned(),
            intent: None,
            standalone_question: None,
            timings: Vec::new(),
            sql: None,
            attempts: Vec::new(),
            cache_hit: false,
            cache_similarity: None,
            cache_entry_id: None,
            model_calls: Vec::new(),
            feedback: Vec::new(),
            result: None,
            result_expired: false,
            answer: None,
            chart: None,
            error: None,
            submitted_at: Utc::now(),
            finished_at: None,
        }
    }

    #[test]
    fn a_chat_answer_prints_only_the_answer() {
        let mut chat_job = job_view(JobStatus::Succeeded);
        chat_job.answer = Some("Hello! Ask me about restaurants.".to_owned());

        let block = render_answer(&chat_job);

        assert_eq!(block, "Answer:\n  Hello! Ask me about restaurants.");
    }

    #[test]
    fn a_failed_job_shows_its_sql_and_the_stage_and_reason() {
        let mut failed_job = job_view(JobStatus::Failed);
        failed_job.sql = Some("SELECT 1".to_owned());
        failed_job.error = Some(StageFailure {
            kind: ErrorKind::InvalidInput,
            stage: Some("execute".to_owned()),
            message: "boom".to_owned(),
        });

        let block = render_answer(&failed_job);
        let reason = failure_message(&failed_job);

        assert_eq!(block, "SQL:\n  SELECT 1");
        assert_eq!(reason, "job failed at stage execute: boom");
    }
}
