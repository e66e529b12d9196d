//! The bundled demo databases: Postgres dumps with column descriptions, embedded in the binary,
//! materialized into DuckDB files on first use and opened as ready-to-ask datasources.
//!
//! Invariant: a demo database file is only ever created whole (by rename) and never modified
//! afterwards; every later open reuses it read-only.

mod catalog;
pub(crate) mod column_metadata;
mod dump_translation;
mod materialization;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use contracts::error::ErrorKind;
use ports::schema::SchemaSnapshot;
use ports::sql_engine::{EngineError, SqlEngine};

use crate::demo::catalog::BUNDLED_DEMO_DATABASES;
use crate::demo::column_metadata::DemoMetadata;
use crate::demo::materialization::materialize;
use crate::engine::DuckDbEngine;

/// One bundled demo database.
#[derive(Debug)]
pub struct DemoDatabase {
    /// Name used as the datasource name (`restaurants`, `broker`, ...).
    pub name: &'static str,
    /// One-sentence description of what the data is about.
    pub description: &'static str,
    dump_sql: &'static str,
    metadata_json: &'static str,
}

impl DemoDatabase {
    /// The Postgres dump (`CREATE TABLE` and `INSERT` statements) the database is built from.
    pub fn dump_sql(&self) -> &'static str {
        self.dump_sql
    }

    /// The column metadata file (`table_metadata` -> table -> columns, plus a `glossary`).
    pub fn metadata_json(&self) -> &'static str {
        self.metadata_json
    }
}

/// A demo database opened as a datasource.
#[derive(Debug, Clone)]
pub struct DemoDatasource {
    /// Datasource name, equal to the demo database's name.
    pub name: String,
    /// Human description.
    pub description: String,
    /// Domain terms and join hints from the metadata, when it has any.
    pub glossary: Option<String>,
    /// Read-only engine over the materialized file.
    pub engine: Arc<DuckDbEngine>,
    /// Tables and columns with their descriptions and sampled values.
    pub snapshot: SchemaSnapshot,
}

/// A demo datasource could not be opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DemoError {
    /// No bundled demo database has this name.
    #[error("no demo database is named `{0}`")]
    UnknownDatabase(String),
    /// The data directory could not be created or written.
    #[error("demo data directory {path} is unusable: {message}")]
    DataDirectory {
        /// The directory.
        path: PathBuf,
        /// What the file system reported.
        message: String,
    },
    /// The dump did not load into DuckDB.
    #[error("demo database `{name}` did not load: {message}")]
    LoadFailed {
        /// Demo database name.
        name: String,
        /// DuckDB's error and the statement it came from.
        message: String,
    },
    /// The bundled metadata file is not valid.
    #[error("demo database `{name}` has unreadable metadata: {message}")]
    BadMetadata {
        /// Demo database name.
        name: String,
        /// The parse error.
        message: String,
    },
    /// The materialized file could not be opened or read.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl DemoError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DemoError::UnknownDatabase(_) => ErrorKind::InvalidInput,
            DemoError::DataDirectory { .. } => ErrorKind::Transient,
            DemoError::LoadFailed { .. } | DemoError::BadMetadata { .. } => ErrorKind::Fatal,
            DemoError::Engine(err) => err.kind(),
        }
    }
}

/// Every bundled demo database, in name order.
pub fn demo_databases() -> &'static [DemoDatabase] {
    BUNDLED_DEMO_DATABASES
}

/// Opens the demo database `name`, materializing `<data_dir>/<name>.duckdb` from the bundled
/// dump on first use, and reads its schema snapshot.
pub async fn open_demo_datasource(
    data_dir: &Path,
    name: &str,
) -> Result<DemoDatasource, DemoError> {
    let demo_database = demo_databases()
        .iter()
        .find(|demo_database| demo_database.name == name)
        .ok_or_else(|| DemoError::UnknownDatabase(name.to_owned()))?;
    let bad_metadata = |err: serde_json::Error| DemoError::BadMetadata {
        name: name.to_owned(),
        message: err.to_string(),
    };
    let metadata = DemoMetadata::parse(demo_database.metadata_json).map_err(bad_metadata)?;

    let database_path = {
        let data_dir = data_dir.to_owned();
        let dump_sql = demo_database.dump_sql;
        tokio::task::spawn_blocking(move || materialize(&data_dir, demo_database.name, dump_sql))
            .await
            .map_err(|err| DemoError::LoadFailed {
                name: name.to_owned(),
                message: format!("load thread failed: {err}"),
            })??
    };
    let glossary = metadata.glossary();
    let engine = Arc::new(DuckDbEngine::open(&database_path)?.with_demo_metadata(metadata));
    let tables = engine.extract_tables().await?;

    Ok(DemoDatasource {
        name: demo_database.name.to_owned(),
        description: demo_database.description.to_owned(),
        glossary,
        engine,
        snapshot: SchemaSnapshot::new(demo_database.name, tables),
    })
}
