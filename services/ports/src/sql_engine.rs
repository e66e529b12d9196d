//! The engines that run generated SQL against the data being asked about.
//!
//! Invariant: an engine never runs more than one statement per call and never writes.

use std::time::Duration;

use async_trait::async_trait;
use contracts::error::ErrorKind;
use contracts::result::ResultSet;

use crate::schema::TableSchema;

/// SQL dialect of an engine, used by prompts and the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// Amazon Redshift.
    Redshift,
    /// Amazon Athena (Trino).
    Athena,
    /// The embedded analytic engine (DuckDB).
    Embedded,
}

impl Dialect {
    /// Wire name of the dialect.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Redshift => "redshift",
            Dialect::Athena => "athena",
            Dialect::Embedded => "embedded",
        }
    }
}

/// Hard limits applied to every query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryLimits {
    /// Rows kept; more rows set `truncated`.
    pub max_rows: usize,
    /// Wall-clock limit after which the query is cancelled.
    pub timeout: Duration,
    /// Approximate cap on the kept rows' size in bytes.
    pub max_bytes: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_rows: 1_000,
            timeout: Duration::from_secs(30),
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// A query could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The database rejected or failed the query; the message goes to the repair loop.
    #[error("{0}")]
    QueryFailed(String),
    /// The query ran past its timeout and was cancelled.
    #[error("query cancelled after {0:?}")]
    TimedOut(Duration),
    /// The engine could not be reached.
    #[error("engine unavailable: {0}")]
    Unavailable(String),
}

impl EngineError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::QueryFailed(_) | EngineError::TimedOut(_) => ErrorKind::InvalidInput,
            EngineError::Unavailable(_) => ErrorKind::Transient,
        }
    }
}

/// An engine holding the data of one datasource.
#[async_trait]
pub trait SqlEngine: Send + Sync {
    /// Dialect the engine speaks.
    fn dialect(&self) -> Dialect;

    /// Runs one read-only query under the limits.
    async fn execute(&self, sql: &str, limits: &QueryLimits) -> Result<ResultSet, EngineError>;

    /// Reads the tables and columns (descriptions are attached later from metadata).
    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError>;
}
