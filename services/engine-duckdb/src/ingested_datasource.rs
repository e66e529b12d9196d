//! Opening a DuckDB file built by [`crate::csv_load::load_tables`] as a datasource: the
//! read-only engine plus a schema snapshot whose table and column descriptions are the
//! file's `COMMENT ON` texts (the original CSV headers).
//!
//! Invariant: the file is only read; comments are read on a short-lived read-only
//! connection that is closed before the engine opens the file.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use duckdb::{AccessMode, Config, Connection};
use ports::schema::SchemaSnapshot;
use ports::sql_engine::{EngineError, SqlEngine};

use crate::engine::DuckDbEngine;

/// Comments of one database: table name to table comment, and `(table, column)` to column
/// comment.
type Comments = (HashMap<String, String>, HashMap<(String, String), String>);

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
    let (table_comments, column_comments) = {
        let database_path = database_path.to_owned();
        tokio::task::spawn_blocking(move || read_comments(&database_path))
            .await
            .map_err(|err| {
                EngineError::Unavailable(format!("comment reading thread failed: {err}"))
            })??
    };
    let engine = Arc::new(DuckDbEngine::open(database_path)?);
    let mut tables = engine.extract_tables().await?;
    for table in &mut tables {
        table.description = table_comments.get(&table.name).cloned();
        for column in &mut table.columns {
            column.description = column_comments
                .get(&(table.name.clone(), column.name.clone()))
                .cloned();
        }
    }
    Ok(IngestedDatasource {
        engine,
        snapshot: SchemaSnapshot::new(name, tables),
    })
}

fn read_comments(database_path: &Path) -> Result<Comments, EngineError> {
    let unavailable = |err: duckdb::Error| {
        EngineError::Unavailable(format!(
            "read comments of {}: {err}",
            database_path.display()
        ))
    };
    let config = Config::default()
        .access_mode(AccessMode::ReadOnly)
        .map_err(unavailable)?;
    let connection = Connection::open_with_flags(database_path, config).map_err(unavailable)?;
    let mut table_statement = connection
        .prepare(
            "SELECT table_name, comment FROM duckdb_tables() \
             WHERE database_name = current_database() AND schema_name = 'main' \
               AND comment IS NOT NULL",
        )
        .map_err(unavailable)?;
    let table_comments = table_statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(unavailable)?
        .collect::<Result<HashMap<String, String>, _>>()
        .map_err(unavailable)?;
    let mut column_statement = connection
        .prepare(
            "SELECT table_name, column_name, comment FROM duckdb_columns() \
             WHERE database_name = current_database() AND schema_name = 'main' \
               AND comment IS NOT NULL",
        )
        .map_err(unavailable)?;
    let column_comments = column_statement
        .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))
        .map_err(unavailable)?
        .collect::<Result<HashMap<(String, String), String>, _>>()
        .map_err(unavailable)?;
    Ok((table_comments, column_comments))
}
