//! Queries that do not succeed: Athena's failure reasons, the timeout, and throttling.

use std::time::{Duration, Instant};

use serde_json::json;

use contracts::error::ErrorKind;
use ports::sql_engine::{EngineError, QueryLimits, SqlEngine};

use crate::fake_athena::{
    FakeAthena, answer, error_answer, query_ended, query_state, results_page,
};

fn script_start(fake: &FakeAthena) {
    fake.script(
        "StartQueryExecution",
        vec![answer(json!({ "QueryExecutionId": "q-1" }))],
    );
}

fn limits_with_timeout(timeout: Duration) -> QueryLimits {
    QueryLimits {
        timeout,
        ..QueryLimits::default()
    }
}

#[tokio::test]
async fn a_failed_query_returns_athena_state_change_reason_as_query_failed() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    let reason = "COLUMN_NOT_FOUND: line 1:8: Column 'revenu' cannot be resolved";
    fake.script(
        "GetQueryExecution",
        vec![query_state("RUNNING"), query_ended("FAILED", reason)],
    );

    let err = fake
        .engine()
        .execute("SELECT revenu FROM orders", &QueryLimits::default())
        .await
        .unwrap_err();

    assert_eq!(err, EngineError::QueryFailed(reason.to_owned()));
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(fake.requests("GetQueryResults").is_empty());
    assert!(fake.requests("StopQueryExecution").is_empty());
}

#[tokio::test]
async fn the_workgroup_bytes_scanned_cutoff_reaches_the_caller_as_query_failed() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    let reason = "Query cancelled! : Bytes scanned limit was exceeded";
    fake.script("GetQueryExecution", vec![query_ended("FAILED", reason)]);

    let err = fake
        .engine()
        .execute("SELECT * FROM events", &QueryLimits::default())
        .await
        .unwrap_err();

    assert_eq!(err, EngineError::QueryFailed(reason.to_owned()));
}

#[tokio::test]
async fn a_query_cancelled_by_athena_returns_its_reason_as_query_failed() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    let reason = "Bytes scanned limit was exceeded";
    fake.script("GetQueryExecution", vec![query_ended("CANCELLED", reason)]);

    let err = fake
        .engine()
        .execute("SELECT * FROM events", &QueryLimits::default())
        .await
        .unwrap_err();

    assert_eq!(err, EngineError::QueryFailed(reason.to_owned()));
}

#[tokio::test]
async fn a_query_still_running_at_its_timeout_is_stopped_and_times_out() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    fake.script("GetQueryExecution", vec![query_state("RUNNING")]);
    fake.script("StopQueryExecution", vec![answer(json!({}))]);
    let started = Instant::now();

    let err = fake
        .engine()
        .execute(
            "SELECT * FROM events",
            &limits_with_timeout(Duration::from_secs(1)),
        )
        .await
        .unwrap_err();

    assert_eq!(err, EngineError::TimedOut(Duration::from_secs(1)));
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    let stop_requests = fake.requests("StopQueryExecution");
    assert_eq!(stop_requests, vec![json!({ "QueryExecutionId": "q-1" })]);
    assert!(fake.requests("GetQueryExecution").len() > 1);
    assert!(fake.requests("GetQueryResults").is_empty());
}

#[tokio::test]
async fn throttled_status_polls_are_retried_until_the_query_succeeds() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    fake.script(
        "GetQueryExecution",
        vec![
            error_answer(400, "ThrottlingException", "Rate exceeded"),
            error_answer(400, "ThrottlingException", "Rate exceeded"),
            query_state("SUCCEEDED"),
        ],
    );
    fake.script(
        "GetQueryResults",
        vec![results_page(
            &[("n", "bigint")],
            &[vec![Some("n")], vec![Some("7")]],
            None,
        )],
    );

    let result_set = fake
        .engine()
        .execute("SELECT count(*) AS n FROM orders", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(result_set.rows, vec![vec![json!(7)]]);
    assert_eq!(fake.requests("GetQueryExecution").len(), 3);
}

#[tokio::test]
async fn throttling_that_does_not_stop_becomes_unavailable_and_the_query_is_stopped() {
    let fake = FakeAthena::start().await;
    script_start(&fake);
    fake.script(
        "GetQueryExecution",
        vec![error_answer(400, "ThrottlingException", "Rate exceeded")],
    );
    fake.script("StopQueryExecution", vec![answer(json!({}))]);

    let err = fake
        .engine()
        .execute("SELECT 1", &QueryLimits::default())
        .await
        .unwrap_err();

    assert!(
        matches!(err, EngineError::Unavailable(ref message) if message.contains("ThrottlingException")),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert_eq!(fake.requests("GetQueryExecution").len(), 4);
    assert_eq!(fake.requests("StopQueryExecution").len(), 1);
}

#[tokio::test]
async fn a_server_error_on_start_is_retried_with_the_same_client_request_token() {
    let fake = FakeAthena::start().await;
    fake.script(
        "StartQueryExecution",
        vec![
            error_answer(500, "InternalServerException", "try again"),
            answer(json!({ "QueryExecutionId": "q-1" })),
        ],
    );
    fake.script("GetQueryExecution", vec![query_state("SUCCEEDED")]);
    fake.script(
        "GetQueryResults",
        vec![results_page(&[("n", "integer")], &[vec![Some("n")]], None)],
    );

    fake.engine()
        .execute("SELECT 1 AS n", &QueryLimits::default())
        .await
        .unwrap();

    let start_requests = fake.requests("StartQueryExecution");
    assert_eq!(start_requests.len(), 2);
    assert_eq!(
        start_requests[0]["ClientRequestToken"],
        start_requests[1]["ClientRequestToken"]
    );
}

#[tokio::test]
async fn a_start_rejected_as_invalid_returns_athena_message_as_query_failed() {
    let fake = FakeAthena::start().await;
    fake.script(
        "StartQueryExecution",
        vec![error_answer(
            400,
            "InvalidRequestException",
            "line 1:1: mismatched input 'SELEC'",
        )],
    );

    let err = fake
        .engine()
        .execute("SELEC 1", &QueryLimits::default())
        .await
        .unwrap_err();

    assert_eq!(
        err,
        EngineError::QueryFailed("line 1:1: mismatched input 'SELEC'".to_owned())
    );
    assert_eq!(fake.requests("StartQueryExecution").len(), 1);
    assert!(fake.requests("GetQueryExecution").is_empty());
}
