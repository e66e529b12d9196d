//! [`DuckDbEngine`]: the [`SqlEngine`] over one DuckDB database file.
//!
//! Invariant: the file is opened read-only with external access (other files, extensions,
//! attached databases) and logging switched off, under memory, thread and temporary-disk
//! bounds, and with the configuration locked, so a query can neither write nor read outside
//! it nor change how the database runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use duckdb::{AccessMode, Config, Connection};

use contracts::result::ResultSet;
use ports::schema::TableSchema;
use ports::sql_engine::{Dialect, EngineError, EngineReading, QueryLimits, SqlEngine};

use crate::demo::column_metadata::DemoMetadata;
use crate::engine_bounds::EngineBounds;
use crate::query_execution::{execute_with_timeout, statement_to_run};
use crate::statement_reading::read_statement;
use crate::table_extraction::extract_tables;

/// A read-only DuckDB database that runs generated SQL.
///
/// Every call gets its own connection to the shared database instance, so calls run in
/// parallel and one call's interrupt never reaches another.
pub struct DuckDbEngine {
    path: PathBuf,
    root_connection: Mutex<Connection>,
    value_sampling: bool,
    /// Column descriptions of a demo database, laid over every extraction.
    demo_metadata: Option<Arc<DemoMetadata>>,
}

impl DuckDbEngine {
    /// Opens the database file at `path` read-only under the bounds of the environment
    /// ([`EngineBounds::from_env`]); value sampling is on.
    pub fn open(path: &Path) -> Result<Self, EngineError> {
        DuckDbEngine::open_with_bounds(path, &EngineBounds::from_env()?)
    }

    /// Opens the database file at `path` read-only under `bounds`; value sampling is on.
    pub fn open_with_bounds(path: &Path, bounds: &EngineBounds) -> Result<Self, EngineError> {
        let unavailable = |err: duckdb::Error| {
            EngineError::Unavailable(format!("open {}: {err}", path.display()))
        };
        let config = Config::default()
            .access_mode(AccessMode::ReadOnly)
            .and_then(|config| config.enable_external_access(false))
            .and_then(|config| config.enable_autoload_extension(false))
            .and_then(|config| config.with("autoinstall_known_extensions", "false"))
            .and_then(|config| config.with("allow_community_extensions", "false"))
            .and_then(|config| config.max_memory(&bounds.memory_limit))
            .and_then(|config| config.threads(i64::from(bounds.threads)))
            .and_then(|config| config.with("max_temp_directory_size", &bounds.temp_limit))
            .and_then(|config| config.with("lock_configuration", "true"))
            .map_err(unavailable)?;
        let root_connection = Connection::open_with_flags(path, config).map_err(unavailable)?;
        Ok(DuckDbEngine {
            path: path.to_owned(),
            root_connection: Mutex::new(root_connection),
            value_sampling: true,
            demo_metadata: None,
        })
    }

    /// Switches the sampling of distinct text values in [`SqlEngine::extract_tables`]; turn it
    /// off when column values may hold personal data that must not reach a prompt.
    pub fn with_value_sampling(self, enabled: bool) -> Self {
        DuckDbEngine {
            value_sampling: enabled,
            ..self
        }
    }

    /// Lays a demo database's column descriptions over every [`SqlEngine::extract_tables`], so
    /// a re-extraction describes the tables as the first one did.
    pub(crate) fn with_demo_metadata(self, demo_metadata: DemoMetadata) -> Self {
        DuckDbEngine {
            demo_metadata: Some(Arc::new(demo_metadata)),
            ..self
        }
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new connection to the database, for one call.
    fn connection(&self) -> Result<Connection, EngineError> {
        // A panic while cloning cannot leave the root connection half-changed.
        let root_connection = self
            .root_connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        root_connection.try_clone().map_err(|err| {
            EngineError::Unavailable(format!("connect to {}: {err}", self.path.display()))
        })
    }
}

impl std::fmt::Debug for DuckDbEngine {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("DuckDbEngine")
            .field("path", &self.path)
            .field("value_sampling", &self.value_sampling)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SqlEngine for DuckDbEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Embedded
    }

    async fn execute(&self, sql: &str, limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        execute_with_timeout(self.connection()?, sql, limits).await
    }

    async fn read_statement(&self, sql: &str) -> Result<Option<EngineReading>, EngineError> {
        let connection = self.connection()?;
        let statement_sql = statement_to_run(sql)?;
        tokio::task::spawn_blocking(move || read_statement(&connection, &statement_sql))
            .await
            .map_err(|err| EngineError::Unavailable(format!("statement reading failed: {err}")))?
            .map(Some)
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        let connection = self.connection()?;
        let value_sampling = self.value_sampling;
        let mut tables =
            tokio::task::spawn_blocking(move || extract_tables(&connection, value_sampling))
                .await
                .map_err(|err| {
                    EngineError::Unavailable(format!("table extraction thread failed: {err}"))
                })??;
        if let Some(demo_metadata) = &self.demo_metadata {
            demo_metadata.describe(&mut tables);
        }
        Ok(tables)
    }
}
