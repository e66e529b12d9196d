//! Applying one `JobUpdate` to the job tables inside a caller's transaction.
//!
//! Invariant: a job whose status is `succeeded` or `failed` is never written again.

use chrono::Utc;
use contracts::api::JobStatus;
use ports::job_store::JobUpdate;
use rusqlite::{OptionalExtension, Transaction};
use uuid::Uuid;

use crate::job_columns::job_status_from_text;
use crate::sqlite_error::SqliteError;
use crate::timestamp_text::timestamp_to_text;

/// Applies `update` to job `job_id`; on a terminal job only the closing of a running stage
/// (its duration) is applied.
///
/// Fails with [`SqliteError::UnknownJob`] when no such job exists.
pub(crate) fn apply_job_update(
    transaction: &Transaction<'_>,
    job_id: Uuid,
    update: &JobUpdate,
) -> Result<(), SqliteError> {
    let job_id = job_id.to_string();
    let status_text: Option<String> = transaction
        .query_row(
            "SELECT status FROM jobs WHERE job_id = ?1",
            [&job_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(status_text) = status_text else {
        return Err(SqliteError::UnknownJob(job_id));
    };
    let closes_a_stage = matches!(update, JobUpdate::StageFinished { .. });
    if job_status_from_text(&status_text)?.is_terminal() && !closes_a_stage {
        return Ok(());
    }
    match update {
        JobUpdate::StageStarted { stage, at } => {
            transaction.execute(
                "UPDATE jobs SET status = ?2, stage = ?3 WHERE job_id = ?1",
                (&job_id, JobStatus::Running.as_str(), stage),
            )?;
            transaction.execute(
                "INSERT INTO job_stage_timings (job_id, stage, started_at, duration_ms, outcome)
                 VALUES (?1, ?2, ?3, NULL, 'running')",
                (&job_id, stage, timestamp_to_text(*at)),
            )?;
        }
        JobUpdate::StageFinished {
            stage,
            duration_ms,
            succeeded,
        } => {
            // A finish without a matching running row changes nothing.
            transaction.execute(
                "UPDATE job_stage_timings SET duration_ms = ?3, outcome = ?4
                 WHERE timing_id = (
                     SELECT MAX(timing_id) FROM job_stage_timings
                     WHERE job_id = ?1 AND stage = ?2 AND outcome = 'running'
                 )",
                (
                    &job_id,
                    stage,
                    saturating_i64(*duration_ms),
                    outcome_name(*succeeded),
                ),
            )?;
        }
        JobUpdate::Rewritten {
            standalone_question,
        } => {
            transaction.execute(
                "UPDATE jobs SET standalone_question = ?2 WHERE job_id = ?1",
                (&job_id, standalone_question),
            )?;
        }
        JobUpdate::Classified { intent } => {
            transaction.execute(
                "UPDATE jobs SET intent = ?2 WHERE job_id = ?1",
                (&job_id, intent.as_str()),
            )?;
        }
        JobUpdate::CacheChecked {
            hit,
            similarity,
            entry_id,
        } => {
            transaction.execute(
                "UPDATE jobs SET cache_hit = ?2, cache_similarity = ?3, cache_entry_id = ?4 WHERE job_id = ?1",
                (&job_id, hit, similarity.map(f64::from), entry_id),
            )?;
        }
        JobUpdate::ModelCalled(model_call) => {
            transaction.execute(
                "INSERT INTO job_model_calls
                     (job_id, stage, model_id, prompt_version, input_tokens, output_tokens, duration_ms,
                      cost_usd)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (
                    &job_id,
                    &model_call.stage,
                    &model_call.model_id,
                    &model_call.prompt_version,
                    saturating_i64(model_call.input_tokens),
                    saturating_i64(model_call.output_tokens),
                    saturating_i64(model_call.duration_ms),
                    model_call.cost_usd,
                ),
            )?;
        }
        JobUpdate::SqlAttempted(sql_attempt) => {
            // An update without SQL only reports the attempt's error, so the SQL is kept.
            transaction.execute(
                "INSERT INTO job_sql_attempts (job_id, attempt, sql, error) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (job_id, attempt) DO UPDATE SET
                     sql = CASE WHEN excluded.sql = '' THEN job_sql_attempts.sql ELSE excluded.sql END,
                     error = excluded.error",
                (&job_id, sql_attempt.attempt, &sql_attempt.sql, &sql_attempt.error),
            )?;
        }
        JobUpdate::Executed { sql, result_ref } => {
            transaction.execute(
                "UPDATE jobs SET sql = ?2, result_ref = ?3 WHERE job_id = ?1",
                (&job_id, sql, result_ref),
            )?;
        }
        JobUpdate::Answered { answer, chart } => {
            let chart_json = chart.as_ref().map(serde_json::to_string).transpose()?;
            transaction.execute(
                "UPDATE jobs SET status = ?2, answer = ?3, chart_json = ?4, finished_at = ?5 WHERE job_id = ?1",
                (&job_id, JobStatus::Succeeded.as_str(), answer, chart_json, timestamp_to_text(Utc::now())),
            )?;
        }
        JobUpdate::Failed(stage_failure) => {
            transaction.execute(
                "UPDATE jobs SET status = ?2, error_json = ?3, finished_at = ?4 WHERE job_id = ?1",
                (
                    &job_id,
                    JobStatus::Failed.as_str(),
                    serde_json::to_string(stage_failure)?,
                    timestamp_to_text(Utc::now()),
                ),
            )?;
        }
    }
    Ok(())
}

/// `value` as SQLite's integer, capped at `i64::MAX`.
fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Stored outcome of a finished stage.
fn outcome_name(succeeded: bool) -> &'static str {
    if succeeded { "ok" } else { "error" }
}
