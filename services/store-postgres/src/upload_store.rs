//! `UploadStore` over the `uploads` table: the whole view as JSONB, with status and arrival
//! time beside it for the listings.
//!
//! Invariant: a row whose status is terminal is never updated.

use async_trait::async_trait;
use contracts::uploads::UploadView;
use ports::store_error::StoreError;
use ports::upload_store::UploadStore;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::postgres_error::PostgresError;
use crate::postgres_store::PostgresStore;

#[async_trait]
impl UploadStore for PostgresStore {
    async fn save_upload(&self, upload: &UploadView) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let n_written = client
            .execute(
                "INSERT INTO uploads (upload_id, status, created_at, view_json) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (upload_id) DO UPDATE SET status = excluded.status, view_json = excluded.view_json
                 WHERE uploads.status NOT IN ('succeeded', 'failed')",
                &[
                    &upload.upload_id,
                    &upload.status.as_str(),
                    &upload.created_at,
                    &Json(upload),
                ],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(n_written == 1)
    }

    async fn upload(&self, upload_id: Uuid) -> Result<Option<UploadView>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT view_json FROM uploads WHERE upload_id = $1",
                &[&upload_id],
            )
            .await
            .map_err(PostgresError::from)?;
        let view = row
            .map(|row| row.try_get::<_, Json<UploadView>>(0))
            .transpose()
            .map_err(PostgresError::from)?;
        Ok(view.map(|Json(view)| view))
    }

    async fn recent_uploads(&self, limit: usize) -> Result<Vec<UploadView>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT view_json FROM uploads ORDER BY created_at DESC, upload_id LIMIT $1",
                &[&limit],
            )
            .await
            .map_err(PostgresError::from)?;
        rows.iter()
            .map(|row| {
                row.try_get::<_, Json<UploadView>>(0)
                    .map(|Json(view)| view)
                    .map_err(|err| PostgresError::from(err).into())
            })
            .collect()
    }

    async fn unfinished_uploads(&self) -> Result<Vec<Uuid>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT upload_id FROM uploads WHERE status NOT IN ('succeeded', 'failed')
                 ORDER BY created_at, upload_id",
                &[],
            )
            .await
            .map_err(PostgresError::from)?;
        rows.iter()
            .map(|row| {
                row.try_get::<_, Uuid>(0)
                    .map_err(|err| PostgresError::from(err).into())
            })
            .collect()
    }
}
