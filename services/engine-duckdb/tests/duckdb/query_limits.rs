//! Row, byte, statement and time limits on queries.
//!
//! Invariant: every limit is checked against a real DuckDB query, not a stub.

use std::time::{Duration, Instant};

use ports::sql_engine::{EngineError, QueryLimits, SqlEngine};

use crate::scratch_dir::restaurants_engine;

#[tokio::test]
async fn rows_past_the_row_cap_are_dropped_and_flagged() {
    let (_scratch_dir, engine) = restaurants_engine("row-cap").await;
    let limits = QueryLimits {
        max_rows: 5,
        ..QueryLimits::default()
    };

    let result = engine
        .execute("SELECT id, name FROM restaurant ORDER BY id", &limits)
        .await
        .unwrap();

    assert_eq!(result.rows.len(), 5);
    assert!(result.truncated);
    assert_eq!(result.total_rows, None);
    assert_eq!(result.rows[4][0], serde_json::json!(5));
}

#[tokio::test]
async fn a_result_within_the_caps_is_complete_with_its_total() {
    let (_scratch_dir, engine) = restaurants_engine("no-cap").await;
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
async fn large_results_stream_only_up_to_the_row_cap() {
    let (_scratch_dir, engine) = restaurants_engine("large-result").await;
    let limits = QueryLimits {
        max_rows: 3,
        ..QueryLimits::default()
    };

    let result = engine
        .execute("SELECT range AS n FROM range(100000000)", &limits)
        .await
        .unwrap();

    assert_eq!(
        result.rows,
        vec![
            vec![serde_json::json!(0)],
            vec![serde_json::json!(1)],
            vec![serde_json::json!(2)]
        ]
    );
    assert!(result.truncated);
}

#[tokio::test]
async fn rows_stop_before_the_kept_json_passes_the_byte_cap() {
    let (_scratch_dir, engine) = restaurants_engine("byte-cap").await;
    let limits = QueryLimits {
        max_bytes: 100,
        ..QueryLimits::default()
    };

    let result = engine
        .execute("SELECT repeat('x', 30) AS filler FROM range(50)", &limits)
        .await
        .unwrap();

    let kept_bytes: usize = result
        .rows
        .iter()
        .map(|row| serde_json::to_vec(row).unwrap().len())
        .sum();
    assert!(kept_bytes <= 100, "{kept_bytes}");
    assert_eq!(result.rows.len(), 2);
    assert!(result.truncated);
    assert_eq!(result.total_rows, None);
}

#[tokio::test]
async fn a_runaway_query_is_interrupted_at_the_timeout() {
    let (_scratch_dir, engine) = restaurants_engine("timeout").await;
    let limits = QueryLimits {
        timeout: Duration::from_secs(1),
        ..QueryLimits::default()
    };
    let started = Instant::now();

    let outcome = engine
        .execute("SELECT count(*) FROM range(1000000000000) a", &limits)
        .await;

    let elapsed = started.elapsed();
    assert_eq!(outcome, Err(EngineError::TimedOut(Duration::from_secs(1))));
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let after = engine
        .execute("SELECT 42", &QueryLimits::default())
        .await
        .unwrap();
    assert_eq!(after.rows, vec![vec![serde_json::json!(42)]]);
}

#[tokio::test]
async fn a_second_statement_is_rejected_before_anything_runs() {
    let (_scratch_dir, engine) = restaurants_engine("two-statements").await;

    let outcome = engine
        .execute("SELECT 1; SELECT 2", &QueryLimits::default())
        .await;

    let Err(EngineError::QueryFailed(message)) = outcome else {
        panic!("expected QueryFailed, got {outcome:?}")
    };
    assert!(message.contains("exactly one"), "{message}");
}

#[tokio::test]
async fn a_trailing_semicolon_and_comment_still_make_one_statement() {
    let (_scratch_dir, engine) = restaurants_engine("trailing").await;

    let result = engine
        .execute("SELECT 'a;b' AS s; -- done", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(result.rows, vec![vec![serde_json::json!("a;b")]]);
}

#[tokio::test]
async fn database_errors_keep_duckdbs_own_message() {
    let (_scratch_dir, engine) = restaurants_engine("error-text").await;

    let outcome = engine
        .execute(
            "SELECT no_such_column FROM restaurant",
            &QueryLimits::default(),
        )
        .await;

    let Err(EngineError::QueryFailed(message)) = outcome else {
        panic!("expected QueryFailed, got {outcome:?}")
    };
    assert!(message.contains("no_such_column"), "{message}");
}

#[tokio::test]
async fn writes_and_reads_of_other_files_are_refused() {
    let (_scratch_dir, engine) = restaurants_engine("read-only").await;

    let write = engine
        .execute("DELETE FROM restaurant", &QueryLimits::default())
        .await;
    let file_read = engine
        .execute(
            "SELECT * FROM read_csv('/etc/hostname')",
            &QueryLimits::default(),
        )
        .await;

    assert!(
        matches!(write, Err(EngineError::QueryFailed(_))),
        "{write:?}"
    );
    assert!(
        matches!(file_read, Err(EngineError::QueryFailed(_))),
        "{file_read:?}"
    );
    let count = engine
        .execute("SELECT count(*) FROM restaurant", &QueryLimits::default())
        .await
        .unwrap();
    assert_eq!(count.rows[0][0], serde_json::json!(11));
}

#[tokio::test]
async fn questions_about_today_run_without_time_zone_support() {
    let (_scratch_dir, engine) = restaurants_engine("clock").await;
    let sql =
        "SELECT CURRENT_DATE - INTERVAL '30 days' AS since, now() AS at, CURRENT_DATE AS today";

    let result = engine.execute(sql, &QueryLimits::default()).await.unwrap();

    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(result.rows[0][2], serde_json::json!(today));
    assert_eq!(
        result.columns[1].column_type,
        contracts::result::ColumnType::Timestamp
    );
}
