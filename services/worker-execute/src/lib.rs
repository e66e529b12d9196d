//! Execution step: admits the SQL through the guard, runs it under hard limits and stores the rows.
//!
//! Invariant: no SQL reaches an engine without passing the read-only guard under its
//! datasource's allow-list; rows are stored, never returned in the envelope.

use std::sync::Arc;

use contracts::api::SqlAttempt;
use contracts::envelope::JobEnvelope;
use contracts::stages::{ExecuteRequest, ExecuteResult};
use ports::datasource::Datasources;
use ports::job_store::{JobStore, JobUpdate};
use ports::sql_engine::{EngineError, QueryLimits};
use ports::step_error::StepError;

/// What the execution step needs.
#[derive(Clone)]
pub struct ExecuteDeps {
    /// Datasources and their engines.
    pub datasources: Datasources,
    /// Job records and stored rows.
    pub job_store: Arc<dyn JobStore>,
    /// Row, time and size limits of every query.
    pub limits: QueryLimits,
}

/// Runs the SQL of one job; a failing query is an outcome (`succeeded: false`), not an error.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "execute"))]
pub async fn run(
    deps: &ExecuteDeps,
    envelope: JobEnvelope<ExecuteRequest>,
) -> Result<ExecuteResult, StepError> {
    let request = envelope.payload;
    let datasource = deps.datasources.require(&request.datasource).await?;

    let outcome = sql_guard::run_guarded(&datasource, &request.sql, &deps.limits).await;

    match outcome {
        Ok(result_set) => {
            let result_ref = format!("{}/{}", envelope.job_id, attempt_label(&request));
            deps.job_store
                .store_result(envelope.job_id, &result_ref, &result_set)
                .await?;
            deps.job_store
                .update(
                    envelope.job_id,
                    JobUpdate::Executed {
                        sql: request.sql.clone(),
                        result_ref: result_ref.clone(),
                    },
                )
                .await?;
            tracing::info!(
                row_count = result_set.rows.len(),
                truncated = result_set.truncated,
                "query ran"
            );
            Ok(ExecuteResult {
                succeeded: true,
                result_ref: Some(result_ref),
                n_rows: result_set.rows.len() as u64,
                truncated: result_set.truncated,
                error: None,
            })
        }
        Err(EngineError::Unavailable(message)) => Err(StepError::transient(format!(
            "engine unavailable: {message}"
        ))),
        Err(query_error) => {
            let error = query_error.to_string();
            if let Some(attempt) = request.generation_attempt {
                let failed_attempt = SqlAttempt {
                    attempt,
                    sql: request.sql.clone(),
                    error: Some(error.clone()),
                };
                deps.job_store
                    .update(envelope.job_id, JobUpdate::SqlAttempted(failed_attempt))
                    .await?;
            }
            tracing::info!(error = %error, "query failed");
            Ok(ExecuteResult {
                succeeded: false,
                result_ref: None,
                n_rows: 0,
                truncated: false,
                error: Some(error),
            })
        }
    }
}

fn attempt_label(request: &ExecuteRequest) -> String {
    match request.generation_attempt {
        Some(attempt) => attempt.to_string(),
        None => request.origin.clone().unwrap_or_else(|| "cache".to_owned()),
    }
}
