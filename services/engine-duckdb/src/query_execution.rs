//! Running one query on a DuckDB connection under row, byte and time limits, on a blocking
//! thread, with a watchdog that interrupts the query when its time is up.
//!
//! Invariant: at most one statement reaches DuckDB per call, and rows past the limits are never
//! kept; a query that ran out of time reports `TimedOut`, never partial rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use duckdb::Connection;
use duckdb::core::LogicalTypeId;
use serde_json::Value;

use contracts::result::{ResultColumn, ResultSet};
use ports::sql_engine::{EngineError, QueryLimits};

use crate::clock_pinning::pin_clock;
use crate::result_values::{column_type_of, json_value};
use crate::statement_split::split_statements;
use crate::text_rendered_types::{
    is_whole_number_text, text_rendering_wrapper, whole_number_value,
};

/// How often the watchdog repeats the interrupt until the query has stopped.
const INTERRUPT_REPEAT: Duration = Duration::from_millis(50);
/// How long the watchdog waits for an interrupted query to stop before giving up on it.
const INTERRUPT_GRACE: Duration = Duration::from_secs(5);

/// Runs `sql` on `connection` (which the call consumes) on a blocking thread, interrupting it
/// when `limits.timeout` passes.
pub(crate) async fn execute_with_timeout(
    connection: Connection,
    sql: &str,
    limits: &QueryLimits,
) -> Result<ResultSet, EngineError> {
    let interrupt_handle = connection.interrupt_handle();
    let cancelled = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limits.timeout;
    let query = {
        let sql = sql.to_owned();
        let limits = limits.clone();
        let cancelled = Arc::clone(&cancelled);
        tokio::task::spawn_blocking(move || {
            run_query(&connection, &sql, &limits, deadline, &cancelled)
        })
    };
    tokio::pin!(query);

    match tokio::time::timeout(limits.timeout, &mut query).await {
        Ok(joined) => {
            joined.map_err(|err| EngineError::Unavailable(format!("query thread failed: {err}")))?
        }
        Err(_elapsed) => {
            cancelled.store(true, Ordering::SeqCst);
            // An interrupt that arrives between two steps of the query can be lost, so it is
            // repeated until the query thread has returned.
            let gave_up_at = Instant::now() + INTERRUPT_GRACE;
            while Instant::now() < gave_up_at {
                interrupt_handle.interrupt();
                if tokio::time::timeout(INTERRUPT_REPEAT, &mut query)
                    .await
                    .is_ok()
                {
                    break;
                }
            }
            Err(EngineError::TimedOut(limits.timeout))
        }
    }
}

/// Runs one statement and collects its rows under the limits; blocks the thread.
fn run_query(
    connection: &Connection,
    sql: &str,
    limits: &QueryLimits,
    deadline: Instant,
    cancelled: &AtomicBool,
) -> Result<ResultSet, EngineError> {
    let statement_sql = statement_to_run(sql)?;
    let timed_out = || cancelled.load(Ordering::SeqCst) || Instant::now() >= deadline;
    let query_failed = |err: duckdb::Error| {
        if timed_out() {
            EngineError::TimedOut(limits.timeout)
        } else {
            EngineError::QueryFailed(err.to_string())
        }
    };

    let mut statement = connection.prepare(&statement_sql).map_err(query_failed)?;
    let logical_types: Vec<LogicalTypeId> = (0..statement.column_count())
        .map(|column_idx| statement.column_logical_type(column_idx).id())
        .collect();
    if let Some(wrapped) =
        text_rendering_wrapper(connection, &statement_sql, &logical_types).map_err(query_failed)?
    {
        statement = connection.prepare(&wrapped).map_err(query_failed)?;
    }
    let column_types: Vec<_> = logical_types.iter().copied().map(column_type_of).collect();
    if timed_out() {
        return Err(EngineError::TimedOut(limits.timeout));
    }
    let batches = statement.stream_arrow([]).map_err(query_failed)?;
    let columns: Vec<ResultColumn> = batches
        .get_schema()
        .fields()
        .iter()
        .zip(column_types)
        .map(|(field, column_type)| ResultColumn {
            name: field.name().clone(),
            column_type,
        })
        .collect();

    let mut rows = Vec::new();
    let mut kept_bytes = 0_usize;
    let mut truncated = false;
    'batches: for batch in batches {
        let batch = batch.map_err(query_failed)?;
        if timed_out() {
            return Err(EngineError::TimedOut(limits.timeout));
        }
        for row_idx in 0..batch.num_rows() {
            if rows.len() >= limits.max_rows {
                truncated = true;
                break 'batches;
            }
            let row: Vec<Value> = batch
                .columns()
                .iter()
                .zip(&logical_types)
                .map(|(column, logical_type)| {
                    let value = json_value(column.as_ref(), row_idx);
                    if is_whole_number_text(*logical_type) {
                        whole_number_value(value)
                    } else {
                        value
                    }
                })
                .collect();
            let row_bytes = serde_json::to_vec(&row).map_or(0, |encoded| encoded.len());
            if kept_bytes + row_bytes > limits.max_bytes {
                truncated = true;
                break 'batches;
            }
            kept_bytes += row_bytes;
            rows.push(row);
        }
    }

    let total_rows = if truncated {
        None
    } else {
        Some(rows.len() as u64)
    };
    Ok(ResultSet {
        columns,
        rows,
        truncated,
        total_rows,
    })
}

/// The text DuckDB runs for `sql`: its only statement, with the clock pinned to now.
pub(crate) fn statement_to_run(sql: &str) -> Result<String, EngineError> {
    Ok(pin_clock(&single_statement(sql)?, Utc::now()))
}

/// The only statement of `sql`, or `QueryFailed` when there is none or more than one.
fn single_statement(sql: &str) -> Result<String, EngineError> {
    let mut statements = split_statements(sql);
    match statements.len() {
        1 => Ok(statements.remove(0)),
        0 => Err(EngineError::QueryFailed(
            "the query is empty; expected exactly one SQL statement".to_owned(),
        )),
        n_statements => Err(EngineError::QueryFailed(format!(
            "expected exactly one SQL statement, found {n_statements}; send a single query without `;` separators"
        ))),
    }
}
