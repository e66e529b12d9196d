//! `GET /openapi.json`: the document lists every operation, and every listed operation exists
//! and is authenticated as documented.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use crate::test_app::{ASK_KEY, TestApp, json_body};

async fn document(app: &TestApp) -> Value {
    let response = app.call("GET", "/openapi.json", ASK_KEY).await;
    assert_eq!(response.status(), StatusCode::OK);
    json_body(response).await
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "0b6f5d2e-4c1a-4f7e-9a51-3f2d9c8b7a10")
        .replace("{kind}", "cache")
        .replace("{entry_id}", "e-1")
        .replace("{key_id}", "key-1")
        .replace("{name}", "restaurants")
}

#[tokio::test]
async fn the_document_describes_the_wire_types_and_every_operation() {
    let app = TestApp::new();

    let document = document(&app).await;

    assert_eq!(document["openapi"], "3.0.3");
    for schema in [
        "JobView",
        "SubmitQuestionRequest",
        "ApiErrorBody",
        "FeedbackRequest",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema} is missing"
        );
    }
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/health",
        "/v1/questions",
        "/v1/questions/{id}",
        "/v1/questions/{id}/feedback",
        "/v1/questions/{id}/chart.svg",
        "/v1/datasources",
        "/v1/datasources/{name}/schema",
        "/mcp",
        "/v1/admin/memory/{kind}",
        "/v1/admin/memory/{kind}/{entry_id}",
        "/metrics",
        "/openapi.json",
        "/v1/admin/keys",
        "/v1/admin/keys/{key_id}",
        "/v1/uploads",
        "/v1/uploads/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
}

#[tokio::test]
async fn every_documented_operation_exists_and_needs_a_key_unless_documented_open() {
    let app = TestApp::new();
    let document = document(&app).await;

    for (path, path_item) in document["paths"].as_object().unwrap() {
        for (method, operation) in path_item.as_object().unwrap() {
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(concrete(path))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let response = app.send(request).await;
            let open = operation["security"].as_array().unwrap().is_empty();
            if open {
                assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
            } else {
                assert_eq!(
                    response.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} answers without a key"
                );
                assert!(
                    operation["responses"].get("401").is_some(),
                    "{method} {path} documents its 401"
                );
            }
        }
    }
}
