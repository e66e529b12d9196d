//! `GET /v1/datasources`.

use axum::http::StatusCode;
use serde_json::json;

use crate::test_app::{TestApp, json_body};

#[tokio::test]
async fn datasources_are_listed_with_their_tables() {
    let app = TestApp::new();

    let response = app.get_with_key("/v1/datasources").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(response).await,
        json!([{
            "name": "restaurants",
            "engine": "embedded",
            "description": "Restaurants and their ratings",
            "tables": ["geographic", "location", "restaurant"],
        }])
    );
}
