//! Typed results: numbers stay numbers, NULL stays null, dates and timestamps are ISO-8601,
//! other types come back as text, and database errors keep the server's words.
//!
//! Invariant: every query runs against the real server through the engine.

use contracts::result::ColumnType;
use ports::sql_engine::{EngineError, QueryLimits, SqlEngine};
use serde_json::json;

use crate::test_database::TestDatabase;

#[tokio::test]
async fn a_count_over_the_demo_data_returns_the_real_number_as_an_integer() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;

    let result = engine
        .execute(
            "SELECT count(*) AS n_restaurants FROM restaurant",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(result.columns[0].name, "n_restaurants");
    assert_eq!(result.columns[0].column_type, ColumnType::Integer);
    assert_eq!(result.rows, vec![vec![json!(11)]]);
    assert!(!result.truncated);
    assert_eq!(result.total_rows, Some(1));
}

#[tokio::test]
async fn every_supported_type_round_trips_with_its_json_type() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let result = engine
        .execute(
            "SELECT 7::int2 AS small, 42::int4 AS regular, 9000000000::int8 AS big, \
                    3.8::float4 AS single, 2.25::float8 AS double, \
                    12345.6789::numeric AS exact, 'héllo'::text AS words, 'ab'::char(3) AS padded, \
                    true AS flag, DATE '2024-03-05' AS day, \
                    TIMESTAMP '2024-03-05 06:07:08.5' AS local_time, \
                    TIMESTAMPTZ '2024-03-05 06:07:08+02' AS zoned_time, \
                    NULL::int4 AS nothing, '{\"a\": [1, 2]}'::jsonb AS document, \
                    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    let column_types: Vec<ColumnType> = result
        .columns
        .iter()
        .map(|column| column.column_type)
        .collect();
    assert_eq!(
        column_types,
        vec![
            ColumnType::Integer,
            ColumnType::Integer,
            ColumnType::Integer,
            ColumnType::Float,
            ColumnType::Float,
            ColumnType::Float,
            ColumnType::Text,
            ColumnType::Text,
            ColumnType::Boolean,
            ColumnType::Date,
            ColumnType::Timestamp,
            ColumnType::Timestamp,
            ColumnType::Integer,
            ColumnType::Other,
            ColumnType::Text,
        ]
    );
    assert_eq!(
        result.rows[0],
        vec![
            json!(7),
            json!(42),
            json!(9_000_000_000_i64),
            json!(3.8),
            json!(2.25),
            json!(12345.6789),
            json!("héllo"),
            json!("ab "),
            json!(true),
            json!("2024-03-05"),
            json!("2024-03-05T06:07:08.500"),
            json!("2024-03-05T04:07:08Z"),
            json!(null),
            json!({"a": [1, 2]}),
            json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ]
    );
}

#[tokio::test]
async fn the_demo_ratings_stored_as_real_keep_their_decimal_value() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;

    let result = engine
        .execute(
            "SELECT name, rating FROM restaurant WHERE id = 2",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(
        result.rows,
        vec![vec![json!("The Burger Joint"), json!(3.8)]]
    );
    assert_eq!(result.columns[1].column_type, ColumnType::Float);
}

#[tokio::test]
async fn types_without_a_decoder_come_back_as_text_under_their_own_names() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let result = engine
        .execute(
            "SELECT interval '1 day 2 hours' AS x, ARRAY[1, 2] AS x, 5 AS n -- trailing comment",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    let names: Vec<&str> = result
        .columns
        .iter()
        .map(|column| column.name.as_str())
        .collect();
    assert_eq!(names, vec!["x", "x", "n"]);
    assert_eq!(result.columns[0].column_type, ColumnType::Other);
    assert_eq!(result.columns[2].column_type, ColumnType::Integer);
    assert_eq!(
        result.rows[0],
        vec![json!("1 day 02:00:00"), json!("{1,2}"), json!(5)]
    );
}

#[tokio::test]
async fn an_enum_column_is_text() {
    let database = TestDatabase::create().await;
    database
        .run("CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE TABLE diary (feeling mood); INSERT INTO diary VALUES ('sad')")
        .await;
    let engine = database.engine().await;

    let result = engine
        .execute("SELECT feeling FROM diary", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(result.columns[0].column_type, ColumnType::Text);
    assert_eq!(result.rows, vec![vec![json!("sad")]]);
}

#[tokio::test]
async fn a_misspelled_column_fails_with_the_server_message_and_hint() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;

    let failure = engine
        .execute("SELECT nme FROM restaurant", &QueryLimits::default())
        .await
        .unwrap_err();

    let EngineError::QueryFailed(message) = failure else {
        panic!("expected QueryFailed, got {failure:?}");
    };
    assert!(
        message.contains("column \"nme\" does not exist"),
        "{message}"
    );
    assert!(message.contains("42703"), "{message}");
    assert!(message.contains("HINT:"), "{message}");
}

#[tokio::test]
async fn two_statements_in_one_call_are_refused() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let failure = engine
        .execute("SELECT 1; SELECT 2", &QueryLimits::default())
        .await
        .unwrap_err();

    assert!(
        matches!(&failure, EngineError::QueryFailed(message) if message.contains("multiple commands")),
        "{failure:?}"
    );
}
