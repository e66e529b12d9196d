//! Authentication, input errors and datasource listing of a running server.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::analyst_server::AnalystServer;

#[tokio::test]
async fn health_needs_no_key_but_questions_do() {
    let server = AnalystServer::start().await;

    let health = server.http.get(server.url("/health")).send().await.unwrap();
    let without_key = server
        .http
        .post(server.url("/v1/questions"))
        .json(&json!({ "question": "How many restaurants are there?" }))
        .send()
        .await
        .unwrap();
    let with_unknown_key = server
        .http
        .get(server.url("/v1/datasources"))
        .bearer_auth("ak_unknown")
        .send()
        .await
        .unwrap();

    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(
        health.json::<Value>().await.unwrap(),
        json!({ "status": "ok" })
    );
    assert_eq!(without_key.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        without_key.json::<Value>().await.unwrap()["error"]["code"],
        "missing_api_key"
    );
    assert_eq!(with_unknown_key.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        with_unknown_key.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_api_key"
    );
}

#[tokio::test]
async fn bad_submissions_get_clear_client_errors() {
    let server = AnalystServer::start().await;

    let empty_question = server.submit(json!({ "question": "   " })).await;
    let unknown_datasource = server
        .submit(json!({ "question": "How many?", "datasource": "nope" }))
        .await;

    assert_eq!(empty_question.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        empty_question.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_question"
    );
    assert_eq!(unknown_datasource.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown_datasource.json::<Value>().await.unwrap()["error"]["code"],
        "unknown_datasource"
    );
}

#[tokio::test]
async fn the_demo_datasources_are_listed_with_their_tables() {
    let server = AnalystServer::start().await;

    let response = server
        .http
        .get(server.url("/v1/datasources"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let datasource_views: Value = response.json().await.unwrap();
    let restaurants = datasource_views
        .as_array()
        .unwrap()
        .iter()
        .find(|view| view["name"] == "restaurants")
        .unwrap();
    assert_eq!(
        restaurants["tables"],
        json!(["geographic", "location", "restaurant"])
    );
}
