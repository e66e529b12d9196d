//! The PostgreSQL store handle: parsing the URL, building the connection pool and migrating
//! the database when connecting.
//!
//! Invariant: the connection URL is only ever handed to the driver; it never appears in an
//! error, a log line or a `Debug` output.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use ports::result_retention::ResultRetention;
use ports::store_error::StoreError;
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

use crate::migrations::apply_migrations;
use crate::postgres_error::PostgresError;

/// How long opening one connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a caller waits for a free pooled connection.
const POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest embedding dimension an HNSW index on `vector` columns accepts.
pub const MAX_EMBEDDING_DIMENSION: usize = 2000;

/// Jobs, keys, schema snapshots and verified pairs in one PostgreSQL database with pgvector.
///
/// Cloning is cheap and shares the connection pool. Stored results follow the
/// [`ResultRetention`] given by [`PostgresStore::with_result_retention`] (the default one
/// otherwise).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    embedding_dimension: usize,
    result_retention: ResultRetention,
}

impl PostgresStore {
    /// Connects to the database at `url` with a pool of at most `pool_size` connections and
    /// migrates it to the latest schema, with `vector(embedding_dimension)` embedding columns.
    ///
    /// Fails with `StoreError::Unavailable` when the server cannot be reached, and with
    /// `StoreError::Corrupt` when the configuration cannot work: an unparsable URL, a pool size
    /// of zero, a dimension outside `1..=2000`, a database migrated by a newer build, or a
    /// database migrated for another embedding dimension (the message names both).
    pub async fn connect(
        url: &SecretString,
        pool_size: usize,
        embedding_dimension: usize,
    ) -> Result<Self, StoreError> {
        if pool_size == 0 {
            return Err(PostgresError::Misconfigured("pool size must be at least 1".into()).into());
        }
        if !(1..=MAX_EMBEDDING_DIMENSION).contains(&embedding_dimension) {
            return Err(PostgresError::Misconfigured(format!(
                "embedding dimension {embedding_dimension} is outside 1..={MAX_EMBEDDING_DIMENSION}"
            ))
            .into());
        }
        let mut config: tokio_postgres::Config = url.expose_secret().parse().map_err(|err| {
            PostgresError::Misconfigured(format!("the PostgreSQL URL is invalid: {err}"))
        })?;
        config.connect_timeout(CONNECT_TIMEOUT);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|err| PostgresError::Misconfigured(format!("connection pool: {err}")))?;
        let store = PostgresStore {
            pool,
            embedding_dimension,
            result_retention: ResultRetention::default(),
        };
        let mut client = store.client().await?;
        apply_migrations(&mut client, embedding_dimension).await?;
        Ok(store)
    }

    /// The same store (sharing the pool) with stored results kept under `result_retention`.
    pub fn with_result_retention(self, result_retention: ResultRetention) -> Self {
        PostgresStore {
            result_retention,
            ..self
        }
    }

    /// The policy stored results are kept under.
    pub fn result_retention(&self) -> ResultRetention {
        self.result_retention
    }

    /// Number of components of every stored embedding.
    pub fn embedding_dimension(&self) -> usize {
        self.embedding_dimension
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<Object, PostgresError> {
        Ok(self.pool.get().await?)
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PostgresStore")
            .field("embedding_dimension", &self.embedding_dimension)
            .field("result_retention", &self.result_retention)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pool_size_of_zero_is_refused_before_connecting() {
        let url = SecretString::from("postgres://nobody@127.0.0.1:1/none");

        let outcome = PostgresStore::connect(&url, 0, 3).await;

        assert!(
            matches!(outcome, Err(StoreError::Corrupt(message)) if message.contains("pool size"))
        );
    }

    #[tokio::test]
    async fn a_dimension_an_hnsw_index_cannot_hold_is_refused() {
        let url = SecretString::from("postgres://nobody@127.0.0.1:1/none");

        for dimension in [0, MAX_EMBEDDING_DIMENSION + 1] {
            let outcome = PostgresStore::connect(&url, 1, dimension).await;

            assert!(
                matches!(outcome, Err(StoreError::Corrupt(message)) if message.contains("dimension"))
            );
        }
    }

    #[tokio::test]
    async fn an_invalid_url_is_refused_without_echoing_it() {
        let url = SecretString::from("postgres://user:hunter2@host:notaport/db");

        let outcome = PostgresStore::connect(&url, 1, 3).await;

        let Err(StoreError::Corrupt(message)) = outcome else {
            panic!("an invalid URL is a configuration error, got {outcome:?}");
        };
        assert!(!message.contains("hunter2"), "the URL leaked: {message}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable_without_echoing_the_url() {
        let url = SecretString::from("postgres://user:hunter2@127.0.0.1:1/db");

        let outcome = PostgresStore::connect(&url, 1, 3).await;

        let Err(StoreError::Unavailable(message)) = outcome else {
            panic!("an unreachable server is unavailable, got {outcome:?}");
        };
        assert!(!message.contains("hunter2"), "the URL leaked: {message}");
    }
}
