//! The API-key check: missing, unknown and under-scoped keys, and both key headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::test_app::{ASK_KEY, INGEST_ONLY_KEY, TestApp, assert_error};

#[tokio::test]
async fn a_request_without_a_key_gets_401_missing_api_key() {
    let app = TestApp::new();

    let response = app
        .send(Request::get("/v1/datasources").body(Body::empty()).unwrap())
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "missing_api_key").await;
}

#[tokio::test]
async fn a_submit_without_a_key_gets_401_before_the_body_is_read() {
    let app = TestApp::new();
    let request = Request::post("/v1/questions")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"question":"How many restaurants are there?"}"#,
        ))
        .unwrap();

    let response = app.send(request).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "missing_api_key").await;
    assert!(app.launcher.launched.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_key_gets_401_invalid_api_key() {
    let app = TestApp::new();
    let request = Request::get("/v1/datasources")
        .header("authorization", "Bearer ak_not_a_real_key")
        .body(Body::empty())
        .unwrap();

    let response = app.send(request).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
}

#[tokio::test]
async fn a_key_is_accepted_from_either_header() {
    let app = TestApp::new();
    let bearer_request = Request::get("/v1/datasources")
        .header("authorization", format!("bearer {ASK_KEY}"))
        .body(Body::empty())
        .unwrap();
    let header_request = Request::get("/v1/datasources")
        .header("x-api-key", ASK_KEY)
        .body(Body::empty())
        .unwrap();

    let bearer_response = app.send(bearer_request).await;
    let header_response = app.send(header_request).await;

    assert_eq!(bearer_response.status(), StatusCode::OK);
    assert_eq!(header_response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_key_without_the_ask_scope_gets_403() {
    let app = TestApp::new();
    let request = Request::get("/v1/datasources")
        .header("x-api-key", INGEST_ONLY_KEY)
        .body(Body::empty())
        .unwrap();

    let response = app.send(request).await;

    assert_error(response, StatusCode::FORBIDDEN, "insufficient_scope").await;
}
