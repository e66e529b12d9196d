//! [`PostgresEngine`]: the [`SqlEngine`] over a pool of connections to one PostgreSQL or
//! Redshift database.
//!
//! Invariant: `Debug` shows the dialect and pool state, never the connection URL.

use async_trait::async_trait;

use contracts::result::ResultSet;
use ports::schema::TableSchema;
use ports::sql_engine::{Dialect, EngineError, EngineReading, QueryLimits, SqlEngine};

use crate::connection_pool::{ConnectionPool, build_pool};
use crate::database_error::pool_error;
use crate::postgres_catalog::extract_postgres_tables;
use crate::query_execution::{ServerTimeout, execute_read_only};
use crate::redshift_catalog::extract_redshift_tables;
use crate::settings::PostgresSettings;
use crate::statement_reading::read_statement;
use crate::value_sampling::sample_text_columns;

/// A PostgreSQL or Redshift database that runs generated SQL read-only.
pub struct PostgresEngine {
    connection_pool: ConnectionPool,
    dialect: Dialect,
    sample_values: bool,
}

impl PostgresEngine {
    /// Builds the connection pool and opens one connection to check that the database is
    /// reachable; `Unavailable` when it is not. `dialect` must be `Postgres` or `Redshift`.
    pub async fn connect(settings: PostgresSettings) -> Result<Self, EngineError> {
        if !matches!(settings.dialect, Dialect::Postgres | Dialect::Redshift) {
            return Err(EngineError::Unavailable(format!(
                "the postgres engine speaks postgres or redshift, not {}",
                settings.dialect.as_str()
            )));
        }
        let connection_pool = build_pool(&settings)?;
        let engine = PostgresEngine {
            connection_pool,
            dialect: settings.dialect,
            sample_values: settings.sample_values,
        };
        engine.check_connection().await?;
        Ok(engine)
    }

    async fn check_connection(&self) -> Result<(), EngineError> {
        let client = self
            .connection_pool
            .pool
            .get()
            .await
            .map_err(|err| pool_error(&err))?;
        drop(client);
        Ok(())
    }
}

impl std::fmt::Debug for PostgresEngine {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pool_status = self.connection_pool.pool.status();
        formatter
            .debug_struct("PostgresEngine")
            .field("dialect", &self.dialect)
            .field("sample_values", &self.sample_values)
            .field("pool_max_size", &pool_status.max_size)
            .field("pool_size", &pool_status.size)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SqlEngine for PostgresEngine {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    async fn execute(&self, sql: &str, limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        let fetched_rows = execute_read_only(
            &self.connection_pool,
            sql,
            limits,
            self.dialect,
            ServerTimeout::Enforced,
        )
        .await?;
        tracing::debug!(
            n_fetched = fetched_rows.n_fetched,
            row_count = fetched_rows.result_set.rows.len(),
            truncated = fetched_rows.result_set.truncated,
            "query executed"
        );
        Ok(fetched_rows.result_set)
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        let mut tables = match self.dialect {
            Dialect::Redshift => extract_redshift_tables(&self.connection_pool).await?,
            _ => extract_postgres_tables(&self.connection_pool).await?,
        };
        if self.sample_values {
            sample_text_columns(&self.connection_pool, self.dialect, &mut tables).await?;
        }
        tables.sort_by(|a, b| a.table.name.cmp(&b.table.name));
        Ok(tables
            .into_iter()
            .map(|extracted| extracted.table)
            .collect())
    }

    /// PostgreSQL's plan of `sql` read through `EXPLAIN (VERBOSE, FORMAT JSON)`, which does
    /// not run it; `None` on Redshift, whose EXPLAIN has no JSON format.
    async fn read_statement(&self, sql: &str) -> Result<Option<EngineReading>, EngineError> {
        match self.dialect {
            Dialect::Redshift => Ok(None),
            _ => read_statement(&self.connection_pool, sql).await.map(Some),
        }
    }
}
