//! Sampling the distinct values of low-cardinality text columns for the schema the generator
//! sees, through the same read-only, time-limited path as generated queries.
//!
//! Invariant: a column gets values only when it has at most [`MAX_SAMPLED_VALUES`] distinct
//! ones, each cut to [`MAX_SAMPLE_CHARS`]; a sample that fails or times out leaves the column
//! without values rather than failing the extraction.

use std::time::Duration;

use serde_json::Value;

use ports::sql_engine::{Dialect, EngineError, QueryLimits};

use crate::connection_pool::ConnectionPool;
use crate::extracted_table::{ExtractedTable, quote_identifier};
use crate::query_execution::{ServerTimeout, execute_read_only};

/// Text columns with at most this many distinct values have them sampled.
pub(crate) const MAX_SAMPLED_VALUES: usize = 20;
/// Sampled values longer than this many characters are cut.
pub(crate) const MAX_SAMPLE_CHARS: usize = 100;
/// Time allowed to the scan of one column.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Byte cap of one column's sample.
const SAMPLE_MAX_BYTES: usize = 64 * 1024;

/// Fills `sample_values` of every text column that has few distinct values.
pub(crate) async fn sample_text_columns(
    connection_pool: &ConnectionPool,
    dialect: Dialect,
    tables: &mut [ExtractedTable],
) -> Result<(), EngineError> {
    let limits = QueryLimits {
        max_rows: MAX_SAMPLED_VALUES,
        timeout: SAMPLE_TIMEOUT,
        max_bytes: SAMPLE_MAX_BYTES,
    };
    for extracted in tables.iter_mut() {
        let table_sql_name = extracted.qualified_sql_name.clone();
        for (column, _) in extracted
            .table
            .columns
            .iter_mut()
            .zip(&extracted.text_columns)
            .filter(|(_, is_text)| **is_text)
        {
            let column_sql_name = quote_identifier(&column.name);
            // The cap of 21 rows bounds what is read back; the timeout bounds the scan.
            let sql = format!(
                "SELECT DISTINCT {column_sql_name} FROM {table_sql_name} \
                 WHERE {column_sql_name} IS NOT NULL LIMIT {}",
                MAX_SAMPLED_VALUES + 1
            );
            let sample = match execute_read_only(
                connection_pool,
                &sql,
                &limits,
                dialect,
                ServerTimeout::Enforced,
            )
            .await
            {
                Ok(fetched_rows) => fetched_rows.result_set,
                Err(EngineError::Unavailable(message)) => {
                    return Err(EngineError::Unavailable(message));
                }
                Err(err) => {
                    tracing::debug!(column = %column.name, error.message = %err, "value sampling skipped a column");
                    continue;
                }
            };
            if sample.truncated {
                continue;
            }
            let mut values: Vec<String> = sample
                .rows
                .iter()
                .filter_map(|row| match row.first() {
                    Some(Value::String(value)) => {
                        Some(value.chars().take(MAX_SAMPLE_CHARS).collect())
                    }
                    _ => None,
                })
                .collect();
            values.sort();
            values.dedup();
            column.sample_values = values;
        }
    }
    Ok(())
}
