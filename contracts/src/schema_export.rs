//! JSON Schema export of every wire type, checked in under `contracts/schema/`.
//!
//! Invariant: the list here names every message type; a test compares it with the files.

use schemars::{JsonSchema, schema_for};

use crate::api::{
    ApiErrorBody, DatasourceSchemaView, DatasourceView, FeedbackRecord, FeedbackRequest, JobView,
    MemoryEntryList, SubmitQuestionRequest, SubmitQuestionResponse,
};
use crate::envelope::{JobEnvelope, TaskMessage};
use crate::error::StageFailure;
use crate::ingestion::{
    IngestObjectRequest, IngestObjectResult, RecordIngestionFailureRequest,
    RecordIngestionFailureResult,
};
use crate::stages::{
    CacheLookupRequest, CacheLookupResult, ClassifyRequest, ClassifyResult, ExecuteRequest,
    ExecuteResult, ExplainRequest, ExplainResult, GenerateSqlRequest, GenerateSqlResult,
    RecordFailureRequest, RecordFailureResult,
};
use crate::uploads::{UploadAccepted, UploadView};

fn schema_of<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schema_for!(T)).expect("a generated schema always serializes")
}

/// Every wire type as `(file stem, JSON Schema)`, in a stable order.
pub fn all_schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "classify_request_envelope",
            schema_of::<JobEnvelope<ClassifyRequest>>(),
        ),
        ("classify_result", schema_of::<ClassifyResult>()),
        (
            "cache_lookup_request_envelope",
            schema_of::<JobEnvelope<CacheLookupRequest>>(),
        ),
        ("cache_lookup_result", schema_of::<CacheLookupResult>()),
        (
            "generate_sql_request_envelope",
            schema_of::<JobEnvelope<GenerateSqlRequest>>(),
        ),
        ("generate_sql_result", schema_of::<GenerateSqlResult>()),
        (
            "execute_request_envelope",
            schema_of::<JobEnvelope<ExecuteRequest>>(),
        ),
        ("execute_result", schema_of::<ExecuteResult>()),
        (
            "explain_request_envelope",
            schema_of::<JobEnvelope<ExplainRequest>>(),
        ),
        ("explain_result", schema_of::<ExplainResult>()),
        (
            "record_failure_request_envelope",
            schema_of::<JobEnvelope<RecordFailureRequest>>(),
        ),
        ("record_failure_result", schema_of::<RecordFailureResult>()),
        (
            "ingest_object_request_envelope",
            schema_of::<JobEnvelope<IngestObjectRequest>>(),
        ),
        ("ingest_object_result", schema_of::<IngestObjectResult>()),
        (
            "record_ingestion_failure_request_envelope",
            schema_of::<JobEnvelope<RecordIngestionFailureRequest>>(),
        ),
        (
            "record_ingestion_failure_result",
            schema_of::<RecordIngestionFailureResult>(),
        ),
        ("stage_failure", schema_of::<StageFailure>()),
        ("upload_view", schema_of::<UploadView>()),
        ("upload_accepted", schema_of::<UploadAccepted>()),
        ("task_message", schema_of::<TaskMessage>()),
        (
            "submit_question_request",
            schema_of::<SubmitQuestionRequest>(),
        ),
        (
            "submit_question_response",
            schema_of::<SubmitQuestionResponse>(),
        ),
        ("job_view", schema_of::<JobView>()),
        ("datasource_view", schema_of::<DatasourceView>()),
        (
            "datasource_schema_view",
            schema_of::<DatasourceSchemaView>(),
        ),
        ("api_error_body", schema_of::<ApiErrorBody>()),
        ("feedback_request", schema_of::<FeedbackRequest>()),
        ("feedback_record", schema_of::<FeedbackRecord>()),
        ("memory_entry_list", schema_of::<MemoryEntryList>()),
    ]
}
