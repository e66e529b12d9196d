//! PostgreSQL's own reading of a statement: `EXPLAIN (VERBOSE, FORMAT JSON)` has the server's
//! parser, rewriter and planner read the text, and the functions, table functions, system
//! relations and CTE names are collected from the plan it prints.
//!
//! EXPLAIN without ANALYZE runs no part of the query, and it is taken the way a query runs (on
//! a pooled connection, in a read-only transaction that is rolled back, under the statement
//! timeout). What a plan shows differs from the text in three ways, all on the safe side:
//! - Views, inlined SQL functions and row-level security policies are expanded, so the
//!   functions they call are read as the query's own (a view or policy that calls a denied
//!   function, such as `current_setting('app.tenant')`, makes the query refused).
//! - The planner folds immutable functions with constant arguments into their value
//!   (`sqrt(2)` becomes `1.414...`), so those calls are not in the reading; by their declared
//!   volatility they have no side effects, and none of PostgreSQL's deny-listed built-ins is
//!   immutable. (For its row estimates the planner may also evaluate stable calls with
//!   constant arguments; their values stay inside the server.)
//! - A plan names the base tables a view reads, not the view, so only relations in the system
//!   schemas (`pg_catalog`, `information_schema`, `pg_toast`) are reported: reporting the base
//!   tables would refuse a datasource whose allow-list names views. A system relation a query
//!   reaches through a view (`pg_roles` reads `pg_authid`) is therefore refused like one it
//!   names.
//!
//! Invariant: the reading never runs the statement; a plan node that reads rows from somewhere
//! not known here (`Foreign Scan`, `Custom Scan`, a node type of a later server version) is
//! reported as unclassified, never skipped.

use serde_json::{Map, Value};
use tokio_postgres::Transaction;

use ports::sql_engine::{EngineError, EngineReading, QueryLimits};

use crate::connection_pool::ConnectionPool;
use crate::database_error::query_error;
use crate::expression_calls::expression_calls;
use crate::query_execution::{ServerTimeout, in_read_only_transaction};

/// Schemas whose relations are reported: PostgreSQL's own catalogs.
const SYSTEM_SCHEMAS: &[&str] = &["pg_catalog", "information_schema", "pg_toast"];

/// Plan nodes that scan one table or view named by `Relation Name` and `Schema`.
const RELATION_SCANS: &[&str] = &[
    "Seq Scan",
    "Sample Scan",
    "Index Scan",
    "Index Only Scan",
    "Bitmap Heap Scan",
    "Tid Scan",
    "Tid Range Scan",
];

/// Plan nodes that produce rows only from their child plans, their own expressions or the
/// statement's CTEs.
const STRUCTURAL_NODES: &[&str] = &[
    "Result",
    "ProjectSet",
    "Append",
    "Merge Append",
    "Recursive Union",
    "BitmapAnd",
    "BitmapOr",
    "Nested Loop",
    "Merge Join",
    "Hash Join",
    "Gather",
    "Gather Merge",
    "Bitmap Index Scan",
    "Subquery Scan",
    "Values Scan",
    "CTE Scan",
    "WorkTable Scan",
    "Materialize",
    "Memoize",
    "Sort",
    "Incremental Sort",
    "Group",
    "Aggregate",
    "WindowAgg",
    "Unique",
    "SetOp",
    "Limit",
    "Hash",
];

/// Plan keys whose values are names or fixed words, never deparsed expressions.
const NAME_KEYS: &[&str] = &[
    "Node Type",
    "Parent Relationship",
    "Subplan Name",
    "Relation Name",
    "Schema",
    "Alias",
    "Function Name",
    "Table Function Name",
    "CTE Name",
    "Tuplestore Name",
    "Index Name",
    "Join Type",
    "Strategy",
    "Partial Mode",
    "Scan Direction",
    "Operation",
    "Command",
    "Custom Plan Provider",
];

/// PostgreSQL's reading of `sql`, taken under the default query timeout.
pub(crate) async fn read_statement(
    connection_pool: &ConnectionPool,
    sql: &str,
) -> Result<EngineReading, EngineError> {
    let timeout = QueryLimits::default().timeout;
    let explain_sql = format!("EXPLAIN (VERBOSE, FORMAT JSON) {sql}");
    let plan_document = in_read_only_transaction(
        connection_pool,
        timeout,
        ServerTimeout::Enforced,
        async |transaction: &Transaction<'_>| {
            let row = transaction
                .query_one(&explain_sql, &[])
                .await
                .map_err(|err| query_error(&err, timeout))?;
            row.try_get::<_, Value>(0)
                .map_err(|err| EngineError::QueryFailed(format!("EXPLAIN output: {err}")))
        },
    )
    .await?;
    reading_of_plan(&plan_document)
}

/// The reading of one `EXPLAIN (VERBOSE, FORMAT JSON)` document.
pub(crate) fn reading_of_plan(document: &Value) -> Result<EngineReading, EngineError> {
    let plans = document.as_array().map_or(&[][..], Vec::as_slice);
    let [explained] = plans else {
        return Err(EngineError::QueryFailed(format!(
            "PostgreSQL explains {} statements, expected exactly one",
            plans.len()
        )));
    };
    let Some(Value::Object(plan)) = explained.get("Plan") else {
        return Err(EngineError::QueryFailed(
            "PostgreSQL's explanation of the query has no plan".to_owned(),
        ));
    };
    let mut reading = EngineReading::default();
    collect_node(plan, &mut reading)?;
    Ok(reading)
}

/// Reads one plan node and, through `Plans`, the nodes below it.
fn collect_node(node: &Map<String, Value>, reading: &mut EngineReading) -> Result<(), EngineError> {
    let node_type = node
        .get("Node Type")
        .and_then(Value::as_str)
        .unwrap_or("a plan node without a type");
    let text_of = |key: &str| node.get(key).and_then(Value::as_str);
    match node_type {
        "Function Scan" => collect_function_scan(node, reading)?,
        "Table Function Scan" => match text_of("Table Function Name") {
            Some(function_name) => reading.table_functions.push(vec![function_name.to_owned()]),
            None => reading
                .unclassified_sources
                .push("Table Function Scan without a function name".to_owned()),
        },
        _ if RELATION_SCANS.contains(&node_type) => match text_of("Relation Name") {
            Some(relation_name) => {
                let schema = text_of("Schema").unwrap_or_default();
                if SYSTEM_SCHEMAS.contains(&schema) {
                    reading
                        .relations
                        .push(vec![schema.to_owned(), relation_name.to_owned()]);
                }
            }
            None => reading
                .unclassified_sources
                .push(format!("{node_type} without a relation name")),
        },
        _ if STRUCTURAL_NODES.contains(&node_type) => {}
        other => reading.unclassified_sources.push(other.to_owned()),
    }
    if matches!(node_type, "CTE Scan" | "WorkTable Scan")
        && let Some(cte_name) = text_of("CTE Name")
    {
        reading.cte_names.push(cte_name.to_owned());
    }
    for (key, value) in node {
        match key.as_str() {
            "Plans" => {
                for child in value.as_array().map_or(&[][..], Vec::as_slice) {
                    match child {
                        Value::Object(child_node) => collect_node(child_node, reading)?,
                        _ => reading
                            .unclassified_sources
                            .push("a child plan that is not a plan node".to_owned()),
                    }
                }
            }
            _ if NAME_KEYS.contains(&key.as_str()) => {}
            _ => collect_expression_calls(value, reading)?,
        }
    }
    Ok(())
}

/// A `Function Scan` names its function when it scans one (`generate_series` in
/// `pg_catalog`); `ROWS FROM (a(), b())` names none, and the calls at the top of its
/// `Function Call` are the table functions.
fn collect_function_scan(
    node: &Map<String, Value>,
    reading: &mut EngineReading,
) -> Result<(), EngineError> {
    if let Some(function_name) = node.get("Function Name").and_then(Value::as_str) {
        let mut name_parts: Vec<String> = node
            .get("Schema")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .into_iter()
            .collect();
        name_parts.push(function_name.to_owned());
        reading.table_functions.push(name_parts);
        return Ok(());
    }
    let function_call = node
        .get("Function Call")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let top_level_calls: Vec<Vec<String>> = expression_calls(function_call)
        .map_err(unreadable_plan)?
        .into_iter()
        .filter(|call| call.depth == 0)
        .map(|call| call.name_parts)
        .collect();
    if top_level_calls.is_empty() {
        reading
            .unclassified_sources
            .push("Function Scan of something other than a function call".to_owned());
    }
    reading.table_functions.extend(top_level_calls);
    Ok(())
}

/// Lexes every string under `value` (an expression, or a list of them) for calls.
fn collect_expression_calls(value: &Value, reading: &mut EngineReading) -> Result<(), EngineError> {
    match value {
        Value::String(expression) => {
            let calls = expression_calls(expression).map_err(unreadable_plan)?;
            reading
                .functions
                .extend(calls.into_iter().map(|call| call.name_parts));
        }
        Value::Array(items) => {
            for item in items {
                collect_expression_calls(item, reading)?;
            }
        }
        Value::Object(object) => {
            for (key, item) in object {
                if !NAME_KEYS.contains(&key.as_str()) {
                    collect_expression_calls(item, reading)?;
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

fn unreadable_plan(err: impl std::fmt::Display) -> EngineError {
    EngineError::QueryFailed(format!(
        "PostgreSQL's plan of the query cannot be read: {err}"
    ))
}

#[cfg(test)]
mod tests;
