//! Saving schema snapshots with the datasource's imported metadata applied, and importing new
//! metadata, which re-saves the current snapshot with it so prompts see it at once.
//!
//! Invariant: no snapshot reaches the schema store without the datasource's stored metadata
//! applied to it (when it has any).

use ports::schema::{SchemaSnapshot, SchemaStore};
use ports::schema_metadata::{DatasourceMetadata, MetadataWarning, apply_metadata};
use ports::store_error::StoreError;

/// What saving one snapshot did.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSnapshot {
    /// The snapshot as stored: the extracted one with the metadata applied.
    pub snapshot: SchemaSnapshot,
    /// `false` when its version was already the current one, so nothing was stored.
    pub is_new_version: bool,
    /// Metadata entries naming tables or columns the snapshot lacks.
    pub metadata_warnings: Vec<MetadataWarning>,
}

/// What importing metadata did.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataImport {
    /// The current snapshot re-saved with the metadata; `None` when the datasource has no
    /// snapshot yet (the metadata is applied when one is first saved).
    pub saved_snapshot: Option<SavedSnapshot>,
}

/// Applies the datasource's stored metadata to an extracted snapshot and saves the result
/// when its version differs from the current one.
pub async fn save_snapshot_with_metadata(
    schema_store: &dyn SchemaStore,
    extracted: &SchemaSnapshot,
) -> Result<SavedSnapshot, StoreError> {
    let (snapshot, metadata_warnings) =
        match schema_store.load_metadata(&extracted.datasource).await? {
            Some(metadata) => apply_metadata(extracted, &metadata),
            None => (extracted.clone(), Vec::new()),
        };
    let is_new_version = schema_store.save_snapshot(&snapshot).await?;
    Ok(SavedSnapshot {
        snapshot,
        is_new_version,
        metadata_warnings,
    })
}

/// Stores `metadata` as the datasource's metadata (replacing earlier imports) and re-saves its
/// current snapshot with it.
///
/// The current snapshot may hold descriptions of an earlier import; they stay until the next
/// re-extraction (a schema refresh or a restart), which starts from the engine's own schema.
pub async fn import_metadata(
    schema_store: &dyn SchemaStore,
    datasource: &str,
    metadata: &DatasourceMetadata,
) -> Result<MetadataImport, StoreError> {
    schema_store.save_metadata(datasource, metadata).await?;
    let saved_snapshot = match schema_store.latest_snapshot(datasource).await? {
        Some(current) => Some(save_snapshot_with_metadata(schema_store, &current).await?),
        None => None,
    };
    Ok(MetadataImport { saved_snapshot })
}
