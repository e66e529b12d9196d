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

/// What an engine's own parser reads in one statement: the functions it calls and the
/// relations it reads, each as its name parts without quotes (`["main", "orders"]`).
///
/// The guard checks this second reading against the same rules as its own, so a query the two
/// parsers read differently is refused instead of run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineReading {
    /// Functions called in expressions (scalar, aggregate and window functions).
    pub functions: Vec<Vec<String>>,
    /// Functions used as tables in FROM.
    pub table_functions: Vec<Vec<String>>,
    /// Tables and views read (names of the statement's own CTEs included).
    pub relations: Vec<Vec<String>>,
    /// Names the statement defines with `WITH`; a one-part relation of such a name is the
    /// query's own CTE.
    pub cte_names: Vec<String>,
    /// Sources of rows the reader could not classify as a table, a function or a subquery,
    /// described in the engine's terms; the guard refuses any.
    pub unclassified_sources: Vec<String>,
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

    /// The engine's own parse of `sql`, exactly as [`SqlEngine::execute`] would run it, or
    /// `None` when the engine has no parser it can ask without running the query.
    ///
    /// A statement the engine cannot parse is `QueryFailed`.
    async fn read_statement(&self, sql: &str) -> Result<Option<EngineReading>, EngineError> {
        let _ = sql;
        Ok(None)
    }
}
