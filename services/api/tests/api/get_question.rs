//! `GET /v1/questions/{id}`: known, unknown and malformed job ids.

use axum::http::StatusCode;
use uuid::Uuid;

use crate::test_app::{ASK_KEY, TestApp, assert_error, json_body};

#[tokio::test]
async fn polling_an_unknown_job_gets_404() {
    let app = TestApp::new();

    let response = app
        .get_with_key(&format!("/v1/questions/{}", Uuid::new_v4()))
        .await;

    assert_error(response, StatusCode::NOT_FOUND, "job_not_found").await;
}

#[tokio::test]
async fn polling_with_an_id_that_is_not_a_uuid_gets_400() {
    let app = TestApp::new();

    let response = app.get_with_key("/v1/questions/not-a-uuid").await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_job_id").await;
}

#[tokio::test]
async fn polling_a_submitted_job_shows_it_queued() {
    let app = TestApp::new();
    let submitted = json_body(
        app.submit(r#"{"question":"How many restaurants are there?"}"#)
            .await,
    )
    .await;

    let response = app
        .get_with_key(submitted["poll_url"].as_str().unwrap())
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let job_view = json_body(response).await;
    assert_eq!(job_view["job_id"], submitted["job_id"]);
    assert_eq!(job_view["status"], "queued");
    assert_eq!(job_view["question"], "How many restaurants are there?");
}

#[tokio::test]
async fn a_running_job_is_cancelled_once_and_an_ended_one_is_refused() {
    let app = TestApp::new();
    let submitted = app
        .submit(r#"{"question": "How many restaurants are there?"}"#)
        .await;
    let job_id = json_body(submitted).await["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/questions/{job_id}");

    let cancelled = app.call("DELETE", &path, ASK_KEY).await;
    let again = app.call("DELETE", &path, ASK_KEY).await;
    let unknown = app
        .call(
            "DELETE",
            &format!("/v1/questions/{}", Uuid::new_v4()),
            ASK_KEY,
        )
        .await;

    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(json_body(cancelled).await["status"], "failed");
    assert_error(again, StatusCode::CONFLICT, "job_already_ended").await;
    assert_error(unknown, StatusCode::NOT_FOUND, "job_not_found").await;
}
