//! Time, row and byte limits, each checked against the real server.
//!
//! Invariant: limits are asserted by what the engine returns and what the server reports,
//! never by timings of fast paths.

use std::time::{Duration, Instant};

use ports::sql_engine::{EngineError, QueryLimits, SqlEngine};
use serde_json::json;

use crate::test_database::TestDatabase;

#[tokio::test]
async fn a_sleeping_query_times_out_and_no_longer_runs_on_the_server() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;
    let limits = QueryLimits {
        timeout: Duration::from_secs(1),
        ..QueryLimits::default()
    };
    let started = Instant::now();

    let failure = engine
        .execute("SELECT pg_sleep(60)", &limits)
        .await
        .unwrap_err();

    assert_eq!(failure, EngineError::TimedOut(Duration::from_secs(1)));
    assert!(started.elapsed() < Duration::from_secs(10));
    let still_running = database
        .scalar(&format!(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = '{}' AND state = 'active' AND query LIKE '%pg_sleep(60)%' \
             AND pid <> pg_backend_pid()",
            database.name()
        ))
        .await;
    assert_eq!(still_running, 0);
}

#[tokio::test]
async fn a_ten_million_row_query_returns_only_the_row_cap() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;
    let limits = QueryLimits {
        max_rows: 1_000,
        ..QueryLimits::default()
    };

    // The engine reads the result through a portal in batches and stops asking after
    // `max_rows + 1` rows, so the other ten million never cross the wire (the unit test
    // `a_huge_result_is_fetched_only_one_row_past_the_cap` counts the fetched rows).
    let result = engine
        .execute("SELECT g FROM generate_series(1, 10000000) g", &limits)
        .await
        .unwrap();

    assert_eq!(result.rows.len(), 1_000);
    assert!(result.truncated);
    assert_eq!(result.total_rows, None);
    assert_eq!(result.rows[0], vec![json!(1)]);
    assert_eq!(result.rows[999], vec![json!(1_000)]);
}

#[tokio::test]
async fn a_result_of_exactly_the_row_cap_is_complete() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;
    let limits = QueryLimits {
        max_rows: 11,
        ..QueryLimits::default()
    };

    let result = engine
        .execute("SELECT * FROM restaurant", &limits)
        .await
        .unwrap();

    assert_eq!(result.rows.len(), 11);
    assert!(!result.truncated);
    assert_eq!(result.total_rows, Some(11));
}

#[tokio::test]
async fn rows_past_the_byte_cap_are_dropped_and_flagged() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;
    let limits = QueryLimits {
        max_bytes: 10_000,
        ..QueryLimits::default()
    };

    let result = engine
        .execute(
            "SELECT repeat('x', 1000) AS filler FROM generate_series(1, 100)",
            &limits,
        )
        .await
        .unwrap();

    assert_eq!(result.rows.len(), 9);
    assert!(result.truncated);
    assert_eq!(result.total_rows, None);
}

#[tokio::test]
async fn the_engine_keeps_working_after_a_timeout() {
    let database = TestDatabase::create().await;
    let mut settings = database.settings(ports::sql_engine::Dialect::Postgres);
    settings.pool_size = 1;
    let engine = engine_postgres::PostgresEngine::connect(settings)
        .await
        .unwrap();
    let short = QueryLimits {
        timeout: Duration::from_millis(300),
        ..QueryLimits::default()
    };
    engine
        .execute("SELECT pg_sleep(30)", &short)
        .await
        .unwrap_err();

    let result = engine
        .execute("SELECT 1 AS one", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(result.rows, vec![vec![json!(1)]]);
}
