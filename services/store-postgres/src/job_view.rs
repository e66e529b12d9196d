//! Assembling the API's `JobView` from the job tables.
//!
//! Invariant: read-only; the view's rows come from the job's latest executed `result_ref`, and
//! only while they are unexpired.

use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobView, ModelCall, SqlAttempt, StageTiming};
use contracts::error::StageFailure;
use tokio_postgres::Transaction;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::job_columns::{intent_from_text, job_status_from_text, unsigned_from_bigint};
use crate::job_results::load_result_set;
use crate::postgres_error::PostgresError;

/// The view of job `job_id`, without rows stored before `expiry_cutoff`; `None` when no such
/// job exists.
pub(crate) async fn load_job_view(
    transaction: &Transaction<'_>,
    job_id: Uuid,
    expiry_cutoff: DateTime<Utc>,
) -> Result<Option<JobView>, PostgresError> {
    let job_row = transaction
        .query_opt(
            "SELECT status, stage, question, datasource, intent, sql, result_ref, cache_hit, answer,
                    chart, error, submitted_at, finished_at, cache_similarity, cache_entry_id,
                    standalone_question
             FROM jobs WHERE job_id = $1",
            &[&job_id],
        )
        .await?;
    let Some(row) = job_row else {
        return Ok(None);
    };
    let result_ref: Option<String> = row.try_get(6)?;
    let result = match &result_ref {
        Some(result_ref) => load_result_set(transaction, result_ref, expiry_cutoff).await?,
        None => None,
    };
    // Execution stores the rows before it records their reference, so a reference without
    // rows means the rows expired or were evicted.
    let result_expired = result_ref.is_some() && result.is_none();
    let status: String = row.try_get(0)?;
    let intent: Option<String> = row.try_get(4)?;
    let chart: Option<Json<serde_json::Value>> = row.try_get(9)?;
    let error: Option<Json<StageFailure>> = row.try_get(10)?;
    Ok(Some(JobView {
        job_id,
        status: job_status_from_text(&status)?,
        stage: row.try_get(1)?,
        question: row.try_get(2)?,
        datasource: row.try_get(3)?,
        intent: intent.as_deref().map(intent_from_text).transpose()?,
        standalone_question: row.try_get(15)?,
        timings: load_stage_timings(transaction, job_id).await?,
        sql: row.try_get(5)?,
        attempts: load_sql_attempts(transaction, job_id).await?,
        cache_hit: row.try_get(7)?,
        cache_similarity: row.try_get(13)?,
        cache_entry_id: row.try_get(14)?,
        model_calls: load_model_calls(transaction, job_id).await?,
        feedback: load_feedback(transaction, job_id).await?,
        result,
        result_expired,
        answer: row.try_get(8)?,
        chart: chart.map(|Json(chart)| chart),
        error: error.map(|Json(error)| error),
        submitted_at: row.try_get(11)?,
        finished_at: row.try_get(12)?,
    }))
}

async fn load_stage_timings(
    transaction: &Transaction<'_>,
    job_id: Uuid,
) -> Result<Vec<StageTiming>, PostgresError> {
    let rows = transaction
        .query(
            "SELECT stage, started_at, duration_ms, outcome FROM job_stage_timings
             WHERE job_id = $1 ORDER BY timing_id",
            &[&job_id],
        )
        .await?;
    let mut timings = Vec::with_capacity(rows.len());
    for row in rows {
        let started_at: DateTime<Utc> = row.try_get(1)?;
        let duration_ms: Option<i64> = row.try_get(2)?;
        timings.push(StageTiming {
            stage: row.try_get(0)?,
            started_at,
            duration_ms: duration_ms
                .map(|duration_ms| unsigned_from_bigint(duration_ms, "stage duration"))
                .transpose()?,
            outcome: row.try_get(3)?,
        });
    }
    Ok(timings)
}

async fn load_sql_attempts(
    transaction: &Transaction<'_>,
    job_id: Uuid,
) -> Result<Vec<SqlAttempt>, PostgresError> {
    let rows = transaction
        .query(
            "SELECT attempt, sql, error FROM job_sql_attempts WHERE job_id = $1 ORDER BY attempt",
            &[&job_id],
        )
        .await?;
    let mut attempts = Vec::with_capacity(rows.len());
    for row in rows {
        attempts.push(SqlAttempt {
            attempt: unsigned_from_bigint(row.try_get(0)?, "attempt number")?,
            sql: row.try_get(1)?,
            error: row.try_get(2)?,
        });
    }
    Ok(attempts)
}

async fn load_model_calls(
    transaction: &Transaction<'_>,
    job_id: Uuid,
) -> Result<Vec<ModelCall>, PostgresError> {
    let rows = transaction
        .query(
            "SELECT stage, model_id, prompt_version, input_tokens, output_tokens, duration_ms, cost_usd
             FROM job_model_calls WHERE job_id = $1 ORDER BY call_id",
            &[&job_id],
        )
        .await?;
    let mut model_calls = Vec::with_capacity(rows.len());
    for row in rows {
        model_calls.push(ModelCall {
            stage: row.try_get(0)?,
            model_id: row.try_get(1)?,
            prompt_version: row.try_get(2)?,
            input_tokens: unsigned_from_bigint(row.try_get(3)?, "input tokens")?,
            output_tokens: unsigned_from_bigint(row.try_get(4)?, "output tokens")?,
            duration_ms: unsigned_from_bigint(row.try_get(5)?, "model call duration")?,
            cost_usd: row.try_get(6)?,
        });
    }
    Ok(model_calls)
}

async fn load_feedback(
    transaction: &Transaction<'_>,
    job_id: Uuid,
) -> Result<Vec<FeedbackRecord>, PostgresError> {
    let rows = transaction
        .query(
            "SELECT record FROM job_feedback WHERE job_id = $1 ORDER BY feedback_id",
            &[&job_id],
        )
        .await?;
    let mut feedback = Vec::with_capacity(rows.len());
    for row in rows {
        let Json(record) = row.try_get::<_, Json<FeedbackRecord>>(0)?;
        feedback.push(record);
    }
    Ok(feedback)
}
