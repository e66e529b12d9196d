//! [`record_ingestion_failure`]: the `record_ingestion_failure` stage that the ingest Task's
//! `Catch` leads to. It marks the upload failed with the state machine's error and cause,
//! unless the upload already ended (the ingest stage itself ends uploads it refuses).
//!
//! Invariant: an ended upload is never changed; the failure of an upload that never got a
//! view (its message was lost before the ingest stage ran) is still recorded under its id.

use chrono::Utc;
use contracts::error::{ErrorKind, StageFailure};
use contracts::ingestion::{RecordIngestionFailureRequest, RecordIngestionFailureResult};
use contracts::uploads::{UploadFailure, UploadStatus, UploadView};
use uuid::Uuid;

use crate::ingestion_error::IngestionError;
use crate::ingestion_handlers::IngestionDeps;
use crate::upload_object::{UploadObject, upload_id_of};

/// Marks the upload of `request`'s object failed; `recorded` is `false` when it had already
/// ended.
#[tracing::instrument(skip_all, fields(stage = "record_ingestion_failure", key = %request.key))]
pub async fn record_ingestion_failure(
    deps: &IngestionDeps,
    request: RecordIngestionFailureRequest,
) -> Result<RecordIngestionFailureResult, IngestionError> {
    let version = request.object.clone().unwrap_or_default();
    let upload_id = upload_id_of(&request.bucket, &request.key, &version);
    let failure = failure_of(&request.error, request.cause.as_deref());
    let stored = deps.upload_store.upload(upload_id).await?;
    if stored
        .as_ref()
        .is_some_and(|view| view.status.is_terminal())
    {
        return Ok(RecordIngestionFailureResult {
            upload_id,
            recorded: false,
        });
    }
    let mut view = match stored {
        Some(view) => view,
        None => {
            let parsed = UploadObject::parse(
                &request.bucket,
                &request.key,
                version,
                &deps.settings.uploads_prefix,
            );
            let (datasource, replace_existing) = parsed
                .as_ref()
                .map(|object| (object.datasource().to_owned(), object.replace_existing()))
                .unwrap_or_default();
            UploadView::queued(
                upload_id,
                datasource,
                request.key.clone(),
                0,
                replace_existing,
                Utc::now(),
            )
        }
    };
    view.status = UploadStatus::Failed;
    view.failure = Some(failure);
    view.updated_at = Utc::now();
    let recorded = deps.upload_store.save_upload(&view).await?;
    Ok(RecordIngestionFailureResult {
        upload_id,
        recorded,
    })
}

/// Records the refusal of an object whose key is outside the uploads layout.
pub(crate) async fn record_refused_key(
    deps: &IngestionDeps,
    upload_id: Uuid,
    key: &str,
    size_bytes: u64,
    key_error: &IngestionError,
) -> Result<(), IngestionError> {
    let mut view = UploadView::queued(upload_id, "", key, size_bytes, false, Utc::now());
    view.status = UploadStatus::Failed;
    view.failure = Some(UploadFailure {
        kind: key_error.kind(),
        message: key_error.to_string(),
        entry: None,
    });
    deps.upload_store.save_upload(&view).await?;
    Ok(())
}

/// The failure the state machine reports: the worker's `StageFailure` when the cause is one,
/// else the error name's kind (`States.*` errors are the platform's, so `Fatal`).
fn failure_of(error: &str, cause: Option<&str>) -> UploadFailure {
    let stage_failure = cause.and_then(|cause| serde_json::from_str::<StageFailure>(cause).ok());
    match stage_failure {
        Some(stage_failure) => UploadFailure {
            kind: stage_failure.kind,
            message: stage_failure.message,
            entry: None,
        },
        None => UploadFailure {
            kind: ErrorKind::from_name(error).unwrap_or(ErrorKind::Fatal),
            message: match cause {
                Some(cause) if !cause.is_empty() => format!("{error}: {cause}"),
                _ => error.to_owned(),
            },
            entry: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use contracts::ingestion::S3ObjectVersion;
    use store_sqlite::SqliteStore;

    use super::*;
    use crate::ingestion_settings::IngestionSettings;

    /// Deps over a fresh in-memory store; the recorder never calls the AWS clients.
    fn deps_with_fresh_store() -> IngestionDeps {
        IngestionDeps {
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::Config::builder()
                    .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
                    .build(),
            ),
            glue: aws_sdk_glue::Client::from_conf(
                aws_sdk_glue::Config::builder()
                    .behavior_version(aws_sdk_glue::config::BehaviorVersion::latest())
                    .build(),
            ),
            upload_store: Arc::new(SqliteStore::open_in_memory().unwrap()),
            settings: IngestionSettings::default(),
        }
    }

    fn request(error: &str, cause: &str) -> RecordIngestionFailureRequest {
        RecordIngestionFailureRequest {
            bucket: "b".to_owned(),
            key: "uploads/shop/replace/x.zip".to_owned(),
            object: Some(S3ObjectVersion {
                etag: Some("abc".to_owned()),
                version_id: None,
                sequencer: None,
            }),
            error: error.to_owned(),
            cause: Some(cause.to_owned()),
        }
    }

    #[tokio::test]
    async fn an_unfinished_upload_is_marked_failed_once_and_then_left_alone() {
        let deps = deps_with_fresh_store();
        let transient = r#"{"kind":"transient","stage":"ingest","message":"Glue CreateTable failed: throttled"}"#;

        let first = record_ingestion_failure(&deps, request("Transient", transient))
            .await
            .unwrap();
        let second = record_ingestion_failure(&deps, request("States.Timeout", "late"))
            .await
            .unwrap();

        assert!(first.recorded);
        assert!(!second.recorded);
        assert_eq!(first.upload_id, second.upload_id);
        let view = deps
            .upload_store
            .upload(first.upload_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view.status, UploadStatus::Failed);
        assert_eq!(view.datasource, "shop");
        assert!(view.replace_existing);
        let failure = view.failure.unwrap();
        assert_eq!(failure.kind, ErrorKind::Transient);
        assert_eq!(failure.message, "Glue CreateTable failed: throttled");
    }

    #[test]
    fn a_worker_cause_gives_its_kind_and_message() {
        let cause = r#"{"kind":"transient","stage":"ingest","message":"Glue CreateTable failed: throttled"}"#;

        let failure = failure_of("Transient", Some(cause));

        assert_eq!(failure.kind, ErrorKind::Transient);
        assert_eq!(failure.message, "Glue CreateTable failed: throttled");
    }

    #[test]
    fn a_state_machine_error_is_fatal_with_its_name_and_cause() {
        let failure = failure_of("States.Timeout", Some("task timed out"));

        assert_eq!(failure.kind, ErrorKind::Fatal);
        assert_eq!(failure.message, "States.Timeout: task timed out");
    }
}
