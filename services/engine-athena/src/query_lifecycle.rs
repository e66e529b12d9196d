//! The life of one Athena query: start it in the workgroup, poll its state with exponential
//! backoff until it ends, and stop it when the caller gives up on it.
//!
//! Invariant: a started query is either seen to end (SUCCEEDED, FAILED, CANCELLED) or is sent
//! StopQueryExecution, also when the caller drops the future that waits for it.

use std::time::Duration;

use aws_sdk_athena::Client;
use aws_sdk_athena::types::{
    QueryExecution, QueryExecutionContext, QueryExecutionState, QueryExecutionStatus,
    ResultConfiguration, StatementType,
};

use ports::sql_engine::EngineError;

use crate::settings::AthenaSettings;
use crate::transient_retry::{rejection_message, send_with_retry, unavailable};

/// How long a StopQueryExecution call may take before it is abandoned.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A query that reached SUCCEEDED.
#[derive(Debug)]
pub(crate) struct SucceededQuery {
    /// Whether the first result row repeats the column names (true for SELECT results).
    pub(crate) has_header_row: bool,
}

/// Starts `sql` in the workgroup, catalog and database of `settings`; returns the query
/// execution id.
///
/// One client request token is shared by all attempts, so a retried start never runs the query
/// twice.
pub(crate) async fn start_query(
    athena: &Client,
    settings: &AthenaSettings,
    sql: &str,
) -> Result<String, EngineError> {
    let client_request_token = uuid::Uuid::new_v4().to_string();
    let query_execution_context = QueryExecutionContext::builder()
        .catalog(&settings.catalog)
        .database(&settings.database)
        .build();
    let result_configuration = settings.output_location.as_ref().map(|output_location| {
        ResultConfiguration::builder()
            .output_location(output_location)
            .build()
    });
    let started = send_with_retry("StartQueryExecution", || {
        athena
            .start_query_execution()
            .query_string(sql)
            .work_group(&settings.workgroup)
            .client_request_token(&client_request_token)
            .query_execution_context(query_execution_context.clone())
            .set_result_configuration(result_configuration.clone())
            .send()
    })
    .await
    .map_err(|err| match rejection_message(&err) {
        Some(message) => EngineError::QueryFailed(message),
        None => unavailable("athena StartQueryExecution", &err),
    })?;
    started
        .query_execution_id()
        .map(str::to_owned)
        .ok_or_else(|| {
            EngineError::Unavailable(
                "athena StartQueryExecution returned no query execution id".to_owned(),
            )
        })
}

/// Polls the query's state, waiting `poll_initial` and then twice as long each time up to
/// `poll_max`, until it ends; FAILED and CANCELLED become `QueryFailed` with Athena's reason.
pub(crate) async fn wait_until_finished(
    athena: &Client,
    settings: &AthenaSettings,
    query_execution_id: &str,
) -> Result<SucceededQuery, EngineError> {
    let mut delay = settings.poll_initial;
    loop {
        let polled = send_with_retry("GetQueryExecution", || {
            athena
                .get_query_execution()
                .query_execution_id(query_execution_id)
                .send()
        })
        .await
        .map_err(|err| unavailable("athena GetQueryExecution", &err))?;
        let query_execution = polled.query_execution();
        let status = query_execution.and_then(QueryExecution::status);
        match status.and_then(QueryExecutionStatus::state) {
            Some(QueryExecutionState::Succeeded) => {
                return Ok(SucceededQuery {
                    has_header_row: query_execution.is_none_or(|execution| {
                        execution
                            .statement_type()
                            .is_none_or(|statement_type| *statement_type == StatementType::Dml)
                    }),
                });
            }
            Some(QueryExecutionState::Failed) => {
                return Err(EngineError::QueryFailed(failure_reason(
                    status,
                    "athena reported the query as failed",
                )));
            }
            Some(QueryExecutionState::Cancelled) => {
                return Err(EngineError::QueryFailed(failure_reason(
                    status,
                    "athena cancelled the query",
                )));
            }
            _ => {}
        }
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2).min(settings.poll_max);
    }
}

/// Asks Athena to stop the query; failures are logged, not returned, since the caller already
/// has its answer.
pub(crate) async fn stop_query(athena: &Client, query_execution_id: &str) {
    let stop = athena
        .stop_query_execution()
        .query_execution_id(query_execution_id)
        .send();
    match tokio::time::timeout(STOP_TIMEOUT, stop).await {
        Ok(Ok(_)) => tracing::debug!(query_execution_id, "athena query stopped"),
        Ok(Err(err)) => tracing::warn!(
            query_execution_id,
            error.message = %aws_sdk_athena::error::DisplayErrorContext(&err),
            "athena StopQueryExecution failed"
        ),
        Err(_elapsed) => tracing::warn!(query_execution_id, "athena StopQueryExecution timed out"),
    }
}

/// Stops a started query when dropped while still armed, so that a caller who abandons
/// `execute` does not leave the query running (and scanning) in Athena.
pub(crate) struct StopOnDrop {
    athena: Client,
    query_execution_id: String,
    armed: bool,
}

impl StopOnDrop {
    /// Guards the started query `query_execution_id`.
    pub(crate) fn new(athena: &Client, query_execution_id: &str) -> Self {
        StopOnDrop {
            athena: athena.clone(),
            query_execution_id: query_execution_id.to_owned(),
            armed: true,
        }
    }

    /// The query has ended on its own; nothing to stop.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }

    /// Stops the query now and waits for Athena's answer.
    pub(crate) async fn stop_now(mut self) {
        self.armed = false;
        stop_query(&self.athena, &self.query_execution_id).await;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let athena = self.athena.clone();
            let query_execution_id = std::mem::take(&mut self.query_execution_id);
            runtime.spawn(async move { stop_query(&athena, &query_execution_id).await });
        }
    }
}

/// Athena's reason for a query that did not succeed: the state change reason (which carries
/// the workgroup's bytes-scanned cutoff message), else the error message, else `fallback`.
fn failure_reason(status: Option<&QueryExecutionStatus>, fallback: &str) -> String {
    status
        .and_then(|status| {
            status.state_change_reason().or_else(|| {
                status
                    .athena_error()
                    .and_then(|athena_error| athena_error.error_message())
            })
        })
        .filter(|reason| !reason.trim().is_empty())
        .unwrap_or(fallback)
        .to_owned()
}
