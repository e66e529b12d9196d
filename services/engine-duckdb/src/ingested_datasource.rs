//! Opening a DuckDB file built by [`crate::csv_load::load_tables`] as a datasource: the
//! read-only engine plus a schema snapshot whose table and column descriptions are the
//! file's `COMMENT ON` texts (the original CSV headers), as the engine's extraction reads them.
//!
//! Invariant: the file is only read.

use std::path::Path;
use std::sync::Arc;

use ports::schema::SchemaSnapshot;
use ports::sql_engine::{EngineError, SqlEngine};

use crate::engine::DuckDbEngine;

/// An ingested database opened as a datasource.
#[derive(Debug, Clone)]
pub struct IngestedDatasource {
    /// Read-only engine over the file.
    pub engine: Arc<DuckDbEngine>,
    /// Tables and columns with their descriptions and sampled values.
    pub snapshot: SchemaSnapshot,
}

/// Opens `database_path` read-only as datasource `name` and reads its snapshot.
pub async fn open_ingested_datasource(
    database_path: &Path,
    name: &str,
) -> Result<IngestedDatasource, EngineError> {
    let engine = Arc::new(DuckDbEngine::open(database_path)?);
    let tables = engine.extract_tables().await?;
    Ok(IngestedDatasource {
        engine,
        snapshot: SchemaSnapshot::new(name, tables),
    })
}
