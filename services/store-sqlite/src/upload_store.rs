//! `UploadStore` over the `uploads` table: the whole view as JSON, with status and arrival
//! time beside it for the listings.
//!
//! Invariant: a row whose status is terminal is never updated.

use async_trait::async_trait;
use contracts::uploads::UploadView;
use ports::store_error::StoreError;
use ports::upload_store::UploadStore;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::sqlite_store::SqliteStore;
use crate::timestamp_text::timestamp_to_text;

/// `status IN (...)` list of the terminal statuses.
const TERMINAL_STATUSES: &str = "('succeeded', 'failed')";

#[async_trait]
impl UploadStore for SqliteStore {
    async fn save_upload(&self, upload: &UploadView) -> Result<bool, StoreError> {
        let upload_id = upload.upload_id.to_string();
        let status = upload.status.as_str();
        let created_at = timestamp_to_text(upload.created_at);
        let view_json = serde_json::to_string(upload).expect("upload views always serialize");
        self.run(move |connection| {
            let n_written = connection.execute(
                &format!(
                    "INSERT INTO uploads (upload_id, status, created_at, view_json) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (upload_id) DO UPDATE SET status = excluded.status, view_json = excluded.view_json
                     WHERE uploads.status NOT IN {TERMINAL_STATUSES}"
                ),
                (&upload_id, status, &created_at, &view_json),
            )?;
            Ok(n_written == 1)
        })
        .await
    }

    async fn upload(&self, upload_id: Uuid) -> Result<Option<UploadView>, StoreError> {
        self.run(move |connection| {
            let view_json: Option<String> = connection
                .query_row(
                    "SELECT view_json FROM uploads WHERE upload_id = ?1",
                    [upload_id.to_string()],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(view_json.as_deref().map(serde_json::from_str).transpose()?)
        })
        .await
    }

    async fn recent_uploads(&self, limit: usize) -> Result<Vec<UploadView>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |connection| {
            let mut statement = connection.prepare(
                "SELECT view_json FROM uploads ORDER BY created_at DESC, upload_id LIMIT ?1",
            )?;
            let views = statement
                .query_map([limit], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(views
                .iter()
                .map(|view_json| serde_json::from_str(view_json))
                .collect::<Result<Vec<UploadView>, _>>()?)
        })
        .await
    }

    async fn unfinished_uploads(&self) -> Result<Vec<Uuid>, StoreError> {
        self.run(move |connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT upload_id FROM uploads WHERE status NOT IN {TERMINAL_STATUSES}
                 ORDER BY created_at, upload_id"
            ))?;
            let ids = statement
                .query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids
                .iter()
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use contracts::uploads::UploadStatus;

    use super::*;

    #[test]
    fn the_terminal_list_names_every_terminal_status() {
        for status in UploadStatus::ALL {
            assert_eq!(
                TERMINAL_STATUSES.contains(&format!("'{}'", status.as_str())),
                status.is_terminal(),
                "{status:?}"
            );
        }
    }
}
