//! Wire types of data uploads: a ZIP of CSV files posted to `POST /v1/uploads` (or dropped in
//! the uploads bucket on AWS) and followed through `GET /v1/uploads/{id}` while it is checked,
//! loaded and registered.
//!
//! Invariant: plain data only; an upload view is the whole story of one upload, so a client
//! that only polls it can show progress, per-file results and the final tables or error.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ErrorKind;

/// Where an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Received, waiting for a worker.
    Queued,
    /// The archive and its CSV files are being checked.
    Validating,
    /// The checked tables are being loaded, all or nothing.
    Loading,
    /// Every table is loaded and askable.
    Succeeded,
    /// Refused or failed; nothing of it was loaded.
    Failed,
}

impl UploadStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [UploadStatus; 5] = [
        UploadStatus::Queued,
        UploadStatus::Validating,
        UploadStatus::Loading,
        UploadStatus::Succeeded,
        UploadStatus::Failed,
    ];

    /// Wire name (`queued`, `validating`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Queued => "queued",
            UploadStatus::Validating => "validating",
            UploadStatus::Loading => "loading",
            UploadStatus::Succeeded => "succeeded",
            UploadStatus::Failed => "failed",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        UploadStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
    }

    /// `true` once the upload can change no more.
    pub fn is_terminal(self) -> bool {
        matches!(self, UploadStatus::Succeeded | UploadStatus::Failed)
    }
}

/// Where one CSV file of an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadFileStatus {
    /// Not read yet.
    Pending,
    /// Being read and checked.
    Checking,
    /// Passed every check.
    Passed,
    /// Refused; see its error.
    Failed,
}

/// One CSV file of an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadFileView {
    /// Entry name inside the archive (`sales/sales_2024.csv`).
    pub entry: String,
    /// Table it loads into.
    pub table: String,
    /// Uncompressed size in bytes, as the archive declares it.
    pub n_bytes: u64,
    /// Where the file is.
    pub status: UploadFileStatus,
    /// Data rows, once checked.
    #[serde(default)]
    pub n_rows: Option<u64>,
    /// Why the file was refused.
    #[serde(default)]
    pub error: Option<String>,
}

/// One column of a loaded table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadColumnView {
    /// `snake_case` column name used in queries.
    pub name: String,
    /// Header text in the CSV file, kept as the column's description.
    pub original_name: String,
    /// Inferred type (`BIGINT`, `DOUBLE`, `DATE`, `VARCHAR`, ...).
    pub data_type: String,
}

/// One table an upload loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadTableView {
    /// Table name used in queries.
    pub name: String,
    /// Rows loaded.
    pub n_rows: u64,
    /// Columns in table order.
    pub columns: Vec<UploadColumnView>,
    /// `true` when it replaced an existing table.
    pub replaced: bool,
}

/// Why an upload failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadFailure {
    /// `invalid_input` when the upload itself is at fault (uploading it again will fail
    /// again), `transient` when a retry may succeed, `fatal` for a broken installation.
    pub kind: ErrorKind,
    /// Safe, human-readable reason naming the file, line and column where they apply.
    pub message: String,
    /// The archive entry at fault, when one is.
    #[serde(default)]
    pub entry: Option<String>,
}

/// One upload as `GET /v1/uploads/{id}` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadView {
    /// Upload id.
    pub upload_id: Uuid,
    /// Datasource the tables go into.
    pub datasource: String,
    /// Name of the uploaded file (or the object key on AWS).
    pub file_name: String,
    /// Where the upload is.
    pub status: UploadStatus,
    /// Size of the uploaded archive in bytes.
    pub n_archive_bytes: u64,
    /// Replace tables that already exist instead of refusing the upload.
    pub replace_existing: bool,
    /// CSV files found in the archive, in load order (empty until the layout is known).
    #[serde(default)]
    pub files: Vec<UploadFileView>,
    /// Entries that are not CSV files and were not loaded.
    #[serde(default)]
    pub skipped_entries: Vec<String>,
    /// Tables loaded, once the upload succeeded.
    #[serde(default)]
    pub tables: Vec<UploadTableView>,
    /// Why the upload failed.
    #[serde(default)]
    pub failure: Option<UploadFailure>,
    /// When the upload was received.
    pub created_at: DateTime<Utc>,
    /// When the view last changed.
    pub updated_at: DateTime<Utc>,
}

impl UploadView {
    /// A freshly received upload, queued.
    pub fn queued(
        upload_id: Uuid,
        datasource: impl Into<String>,
        file_name: impl Into<String>,
        n_archive_bytes: u64,
        replace_existing: bool,
        now: DateTime<Utc>,
    ) -> Self {
        UploadView {
            upload_id,
            datasource: datasource.into(),
            file_name: file_name.into(),
            status: UploadStatus::Queued,
            n_archive_bytes,
            replace_existing,
            files: Vec::new(),
            skipped_entries: Vec::new(),
            tables: Vec::new(),
            failure: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Response of `POST /v1/uploads`: the queued upload and where to follow it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadAccepted {
    /// The upload as queued.
    pub upload: UploadView,
    /// Path to poll (`/v1/uploads/{id}`).
    pub status_url: String,
}
