//! Store of uploads: the view of every upload, written as it moves from queued to loaded or
//! failed, so its progress and outcome can be read from any process and survive a restart.
//!
//! Invariant: a terminal upload (succeeded or failed) is never changed again.

use async_trait::async_trait;
use contracts::uploads::UploadView;
use uuid::Uuid;

use crate::store_error::StoreError;

/// Upload views by id.
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Inserts the view, or replaces the stored one unless that one is terminal; returns
    /// `false` (and changes nothing) when the stored upload is already terminal.
    async fn save_upload(&self, upload: &UploadView) -> Result<bool, StoreError>;

    /// The upload with this id.
    async fn upload(&self, upload_id: Uuid) -> Result<Option<UploadView>, StoreError>;

    /// The most recent uploads, newest first, at most `limit`.
    async fn recent_uploads(&self, limit: usize) -> Result<Vec<UploadView>, StoreError>;

    /// Ids of uploads that are neither succeeded nor failed, oldest first.
    async fn unfinished_uploads(&self) -> Result<Vec<Uuid>, StoreError>;
}
