//! Reading the tables and views of a PostgreSQL database from `pg_catalog`: columns and types,
//! comments, primary and foreign keys (as column description suffixes) and row estimates.
//!
//! Invariant: only relations the session may read are listed, and none from `pg_catalog`,
//! `information_schema`, TOAST or temporary schemas, or owned by an extension.

use std::collections::HashMap;

use tokio_postgres::Row;

use ports::schema::{ColumnSchema, TableSchema};
use ports::sql_engine::EngineError;

use crate::catalog_session::{catalog_value as read, read_catalog};
use crate::connection_pool::ConnectionPool;
use crate::extracted_table::{ExtractedTable, display_name, qualified_sql_name};

/// Every column of every readable user table, view, materialized view and foreign table.
const COLUMNS_QUERY: &str = r"
SELECT n.nspname::text AS schema_name,
       c.relname::text AS table_name,
       c.relkind::text AS relation_kind,
       obj_description(c.oid, 'pg_class') AS table_comment,
       c.reltuples::float8 AS row_estimate,
       a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS data_type,
       col_description(c.oid, a.attnum) AS column_comment,
       a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) AS is_text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND has_schema_privilege(n.oid, 'USAGE')
  AND has_table_privilege(c.oid, 'SELECT')
  AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend d
      WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname, a.attnum";

/// Each column of each primary key and foreign key, with the referenced column for the latter.
const KEYS_QUERY: &str = r"
SELECT n.nspname::text AS schema_name,
       c.relname::text AS table_name,
       a.attname::text AS column_name,
       con.contype::text AS constraint_kind,
       rn.nspname::text AS referenced_schema,
       rc.relname::text AS referenced_table,
       ra.attname::text AS referenced_column
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS k(attnum, referenced_attnum)
JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_attribute ra
       ON ra.attrelid = con.confrelid AND ra.attnum = k.referenced_attnum
WHERE con.contype IN ('p', 'f')
ORDER BY con.contype DESC, con.conname, k.attnum";

/// `(schema, table, column)` of a key column.
type ColumnKey = (String, String, String);

/// Every readable table and view with its columns, comments, keys and row estimate.
pub(crate) async fn extract_postgres_tables(
    connection_pool: &ConnectionPool,
) -> Result<Vec<ExtractedTable>, EngineError> {
    let mut results = read_catalog(connection_pool, &[COLUMNS_QUERY, KEYS_QUERY]).await?;
    let key_rows = results.pop().unwrap_or_default();
    let column_rows = results.pop().unwrap_or_default();
    let key_notes = key_notes(&key_rows)?;

    let mut tables: Vec<ExtractedTable> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for row in &column_rows {
        let schema_name: String = read(row, "schema_name")?;
        let table_name: String = read(row, "table_name")?;
        if current.as_ref() != Some(&(schema_name.clone(), table_name.clone())) {
            tables.push(ExtractedTable {
                qualified_sql_name: qualified_sql_name(&schema_name, &table_name),
                text_columns: Vec::new(),
                table: TableSchema {
                    name: display_name(&schema_name, &table_name),
                    description: read(row, "table_comment")?,
                    columns: Vec::new(),
                    n_rows: row_estimate(
                        &read::<String>(row, "relation_kind")?,
                        read(row, "row_estimate")?,
                    ),
                },
            });
            current = Some((schema_name.clone(), table_name.clone()));
        }
        let column_name: String = read(row, "column_name")?;
        let key = (schema_name, table_name, column_name.clone());
        let comment: Option<String> = read(row, "column_comment")?;
        let description = with_key_notes(comment, key_notes.get(&key));
        let column = ColumnSchema {
            name: column_name,
            data_type: read(row, "data_type")?,
            description,
            sample_values: Vec::new(),
        };
        let is_text: bool = read(row, "is_text")?;
        if let Some(extracted) = tables.last_mut() {
            extracted.table.columns.push(column);
            extracted.text_columns.push(is_text);
        }
    }
    Ok(tables)
}

/// "primary key" and "references table.column" notes per key column.
fn key_notes(key_rows: &[Row]) -> Result<HashMap<ColumnKey, Vec<String>>, EngineError> {
    let mut notes: HashMap<ColumnKey, Vec<String>> = HashMap::new();
    for row in key_rows {
        let key = (
            read(row, "schema_name")?,
            read(row, "table_name")?,
            read(row, "column_name")?,
        );
        let constraint_kind: String = read(row, "constraint_kind")?;
        let note = if constraint_kind == "p" {
            "primary key".to_owned()
        } else {
            let referenced_schema: String = read(row, "referenced_schema")?;
            let referenced_table: String = read(row, "referenced_table")?;
            let referenced_column: String = read(row, "referenced_column")?;
            format!(
                "references {}.{referenced_column}",
                display_name(&referenced_schema, &referenced_table)
            )
        };
        notes.entry(key).or_default().push(note);
    }
    Ok(notes)
}

/// The column's comment followed by its key notes, e.g. `Owner of the order; references
/// customer.id`.
fn with_key_notes(comment: Option<String>, notes: Option<&Vec<String>>) -> Option<String> {
    let parts: Vec<String> = comment
        .into_iter()
        .filter(|comment| !comment.trim().is_empty())
        .chain(notes.into_iter().flatten().cloned())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("; "))
    }
}

/// The planner's row estimate: unknown for views and for tables never analyzed (`-1`).
fn row_estimate(relation_kind: &str, reltuples: f64) -> Option<u64> {
    let has_rows = matches!(relation_kind, "r" | "p" | "m" | "f");
    if has_rows && reltuples >= 0.0 {
        // A planner estimate: rounding to a whole count is the intent.
        Some(reltuples.round() as u64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_notes_follow_the_comment() {
        let notes = vec!["references restaurant.id".to_owned()];

        let description = with_key_notes(Some("Where it is".to_owned()), Some(&notes));

        assert_eq!(
            description.as_deref(),
            Some("Where it is; references restaurant.id")
        );
    }

    #[test]
    fn a_never_analyzed_table_has_no_row_estimate() {
        assert_eq!(row_estimate("r", -1.0), None);
        assert_eq!(row_estimate("v", 0.0), None);
        assert_eq!(row_estimate("r", 11.0), Some(11));
    }
}
