//! `SchemaStore` over the `schema_snapshots` table, one JSONB snapshot per saved version, and
//! the `datasource_metadata` table, one JSONB document per datasource.
//!
//! Invariant: a datasource never gets two consecutive rows with the same version, nor more
//! than one metadata row; saves of one datasource's snapshots are serialized by a
//! transaction-level advisory lock on its name.

use async_trait::async_trait;
use chrono::Utc;
use ports::schema::{SchemaSnapshot, SchemaStore};
use ports::schema_metadata::DatasourceMetadata;
use ports::store_error::StoreError;
use tokio_postgres::types::Json;

use crate::postgres_error::PostgresError;
use crate::postgres_store::PostgresStore;

/// First key of the advisory locks taken per datasource while saving a snapshot.
const SNAPSHOT_LOCK_SPACE: i32 = 0x5343_484d;

#[async_trait]
impl SchemaStore for PostgresStore {
    async fn save_snapshot(&self, snapshot: &SchemaSnapshot) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(PostgresError::from)?;
        transaction
            .execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                &[&SNAPSHOT_LOCK_SPACE, &snapshot.datasource],
            )
            .await
            .map_err(PostgresError::from)?;
        let latest = transaction
            .query_opt(
                "SELECT version FROM schema_snapshots WHERE datasource = $1
                 ORDER BY snapshot_id DESC LIMIT 1",
                &[&snapshot.datasource],
            )
            .await
            .map_err(PostgresError::from)?;
        let latest_version: Option<String> = latest
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(PostgresError::from)?;
        if latest_version.as_deref() == Some(snapshot.version.as_str()) {
            return Ok(false);
        }
        transaction
            .execute(
                "INSERT INTO schema_snapshots (datasource, version, snapshot, saved_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &snapshot.datasource,
                    &snapshot.version,
                    &Json(snapshot),
                    &Utc::now(),
                ],
            )
            .await
            .map_err(PostgresError::from)?;
        transaction.commit().await.map_err(PostgresError::from)?;
        Ok(true)
    }

    async fn latest_snapshot(
        &self,
        datasource: &str,
    ) -> Result<Option<SchemaSnapshot>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT snapshot FROM schema_snapshots WHERE datasource = $1
                 ORDER BY snapshot_id DESC LIMIT 1",
                &[&datasource],
            )
            .await
            .map_err(PostgresError::from)?;
        let snapshot = row
            .map(|row| row.try_get::<_, Json<SchemaSnapshot>>(0))
            .transpose()
            .map_err(PostgresError::from)?;
        Ok(snapshot.map(|Json(snapshot)| snapshot))
    }

    async fn save_metadata(
        &self,
        datasource: &str,
        metadata: &DatasourceMetadata,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO datasource_metadata (datasource, metadata, saved_at)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (datasource) DO UPDATE
                 SET metadata = excluded.metadata, saved_at = excluded.saved_at",
                &[&datasource, &Json(metadata), &Utc::now()],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(())
    }

    async fn load_metadata(
        &self,
        datasource: &str,
    ) -> Result<Option<DatasourceMetadata>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT metadata FROM datasource_metadata WHERE datasource = $1",
                &[&datasource],
            )
            .await
            .map_err(PostgresError::from)?;
        let metadata = row
            .map(|row| row.try_get::<_, Json<DatasourceMetadata>>(0))
            .transpose()
            .map_err(PostgresError::from)?;
        Ok(metadata.map(|Json(metadata)| metadata))
    }
}
