//! Successful queries: the request Athena receives, the polling, and typed rows over pages.

use std::time::{Duration, Instant};

use serde_json::json;

use contracts::result::{ColumnType, ResultColumn};
use ports::sql_engine::{Dialect, QueryLimits, SqlEngine};

use crate::fake_athena::{FakeAthena, answer, engine_with, query_state, results_page};

const COLUMNS: &[(&str, &str)] = &[
    ("id", "integer"),
    ("price", "double"),
    ("name", "varchar"),
    ("day", "date"),
    ("placed_at", "timestamp"),
    ("active", "boolean"),
    ("note", "varchar"),
];

fn header_row() -> Vec<Option<&'static str>> {
    COLUMNS.iter().map(|(name, _)| Some(*name)).collect()
}

fn script_succeeding_query(fake: &FakeAthena) {
    fake.script(
        "StartQueryExecution",
        vec![answer(json!({ "QueryExecutionId": "q-1" }))],
    );
    fake.script("GetQueryExecution", vec![query_state("SUCCEEDED")]);
    fake.script(
        "GetQueryResults",
        vec![results_page(
            &[("n", "integer")],
            &[vec![Some("n")], vec![Some("1")]],
            None,
        )],
    );
}

#[tokio::test]
async fn a_queued_then_running_query_returns_typed_rows_from_two_pages_without_the_header() {
    let fake = FakeAthena::start().await;
    fake.script(
        "StartQueryExecution",
        vec![answer(json!({ "QueryExecutionId": "q-1" }))],
    );
    fake.script(
        "GetQueryExecution",
        vec![
            query_state("QUEUED"),
            query_state("RUNNING"),
            query_state("SUCCEEDED"),
        ],
    );
    fake.script(
        "GetQueryResults",
        vec![
            results_page(
                COLUMNS,
                &[
                    header_row(),
                    vec![
                        Some("1"),
                        Some("9.5"),
                        Some("ada"),
                        Some("2024-01-02"),
                        Some("2024-01-02 03:04:05.000"),
                        Some("true"),
                        None,
                    ],
                    vec![
                        Some("2"),
                        Some("0.25"),
                        Some("bob"),
                        Some("2024-02-29"),
                        Some("2024-02-29 23:59:59.123"),
                        Some("false"),
                        Some("vip"),
                    ],
                ],
                Some("page-2"),
            ),
            results_page(
                COLUMNS,
                &[vec![Some("3"), None, None, None, None, None, None]],
                None,
            ),
        ],
    );
    let engine = fake.engine();

    let result_set = engine
        .execute("SELECT * FROM orders", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(engine.dialect(), Dialect::Athena);
    let column_types: Vec<ColumnType> = result_set
        .columns
        .iter()
        .map(|column| column.column_type)
        .collect();
    assert_eq!(
        column_types,
        vec![
            ColumnType::Integer,
            ColumnType::Float,
            ColumnType::Text,
            ColumnType::Date,
            ColumnType::Timestamp,
            ColumnType::Boolean,
            ColumnType::Text,
        ]
    );
    assert_eq!(
        result_set.columns[0],
        ResultColumn {
            name: "id".to_owned(),
            column_type: ColumnType::Integer
        }
    );
    assert_eq!(
        result_set.rows,
        vec![
            vec![
                json!(1),
                json!(9.5),
                json!("ada"),
                json!("2024-01-02"),
                json!("2024-01-02T03:04:05.000"),
                json!(true),
                json!(null),
            ],
            vec![
                json!(2),
                json!(0.25),
                json!("bob"),
                json!("2024-02-29"),
                json!("2024-02-29T23:59:59.123"),
                json!(false),
                json!("vip"),
            ],
            vec![
                json!(3),
                json!(null),
                json!(null),
                json!(null),
                json!(null),
                json!(null),
                json!(null),
            ],
        ]
    );
    assert!(!result_set.truncated);
    assert_eq!(result_set.total_rows, Some(3));
    assert_eq!(fake.requests("GetQueryExecution").len(), 3);
    let page_requests = fake.requests("GetQueryResults");
    assert_eq!(page_requests.len(), 2);
    assert_eq!(page_requests[0]["QueryExecutionId"], "q-1");
    assert!(page_requests[0].get("NextToken").is_none());
    assert_eq!(page_requests[1]["NextToken"], "page-2");
    assert!(fake.requests("StopQueryExecution").is_empty());
}

#[tokio::test]
async fn the_start_request_carries_the_sql_workgroup_catalog_and_database() {
    let fake = FakeAthena::start().await;
    script_succeeding_query(&fake);

    fake.engine()
        .execute("SELECT 1 AS n", &QueryLimits::default())
        .await
        .unwrap();

    let start_requests = fake.requests("StartQueryExecution");
    assert_eq!(start_requests.len(), 1);
    let start_request = &start_requests[0];
    assert_eq!(start_request["QueryString"], "SELECT 1 AS n");
    assert_eq!(start_request["WorkGroup"], "analyst-wg");
    assert_eq!(
        start_request["QueryExecutionContext"],
        json!({ "Catalog": "AwsDataCatalog", "Database": "sales" })
    );
    assert!(start_request.get("ResultConfiguration").is_none());
    assert!(start_request["ClientRequestToken"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn an_output_location_is_sent_as_the_result_configuration() {
    let fake = FakeAthena::start().await;
    script_succeeding_query(&fake);
    let engine = engine_with(engine_athena::AthenaSettings {
        output_location: Some("s3://analyst-results/athena/".to_owned()),
        ..fake.settings()
    });

    engine
        .execute("SELECT 1 AS n", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(
        fake.requests("StartQueryExecution")[0]["ResultConfiguration"],
        json!({ "OutputLocation": "s3://analyst-results/athena/" })
    );
}

#[tokio::test]
async fn polling_backs_off_from_the_initial_interval_and_is_capped_at_the_maximum() {
    let fake = FakeAthena::start().await;
    fake.script(
        "StartQueryExecution",
        vec![answer(json!({ "QueryExecutionId": "q-1" }))],
    );
    let mut states = vec![query_state("RUNNING"); 6];
    states.push(query_state("SUCCEEDED"));
    fake.script("GetQueryExecution", states);
    fake.script(
        "GetQueryResults",
        vec![results_page(&[("n", "integer")], &[vec![Some("n")]], None)],
    );
    let engine = engine_with(engine_athena::AthenaSettings {
        poll_initial: Duration::from_millis(20),
        poll_max: Duration::from_millis(40),
        ..fake.settings()
    });
    let started = Instant::now();

    let result_set = engine
        .execute("SELECT 1 AS n", &QueryLimits::default())
        .await
        .unwrap();

    // Capped waits: 20 + 5 * 40 = 220 ms; doubling without the cap would take 1,260 ms.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(220), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(900), "{elapsed:?}");
    assert_eq!(fake.requests("GetQueryExecution").len(), 7);
    assert!(result_set.rows.is_empty());
    assert_eq!(result_set.total_rows, Some(0));
}

#[tokio::test]
async fn from_settings_rejects_settings_without_a_workgroup_before_any_call() {
    let settings = engine_athena::AthenaSettings::new("us-east-1", "", "sales");

    let err = engine_athena::AthenaEngine::from_settings(settings)
        .await
        .unwrap_err();

    assert_eq!(
        err,
        engine_athena::AthenaSettingsError::MissingValue("workgroup")
    );
}
