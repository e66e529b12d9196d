//! [`UploadRecorder`]: the view of one upload as the ingest stage moves it from queued through
//! validating and loading to succeeded or failed, saved to the `UploadStore` at every step so
//! `GET /v1/uploads/{id}` shows progress from any process.
//!
//! Invariant: only `InvalidInput` and `Fatal` failures end an upload here; a `Transient` one
//! leaves it unfinished, because the state machine retries it (and its failure recorder ends
//! it when the retries run out).

use std::sync::Arc;

use chrono::Utc;
use contracts::error::ErrorKind;
use contracts::uploads::{
    UploadFailure, UploadFileStatus, UploadFileView, UploadStatus, UploadTableView, UploadView,
};
use ingest::IngestProgress;
use ports::upload_store::UploadStore;

use crate::ingestion_error::IngestionError;

/// One upload's view and the store it is saved in.
pub(crate) struct UploadRecorder {
    store: Arc<dyn UploadStore>,
    view: UploadView,
}

impl UploadRecorder {
    /// Starts from `view` (the stored one, or a fresh queued one).
    pub(crate) fn new(store: Arc<dyn UploadStore>, view: UploadView) -> Self {
        UploadRecorder { store, view }
    }

    /// Moves to `status` (clearing the file list when validation starts over) and saves.
    pub(crate) async fn enter(&mut self, status: UploadStatus) -> Result<(), IngestionError> {
        if status == UploadStatus::Validating {
            self.view.files.clear();
            self.view.skipped_entries.clear();
        }
        self.view.status = status;
        self.save().await
    }

    /// Applies one progress event of validation and saves.
    pub(crate) async fn apply(&mut self, progress: IngestProgress) -> Result<(), IngestionError> {
        match progress {
            IngestProgress::LayoutPlanned { .. } => return Ok(()),
            IngestProgress::EntryStarted {
                entry,
                table,
                n_bytes,
            } => self.view.files.push(UploadFileView {
                entry,
                table,
                n_bytes,
                status: UploadFileStatus::Checking,
                n_rows: None,
                error: None,
            }),
            IngestProgress::EntryFinished { entry, n_rows } => {
                if let Some(file) = self.view.files.iter_mut().find(|file| file.entry == entry) {
                    file.status = UploadFileStatus::Passed;
                    file.n_rows = Some(n_rows);
                }
            }
        }
        self.save().await
    }

    /// Notes the entries that are not CSV files.
    pub(crate) fn set_skipped_entries(&mut self, skipped_entries: Vec<String>) {
        self.view.skipped_entries = skipped_entries;
    }

    /// Ends the upload as succeeded with `tables`.
    pub(crate) async fn succeed(
        &mut self,
        tables: Vec<UploadTableView>,
    ) -> Result<(), IngestionError> {
        self.view.tables = tables;
        self.view.status = UploadStatus::Succeeded;
        self.save().await
    }

    /// Records `error`: the file being checked (if any) is marked failed with it, and the
    /// upload ends failed (naming that file as the entry at fault) unless the error is
    /// transient.
    pub(crate) async fn fail(&mut self, error: &IngestionError) -> Result<(), IngestionError> {
        let message = error.to_string();
        let entry_at_fault = self
            .view
            .files
            .iter_mut()
            .find(|file| file.status == UploadFileStatus::Checking)
            .map(|file| {
                file.status = UploadFileStatus::Failed;
                file.error = Some(message.clone());
                file.entry.clone()
            });
        if error.kind() == ErrorKind::Transient {
            return Ok(());
        }
        self.view.status = UploadStatus::Failed;
        self.view.failure = Some(UploadFailure {
            kind: error.kind(),
            message,
            entry: entry_at_fault,
        });
        self.save().await
    }

    async fn save(&mut self) -> Result<(), IngestionError> {
        self.view.updated_at = Utc::now();
        self.store.save_upload(&self.view).await?;
        Ok(())
    }
}

/// A fresh queued view of an upload, or the stored one.
pub(crate) async fn stored_or_queued(
    store: &dyn UploadStore,
    fresh: UploadView,
) -> Result<UploadView, IngestionError> {
    Ok(store.upload(fresh.upload_id).await?.unwrap_or(fresh))
}
