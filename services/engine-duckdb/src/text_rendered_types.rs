//! Result types DuckDB's Arrow export cannot carry exactly (the largest `UHUGEINT` arrives as
//! `-1`, `BIT '101'` as the bytes `05fd`, `TIME '24:00:00'` not at all): such columns are cast to DuckDB's own text
//! rendering in a wrapper around the statement, and whole numbers that fit a JSON integer are
//! turned back into numbers.
//!
//! Invariant: the wrapper changes only how the listed columns are rendered; names, order and
//! every other column are the statement's own.

use duckdb::Connection;
use duckdb::core::LogicalTypeId;
use serde_json::Value;

/// Types rendered by DuckDB as text instead of through Arrow.
pub(crate) fn is_text_rendered(logical_type: LogicalTypeId) -> bool {
    matches!(
        logical_type,
        LogicalTypeId::UHugeint
            | LogicalTypeId::Bignum
            | LogicalTypeId::Bit
            | LogicalTypeId::Time
            | LogicalTypeId::TimeTZ
            | LogicalTypeId::TimeNs
            | LogicalTypeId::Union
            | LogicalTypeId::Geometry
    )
}

/// Whole-number types whose text is turned back into a JSON number when it fits.
pub(crate) fn is_whole_number_text(logical_type: LogicalTypeId) -> bool {
    matches!(
        logical_type,
        LogicalTypeId::UHugeint | LogicalTypeId::Bignum
    )
}

/// `statement_sql` wrapped so that every column of a text-rendered type is cast to VARCHAR,
/// or `None` when no column needs it.
pub(crate) fn text_rendering_wrapper(
    connection: &Connection,
    statement_sql: &str,
    logical_types: &[LogicalTypeId],
) -> Result<Option<String>, duckdb::Error> {
    if !logical_types.iter().copied().any(is_text_rendered) {
        return Ok(None);
    }
    let mut describe = connection.prepare(&format!("DESCRIBE {statement_sql}"))?;
    let names: Vec<String> = describe
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    if names.len() != logical_types.len() {
        return Ok(None);
    }
    let positional: Vec<String> = (1..=names.len()).map(|idx| format!("c{idx}")).collect();
    let select_list: Vec<String> = names
        .iter()
        .zip(logical_types)
        .zip(&positional)
        .map(|((name, logical_type), position)| {
            let quoted_name = quoted(name);
            if is_text_rendered(*logical_type) {
                format!("CAST({position} AS VARCHAR) AS {quoted_name}")
            } else {
                format!("{position} AS {quoted_name}")
            }
        })
        .collect();
    Ok(Some(format!(
        "SELECT {} FROM ({statement_sql}) AS rendered({})",
        select_list.join(", "),
        positional.join(", ")
    )))
}

/// A whole number's text as a JSON number when it fits one, else the text.
pub(crate) fn whole_number_value(value: Value) -> Value {
    let Value::String(text) = &value else {
        return value;
    };
    if let Ok(small) = text.parse::<i64>() {
        return Value::from(small);
    }
    if let Ok(small) = text.parse::<u64>() {
        return Value::from(small);
    }
    value
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
