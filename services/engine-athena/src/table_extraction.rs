//! Reading the tables of one Glue database (GetTables, paginated) as the schema the generator
//! sees: table descriptions, data columns then partition keys, with their types and comments.
//!
//! Invariant: only Glue metadata is read here; no query runs and no data is scanned.

use aws_sdk_glue::Client;
use aws_sdk_glue::types::{Column, StorageDescriptor, Table};

use ports::schema::{ColumnSchema, TableSchema};
use ports::sql_engine::EngineError;

use crate::transient_retry::{send_with_retry, unavailable};

/// Glue table parameter in which crawlers record the number of rows.
const RECORD_COUNT_PARAMETER: &str = "recordCount";

/// Every table of `database`, in name order.
pub(crate) async fn read_glue_tables(
    glue: &Client,
    database: &str,
) -> Result<Vec<TableSchema>, EngineError> {
    let mut tables = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = send_with_retry("GetTables", || {
            glue.get_tables()
                .database_name(database)
                .set_next_token(next_token.clone())
                .send()
        })
        .await
        .map_err(|err| unavailable("glue GetTables", &err))?;
        tables.extend(page.table_list().iter().map(table_schema));
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
            _ => break,
        }
    }
    tables.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(tables)
}

/// The schema of one Glue table; partition keys follow the data columns, as in Athena's
/// `SELECT *`.
fn table_schema(table: &Table) -> TableSchema {
    let data_columns = table
        .storage_descriptor()
        .map(StorageDescriptor::columns)
        .unwrap_or_default();
    let columns = data_columns
        .iter()
        .chain(table.partition_keys())
        .map(column_schema)
        .collect();
    TableSchema {
        name: table.name().to_owned(),
        description: non_empty(table.description()),
        columns,
        n_rows: table
            .parameters()
            .and_then(|parameters| parameters.get(RECORD_COUNT_PARAMETER))
            .and_then(|record_count| record_count.trim().parse().ok()),
    }
}

/// The schema of one Glue column; a column without a type is shown as `unknown`.
fn column_schema(column: &Column) -> ColumnSchema {
    ColumnSchema {
        name: column.name().to_owned(),
        data_type: column.r#type().unwrap_or("unknown").to_owned(),
        description: non_empty(column.comment()),
        sample_values: Vec::new(),
    }
}

/// The text, unless it is missing or blank.
fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}
