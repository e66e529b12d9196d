//! `SchemaStore` over the `schema_snapshots` table, one JSON snapshot per saved version, and
//! the `datasource_metadata` table, one JSON document per datasource.
//!
//! Invariant: a datasource never gets two consecutive rows with the same version, nor more
//! than one metadata row.

use async_trait::async_trait;
use chrono::Utc;
use ports::schema::{SchemaSnapshot, SchemaStore};
use ports::schema_metadata::DatasourceMetadata;
use ports::store_error::StoreError;
use rusqlite::{OptionalExtension, TransactionBehavior};

use crate::sqlite_store::SqliteStore;
use crate::timestamp_text::timestamp_to_text;

#[async_trait]
impl SchemaStore for SqliteStore {
    async fn save_snapshot(&self, snapshot: &SchemaSnapshot) -> Result<bool, StoreError> {
        let datasource = snapshot.datasource.clone();
        let version = snapshot.version.clone();
        let snapshot_json =
            serde_json::to_string(snapshot).expect("schema snapshots always serialize");
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let latest_version: Option<String> = transaction
                .query_row(
                    "SELECT version FROM schema_snapshots WHERE datasource = ?1 ORDER BY snapshot_id DESC LIMIT 1",
                    [&datasource],
                    |row| row.get(0),
                )
                .optional()?;
            if latest_version.as_deref() == Some(version.as_str()) {
                return Ok(false);
            }
            transaction.execute(
                "INSERT INTO schema_snapshots (datasource, version, snapshot_json, saved_at) VALUES (?1, ?2, ?3, ?4)",
                (&datasource, &version, &snapshot_json, timestamp_to_text(Utc::now())),
            )?;
            transaction.commit()?;
            Ok(true)
        })
        .await
    }

    async fn latest_snapshot(
        &self,
        datasource: &str,
    ) -> Result<Option<SchemaSnapshot>, StoreError> {
        let datasource = datasource.to_owned();
        self.run(move |connection| {
            let snapshot_json: Option<String> = connection
                .query_row(
                    "SELECT snapshot_json FROM schema_snapshots WHERE datasource = ?1
                     ORDER BY snapshot_id DESC LIMIT 1",
                    [&datasource],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(snapshot_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?)
        })
        .await
    }

    async fn save_metadata(
        &self,
        datasource: &str,
        metadata: &DatasourceMetadata,
    ) -> Result<(), StoreError> {
        let datasource = datasource.to_owned();
        let metadata_json =
            serde_json::to_string(metadata).expect("datasource metadata always serializes");
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO datasource_metadata (datasource, metadata_json, saved_at)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (datasource) DO UPDATE
                 SET metadata_json = excluded.metadata_json, saved_at = excluded.saved_at",
                (&datasource, &metadata_json, timestamp_to_text(Utc::now())),
            )?;
            Ok(())
        })
        .await
    }

    async fn load_metadata(
        &self,
        datasource: &str,
    ) -> Result<Option<DatasourceMetadata>, StoreError> {
        let datasource = datasource.to_owned();
        self.run(move |connection| {
            let metadata_json: Option<String> = connection
                .query_row(
                    "SELECT metadata_json FROM datasource_metadata WHERE datasource = ?1",
                    [&datasource],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(metadata_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?)
        })
        .await
    }
}
