//! Reading the tables and views of a Redshift database from its system views: `svv_columns`
//! (columns, types, comments, also of external and late-binding views), `svv_tables` (kinds and
//! table comments) and `svv_table_info` (row counts). `pg_table_def` is not used because it
//! only shows schemas on the search path.
//!
//! Invariant: the three views are read separately and joined here, because Redshift refuses
//! queries that join leader-node catalogs with compute-node views such as `svv_table_info`.

use std::collections::HashMap;

use ports::schema::{ColumnSchema, TableSchema};
use ports::sql_engine::EngineError;

use crate::catalog_session::{catalog_value as read, read_catalog};
use crate::connection_pool::ConnectionPool;
use crate::extracted_table::{ExtractedTable, display_name, qualified_sql_name};

/// Redshift's internal schemas, never shown.
const SYSTEM_SCHEMAS: &str = "('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv', \
     'pg_auto_copy', 'pg_mv', 'pg_s3')";

/// Type names of text columns, whose values may be sampled.
const TEXT_TYPES: [&str; 6] = [
    "character varying",
    "varchar",
    "character",
    "char",
    "bpchar",
    "text",
];

/// `(schema, table)` of a relation.
type TableKey = (String, String);

/// Every user table and view with its columns, comments and row count.
pub(crate) async fn extract_redshift_tables(
    connection_pool: &ConnectionPool,
) -> Result<Vec<ExtractedTable>, EngineError> {
    let columns_query = format!(
        "SELECT table_schema::varchar(128) AS schema_name, table_name::varchar(128) AS table_name, \
                column_name::varchar(128) AS column_name, data_type::varchar(128) AS data_type, \
                character_maximum_length::int4 AS max_length, \
                remarks::varchar(65535) AS column_comment \
         FROM svv_columns \
         WHERE table_schema NOT IN {SYSTEM_SCHEMAS} AND left(table_schema, 8) <> 'pg_temp_' \
         ORDER BY table_schema, table_name, ordinal_position"
    );
    let tables_query = format!(
        "SELECT table_schema::varchar(128) AS schema_name, table_name::varchar(128) AS table_name, \
                remarks::varchar(65535) AS table_comment \
         FROM svv_tables \
         WHERE table_schema NOT IN {SYSTEM_SCHEMAS}"
    );
    let row_counts_query = "SELECT \"schema\"::varchar(128) AS schema_name, \
                \"table\"::varchar(128) AS table_name, tbl_rows::int8 AS row_count \
         FROM svv_table_info";
    let results = read_catalog(
        connection_pool,
        &[&columns_query, &tables_query, row_counts_query],
    )
    .await?;
    let [column_rows, table_rows, row_count_rows] = results.as_slice() else {
        return Err(EngineError::Unavailable(
            "reading the catalog failed: missing results".to_owned(),
        ));
    };

    let mut table_comments: HashMap<TableKey, Option<String>> = HashMap::new();
    for row in table_rows {
        let key = (read(row, "schema_name")?, read(row, "table_name")?);
        table_comments.insert(key, read(row, "table_comment")?);
    }
    let mut row_counts: HashMap<TableKey, u64> = HashMap::new();
    for row in row_count_rows {
        let key = (read(row, "schema_name")?, read(row, "table_name")?);
        let row_count: Option<i64> = read(row, "row_count")?;
        if let Some(row_count) = row_count.and_then(|count| u64::try_from(count).ok()) {
            row_counts.insert(key, row_count);
        }
    }

    let mut tables: Vec<ExtractedTable> = Vec::new();
    let mut current: Option<TableKey> = None;
    for row in column_rows {
        let key: TableKey = (read(row, "schema_name")?, read(row, "table_name")?);
        if current.as_ref() != Some(&key) {
            let (schema_name, table_name) = &key;
            tables.push(ExtractedTable {
                qualified_sql_name: qualified_sql_name(schema_name, table_name),
                text_columns: Vec::new(),
                table: TableSchema {
                    name: display_name(schema_name, table_name),
                    description: table_comments.get(&key).cloned().flatten(),
                    columns: Vec::new(),
                    n_rows: row_counts.get(&key).copied(),
                },
            });
            current = Some(key);
        }
        let data_type: String = read(row, "data_type")?;
        let max_length: Option<i32> = read(row, "max_length")?;
        let comment: Option<String> = read(row, "column_comment")?;
        let is_text = TEXT_TYPES.contains(&data_type.as_str());
        let column = ColumnSchema {
            name: read(row, "column_name")?,
            data_type: match max_length {
                Some(max_length) if is_text => format!("{data_type}({max_length})"),
                _ => data_type,
            },
            description: comment.filter(|comment| !comment.trim().is_empty()),
            sample_values: Vec::new(),
        };
        if let Some(extracted) = tables.last_mut() {
            extracted.table.columns.push(column);
            extracted.text_columns.push(is_text);
        }
    }
    Ok(tables)
}
