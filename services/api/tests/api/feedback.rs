//! `POST /v1/questions/{id}/feedback`: scope, body validation and the mapping of approval
//! outcomes to statuses.

use axum::http::StatusCode;
use contracts::api::Verdict;
use ports::approval::ApprovalError;
use uuid::Uuid;

use crate::fakes::fake_key_id;
use crate::test_app::{APPROVE_KEY, ASK_KEY, TestApp, assert_error, json_body};

fn feedback_path(job_id: Uuid) -> String {
    format!("/v1/questions/{job_id}/feedback")
}

#[tokio::test]
async fn an_approval_is_passed_on_with_the_callers_key_name() {
    let app = TestApp::new();
    let job_id = app.job_store.insert_job_owned_by(&fake_key_id(APPROVE_KEY));

    let response = app
        .post_json(
            &feedback_path(job_id),
            APPROVE_KEY,
            r#"{"verdict": "approve", "corrected_sql": "SELECT 1", "comment": "ok"}"#,
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body = json_body(response).await;
    assert_eq!(body["verdict"], "approve");
    assert_eq!(body["cache_entry_id"], "c-1");
    let inputs = app.approvals.inputs.lock().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].job_id, job_id);
    assert_eq!(inputs[0].verdict, Verdict::Approve);
    assert_eq!(inputs[0].corrected_sql.as_deref(), Some("SELECT 1"));
    assert_eq!(inputs[0].given_by, "key-ak_test_approve_key");
    assert!(!inputs[0].replace_existing);
}

#[tokio::test]
async fn a_key_without_the_approve_scope_is_refused() {
    let app = TestApp::new();

    let response = app
        .post_json(
            &feedback_path(Uuid::new_v4()),
            ASK_KEY,
            r#"{"verdict": "approve"}"#,
        )
        .await;

    assert_error(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert!(app.approvals.inputs.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_verdict_is_a_bad_request() {
    let app = TestApp::new();

    let response = app
        .post_json(
            &feedback_path(Uuid::new_v4()),
            APPROVE_KEY,
            r#"{"verdict": "maybe"}"#,
        )
        .await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_job_id_that_is_not_a_uuid_is_a_bad_request() {
    let app = TestApp::new();

    let response = app
        .post_json(
            "/v1/questions/not-a-uuid/feedback",
            APPROVE_KEY,
            r#"{"verdict": "reject"}"#,
        )
        .await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_job_id").await;
}

#[tokio::test]
async fn approval_refusals_map_to_their_statuses() {
    let cases = [
        (
            ApprovalError::UnknownJob(Uuid::nil()),
            StatusCode::NOT_FOUND,
            "job_not_found",
        ),
        (
            ApprovalError::NotFinished(Uuid::nil()),
            StatusCode::CONFLICT,
            "job_not_finished",
        ),
        (
            ApprovalError::Invalid("corrected_sql comes with the verdict approve".into()),
            StatusCode::BAD_REQUEST,
            "invalid_feedback",
        ),
        (
            ApprovalError::NothingToApprove("this job produced no SQL to approve".into()),
            StatusCode::CONFLICT,
            "nothing_to_approve",
        ),
        (
            ApprovalError::SqlRejected("rejected before running: DELETE".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "corrected_sql_rejected",
        ),
        (
            ApprovalError::Conflict {
                entry_ids: vec!["c-9".into()],
            },
            StatusCode::CONFLICT,
            "approval_conflict",
        ),
        (
            ApprovalError::Unavailable("engine down".into()),
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ),
    ];
    for (refusal, status, code) in cases {
        let app = TestApp::new();
        *app.approvals.refusal.lock().unwrap() = Some(refusal);
        let job_id = app.job_store.insert_job_owned_by(&fake_key_id(APPROVE_KEY));

        let response = app
            .post_json(
                &feedback_path(job_id),
                APPROVE_KEY,
                r#"{"verdict": "approve"}"#,
            )
            .await;

        let body = assert_error(response, status, code).await;
        assert!(
            !body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("engine down"),
            "an unavailable cause stays in the log"
        );
    }
}
