//! Applying one `JobUpdate` to the job tables inside a caller's transaction.
//!
//! Invariant: the job row is locked (`SELECT ... FOR UPDATE`) before it is read, and a job whose
//! status is `succeeded` or `failed` is never written again, except that the stage that was
//! running when it ended still gets its duration.

use chrono::Utc;
use contracts::api::JobStatus;
use ports::job_store::JobUpdate;
use tokio_postgres::Transaction;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::job_columns::job_status_from_text;
use crate::postgres_error::PostgresError;

/// Applies `update` to job `job_id`; on a terminal job only the closing of a running stage
/// (its duration) is applied.
///
/// Fails with [`PostgresError::UnknownJob`] when no such job exists.
pub(crate) async fn apply_job_update(
    transaction: &Transaction<'_>,
    job_id: Uuid,
    update: &JobUpdate,
) -> Result<(), PostgresError> {
    let status_row = transaction
        .query_opt(
            "SELECT status FROM jobs WHERE job_id = $1 FOR UPDATE",
            &[&job_id],
        )
        .await?;
    let Some(status_row) = status_row else {
        return Err(PostgresError::UnknownJob(job_id.to_string()));
    };
    let status_text: String = status_row.try_get(0)?;
    let closes_a_stage = matches!(update, JobUpdate::StageFinished { .. });
    if job_status_from_text(&status_text)?.is_terminal() && !closes_a_stage {
        return Ok(());
    }
    match update {
        JobUpdate::StageStarted { stage, at } => {
            transaction
                .execute(
                    "UPDATE jobs SET status = $2, stage = $3 WHERE job_id = $1",
                    &[&job_id, &JobStatus::Running.as_str(), stage],
                )
                .await?;
            transaction
                .execute(
                    "INSERT INTO job_stage_timings (job_id, stage, started_at, duration_ms, outcome)
                     VALUES ($1, $2, $3, NULL, 'running')",
                    &[&job_id, stage, at],
                )
                .await?;
        }
        JobUpdate::StageFinished {
            stage,
            duration_ms,
            succeeded,
        } => {
            // A finish without a matching running row changes nothing.
            let duration_ms = saturating_bigint(*duration_ms);
            transaction
                .execute(
                    "UPDATE job_stage_timings SET duration_ms = $3, outcome = $4
                     WHERE timing_id = (
                         SELECT MAX(timing_id) FROM job_stage_timings
                         WHERE job_id = $1 AND stage = $2 AND outcome = 'running'
                     )",
                    &[&job_id, stage, &duration_ms, &outcome_name(*succeeded)],
                )
                .await?;
        }
        JobUpdate::Rewritten {
            standalone_question,
        } => {
            transaction
                .execute(
                    "UPDATE jobs SET standalone_question = $2 WHERE job_id = $1",
                    &[&job_id, standalone_question],
                )
                .await?;
        }
        JobUpdate::Classified { intent } => {
            transaction
                .execute(
                    "UPDATE jobs SET intent = $2 WHERE job_id = $1",
                    &[&job_id, &intent.as_str()],
                )
                .await?;
        }
        JobUpdate::CacheChecked {
            hit,
            similarity,
            entry_id,
        } => {
            transaction
                .execute(
                    "UPDATE jobs SET cache_hit = $2, cache_similarity = $3, cache_entry_id = $4
                     WHERE job_id = $1",
                    &[&job_id, hit, similarity, entry_id],
                )
                .await?;
        }
        JobUpdate::ModelCalled(model_call) => {
            transaction
                .execute(
                    "INSERT INTO job_model_calls
                         (job_id, stage, model_id, prompt_version, input_tokens, output_tokens, duration_ms,
                          cost_usd)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &job_id,
                        &model_call.stage,
                        &model_call.model_id,
                        &model_call.prompt_version,
                        &saturating_bigint(model_call.input_tokens),
                        &saturating_bigint(model_call.output_tokens),
                        &saturating_bigint(model_call.duration_ms),
                        &model_call.cost_usd,
                    ],
                )
                .await?;
        }
        JobUpdate::SqlAttempted(sql_attempt) => {
            // An update without SQL only reports the attempt's error, so the SQL is kept.
            transaction
                .execute(
                    "INSERT INTO job_sql_attempts (job_id, attempt, sql, error) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (job_id, attempt) DO UPDATE SET
                         sql = CASE WHEN excluded.sql = '' THEN job_sql_attempts.sql ELSE excluded.sql END,
                         error = excluded.error",
                    &[
                        &job_id,
                        &i64::from(sql_attempt.attempt),
                        &sql_attempt.sql,
                        &sql_attempt.error,
                    ],
                )
                .await?;
        }
        JobUpdate::Executed { sql, result_ref } => {
            transaction
                .execute(
                    "UPDATE jobs SET sql = $2, result_ref = $3 WHERE job_id = $1",
                    &[&job_id, sql, result_ref],
                )
                .await?;
        }
        JobUpdate::Answered { answer, chart } => {
            transaction
                .execute(
                    "UPDATE jobs SET status = $2, answer = $3, chart = $4, finished_at = $5
                     WHERE job_id = $1",
                    &[
                        &job_id,
                        &JobStatus::Succeeded.as_str(),
                        answer,
                        &chart.as_ref().map(Json),
                        &Utc::now(),
                    ],
                )
                .await?;
        }
        JobUpdate::Failed(stage_failure) => {
            transaction
                .execute(
                    "UPDATE jobs SET status = $2, error = $3, finished_at = $4 WHERE job_id = $1",
                    &[
                        &job_id,
                        &JobStatus::Failed.as_str(),
                        &Json(stage_failure),
                        &Utc::now(),
                    ],
                )
                .await?;
        }
    }
    Ok(())
}

/// Stored outcome of a finished stage.
fn outcome_name(succeeded: bool) -> &'static str {
    if succeeded { "ok" } else { "error" }
}

/// `value` as a PostgreSQL bigint, capped at `i64::MAX`.
fn saturating_bigint(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
