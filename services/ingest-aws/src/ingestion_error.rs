//! [`IngestionError`]: every way the AWS ingestion of one upload can fail, classified so the
//! state machine retries only what a retry can fix.
//!
//! Invariant: messages name keys, entries, tables and sizes, never cell values or credentials.

use contracts::error::ErrorKind;
use engine_duckdb::ParquetExportError;
use ingest::IngestError;
use ports::step_error::StepError;
use ports::store_error::StoreError;

/// Why an upload was not ingested.
#[derive(Debug, thiserror::Error)]
pub enum IngestionError {
    /// The task message's payload is not what the stage takes.
    #[error("unreadable ingestion payload: {0}")]
    UnreadablePayload(String),
    /// The object key does not follow the uploads layout.
    #[error("`{key}`: {reason}")]
    UnexpectedKey {
        /// The object key.
        key: String,
        /// What is wrong, and the expected layout.
        reason: String,
    },
    /// The object is larger than the accepted archive size.
    #[error("the uploaded object is {n_bytes} bytes; at most {max_bytes} are accepted")]
    ArchiveTooLarge {
        /// Size of the object (or bytes read so far).
        n_bytes: u64,
        /// The limit.
        max_bytes: u64,
    },
    /// The object (at the version the event named) no longer exists.
    #[error("`{key}` is gone or was overwritten since it was uploaded: {message}")]
    ObjectGone {
        /// The object key.
        key: String,
        /// What S3 reported.
        message: String,
    },
    /// The archive or its CSV files were refused.
    #[error(transparent)]
    Refused(#[from] IngestError),
    /// Tables of the upload exist and the key did not ask to replace them.
    #[error("tables already exist in {database}: {names}; upload to {replace_key} to replace them")]
    TablesExist {
        /// The Glue database.
        database: String,
        /// Comma-separated table names.
        names: String,
        /// The key that would replace them.
        replace_key: String,
    },
    /// A table could not be written as Parquet.
    #[error(transparent)]
    Export(#[from] ParquetExportError),
    /// S3 failed (other than a missing object).
    #[error("S3 {operation} failed: {message}")]
    Storage {
        /// The S3 call.
        operation: &'static str,
        /// What S3 reported.
        message: String,
    },
    /// The Glue catalog failed.
    #[error("Glue {operation} failed: {message}")]
    Catalog {
        /// The Glue call.
        operation: &'static str,
        /// What Glue reported.
        message: String,
    },
    /// The local staging directory failed.
    #[error("staging: {0}")]
    Staging(String),
    /// The upload already ended as failed (a redelivered message).
    #[error("upload {upload_id} already failed: {message}")]
    AlreadyFailed {
        /// The upload.
        upload_id: uuid::Uuid,
        /// Its recorded reason.
        message: String,
    },
    /// The upload store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IngestionError {
    /// Retry class: the upload's own faults are `InvalidInput`; outages of S3, Glue, the
    /// staging disk or the store are `Transient`; a broken export is `Fatal`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IngestionError::UnreadablePayload(_)
            | IngestionError::UnexpectedKey { .. }
            | IngestionError::ArchiveTooLarge { .. }
            | IngestionError::ObjectGone { .. }
            | IngestionError::TablesExist { .. }
            | IngestionError::AlreadyFailed { .. } => ErrorKind::InvalidInput,
            IngestionError::Refused(ingest_error) => ingest_error.kind(),
            IngestionError::Export(export_error) => export_error.kind(),
            IngestionError::Storage { .. }
            | IngestionError::Catalog { .. }
            | IngestionError::Staging(_) => ErrorKind::Transient,
            IngestionError::Store(store_error) => store_error.kind(),
        }
    }
}

impl From<IngestionError> for StepError {
    fn from(err: IngestionError) -> Self {
        StepError {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}

/// `code: message` of an AWS service error, or its display text when it carries neither.
pub(crate) fn service_error_text<E>(service_error: &E) -> String
where
    E: std::error::Error + aws_sdk_s3::error::ProvideErrorMetadata,
{
    match (service_error.code(), service_error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => service_error.to_string(),
    }
}
