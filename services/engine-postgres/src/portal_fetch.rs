//! Fetching a query's rows through a portal, a bounded batch at a time, so that no more than
//! `max_rows + 1` rows ever leave the server whatever the query would produce.
//!
//! Invariant: the portal is never asked for more rows than the caps still allow (a request for
//! zero rows would mean "all rows" to the server, so it is never made), and columns without a
//! decoder are cast to text by the query rather than guessed from their binary form.

use serde_json::Value;
use tokio_postgres::{Row, Statement, Transaction};

use contracts::result::{ResultColumn, ResultSet};
use ports::sql_engine::{Dialect, EngineError, QueryLimits};

use crate::database_error::query_error;
use crate::result_values::{decodable_column_type, json_value, text_cast_column_type};

/// Most rows requested from the portal in one round trip.
const FETCH_BATCH_ROWS: usize = 500;
/// Alias of the subquery that wraps a query whose columns are cast to text.
const WRAPPED_QUERY_ALIAS: &str = "analyst_result";

/// The kept rows and how many rows were fetched from the server to produce them.
#[derive(Debug)]
pub(crate) struct FetchedRows {
    pub(crate) result_set: ResultSet,
    /// Rows received from the server; never more than `max_rows + 1`.
    pub(crate) n_fetched: usize,
}

/// Prepares `sql` in the transaction, then fetches its rows under the limits.
pub(crate) async fn fetch_rows(
    transaction: &Transaction<'_>,
    sql: &str,
    limits: &QueryLimits,
    dialect: Dialect,
) -> Result<FetchedRows, EngineError> {
    let failed = |err: tokio_postgres::Error| query_error(&err, limits.timeout);
    let statement = transaction.prepare(sql).await.map_err(failed)?;
    let columns: Vec<ResultColumn> = statement
        .columns()
        .iter()
        .map(|column| ResultColumn {
            name: column.name().to_owned(),
            column_type: decodable_column_type(column.type_())
                .unwrap_or_else(|| text_cast_column_type(column.type_())),
        })
        .collect();
    let needs_text_cast: Vec<bool> = statement
        .columns()
        .iter()
        .map(|column| decodable_column_type(column.type_()).is_none())
        .collect();
    let statement = if needs_text_cast.contains(&true) {
        let wrapped_sql = text_cast_query(sql, &needs_text_cast, dialect);
        transaction.prepare(&wrapped_sql).await.map_err(failed)?
    } else {
        statement
    };

    fetch_through_portal(transaction, &statement, columns, limits).await
}

/// Binds `statement` to a portal and reads it batch by batch until the query ends, the row cap
/// is passed or the kept rows would exceed the byte cap.
async fn fetch_through_portal(
    transaction: &Transaction<'_>,
    statement: &Statement,
    columns: Vec<ResultColumn>,
    limits: &QueryLimits,
) -> Result<FetchedRows, EngineError> {
    let failed = |err: tokio_postgres::Error| query_error(&err, limits.timeout);
    let portal = transaction.bind(statement, &[]).await.map_err(failed)?;
    // One row past the cap is enough to know that the result was truncated.
    let fetch_cap = limits.max_rows.saturating_add(1);
    let mut n_fetched = 0_usize;
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut kept_bytes = 0_usize;
    let mut truncated = false;

    'fetch: while n_fetched < fetch_cap {
        let batch_size = (fetch_cap - n_fetched).min(FETCH_BATCH_ROWS);
        let batch_size_request =
            i32::try_from(batch_size).expect("a batch holds at most FETCH_BATCH_ROWS rows");
        let batch = transaction
            .query_portal(&portal, batch_size_request)
            .await
            .map_err(failed)?;
        n_fetched += batch.len();
        let portal_exhausted = batch.len() < batch_size;
        for row in &batch {
            if rows.len() >= limits.max_rows {
                truncated = true;
                break 'fetch;
            }
            let values = row_values(row, statement)?;
            let row_bytes = serde_json::to_vec(&values).map_or(0, |encoded| encoded.len());
            if kept_bytes + row_bytes > limits.max_bytes {
                truncated = true;
                break 'fetch;
            }
            kept_bytes += row_bytes;
            rows.push(values);
        }
        if portal_exhausted {
            break;
        }
    }

    let total_rows = if truncated {
        None
    } else {
        Some(rows.len() as u64)
    };
    Ok(FetchedRows {
        result_set: ResultSet {
            columns,
            rows,
            truncated,
            total_rows,
        },
        n_fetched,
    })
}

/// The JSON values of one row.
fn row_values(row: &Row, statement: &Statement) -> Result<Vec<Value>, EngineError> {
    statement
        .columns()
        .iter()
        .enumerate()
        .map(|(column_idx, column)| {
            json_value(row, column_idx, column.type_()).map_err(|err| {
                EngineError::QueryFailed(format!(
                    "cannot read column {} of type {}: {err}",
                    column.name(),
                    column.type_().name()
                ))
            })
        })
        .collect()
}

/// `sql` wrapped in a subquery whose columns are renamed by position (so duplicate or unnamed
/// columns are fine) and, where `needs_text_cast`, cast to text; the result keeps the original
/// names because they were read from the unwrapped statement.
fn text_cast_query(sql: &str, needs_text_cast: &[bool], dialect: Dialect) -> String {
    // Redshift's `text` is a 256-character varchar; its widest varchar avoids cutting values.
    let text_type = match dialect {
        Dialect::Redshift => "varchar(65535)",
        _ => "text",
    };
    let aliases: Vec<String> = (1..=needs_text_cast.len())
        .map(|column_number| format!("c{column_number}"))
        .collect();
    let select_list: Vec<String> = aliases
        .iter()
        .zip(needs_text_cast)
        .map(|(alias, &cast)| {
            if cast {
                format!("{WRAPPED_QUERY_ALIAS}.{alias}::{text_type}")
            } else {
                format!("{WRAPPED_QUERY_ALIAS}.{alias}")
            }
        })
        .collect();
    // The inner query sits on its own lines so that a trailing `--` comment cannot swallow the
    // closing parenthesis; trailing semicolons would end the statement early.
    let inner_sql = sql.trim_end().trim_end_matches(';').trim_end();
    format!(
        "SELECT {} FROM (\n{inner_sql}\n) AS {WRAPPED_QUERY_ALIAS}({})",
        select_list.join(", "),
        aliases.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_columns_without_a_decoder_are_cast_to_text() {
        let wrapped = text_cast_query(
            "SELECT 1, now() - now();",
            &[false, true],
            Dialect::Postgres,
        );

        assert_eq!(
            wrapped,
            "SELECT analyst_result.c1, analyst_result.c2::text FROM (\nSELECT 1, now() - now()\n) AS analyst_result(c1, c2)"
        );
    }

    #[test]
    fn redshift_casts_to_its_widest_varchar() {
        let wrapped = text_cast_query("SELECT x FROM t", &[true], Dialect::Redshift);

        assert!(wrapped.contains("analyst_result.c1::varchar(65535)"));
    }
}
