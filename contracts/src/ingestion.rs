//! The typed payloads of the ingestion state machine (`statemachines/ingestion.asl.json`): the
//! uploaded S3 object handed to the ingest stage, and the failure handed to its recorder.
//!
//! Invariant: payloads name the object (bucket, key, version); they never carry its content.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version of an uploaded object, as the S3 `Object Created` event's `detail.object`
/// describes it; it pins the exact bytes an upload id stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct S3ObjectVersion {
    /// Entity tag of the object (S3 writes `etag`; some emulators write `eTag`).
    #[serde(default, alias = "eTag")]
    pub etag: Option<String>,
    /// Version id when the bucket is versioned; `"null"` or absent otherwise.
    #[serde(default, rename = "version-id")]
    pub version_id: Option<String>,
    /// Ordering key of events of one key, in hexadecimal.
    #[serde(default)]
    pub sequencer: Option<String>,
}

/// Input of the ingest stage: one uploaded ZIP object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IngestObjectRequest {
    /// Bucket of the uploaded object.
    pub bucket: String,
    /// Key of the uploaded object (`uploads/<datasource>/<file>.zip`).
    pub key: String,
    /// Size of the object in bytes, as the event states it.
    pub size_bytes: u64,
    /// The object's version; `None` from producers that do not pass it.
    #[serde(default)]
    pub object: Option<S3ObjectVersion>,
}

/// Output of the ingest stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IngestObjectResult {
    /// The upload, readable through `GET /v1/uploads/{id}`.
    pub upload_id: Uuid,
    /// Datasource the tables belong to.
    pub datasource: String,
    /// Glue database holding the tables.
    pub glue_database: String,
    /// Tables created or replaced, in name order.
    pub tables: Vec<String>,
    /// Rows written over all tables.
    pub n_rows: u64,
}

/// Input of the ingestion failure recorder that the ingest Task's `Catch` leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordIngestionFailureRequest {
    /// Bucket of the uploaded object.
    pub bucket: String,
    /// Key of the uploaded object.
    pub key: String,
    /// The object's version, to find the same upload the ingest stage recorded.
    #[serde(default)]
    pub object: Option<S3ObjectVersion>,
    /// Error name as the state machine saw it (`InvalidInput`, `Transient`, `Fatal`, `States.*`).
    pub error: String,
    /// Cause text; a JSON-encoded [`crate::error::StageFailure`] when a worker produced it.
    #[serde(default)]
    pub cause: Option<String>,
}

/// Output of the ingestion failure recorder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RecordIngestionFailureResult {
    /// The upload the failure belongs to.
    pub upload_id: Uuid,
    /// `true` when this call marked the upload failed; `false` when it had already ended.
    pub recorded: bool,
}
