//! Authentication, input errors and datasource listing of a running server.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::analyst_server::{AnalystServer, wait_for_job_end};

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

#[tokio::test]
async fn another_keys_job_and_conversation_are_not_found() {
    let server = AnalystServer::start().await;
    let created = server
        .http
        .post(server.url("/v1/admin/keys"))
        .bearer_auth(&server.admin_key)
        .json(&json!({ "name": "analyst-two", "scopes": ["ask", "approve"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED, "the key is created");
    let other_key = created.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let submitted = server
        .submit(json!({
            "question": "How many restaurants are there?",
            "conversation_id": "owned-conversation"
        }))
        .await;
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    let poll_url = submitted.json::<Value>().await.unwrap()["poll_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let job = wait_for_job_end(
        &server.http,
        &server.url(&poll_url),
        &server.admin_key,
        std::time::Duration::from_secs(60),
    )
    .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let job_id = job["job_id"].as_str().unwrap();
    let send = |method: reqwest::Method, path: String, body: Option<Value>| {
        let request = server
            .http
            .request(method, server.url(&path))
            .bearer_auth(&other_key);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send()
    };

    let responses = [
        send(
            reqwest::Method::GET,
            format!("/v1/questions/{job_id}"),
            None,
        )
        .await,
        send(
            reqwest::Method::GET,
            format!("/v1/questions/{job_id}/chart.svg"),
            None,
        )
        .await,
        send(
            reqwest::Method::DELETE,
            format!("/v1/questions/{job_id}"),
            None,
        )
        .await,
        send(
            reqwest::Method::POST,
            format!("/v1/questions/{job_id}/feedback"),
            Some(json!({ "verdict": "reject" })),
        )
        .await,
    ];
    let follow_up = send(
        reqwest::Method::POST,
        "/v1/questions".to_owned(),
        Some(json!({ "question": "And in Miami?", "conversation_id": "owned-conversation" })),
    )
    .await;

    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"]["code"],
            "job_not_found"
        );
    }
    let follow_up = follow_up.unwrap();
    assert_eq!(follow_up.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        follow_up.json::<Value>().await.unwrap()["error"]["code"],
        "conversation_not_found"
    );
}
