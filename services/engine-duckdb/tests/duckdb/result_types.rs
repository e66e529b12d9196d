//! Typed result columns and JSON values.
//!
//! Invariant: values are compared as JSON, the way the API returns them.

use contracts::result::ColumnType;
use ports::sql_engine::{QueryLimits, SqlEngine};
use serde_json::json;

use crate::scratch_dir::restaurants_engine;

#[tokio::test]
async fn scalar_types_come_out_typed() {
    let (_scratch_dir, engine) = restaurants_engine("types").await;
    let sql = "SELECT 7::INTEGER AS i, 2.5::DOUBLE AS f, 12.34::DECIMAL(10,2) AS d, 'text' AS t, \
               DATE '2024-02-29' AS day, TIMESTAMP '2024-02-29 13:45:01.5' AS ts, true AS b, \
               NULL::INTEGER AS n, INTERVAL 3 DAY AS other";

    let result = engine.execute(sql, &QueryLimits::default()).await.unwrap();

    let column_types: Vec<ColumnType> = result
        .columns
        .iter()
        .map(|column| column.column_type)
        .collect();
    assert_eq!(
        column_types,
        [
            ColumnType::Integer,
            ColumnType::Float,
            ColumnType::Float,
            ColumnType::Text,
            ColumnType::Date,
            ColumnType::Timestamp,
            ColumnType::Boolean,
            ColumnType::Integer,
            ColumnType::Other,
        ]
    );
    assert_eq!(result.columns[3].name, "t");
    assert_eq!(
        result.rows[0][..8],
        [
            json!(7),
            json!(2.5),
            json!(12.34),
            json!("text"),
            json!("2024-02-29"),
            json!("2024-02-29T13:45:01.500"),
            json!(true),
            json!(null)
        ]
    );
    assert!(result.rows[0][8].is_string());
}

#[tokio::test]
async fn real_columns_keep_their_short_decimal_form() {
    let (_scratch_dir, engine) = restaurants_engine("real").await;

    let result = engine
        .execute(
            "SELECT rating FROM restaurant WHERE id = 2",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(result.columns[0].column_type, ColumnType::Float);
    assert_eq!(result.rows, vec![vec![json!(3.8)]]);
}

#[tokio::test]
async fn sums_of_integers_are_integers() {
    let (_scratch_dir, engine) = restaurants_engine("hugeint").await;

    let result = engine
        .execute(
            "SELECT sum(id) AS total FROM restaurant",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(result.columns[0].column_type, ColumnType::Integer);
    assert_eq!(result.rows, vec![vec![json!(66)]]);
}
