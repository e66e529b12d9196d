//! `GET /v1/admin/memory/{kind}` and `DELETE /v1/admin/memory/{kind}/{entry_id}` over a real
//! in-memory SQLite pair store.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair};

use crate::test_app::{ADMIN_KEY, ASK_KEY, TestApp, assert_error, json_body};

async fn seed(
    app: &TestApp,
    kind: MemoryKind,
    datasource: &str,
    question: &str,
    minute: u32,
) -> String {
    let pair = VerifiedPair {
        entry_id: String::new(),
        datasource: datasource.to_owned(),
        schema_version: "v1".to_owned(),
        question: question.to_owned(),
        sql: "SELECT 1".to_owned(),
        embedding: vec![1.0, 0.0],
        embedding_model: "test-model".to_owned(),
        approved_by: "reviewer".to_owned(),
        approved_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 9, minute, 0)
            .single()
            .unwrap(),
        source_job_id: None,
    };
    app.pair_store.insert_pair(kind, pair).await.unwrap()
}

#[tokio::test]
async fn entries_are_listed_newest_first_with_a_next_page() {
    let app = TestApp::new();
    seed(&app, MemoryKind::Cache, "restaurants", "first", 1).await;
    seed(&app, MemoryKind::Cache, "restaurants", "second", 2).await;
    seed(&app, MemoryKind::Cache, "academic", "elsewhere", 3).await;
    seed(&app, MemoryKind::FewShot, "restaurants", "example", 4).await;

    let first_page = app
        .call(
            "GET",
            "/v1/admin/memory/cache?datasource=restaurants&limit=1",
            ADMIN_KEY,
        )
        .await;
    let second_page = app
        .call(
            "GET",
            "/v1/admin/memory/cache?datasource=restaurants&limit=1&offset=1",
            ADMIN_KEY,
        )
        .await;
    let few_shot = app
        .call("GET", "/v1/admin/memory/few_shot", ADMIN_KEY)
        .await;

    assert_eq!(first_page.status(), StatusCode::OK);
    let first_page = json_body(first_page).await;
    assert_eq!(first_page["entries"][0]["question"], "second");
    assert_eq!(first_page["entries"][0]["kind"], "cache");
    assert!(first_page["entries"][0].get("embedding").is_none());
    assert_eq!(first_page["next_offset"], 1);
    let second_page = json_body(second_page).await;
    assert_eq!(second_page["entries"][0]["question"], "first");
    assert!(second_page["next_offset"].is_null());
    let few_shot = json_body(few_shot).await;
    assert_eq!(few_shot["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_entry_is_deleted_once() {
    let app = TestApp::new();
    let entry_id = seed(&app, MemoryKind::Cache, "restaurants", "q", 1).await;
    let path = format!("/v1/admin/memory/cache/{entry_id}");

    let first = app.call("DELETE", &path, ADMIN_KEY).await;
    let second = app.call("DELETE", &path, ADMIN_KEY).await;

    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_error(second, StatusCode::NOT_FOUND, "entry_not_found").await;
}

#[tokio::test]
async fn an_unknown_kind_or_limit_is_a_bad_request() {
    let app = TestApp::new();

    let unknown_kind = app
        .call("GET", "/v1/admin/memory/everything", ADMIN_KEY)
        .await;
    let zero_limit = app
        .call("GET", "/v1/admin/memory/cache?limit=0", ADMIN_KEY)
        .await;
    let huge_limit = app
        .call("GET", "/v1/admin/memory/cache?limit=100000", ADMIN_KEY)
        .await;

    assert_error(unknown_kind, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_error(zero_limit, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_error(huge_limit, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn admin_routes_need_the_admin_scope() {
    let app = TestApp::new();

    let listing = app.call("GET", "/v1/admin/memory/cache", ASK_KEY).await;
    let deletion = app
        .call("DELETE", "/v1/admin/memory/cache/x", ASK_KEY)
        .await;
    let metrics = app.call("GET", "/metrics", ASK_KEY).await;

    assert_error(listing, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert_error(deletion, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert_error(metrics, StatusCode::FORBIDDEN, "insufficient_scope").await;
}
