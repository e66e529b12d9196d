//! Drift and round-trip tests for the wire types.

use std::path::{Path, PathBuf};

use contracts::api::{
    ApiErrorBody, DatasourceSchemaView, DatasourceView, FeedbackRecord, FeedbackRequest, JobStatus,
    JobView, MemoryEntryList, SubmitQuestionRequest, SubmitQuestionResponse,
};
use contracts::envelope::{JobEnvelope, TaskMessage};
use contracts::error::StageFailure;
use contracts::ingestion::{
    IngestObjectRequest, IngestObjectResult, RecordIngestionFailureRequest,
    RecordIngestionFailureResult,
};
use contracts::stages::*;
use contracts::uploads::{UploadAccepted, UploadView};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn crate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn checked_in_schema_matches_the_types() {
    let schema_dir = crate_dir().join("schema");
    let mut expected_files = Vec::new();

    for (stem, schema) in contracts::schema_export::all_schemas() {
        let path = schema_dir.join(format!("{stem}.json"));
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run `cargo run -p contracts --example export_schema`",
                path.display()
            )
        });
        let on_disk: serde_json::Value = serde_json::from_str(&on_disk).unwrap();
        assert_eq!(
            on_disk, schema,
            "{stem}.json drifted from the types: run `cargo run -p contracts --example export_schema`"
        );
        expected_files.push(format!("{stem}.json"));
    }

    let mut actual_files: Vec<String> = std::fs::read_dir(&schema_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    actual_files.sort();
    expected_files.sort();
    assert_eq!(
        actual_files, expected_files,
        "schema/ holds files for types that no longer exist"
    );
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(stem: &str) {
    let path = crate_dir().join("fixtures").join(format!("{stem}.v1.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("fixture {} missing", path.display()));
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();

    let parsed: T = serde_json::from_value(original.clone()).unwrap();
    let reserialized = serde_json::to_value(&parsed).unwrap();
    let reparsed: T = serde_json::from_value(reserialized.clone()).unwrap();

    assert_eq!(
        reserialized, original,
        "{stem}: fixture does not survive a round trip"
    );
    assert_eq!(reparsed, parsed);
}

#[test]
fn every_fixture_round_trips() {
    round_trip::<JobEnvelope<ClassifyRequest>>("classify_request_envelope");
    round_trip::<FeedbackRequest>("feedback_request");
    round_trip::<FeedbackRecord>("feedback_record");
    round_trip::<MemoryEntryList>("memory_entry_list");
    round_trip::<ClassifyResult>("classify_result");
    round_trip::<JobEnvelope<CacheLookupRequest>>("cache_lookup_request_envelope");
    round_trip::<CacheLookupResult>("cache_lookup_result");
    round_trip::<JobEnvelope<GenerateSqlRequest>>("generate_sql_request_envelope");
    round_trip::<GenerateSqlResult>("generate_sql_result");
    round_trip::<JobEnvelope<ExecuteRequest>>("execute_request_envelope");
    round_trip::<ExecuteResult>("execute_result");
    round_trip::<JobEnvelope<ExplainRequest>>("explain_request_envelope");
    round_trip::<ExplainResult>("explain_result");
    round_trip::<JobEnvelope<RecordFailureRequest>>("record_failure_request_envelope");
    round_trip::<RecordFailureResult>("record_failure_result");
    round_trip::<JobEnvelope<IngestObjectRequest>>("ingest_object_request_envelope");
    round_trip::<IngestObjectResult>("ingest_object_result");
    round_trip::<JobEnvelope<RecordIngestionFailureRequest>>(
        "record_ingestion_failure_request_envelope",
    );
    round_trip::<RecordIngestionFailureResult>("record_ingestion_failure_result");
    round_trip::<UploadView>("upload_view");
    round_trip::<UploadAccepted>("upload_accepted");
    round_trip::<StageFailure>("stage_failure");
    round_trip::<TaskMessage>("task_message");
    round_trip::<SubmitQuestionRequest>("submit_question_request");
    round_trip::<SubmitQuestionResponse>("submit_question_response");
    round_trip::<JobView>("job_view");
    round_trip::<DatasourceView>("datasource_view");
    round_trip::<DatasourceSchemaView>("datasource_schema_view");
    round_trip::<ApiErrorBody>("api_error_body");
}

#[test]
fn every_schema_has_a_fixture() {
    for (stem, _) in contracts::schema_export::all_schemas() {
        let path = crate_dir().join("fixtures").join(format!("{stem}.v1.json"));
        assert!(path.exists(), "no fixture for {stem}");
    }
}

#[test]
fn an_envelope_from_a_newer_producer_with_unknown_fields_still_parses() {
    let text = r#"{"schema_version":2,"job_id":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","correlation_id":"c","submitted_at":"2026-01-01T00:00:00Z","new_field":1,"payload":{"question":"q","datasource":"d","extra":true}}"#;

    let parsed: JobEnvelope<ClassifyRequest> = serde_json::from_str(text).unwrap();

    assert_eq!(parsed.attempt, 0);
    assert_eq!(parsed.payload.question, "q");
}

#[test]
fn status_and_intent_names_are_their_serde_names() {
    for status in JobStatus::ALL {
        assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        assert_eq!(JobStatus::parse(status.as_str()), Some(status));
    }
    for intent in Intent::ALL {
        assert_eq!(serde_json::to_value(intent).unwrap(), intent.as_str());
        assert_eq!(Intent::parse(intent.as_str()), Some(intent));
    }
    assert_eq!(JobStatus::parse("paused"), None);
    assert_eq!(Intent::parse("sing"), None);
}
