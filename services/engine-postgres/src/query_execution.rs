//! Running one query (or reading its plan) in a read-only transaction on a pooled connection,
//! with the server's `statement_timeout` and a client-side timer that sends a real cancel
//! request when the query's time is up.
//!
//! Invariant: the transaction is `READ ONLY` and always rolled back; a query that runs out of
//! time is cancelled on the server (or its connection is closed) before `TimedOut` is returned,
//! and a connection that timed out or failed to roll back never returns to the pool.

use std::time::Duration;

use deadpool_postgres::Object;
use tokio_postgres::{Client, Transaction};

use ports::sql_engine::{Dialect, EngineError, QueryLimits};

use crate::connection_pool::ConnectionPool;
use crate::database_error::{pool_error, query_error};
use crate::portal_fetch::{FetchedRows, fetch_rows};

/// How long a cancelled query may take to stop before its connection is closed instead.
const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// Whether the server enforces the timeout too, besides the client-side cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerTimeout {
    /// `SET LOCAL statement_timeout` to the query's timeout (always, outside tests).
    Enforced,
    /// Only the client-side cancel stops the query; lets a test prove that the cancel works.
    #[cfg(test)]
    Skipped,
}

/// Runs `sql` under the limits in a read-only transaction on a connection from the pool.
pub(crate) async fn execute_read_only(
    connection_pool: &ConnectionPool,
    sql: &str,
    limits: &QueryLimits,
    dialect: Dialect,
    server_timeout: ServerTimeout,
) -> Result<FetchedRows, EngineError> {
    in_read_only_transaction(
        connection_pool,
        limits.timeout,
        server_timeout,
        async |transaction: &Transaction<'_>| fetch_rows(transaction, sql, limits, dialect).await,
    )
    .await
}

/// Runs `work` in a read-only transaction on a connection from the pool, under `timeout`
/// (`statement_timeout` on the server and a cancel request from the client), and rolls the
/// transaction back whatever `work` did.
pub(crate) async fn in_read_only_transaction<T>(
    connection_pool: &ConnectionPool,
    timeout: Duration,
    server_timeout: ServerTimeout,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let mut pooled_client = connection_pool
        .pool
        .get()
        .await
        .map_err(|err| pool_error(&err))?;
    let cancel_token = pooled_client.cancel_token();

    let finished = {
        let query = run_in_read_only_transaction(&mut pooled_client, timeout, server_timeout, work);
        tokio::pin!(query);
        match tokio::time::timeout(timeout, &mut query).await {
            Ok(outcome) => Some(outcome),
            Err(_elapsed) => {
                if let Err(err) = connection_pool
                    .transport_security
                    .cancel(&cancel_token)
                    .await
                {
                    tracing::warn!(error.message = %err, "cancel request for a timed-out query failed");
                }
                // The query future keeps running until the server reports the cancellation and
                // the transaction is rolled back.
                if tokio::time::timeout(CANCEL_GRACE, &mut query)
                    .await
                    .is_err()
                {
                    tracing::warn!("a timed-out query ignored its cancel request");
                }
                None
            }
        }
    };
    match finished {
        Some(TransactionOutcome {
            work_output,
            rolled_back,
        }) => {
            if !rolled_back {
                // A connection whose transaction may still be open must not serve another call.
                drop(Object::take(pooled_client));
            }
            work_output
        }
        None => {
            // A late cancel request could still hit the connection's next query, so it is
            // closed; closing also ends a query that ignored the cancel once the server notices.
            drop(Object::take(pooled_client));
            Err(EngineError::TimedOut(timeout))
        }
    }
}

/// What a transaction produced and whether it ended cleanly.
struct TransactionOutcome<T> {
    work_output: Result<T, EngineError>,
    /// `false` when the rollback failed, so the connection's state is unknown.
    rolled_back: bool,
}

/// Starts a read-only transaction, sets the statement timeout, does the work and rolls back
/// whatever happened.
async fn run_in_read_only_transaction<T>(
    client: &mut Client,
    timeout: Duration,
    server_timeout: ServerTimeout,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, EngineError>,
) -> TransactionOutcome<T> {
    let transaction = match client.build_transaction().read_only(true).start().await {
        Ok(transaction) => transaction,
        Err(err) => {
            return TransactionOutcome {
                work_output: Err(query_error(&err, timeout)),
                rolled_back: false,
            };
        }
    };
    let work_output = async {
        if server_timeout == ServerTimeout::Enforced {
            transaction
                .batch_execute(&statement_timeout_setting(timeout))
                .await
                .map_err(|err| query_error(&err, timeout))?;
        }
        work(&transaction).await
    }
    .await;
    let rolled_back = match transaction.rollback().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error.message = %err, "rolling back a read-only transaction failed");
            false
        }
    };
    TransactionOutcome {
        work_output,
        rolled_back,
    }
}

/// `SET LOCAL statement_timeout = <ms>`; at least 1 ms, because 0 would switch it off.
fn statement_timeout_setting(timeout: Duration) -> String {
    let timeout_ms = timeout.as_millis().clamp(1, i32::MAX as u128);
    format!("SET LOCAL statement_timeout = {timeout_ms}")
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use secrecy::SecretString;

    use super::*;
    use crate::connection_pool::build_pool;
    use crate::settings::PostgresSettings;

    /// A pool on the test server's default database; these tests create nothing in it.
    fn test_pool() -> ConnectionPool {
        let url = std::env::var("ANALYST_TEST_PG_URL")
            .expect("ANALYST_TEST_PG_URL is not set: run scripts/test, which starts PostgreSQL");
        let settings = PostgresSettings::new(SecretString::from(url), Dialect::Postgres);
        build_pool(&settings).expect("the test url is valid")
    }

    #[tokio::test]
    async fn the_client_side_cancel_alone_stops_a_query_on_the_server() {
        let connection_pool = test_pool();
        let marker = uuid::Uuid::new_v4().simple().to_string();
        let limits = QueryLimits {
            timeout: Duration::from_secs(1),
            ..QueryLimits::default()
        };
        let started = Instant::now();

        // Without `statement_timeout`, only the cancel request can stop the sleep.
        let outcome = execute_read_only(
            &connection_pool,
            &format!("SELECT pg_sleep(60), '{marker}' AS marker"),
            &limits,
            Dialect::Postgres,
            ServerTimeout::Skipped,
        )
        .await;

        assert_eq!(
            outcome.unwrap_err(),
            EngineError::TimedOut(Duration::from_secs(1))
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        let still_running = execute_read_only(
            &connection_pool,
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
                 AND query LIKE '%{marker}%' AND pid <> pg_backend_pid()"
            ),
            &QueryLimits::default(),
            Dialect::Postgres,
            ServerTimeout::Enforced,
        )
        .await
        .unwrap();
        assert_eq!(
            still_running.result_set.rows,
            vec![vec![serde_json::json!(0)]]
        );
    }

    #[tokio::test]
    async fn a_huge_result_is_fetched_only_one_row_past_the_cap() {
        let connection_pool = test_pool();
        let limits = QueryLimits {
            max_rows: 1_000,
            ..QueryLimits::default()
        };

        let fetched_rows = execute_read_only(
            &connection_pool,
            "SELECT g FROM generate_series(1, 10000000) g",
            &limits,
            Dialect::Postgres,
            ServerTimeout::Enforced,
        )
        .await
        .unwrap();

        assert_eq!(fetched_rows.n_fetched, 1_001);
        assert_eq!(fetched_rows.result_set.rows.len(), 1_000);
        assert!(fetched_rows.result_set.truncated);
    }
}
