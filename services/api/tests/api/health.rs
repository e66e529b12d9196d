//! `GET /health` and the JSON fallback for unknown paths.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::test_app::{TestApp, assert_error, json_body};

#[tokio::test]
async fn health_answers_ok_without_a_key() {
    let app = TestApp::new();

    let response = app
        .send(Request::get("/health").body(Body::empty()).unwrap())
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(response).await, json!({ "status": "ok" }));
}

#[tokio::test]
async fn an_unknown_path_gets_a_json_404() {
    let app = TestApp::new();

    let response = app.get_with_key("/v1/nothing-here").await;

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}
