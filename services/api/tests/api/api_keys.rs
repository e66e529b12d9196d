//! `/v1/admin/keys`: create (plaintext shown once), list (never hashes), revoke.

use axum::http::StatusCode;

use crate::test_app::{ADMIN_KEY, ASK_KEY, TestApp, assert_error, json_body};

#[tokio::test]
async fn a_created_key_works_until_it_is_revoked() {
    let app = TestApp::new();

    let created = app
        .post_json(
            "/v1/admin/keys",
            ADMIN_KEY,
            r#"{"name": "dashboard", "scopes": ["ask", "ask"]}"#,
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created = json_body(created).await;
    let plaintext = created["api_key"].as_str().unwrap().to_owned();
    let key_id = created["key"]["key_id"].as_str().unwrap().to_owned();
    let before_revocation = app.call("GET", "/v1/datasources", &plaintext).await;
    let listed = json_body(app.call("GET", "/v1/admin/keys", ADMIN_KEY).await).await;
    let revoked = app
        .call("DELETE", &format!("/v1/admin/keys/{key_id}"), ADMIN_KEY)
        .await;
    let after_revocation = app.call("GET", "/v1/datasources", &plaintext).await;
    let revoked_again = app
        .call("DELETE", &format!("/v1/admin/keys/{key_id}"), ADMIN_KEY)
        .await;

    assert!(plaintext.starts_with("ak_"));
    assert_eq!(created["key"]["scopes"], serde_json::json!(["ask"]));
    assert_eq!(before_revocation.status(), StatusCode::OK);
    let listed_key = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["key_id"] == key_id.as_str())
        .unwrap();
    assert!(
        listed_key.get("key_hash").is_none(),
        "hashes never leave the server"
    );
    assert!(!listed.to_string().contains(&plaintext));
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_error(
        after_revocation,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
    assert_error(revoked_again, StatusCode::NOT_FOUND, "entry_not_found").await;
}

#[tokio::test]
async fn keys_need_the_admin_scope_and_valid_input_and_cannot_revoke_themselves() {
    let app = TestApp::new();

    let as_asker = app
        .post_json(
            "/v1/admin/keys",
            ASK_KEY,
            r#"{"name": "x", "scopes": ["ask"]}"#,
        )
        .await;
    let no_scope = app
        .post_json(
            "/v1/admin/keys",
            ADMIN_KEY,
            r#"{"name": "x", "scopes": []}"#,
        )
        .await;
    let blank_name = app
        .post_json(
            "/v1/admin/keys",
            ADMIN_KEY,
            r#"{"name": "  ", "scopes": ["ask"]}"#,
        )
        .await;
    let unknown_scope = app
        .post_json(
            "/v1/admin/keys",
            ADMIN_KEY,
            r#"{"name": "x", "scopes": ["root"]}"#,
        )
        .await;
    let admin_key_id = json_body(app.call("GET", "/v1/admin/keys", ADMIN_KEY).await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["scopes"] == serde_json::json!(["admin"]))
        .unwrap()["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let self_revocation = app
        .call(
            "DELETE",
            &format!("/v1/admin/keys/{admin_key_id}"),
            ADMIN_KEY,
        )
        .await;

    assert_error(as_asker, StatusCode::FORBIDDEN, "insufficient_scope").await;
    assert_error(no_scope, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_error(blank_name, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_error(unknown_scope, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_error(
        self_revocation,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
}
