//! The SQLite store handle: opening and configuring the database, and running SQLite work off
//! the async runtime.
//!
//! Invariant: SQLite work only ever runs inside `spawn_blocking`, one closure at a time per
//! store, under the connection mutex.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ports::result_retention::ResultRetention;
use ports::store_error::StoreError;
use rusqlite::Connection;

use crate::migrations::apply_migrations;
use crate::sqlite_error::SqliteError;

/// How long a statement waits for another connection's lock before failing as busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Jobs, keys, schema snapshots and verified pairs in one SQLite database.
///
/// Cloning is cheap and shares the connection. Stored results follow the
/// [`ResultRetention`] given by [`SqliteStore::with_result_retention`] (the default one
/// otherwise).
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    result_retention: ResultRetention,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, in WAL mode with foreign keys on,
    /// and migrates it to the latest schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(SqliteError::from)?;
        let journal_mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(SqliteError::from)?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(
                SqliteError::Unavailable(format!("journal mode stayed {journal_mode}")).into(),
            );
        }
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(SqliteError::from)?;
        Self::configure(connection)
    }

    /// Opens a private, empty in-memory database (for tests and throwaway runs).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory().map_err(SqliteError::from)?;
        Self::configure(connection)
    }

    /// The same store (sharing the connection) with stored results kept under `result_retention`.
    pub fn with_result_retention(self, result_retention: ResultRetention) -> Self {
        SqliteStore {
            result_retention,
            ..self
        }
    }

    /// The policy stored results are kept under.
    pub fn result_retention(&self) -> ResultRetention {
        self.result_retention
    }

    /// Runs `work` on the connection in a blocking thread and returns its result.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, SqliteError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        let outcome = tokio::task::spawn_blocking(move || {
            // A panic mid-closure drops any open transaction, which rolls it back, so the
            // connection is consistent even when the mutex is poisoned.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(|join_error| SqliteError::TaskAborted(join_error.to_string()))?;
        Ok(outcome?)
    }

    fn configure(mut connection: Connection) -> Result<Self, StoreError> {
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(SqliteError::from)?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(SqliteError::from)?;
        apply_migrations(&mut connection)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            result_retention: ResultRetention::default(),
        })
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SqliteStore")
            .field("result_retention", &self.result_retention)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chrono::{TimeZone, Utc};
    use contracts::api::JobStatus;
    use ports::job_store::{JobStore, JobUpdate, NewJob};
    use ports::memory_store::{MemoryKind, PairStore, VerifiedPair};
    use uuid::Uuid;

    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new() -> Self {
            let path =
                std::env::temp_dir().join(format!("store-sqlite-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).unwrap();
            ScratchDir(path)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[tokio::test]
    async fn data_survives_reopening_the_database_file() {
        let scratch = ScratchDir::new();
        let path = scratch.0.join("analyst.db");
        let job_id = Uuid::new_v4();
        let submitted_at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap();
        let pair = VerifiedPair {
            entry_id: String::new(),
            datasource: "restaurants".into(),
            schema_version: "v1".into(),
            question: "how many restaurants are there".into(),
            sql: "SELECT COUNT(*) FROM restaurants".into(),
            embedding: vec![0.6, 0.8],
            embedding_model: "test-model".into(),
            approved_by: "reviewer".into(),
            approved_at: submitted_at,
            source_job_id: None,
        };
        let first_store = SqliteStore::open(&path).unwrap();
        first_store
            .create_job(NewJob {
                job_id,
                correlation_id: "req-1".into(),
                question: "How many restaurants are there?".into(),
                datasource: "restaurants".into(),
                conversation_id: None,
                provided_sql: None,
                owner_key_id: None,
                idempotency_key: None,
                submitted_at,
            })
            .await
            .unwrap();
        let started = JobUpdate::StageStarted {
            stage: "classify".into(),
            at: submitted_at,
        };
        first_store.update(job_id, started).await.unwrap();
        let entry_id = first_store
            .insert_pair(MemoryKind::Cache, pair.clone())
            .await
            .unwrap();
        drop(first_store);

        let reopened = SqliteStore::open(&path).unwrap();

        let view = reopened.get_job(job_id).await.unwrap().unwrap();
        assert_eq!(view.status, JobStatus::Running);
        assert_eq!(view.timings.len(), 1);
        let unfinished = reopened.unfinished_jobs().await.unwrap();
        assert_eq!(
            unfinished.iter().map(|job| job.job_id).collect::<Vec<_>>(),
            vec![job_id]
        );
        let nearest = reopened
            .nearest_pairs(MemoryKind::Cache, "restaurants", Some("v1"), &[0.6, 0.8], 1)
            .await
            .unwrap();
        assert_eq!(nearest[0].pair, VerifiedPair { entry_id, ..pair });
    }

    #[tokio::test]
    async fn a_file_database_uses_wal_and_enforces_foreign_keys() {
        let scratch = ScratchDir::new();
        let store = SqliteStore::open(&scratch.0.join("analyst.db")).unwrap();

        let (journal_mode, foreign_keys) = store
            .run(|connection| {
                let journal_mode: String =
                    connection.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
                let foreign_keys: i64 =
                    connection.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
                Ok((journal_mode, foreign_keys))
            })
            .await
            .unwrap();

        assert_eq!(journal_mode, "wal");
        assert_eq!(foreign_keys, 1);
    }

    #[tokio::test]
    async fn a_directory_that_does_not_exist_cannot_be_opened() {
        let scratch = ScratchDir::new();

        let outcome = SqliteStore::open(&scratch.0.join("missing").join("analyst.db"));

        assert!(matches!(outcome, Err(StoreError::Unavailable(_))));
    }
}
