//! Executions that end without their failure recorder: the status change event Step Functions
//! puts on EventBridge fails the job once, and never touches a job that already ended.

use contracts::api::JobStatus;
use contracts::error::ErrorKind;
use contracts::execution_status::ExecutionStatusChange;
use contracts::stages::Intent;
use pipeline::{EndedExecution, record_ended_execution};
use ports::job_store::{JobStore, JobUpdate};
use serde_json::json;
use uuid::Uuid;

use crate::interrupted_jobs::stored_job;
use crate::scripted::{ScriptedModel, harness};

/// A status change event in the documented shape for the execution named `job_id`.
fn status_change(
    job_id: Uuid,
    status: &str,
    error: Option<&str>,
    cause: Option<&str>,
) -> ExecutionStatusChange {
    serde_json::from_value(json!({
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "time": "2026-12-02T10:00:00Z",
        "region": "us-east-1",
        "resources": [format!("arn:aws:states:us-east-1:123456789012:execution:analyst-question:{job_id}")],
        "detail": {
            "executionArn": format!("arn:aws:states:us-east-1:123456789012:execution:analyst-question:{job_id}"),
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:analyst-question",
            "name": job_id.to_string(),
            "status": status,
            "startDate": 1_764_669_600_000_u64,
            "stopDate": 1_764_670_500_000_u64,
            "input": "{}",
            "inputDetails": {"included": true},
            "output": null,
            "outputDetails": null,
            "error": error,
            "cause": cause
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn a_timed_out_execution_fails_its_running_job_once() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;
    let job_id = stored_job(&harness, true).await;
    let event = status_change(
        job_id,
        "TIMED_OUT",
        Some("States.Timeout"),
        Some("execution ran past 900 s"),
    );

    let first = record_ended_execution(harness.store.as_ref(), &event.detail)
        .await
        .unwrap();
    let again = record_ended_execution(harness.store.as_ref(), &event.detail)
        .await
        .unwrap();

    assert_eq!(first, EndedExecution::Recorded);
    assert_eq!(again, EndedExecution::AlreadyEnded);
    let job = harness.store.get_job(job_id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    let error = job.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Transient);
    assert_eq!(
        error.message,
        "the question's execution timed out before the job ended (States.Timeout: execution ran past 900 s)"
    );
}

#[tokio::test]
async fn an_aborted_execution_fails_a_queued_job_and_a_huge_cause_is_cut() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;
    let job_id = stored_job(&harness, false).await;
    let cause = "x".repeat(40_000);
    let event = status_change(job_id, "ABORTED", Some("States.Aborted"), Some(&cause));

    let outcome = record_ended_execution(harness.store.as_ref(), &event.detail)
        .await
        .unwrap();

    assert_eq!(outcome, EndedExecution::Recorded);
    let error = harness
        .store
        .get_job(job_id)
        .await
        .unwrap()
        .unwrap()
        .error
        .unwrap();
    assert_eq!(error.kind, ErrorKind::Fatal);
    assert!(error.message.starts_with(
        "the question's execution was stopped before the job ended (States.Aborted: xxx"
    ));
    assert!(
        error.message.chars().count() < 1_100,
        "{} chars",
        error.message.chars().count()
    );
}

#[tokio::test]
async fn a_job_that_ended_and_executions_that_did_not_fail_are_left_alone() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;
    let failed_job = stored_job(&harness, true).await;
    let recorded = contracts::error::StageFailure {
        kind: ErrorKind::InvalidInput,
        stage: Some("execute".into()),
        message: "recorded by the failure recorder".into(),
    };
    harness
        .store
        .update(failed_job, JobUpdate::Failed(recorded))
        .await
        .unwrap();
    let running_job = stored_job(&harness, true).await;

    let after_recorder = record_ended_execution(
        harness.store.as_ref(),
        &status_change(failed_job, "FAILED", Some("States.Runtime"), None).detail,
    )
    .await
    .unwrap();
    let succeeded = record_ended_execution(
        harness.store.as_ref(),
        &status_change(running_job, "SUCCEEDED", None, None).detail,
    )
    .await
    .unwrap();
    let unknown = record_ended_execution(
        harness.store.as_ref(),
        &status_change(Uuid::new_v4(), "FAILED", None, None).detail,
    )
    .await
    .unwrap();

    assert_eq!(after_recorder, EndedExecution::AlreadyEnded);
    assert_eq!(succeeded, EndedExecution::NotAFailure);
    assert_eq!(unknown, EndedExecution::UnknownJob);
    let failed = harness.store.get_job(failed_job).await.unwrap().unwrap();
    assert_eq!(
        failed.error.unwrap().message,
        "recorded by the failure recorder"
    );
    let running = harness.store.get_job(running_job).await.unwrap().unwrap();
    assert_eq!(running.status, JobStatus::Running);
}
