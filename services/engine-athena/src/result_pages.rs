//! Reading the rows of a finished Athena query page by page (GetQueryResults with NextToken)
//! under the row and byte limits.
//!
//! Invariant: no page is requested once the row limit is known to be exceeded, and rows past
//! the limits are never kept; the header row Athena puts first in a SELECT result is skipped.

use aws_sdk_athena::Client;
use aws_sdk_athena::types::{ColumnInfo, Datum, ResultSetMetadata, Row};
use serde_json::Value;

use contracts::result::{ResultColumn, ResultSet};
use ports::sql_engine::{EngineError, QueryLimits};

use crate::result_values::{column_type_of, json_value};
use crate::transient_retry::{send_with_retry, unavailable};

/// Largest page GetQueryResults serves.
const MAX_ROWS_PER_PAGE: usize = 1_000;

/// Reads the rows of the finished query `query_execution_id`, keeping at most
/// `limits.max_rows` rows and about `limits.max_bytes` bytes.
///
/// Pages are requested until `max_rows + 1` rows have been seen (the query then counts as
/// truncated), the byte cap is reached, or there is no NextToken.
pub(crate) async fn read_result_pages(
    athena: &Client,
    query_execution_id: &str,
    has_header_row: bool,
    limits: &QueryLimits,
) -> Result<ResultSet, EngineError> {
    let mut columns: Vec<ResultColumn> = Vec::new();
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut kept_bytes = 0_usize;
    let mut truncated = false;
    let mut next_token: Option<String> = None;
    let mut is_first_page = true;

    'pages: loop {
        let n_header_rows = usize::from(is_first_page && has_header_row);
        let n_rows_wanted = limits.max_rows.saturating_add(1) - rows.len() + n_header_rows;
        let max_results = i32::try_from(n_rows_wanted.clamp(1, MAX_ROWS_PER_PAGE))
            .expect("a page size of at most 1000 fits in i32");
        let page = send_with_retry("GetQueryResults", || {
            athena
                .get_query_results()
                .query_execution_id(query_execution_id)
                .set_next_token(next_token.clone())
                .max_results(max_results)
                .send()
        })
        .await
        .map_err(|err| unavailable("athena GetQueryResults", &err))?;

        let result_set = page.result_set();
        if is_first_page {
            columns = result_set
                .and_then(|result_set| result_set.result_set_metadata())
                .map(ResultSetMetadata::column_info)
                .unwrap_or_default()
                .iter()
                .map(result_column)
                .collect();
        }
        let page_rows = result_set
            .map(|result_set| result_set.rows())
            .unwrap_or_default();
        for row in page_rows.iter().skip(n_header_rows) {
            if rows.len() >= limits.max_rows {
                truncated = true;
                break 'pages;
            }
            let values = row_values(row, &columns);
            let row_bytes = serde_json::to_vec(&values).map_or(0, |encoded| encoded.len());
            if kept_bytes.saturating_add(row_bytes) > limits.max_bytes {
                truncated = true;
                break 'pages;
            }
            kept_bytes += row_bytes;
            rows.push(values);
        }

        is_first_page = false;
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => break,
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

/// Name and logical type of one column from `ResultSetMetadata.ColumnInfo`.
fn result_column(column_info: &ColumnInfo) -> ResultColumn {
    ResultColumn {
        name: column_info.name().to_owned(),
        column_type: column_type_of(column_info.r#type()),
    }
}

/// One value per column; a cell Athena left out is NULL.
fn row_values(row: &Row, columns: &[ResultColumn]) -> Vec<Value> {
    let cells = row.data();
    columns
        .iter()
        .enumerate()
        .map(|(column_idx, column)| {
            let cell = cells.get(column_idx).and_then(Datum::var_char_value);
            json_value(column.column_type, cell)
        })
        .collect()
}
