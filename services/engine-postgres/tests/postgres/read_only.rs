//! Writes fail inside the engine's read-only transaction even though no guard ran, and nothing
//! a query changes in the session outlives it.
//!
//! Invariant: these tests call the engine directly, with no SQL guard in front of it.

use ports::sql_engine::{EngineError, QueryLimits, SqlEngine};
use serde_json::json;

use crate::test_database::TestDatabase;

#[tokio::test]
async fn every_kind_of_write_fails_with_a_read_only_transaction_error() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;
    let writes = [
        "INSERT INTO restaurant (id, name) VALUES (99, 'Intruder')",
        "UPDATE restaurant SET rating = 0",
        "DELETE FROM restaurant",
        "CREATE TABLE stolen (secret text)",
        "DROP TABLE restaurant",
        "WITH gone AS (DELETE FROM restaurant RETURNING id) SELECT count(*) FROM gone",
    ];

    for write in writes {
        let failure = engine
            .execute(write, &QueryLimits::default())
            .await
            .unwrap_err();

        assert!(
            matches!(&failure, EngineError::QueryFailed(message) if message.contains("read-only transaction")),
            "{write}: {failure:?}"
        );
    }
    assert_eq!(database.scalar("SELECT count(*) FROM restaurant").await, 11);
    assert_eq!(
        database
            .scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'stolen'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_setting_changed_by_a_query_is_rolled_back_with_it() {
    let database = TestDatabase::create().await;
    let mut settings = database.settings(ports::sql_engine::Dialect::Postgres);
    settings.pool_size = 1;
    let engine = engine_postgres::PostgresEngine::connect(settings)
        .await
        .unwrap();

    engine
        .execute(
            "SELECT set_config('application_name', 'changed by a query', false)",
            &QueryLimits::default(),
        )
        .await
        .unwrap();
    let after = engine
        .execute(
            "SELECT current_setting('application_name') AS application, \
                    current_setting('transaction_read_only') AS read_only",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(after.rows, vec![vec![json!("analyst"), json!("on")]]);
}
