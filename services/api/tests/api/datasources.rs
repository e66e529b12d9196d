//! `GET /v1/datasources`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::test_app::{TestApp, assert_error, json_body};

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

#[tokio::test]
async fn a_datasource_schema_lists_tables_columns_descriptions_and_samples() {
    let app = TestApp::new();

    let response = app.get_with_key("/v1/datasources/restaurants/schema").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body = json_body(response).await;
    assert_eq!(body["name"], "restaurants");
    assert_eq!(body["engine"], "embedded");
    let table_names: Vec<&str> = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| table["name"].as_str().unwrap())
        .collect();
    assert_eq!(table_names, ["geographic", "location", "restaurant"]);
    let restaurant = &body["tables"][2];
    assert_eq!(
        restaurant["columns"][0],
        json!({
            "name": "food_type",
            "data_type": "VARCHAR",
            "description": "Cuisine served",
            "sample_values": ["italian", "vegan"],
        })
    );
}

#[tokio::test]
async fn the_schema_of_an_unknown_datasource_is_404() {
    let app = TestApp::new();

    let response = app.get_with_key("/v1/datasources/nowhere/schema").await;

    assert_error(response, StatusCode::NOT_FOUND, "unknown_datasource").await;
}

#[tokio::test]
async fn the_schema_needs_a_key() {
    let app = TestApp::new();

    let response = app
        .send(
            Request::get("/v1/datasources/restaurants/schema")
                .body(Body::empty())
                .unwrap(),
        )
        .await;

    assert_error(response, StatusCode::UNAUTHORIZED, "missing_api_key").await;
}
