//! `POST /v1/questions`: acceptance, launch envelope and every input error.

use axum::body::Body;
use axum::http::header::LOCATION;
use axum::http::{Request, StatusCode};
use contracts::envelope::SCHEMA_VERSION;
use ports::step_error::StepError;
use uuid::Uuid;

use crate::test_app::{ASK_KEY, TestApp, assert_error, json_body};

#[tokio::test]
async fn a_valid_question_is_accepted_with_202_and_a_location() {
    let app = TestApp::new();

    let response = app
        .submit(r#"{"question":"  How many restaurants are there?  ","datasource":"restaurants"}"#)
        .await;

    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let body = json_body(response).await;
    let job_id = Uuid::parse_str(body["job_id"].as_str().unwrap()).unwrap();
    assert_eq!(job_id.get_version_num(), 4);
    assert_eq!(body["status"], "queued");
    assert_eq!(body["poll_url"], format!("/v1/questions/{job_id}"));
    assert_eq!(location, format!("/v1/questions/{job_id}"));
}

#[tokio::test]
async fn an_accepted_question_is_stored_trimmed_and_launched_once() {
    let app = TestApp::new();

    let body = json_body(
        app.submit(r#"{"question":"  How many restaurants are there?  "}"#)
            .await,
    )
    .await;

    let job_id = Uuid::parse_str(body["job_id"].as_str().unwrap()).unwrap();
    let launched = app.launcher.launched.lock().unwrap().clone();
    assert_eq!(launched.len(), 1);
    assert_eq!(launched[0].job_id, job_id);
    assert_eq!(launched[0].schema_version, SCHEMA_VERSION);
    assert_eq!(launched[0].attempt, 0);
    assert_eq!(
        launched[0].payload.question,
        "How many restaurants are there?"
    );
    assert_eq!(launched[0].payload.datasource, "restaurants");
    assert!(app.job_store.jobs.lock().unwrap().contains_key(&job_id));
}

#[tokio::test]
async fn the_request_id_header_becomes_the_correlation_id() {
    let app = TestApp::new();
    let request = Request::post("/v1/questions")
        .header("x-api-key", ASK_KEY)
        .header("x-request-id", "req-1234")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"question":"How many restaurants are there?"}"#,
        ))
        .unwrap();

    let response = app.send(request).await;

    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        app.launcher.launched.lock().unwrap()[0].correlation_id,
        "req-1234"
    );
}

#[tokio::test]
async fn an_empty_question_gets_400_invalid_question() {
    let app = TestApp::new();

    let response = app.submit(r#"{"question":"   \n\t "}"#).await;

    assert_error(response, StatusCode::BAD_REQUEST, "invalid_question").await;
    assert!(app.launcher.launched.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_question_over_two_thousand_characters_gets_400_question_too_long() {
    let app = TestApp::new();
    let body = serde_json::json!({ "question": "é".repeat(2_001) }).to_string();

    let response = app.submit(&body).await;

    assert_error(response, StatusCode::BAD_REQUEST, "question_too_long").await;
}

#[tokio::test]
async fn a_question_of_exactly_two_thousand_characters_is_accepted() {
    let app = TestApp::new();
    let body = serde_json::json!({ "question": "é".repeat(2_000) }).to_string();

    let response = app.submit(&body).await;

    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_unknown_datasource_gets_404_unknown_datasource() {
    let app = TestApp::new();

    let response = app
        .submit(r#"{"question":"How many?","datasource":"nope"}"#)
        .await;

    let body = assert_error(response, StatusCode::NOT_FOUND, "unknown_datasource").await;
    assert_eq!(body["error"]["message"], "datasource 'nope' does not exist");
}

#[tokio::test]
async fn malformed_json_gets_400_malformed_json() {
    let app = TestApp::new();

    let response = app.submit(r#"{"question": "#).await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn json_of_the_wrong_shape_gets_400_malformed_json() {
    let app = TestApp::new();

    let response = app
        .submit(r#"{"query":"How many restaurants are there?"}"#)
        .await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_body_without_a_json_content_type_gets_400_malformed_json() {
    let app = TestApp::new();
    let request = Request::post("/v1/questions")
        .header("x-api-key", ASK_KEY)
        .header("content-type", "text/plain")
        .body(Body::from(
            r#"{"question":"How many restaurants are there?"}"#,
        ))
        .unwrap();

    let response = app.send(request).await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_body_over_64_kib_gets_413_payload_too_large() {
    let app = TestApp::new();
    let body = serde_json::json!({ "question": "x".repeat(70 * 1024) }).to_string();

    let response = app.submit(&body).await;

    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn a_launch_failure_gets_an_opaque_500_and_marks_the_job_failed() {
    let app = TestApp::new();
    *app.launcher.fail_with.lock().unwrap() =
        Some(StepError::transient("queue is down at host db-7"));

    let response = app
        .submit(r#"{"question":"How many restaurants are there?"}"#)
        .await;

    let body = assert_error(
        response,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
    )
    .await;
    assert_eq!(body["error"]["message"], "internal error");
    let jobs = app.job_store.jobs.lock().unwrap();
    assert!(
        jobs.values()
            .all(|(_, status)| *status == contracts::api::JobStatus::Failed)
    );
}

#[tokio::test]
async fn empty_or_oversized_user_sql_is_a_bad_request() {
    let app = TestApp::new();
    let oversized = "x".repeat(40 * 1024);

    let empty = app.submit(r#"{"question": "count", "sql": "   "}"#).await;
    let too_long = app
        .submit(&serde_json::json!({"question": "count", "sql": oversized}).to_string())
        .await;
    let accepted = app
        .submit(r#"{"question": "count", "sql": "SELECT 1"}"#)
        .await;

    assert_error(empty, StatusCode::BAD_REQUEST, "invalid_sql").await;
    assert_error(too_long, StatusCode::BAD_REQUEST, "invalid_sql").await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let launched = app.launcher.launched.lock().unwrap();
    assert_eq!(
        launched.last().unwrap().payload.provided_sql.as_deref(),
        Some("SELECT 1")
    );
}

#[tokio::test]
async fn a_malformed_conversation_id_is_a_bad_request() {
    let app = TestApp::new();
    let too_long = "c".repeat(129);

    let spaces = app
        .submit(r#"{"question": "count", "conversation_id": "a b"}"#)
        .await;
    let long = app
        .submit(&serde_json::json!({"question": "count", "conversation_id": too_long}).to_string())
        .await;
    let fine = app
        .submit(r#"{"question": "count", "conversation_id": "chat-2026:11.24_a"}"#)
        .await;

    assert_error(spaces, StatusCode::BAD_REQUEST, "invalid_conversation_id").await;
    assert_error(long, StatusCode::BAD_REQUEST, "invalid_conversation_id").await;
    assert_eq!(fine.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_first_job_and_launches_once() {
    let app = TestApp::new();
    let submit_with_key = |key: &'static str| {
        Request::post("/v1/questions")
            .header("authorization", format!("Bearer {ASK_KEY}"))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(
                r#"{"question": "How many restaurants are there?"}"#,
            ))
            .unwrap()
    };

    let first = app.send(submit_with_key("order-42")).await;
    let repeated = app.send(submit_with_key("order-42")).await;
    let other = app.send(submit_with_key("order-43")).await;
    let malformed = app.send(submit_with_key("")).await;

    assert_eq!(first.status(), StatusCode::ACCEPTED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    assert_eq!(repeated.status(), StatusCode::ACCEPTED);
    assert_eq!(repeated.headers()["idempotent-replayed"], "true");
    let first_id = json_body(first).await["job_id"].clone();
    assert_eq!(json_body(repeated).await["job_id"], first_id);
    assert_ne!(json_body(other).await["job_id"], first_id);
    assert_error(
        malformed,
        StatusCode::BAD_REQUEST,
        "invalid_idempotency_key",
    )
    .await;
    assert_eq!(
        app.launcher.launched.lock().unwrap().len(),
        2,
        "launched once per key"
    );
}
