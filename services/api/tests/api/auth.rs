//! The API-key check: missing, unknown and under-scoped keys, and both key headers.

use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::test_app::{ADMIN_KEY, ASK_KEY, INGEST_ONLY_KEY, TestApp, assert_error};

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

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429_with_retry_after_and_other_keys_do_not() {
    let app = TestApp::with_rate_limit(Some(2));

    let first = app.call("GET", "/v1/datasources", ASK_KEY).await;
    let second = app.call("GET", "/v1/datasources", ASK_KEY).await;
    let third = app.call("GET", "/v1/datasources", ASK_KEY).await;
    let other_key = app.call("GET", "/metrics", ADMIN_KEY).await;

    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let retry_after: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=31).contains(&retry_after),
        "retry after {retry_after} s"
    );
    assert_error(third, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(other_key.status(), StatusCode::OK);
}

#[tokio::test]
async fn cross_origin_requests_get_no_cors_headers_by_default() {
    let app = TestApp::new();
    let preflight = axum::http::Request::builder()
        .method("OPTIONS")
        .uri("/v1/questions")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .body(axum::body::Body::empty())
        .unwrap();

    let response = app.send(preflight).await;

    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
