//! DuckDB's own reading of a statement: `json_serialize_sql` parses it with DuckDB's parser,
//! and the functions, table functions, tables and CTE names are collected from that tree.
//!
//! Invariant: the reading is taken of exactly the text [`crate::DuckDbEngine`] would run (the
//! single statement with the clock pinned); a text DuckDB cannot serialize is `QueryFailed`, and
//! a source of rows of a kind not known here is reported as unclassified, never skipped.

use duckdb::Connection;
use serde_json::{Map, Value};

use ports::sql_engine::{EngineError, EngineReading};

/// Kinds of table reference that hold rows only through their children or are plain rows.
const STRUCTURAL_SOURCES: &[&str] = &["SUBQUERY", "JOIN", "EXPRESSION_LIST", "EMPTY", "PIVOT"];

/// DuckDB's reading of `statement_sql`, one statement.
pub(crate) fn read_statement(
    connection: &Connection,
    statement_sql: &str,
) -> Result<EngineReading, EngineError> {
    let serialized: String = connection
        .query_row(
            "SELECT json_serialize_sql(?::VARCHAR)",
            [statement_sql],
            |row| row.get(0),
        )
        .map_err(|err| EngineError::Unavailable(format!("json_serialize_sql: {err}")))?;
    reading_of_serialized(&serialized)
}

/// The reading of one `json_serialize_sql` document.
pub(crate) fn reading_of_serialized(serialized: &str) -> Result<EngineReading, EngineError> {
    let document: Value = serde_json::from_str(serialized).map_err(|err| {
        EngineError::QueryFailed(format!("DuckDB's parse of the query is not JSON: {err}"))
    })?;
    if document.get("error").and_then(Value::as_bool) != Some(false) {
        let message = document
            .get("error_message")
            .and_then(Value::as_str)
            .unwrap_or("DuckDB could not serialize the statement");
        return Err(EngineError::QueryFailed(message.to_owned()));
    }
    let statements = document
        .get("statements")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let [statement] = statements else {
        return Err(EngineError::QueryFailed(format!(
            "DuckDB reads {} statements, expected exactly one",
            statements.len()
        )));
    };
    let mut reading = EngineReading::default();
    collect(statement, &mut reading);
    Ok(reading)
}

/// Walks one node of the serialized tree.
fn collect(value: &Value, reading: &mut EngineReading) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, reading)),
        Value::Object(object) => collect_object(object, reading),
        _ => {}
    }
}

fn collect_object(object: &Map<String, Value>, reading: &mut EngineReading) {
    let source_type = object.get("type").and_then(Value::as_str);
    let is_table_ref = object.contains_key("sample") && !object.contains_key("class");
    if let Some(cte_entries) = object
        .get("cte_map")
        .and_then(|cte_map| cte_map.get("map"))
        .and_then(Value::as_array)
    {
        reading.cte_names.extend(
            cte_entries
                .iter()
                .filter_map(|entry| entry.get("key").and_then(Value::as_str))
                .map(str::to_owned),
        );
    }
    match source_type {
        Some("TABLE_FUNCTION") if is_table_ref => {
            if let Some(Value::Object(function)) = object.get("function") {
                reading.table_functions.push(name_parts(
                    function,
                    &["catalog", "schema", "function_name"],
                ));
                // The arguments may hold further calls; the function itself is not one.
                function.values().for_each(|child| collect(child, reading));
            }
            for (key, child) in object {
                if key != "function" {
                    collect(child, reading);
                }
            }
            return;
        }
        Some("BASE_TABLE") if is_table_ref => {
            reading.relations.push(name_parts(
                object,
                &["catalog_name", "schema_name", "table_name"],
            ));
        }
        // Query nodes (`SELECT_NODE`, `SET_OPERATION_NODE`, ...) carry a sample clause too.
        Some(other)
            if is_table_ref
                && !other.ends_with("_NODE")
                && !STRUCTURAL_SOURCES.contains(&other) =>
        {
            reading.unclassified_sources.push(other.to_owned());
        }
        _ => {}
    }
    if object.get("function_name").is_some_and(Value::is_string) {
        reading
            .functions
            .push(name_parts(object, &["catalog", "schema", "function_name"]));
    }
    object.values().for_each(|child| collect(child, reading));
}

/// The non-empty parts of a name spread over `keys` (outermost first).
fn name_parts(object: &Map<String, Value>, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .filter_map(|key| object.get(*key).and_then(Value::as_str))
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}
