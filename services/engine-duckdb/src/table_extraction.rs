//! Reading the user tables of a DuckDB database: columns and types, `COMMENT ON` texts as
//! descriptions, row counts and, when allowed, the distinct values of low-cardinality text
//! columns.
//!
//! Invariant: only the database's own user tables are read; sampled values are capped in
//! number and length, and none are read when sampling is off.

use duckdb::Connection;

use ports::schema::{ColumnSchema, TableSchema};
use ports::sql_engine::EngineError;

/// Text columns with at most this many distinct values have them sampled.
pub(crate) const MAX_SAMPLED_VALUES: usize = 20;
/// Sampled values longer than this many characters are cut.
pub(crate) const MAX_SAMPLE_CHARS: usize = 100;
/// Schema whose tables are named without a qualifier.
const DEFAULT_SCHEMA: &str = "main";

/// Every user table with its columns and row count, in name order; blocks the thread.
pub(crate) fn extract_tables(
    connection: &Connection,
    value_sampling: bool,
) -> Result<Vec<TableSchema>, EngineError> {
    let column_rows = read_columns(connection)?;
    let mut tables: Vec<(String, String, TableSchema)> = Vec::new();
    for ColumnRow {
        schema_name,
        table_name,
        table_comment,
        column_name,
        column_comment,
        data_type,
    } in column_rows
    {
        let is_same_table = tables
            .last()
            .is_some_and(|(schema, table, _)| *schema == schema_name && *table == table_name);
        if !is_same_table {
            let name = if schema_name == DEFAULT_SCHEMA {
                table_name.clone()
            } else {
                format!("{schema_name}.{table_name}")
            };
            let table = TableSchema {
                name,
                description: non_empty(table_comment),
                columns: Vec::new(),
                n_rows: None,
            };
            tables.push((schema_name.clone(), table_name.clone(), table));
        }
        if let Some((_, _, table)) = tables.last_mut() {
            table.columns.push(ColumnSchema {
                name: column_name,
                data_type,
                description: non_empty(column_comment),
                sample_values: Vec::new(),
            });
        }
    }

    for (schema_name, table_name, table) in &mut tables {
        let qualified = format!(
            "{}.{}",
            quote_identifier(schema_name),
            quote_identifier(table_name)
        );
        let n_rows: i64 = connection
            .query_row(&format!("SELECT count(*) FROM {qualified}"), [], |row| {
                row.get(0)
            })
            .map_err(extraction_failed)?;
        table.n_rows = u64::try_from(n_rows).ok();
        if value_sampling {
            for column in table
                .columns
                .iter_mut()
                .filter(|column| is_text_type(&column.data_type))
            {
                column.sample_values = sample_values(connection, &qualified, &column.name)?;
            }
        }
    }

    let mut tables: Vec<TableSchema> = tables.into_iter().map(|(_, _, table)| table).collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tables)
}

/// One column of a user table, with the comments of the column and its table.
struct ColumnRow {
    schema_name: String,
    table_name: String,
    table_comment: Option<String>,
    column_name: String,
    column_comment: Option<String>,
    data_type: String,
}

/// Every column of every user table, in table order.
fn read_columns(connection: &Connection) -> Result<Vec<ColumnRow>, EngineError> {
    let mut statement = connection
        .prepare(
            "SELECT c.schema_name, c.table_name, t.comment, c.column_name, c.comment, c.data_type \
             FROM duckdb_columns() AS c \
             JOIN duckdb_tables() AS t \
               ON t.database_name = c.database_name AND t.schema_name = c.schema_name \
              AND t.table_name = c.table_name \
             WHERE c.database_name = current_database() AND NOT t.internal AND NOT t.temporary \
             ORDER BY c.schema_name, c.table_name, c.column_index",
        )
        .map_err(extraction_failed)?;
    let rows = statement
        .query_map([], |row| {
            Ok(ColumnRow {
                schema_name: row.get(0)?,
                table_name: row.get(1)?,
                table_comment: row.get(2)?,
                column_name: row.get(3)?,
                column_comment: row.get(4)?,
                data_type: row.get(5)?,
            })
        })
        .map_err(extraction_failed)?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(extraction_failed)
}

fn non_empty(comment: Option<String>) -> Option<String> {
    comment.filter(|comment| !comment.trim().is_empty())
}

/// The distinct non-null values of a column, or none when it has more than the cap.
fn sample_values(
    connection: &Connection,
    qualified_table: &str,
    column_name: &str,
) -> Result<Vec<String>, EngineError> {
    let column = quote_identifier(column_name);
    let sql = format!(
        "SELECT DISTINCT {column} FROM {qualified_table} WHERE {column} IS NOT NULL ORDER BY 1 LIMIT {}",
        MAX_SAMPLED_VALUES + 1
    );
    let mut statement = connection.prepare(&sql).map_err(extraction_failed)?;
    let rows = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(extraction_failed)?;
    let values = rows
        .collect::<Result<Vec<_>, _>>()
        .map_err(extraction_failed)?;
    if values.len() > MAX_SAMPLED_VALUES {
        return Ok(Vec::new());
    }
    Ok(values
        .into_iter()
        .map(|value| value.chars().take(MAX_SAMPLE_CHARS).collect())
        .collect())
}

fn is_text_type(data_type: &str) -> bool {
    data_type == "VARCHAR" || data_type.starts_with("VARCHAR(")
}

fn quote_identifier(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn extraction_failed(err: duckdb::Error) -> EngineError {
    EngineError::Unavailable(format!("reading the tables failed: {err}"))
}
