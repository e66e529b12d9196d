//! [`IngestionHandlers`]: the ingestion stages behind the same `TaskHandler` interface as the
//! question stages, so the SQS consumer and the Lambda entry points run them unchanged.
//!
//! Invariant: a message is dispatched by its `stage` name only, and its payload is read from
//! `envelope.payload` without requiring the envelope's job id to be a UUID (Step Functions
//! names executions started by EventBridge itself).

use std::sync::Arc;

use async_trait::async_trait;
use contracts::envelope::TaskMessage;
use ports::step_error::StepError;
use ports::task_handler::TaskHandler;
use ports::upload_store::UploadStore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ingest_stage::ingest_object;
use crate::ingestion_error::IngestionError;
use crate::ingestion_failure::record_ingestion_failure;
use crate::ingestion_settings::IngestionSettings;

/// Stages of `statemachines/ingestion.asl.json`.
pub const INGESTION_STAGES: [&str; 2] = ["ingest", "record_ingestion_failure"];

/// What the ingestion stages need.
#[derive(Clone)]
pub struct IngestionDeps {
    /// S3 (uploads and table data).
    pub s3: aws_sdk_s3::Client,
    /// Glue Data Catalog.
    pub glue: aws_sdk_glue::Client,
    /// Where upload progress and outcomes are recorded.
    pub upload_store: Arc<dyn UploadStore>,
    /// Prefixes, naming and limits.
    pub settings: IngestionSettings,
}

/// Runs the ingestion stages.
#[derive(Clone)]
pub struct IngestionHandlers {
    deps: IngestionDeps,
}

impl IngestionHandlers {
    /// Handlers over `deps`.
    pub fn new(deps: IngestionDeps) -> Self {
        IngestionHandlers { deps }
    }
}

#[async_trait]
impl TaskHandler for IngestionHandlers {
    async fn handle_task(&self, message: &TaskMessage) -> Result<Value, StepError> {
        match message.stage.as_str() {
            "ingest" => {
                let request = payload_of(&message.envelope)?;
                to_json(ingest_object(&self.deps, request).await?)
            }
            "record_ingestion_failure" => {
                let request = payload_of(&message.envelope)?;
                to_json(record_ingestion_failure(&self.deps, request).await?)
            }
            other => Err(StepError::invalid_input(format!(
                "stage `{other}` is not an ingestion stage (expected one of {})",
                INGESTION_STAGES.join(", ")
            ))),
        }
    }
}

fn payload_of<T: DeserializeOwned>(envelope: &Value) -> Result<T, IngestionError> {
    let payload = envelope
        .get("payload")
        .cloned()
        .ok_or_else(|| IngestionError::UnreadablePayload("the envelope has no payload".into()))?;
    serde_json::from_value(payload)
        .map_err(|err| IngestionError::UnreadablePayload(err.to_string()))
}

fn to_json<T: Serialize>(output: T) -> Result<Value, StepError> {
    serde_json::to_value(output)
        .map_err(|err| StepError::fatal(format!("stage output did not serialize: {err}")))
}
