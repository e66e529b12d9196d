//! Assembling the API's `JobView` from the job tables.
//!
//! Invariant: read-only; the view's rows come from the job's latest executed `result_ref`, and
//! only while they are unexpired.

use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobView, ModelCall, SqlAttempt, StageTiming};
use contracts::error::StageFailure;
use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

use crate::job_columns::{intent_from_text, job_status_from_text};
use crate::job_results::load_result_set;
use crate::sqlite_error::SqliteError;
use crate::timestamp_text::timestamp_from_text;

/// The view of job `job_id`, without rows stored before `expiry_cutoff`; `None` when no such
/// job exists.
pub(crate) fn load_job_view(
    connection: &Connection,
    job_id: Uuid,
    expiry_cutoff: DateTime<Utc>,
) -> Result<Option<JobView>, SqliteError> {
    let job_id_text = job_id.to_string();
    let job_row = connection
        .query_row(
            "SELECT status, stage, question, datasource, intent, sql, result_ref, cache_hit, answer,
                    chart_json, error_json, submitted_at, finished_at, cache_similarity, cache_entry_id,
                    standalone_question
             FROM jobs WHERE job_id = ?1",
            [&job_id_text],
            JobRow::read,
        )
        .optional()?;
    let Some(job_row) = job_row else {
        return Ok(None);
    };
    let result = match &job_row.result_ref {
        Some(result_ref) => load_result_set(connection, result_ref, expiry_cutoff)?,
        None => None,
    };
    // Execution stores the rows before it records their reference, so a reference without
    // rows means the rows expired or were evicted.
    let result_expired = job_row.result_ref.is_some() && result.is_none();
    Ok(Some(JobView {
        job_id,
        status: job_status_from_text(&job_row.status)?,
        stage: job_row.stage,
        question: job_row.question,
        datasource: job_row.datasource,
        intent: job_row
            .intent
            .as_deref()
            .map(intent_from_text)
            .transpose()?,
        standalone_question: job_row.standalone_question,
        timings: load_stage_timings(connection, &job_id_text)?,
        sql: job_row.sql,
        attempts: load_sql_attempts(connection, &job_id_text)?,
        cache_hit: job_row.cache_hit,
        // Stored as REAL; the value was an f32 before it was widened.
        cache_similarity: job_row.cache_similarity.map(|similarity| similarity as f32),
        cache_entry_id: job_row.cache_entry_id,
        model_calls: load_model_calls(connection, &job_id_text)?,
        feedback: load_feedback(connection, &job_id_text)?,
        result,
        result_expired,
        answer: job_row.answer,
        chart: job_row
            .chart_json
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?,
        error: job_row
            .error_json
            .as_deref()
            .map(serde_json::from_str::<StageFailure>)
            .transpose()?,
        submitted_at: timestamp_from_text(&job_row.submitted_at)?,
        finished_at: job_row
            .finished_at
            .as_deref()
            .map(timestamp_from_text)
            .transpose()?,
    }))
}

/// The columns of one `jobs` row, as stored.
struct JobRow {
    status: String,
    stage: Option<String>,
    question: String,
    datasource: String,
    intent: Option<String>,
    sql: Option<String>,
    result_ref: Option<String>,
    cache_hit: bool,
    answer: Option<String>,
    chart_json: Option<String>,
    error_json: Option<String>,
    submitted_at: String,
    finished_at: Option<String>,
    cache_similarity: Option<f64>,
    cache_entry_id: Option<String>,
    standalone_question: Option<String>,
}

impl JobRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(JobRow {
            status: row.get(0)?,
            stage: row.get(1)?,
            question: row.get(2)?,
            datasource: row.get(3)?,
            intent: row.get(4)?,
            sql: row.get(5)?,
            result_ref: row.get(6)?,
            cache_hit: row.get(7)?,
            answer: row.get(8)?,
            chart_json: row.get(9)?,
            error_json: row.get(10)?,
            submitted_at: row.get(11)?,
            finished_at: row.get(12)?,
            cache_similarity: row.get(13)?,
            cache_entry_id: row.get(14)?,
            standalone_question: row.get(15)?,
        })
    }
}

fn load_stage_timings(
    connection: &Connection,
    job_id: &str,
) -> Result<Vec<StageTiming>, SqliteError> {
    let mut statement = connection.prepare(
        "SELECT stage, started_at, duration_ms, outcome FROM job_stage_timings
         WHERE job_id = ?1 ORDER BY timing_id",
    )?;
    let rows = statement.query_map([job_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<u64>>(2)?,
            row.get(3)?,
        ))
    })?;
    let mut timings = Vec::new();
    for row in rows {
        let (stage, started_at, duration_ms, outcome) = row?;
        timings.push(StageTiming {
            stage,
            started_at: timestamp_from_text(&started_at)?,
            duration_ms,
            outcome,
        });
    }
    Ok(timings)
}

fn load_sql_attempts(
    connection: &Connection,
    job_id: &str,
) -> Result<Vec<SqlAttempt>, SqliteError> {
    let mut statement = connection.prepare(
        "SELECT attempt, sql, error FROM job_sql_attempts WHERE job_id = ?1 ORDER BY attempt",
    )?;
    let rows = statement.query_map([job_id], |row| {
        Ok(SqlAttempt {
            attempt: row.get(0)?,
            sql: row.get(1)?,
            error: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn load_model_calls(connection: &Connection, job_id: &str) -> Result<Vec<ModelCall>, SqliteError> {
    let mut statement = connection.prepare(
        "SELECT stage, model_id, prompt_version, input_tokens, output_tokens, duration_ms, cost_usd
         FROM job_model_calls WHERE job_id = ?1 ORDER BY call_id",
    )?;
    let rows = statement.query_map([job_id], |row| {
        Ok(ModelCall {
            stage: row.get(0)?,
            model_id: row.get(1)?,
            prompt_version: row.get(2)?,
            input_tokens: row.get(3)?,
            output_tokens: row.get(4)?,
            duration_ms: row.get(5)?,
            cost_usd: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn load_feedback(
    connection: &Connection,
    job_id: &str,
) -> Result<Vec<FeedbackRecord>, SqliteError> {
    let mut statement = connection
        .prepare("SELECT record_json FROM job_feedback WHERE job_id = ?1 ORDER BY feedback_id")?;
    let rows = statement.query_map([job_id], |row| row.get::<_, String>(0))?;
    let mut feedback = Vec::new();
    for row in rows {
        feedback.push(serde_json::from_str(&row?)?);
    }
    Ok(feedback)
}
