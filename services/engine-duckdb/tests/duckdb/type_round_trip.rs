//! Every DuckDB type through the engine: the smallest and largest value of each column of
//! DuckDB's own `test_all_types()` comes back as DuckDB itself renders it, as a number equal to
//! that rendering, or as a value of a type listed here as rendered differently on purpose.
//!
//! Invariant: no value silently changes (the largest `UHUGEINT` as `-1`, `BIT '101'` as bytes).

use ports::sql_engine::{QueryLimits, SqlEngine};
use serde_json::Value;

use crate::scratch_dir::restaurants_engine;

/// Columns whose JSON is a readable rendering of DuckDB's text, not the text itself: dates and
/// timestamps in ISO form, and nested values.
fn rendered_differently(column: &str) -> bool {
    column.starts_with("date")
        || column.starts_with("timestamp")
        || column.starts_with("time_tz")
        || column.contains("interval")
        || column.contains("array")
        || column.contains("struct")
        || column == "tuple"
        || column.contains("list")
        || column.contains("map")
        || column.contains("union")
        || column.contains("enum")
        || column == "blob"
}

fn same_number(json: &Value, duckdb_text: &str) -> bool {
    match (json.as_f64(), duckdb_text.parse::<f64>()) {
        (Some(ours), Ok(theirs)) if json.is_i64() || json.is_u64() => {
            serde_json::to_string(json).is_ok_and(|text| text == duckdb_text) || ours == theirs
        }
        (Some(ours), Ok(theirs)) => {
            ours == theirs || ((ours - theirs).abs() <= theirs.abs() * 1e-12)
        }
        _ => false,
    }
}

#[tokio::test]
async fn every_type_of_test_all_types_round_trips() {
    let (_scratch_dir, engine) = restaurants_engine("all-types").await;
    let limits = QueryLimits::default();
    let columns = engine
        .execute("SELECT * FROM test_all_types() LIMIT 0", &limits)
        .await
        .unwrap()
        .columns;

    let mut mismatches = Vec::new();
    for column in &columns {
        let quoted = format!("\"{}\"", column.name);
        let result = engine
            .execute(
                &format!(
                    "SELECT {quoted} AS value, CAST({quoted} AS VARCHAR) AS text \
                     FROM test_all_types()"
                ),
                &limits,
            )
            .await
            .unwrap();
        for row in &result.rows {
            let (value, text) = (&row[0], &row[1]);
            let matches = match (value, text) {
                (Value::Null, Value::Null) => true,
                (Value::Number(_), Value::String(text)) => same_number(value, text),
                (Value::Bool(flag), Value::String(text)) => flag.to_string() == *text,
                (Value::String(ours), Value::String(text)) => {
                    ours == text || rendered_differently(&column.name)
                }
                _ => false,
            };
            if !matches {
                mismatches.push(format!("{}: {value} but DuckDB says {text}", column.name));
            }
        }
    }

    eprintln!("test_all_types: {} columns", columns.len());
    assert!(columns.len() > 40, "only {} columns", columns.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn the_largest_unsigned_hugeint_and_bit_strings_keep_their_value() {
    let (_scratch_dir, engine) = restaurants_engine("exact-types").await;

    let result = engine
        .execute(
            "SELECT 340282366920938463463374607431768211455::UHUGEINT AS big, \
             '101'::BIT AS bits, 42::UHUGEINT AS small",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(
        result.rows[0],
        vec![
            Value::from("340282366920938463463374607431768211455"),
            Value::from("101"),
            Value::from(42)
        ]
    );
    assert_eq!(result.columns[0].name, "big");
    assert_eq!(result.columns[1].name, "bits");
}
