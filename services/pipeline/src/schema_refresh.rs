//! [`refresh_schemas`]: re-extracts each datasource's schema, applies its imported metadata
//! and stores a new snapshot version only when the result changed. Cache lookups are scoped by
//! the current version, so a new version retires the entries approved under the old one.
//!
//! Invariant: one datasource's failure never stops the refresh of the others, and a failed
//! refresh leaves the datasource's current snapshot as it was.

use contracts::error::ErrorKind;
use ports::datasource::{Datasource, Datasources};
use ports::schema::{SchemaSnapshot, SchemaStore};
use ports::schema_metadata::MetadataWarning;
use ports::sql_engine::EngineError;
use ports::store_error::StoreError;

use crate::schema_snapshots::save_snapshot_with_metadata;

/// What refreshing one datasource did.
#[derive(Debug)]
pub struct RefreshOutcome {
    /// The datasource.
    pub datasource: String,
    /// Unchanged, a new version, or the failure.
    pub result: Result<RefreshResult, SchemaRefreshError>,
    /// Metadata entries naming tables or columns the extracted schema lacks.
    pub metadata_warnings: Vec<MetadataWarning>,
}

/// A successful refresh of one datasource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshResult {
    /// The schema is the stored current version.
    Unchanged {
        /// The current version.
        version: String,
    },
    /// A new version was stored.
    NewVersion {
        /// The version that was current before; `None` for a datasource's first snapshot.
        previous_version: Option<String>,
        /// The stored version.
        version: String,
    },
}

/// Why one datasource could not be refreshed.
#[derive(Debug, thiserror::Error)]
pub enum SchemaRefreshError {
    /// The engine could not list the tables.
    #[error("schema extraction failed: {0}")]
    ExtractionFailed(#[from] EngineError),
    /// The schema store could not be read or written.
    #[error("schema store failed: {0}")]
    StoreFailed(#[from] StoreError),
}

impl SchemaRefreshError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SchemaRefreshError::ExtractionFailed(err) => err.kind(),
            SchemaRefreshError::StoreFailed(err) => err.kind(),
        }
    }
}

impl RefreshOutcome {
    /// One line for logs and the `schema refresh` command: `name: unchanged (v)`,
    /// `name: new version a -> b`, or `name: failed: why`.
    pub fn summary(&self) -> String {
        let datasource = &self.datasource;
        match &self.result {
            Ok(RefreshResult::Unchanged { version }) => {
                format!("{datasource}: unchanged ({version})")
            }
            Ok(RefreshResult::NewVersion {
                previous_version: Some(previous_version),
                version,
            }) => format!("{datasource}: new version {previous_version} -> {version}"),
            Ok(RefreshResult::NewVersion {
                previous_version: None,
                version,
            }) => format!("{datasource}: first version {version}"),
            Err(error) => format!("{datasource}: failed: {error}"),
        }
    }
}

/// Refreshes every datasource, in name order.
pub async fn refresh_schemas(
    datasources: &Datasources,
    schema_store: &dyn SchemaStore,
) -> Vec<RefreshOutcome> {
    // Owned copies, so the registry is not borrowed across the engines' awaits.
    let datasource_list: Vec<Datasource> = datasources.all();
    let mut outcomes = Vec::with_capacity(datasource_list.len());
    for datasource in &datasource_list {
        outcomes.push(refresh_schema(datasource, schema_store).await);
    }
    outcomes
}

/// Re-extracts one datasource's tables (only those its allow-list admits), applies its
/// metadata and stores the snapshot when its version is new.
pub async fn refresh_schema(
    datasource: &Datasource,
    schema_store: &dyn SchemaStore,
) -> RefreshOutcome {
    let mut metadata_warnings = Vec::new();
    let result = refresh_and_compare(datasource, schema_store, &mut metadata_warnings).await;
    RefreshOutcome {
        datasource: datasource.name.clone(),
        result,
        metadata_warnings,
    }
}

async fn refresh_and_compare(
    datasource: &Datasource,
    schema_store: &dyn SchemaStore,
    metadata_warnings: &mut Vec<MetadataWarning>,
) -> Result<RefreshResult, SchemaRefreshError> {
    let tables = datasource
        .engine
        .extract_tables()
        .await?
        .into_iter()
        .filter(|table| datasource.admits_table(&table.name))
        .collect();
    let extracted = SchemaSnapshot::new(datasource.name.clone(), tables);
    let previous_version = schema_store
        .latest_snapshot(&datasource.name)
        .await?
        .map(|snapshot| snapshot.version);
    let saved = save_snapshot_with_metadata(schema_store, &extracted).await?;
    *metadata_warnings = saved.metadata_warnings;
    let version = saved.snapshot.version;
    Ok(if saved.is_new_version {
        RefreshResult::NewVersion {
            previous_version,
            version,
        }
    } else {
        RefreshResult::Unchanged { version }
    })
}
