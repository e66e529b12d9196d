//! The OpenAI-compatible embedder against a scripted `/v1/embeddings` server.
//!
//! Invariant: each test states the replies it scripts and checks what the server received.

use std::time::Duration;

use embedders::{
    EmbedderSettings, OpenAiCompatibleEmbedder, OpenAiCompatibleSettings, RetryPolicy,
    SecretString, check_dimension,
};
use ports::embedder::{EmbedError, Embedder};
use serde_json::json;

use scripted_server::{Reply, ScriptedServer};

fn embedding_reply(embedding: Vec<f32>) -> Reply {
    Reply::json(
        200,
        json!({
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
            "model": "text-embedding-3-small",
            "usage": {"prompt_tokens": 3, "total_tokens": 3}
        }),
    )
}

fn settings(server: &ScriptedServer, dimension: usize) -> OpenAiCompatibleSettings {
    let mut settings =
        OpenAiCompatibleSettings::new(&server.url, "text-embedding-3-small", dimension);
    settings.retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(5),
    };
    settings
}

#[tokio::test]
async fn a_successful_reply_gives_a_unit_vector_and_the_request_carries_model_input_and_key() {
    let server =
        ScriptedServer::start("/v1/embeddings", vec![embedding_reply(vec![3.0, 0.0, 4.0])]).await;
    let mut settings = settings(&server, 3);
    settings.api_key = Some(SecretString::from("sk-test-key"));
    settings.request_dimensions = true;
    let embedder = OpenAiCompatibleEmbedder::new(settings).unwrap();

    let vector = embedder.embed("orders last month").await.unwrap();

    assert_eq!(vector, vec![0.6, 0.0, 0.8]);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/embeddings");
    assert_eq!(
        received[0].authorization.as_deref(),
        Some("Bearer sk-test-key")
    );
    assert_eq!(
        received[0].body,
        json!({"model": "text-embedding-3-small", "input": "orders last month", "dimensions": 3})
    );
}

#[tokio::test]
async fn a_base_url_ending_in_v1_and_no_key_sends_no_authorization_and_no_dimensions() {
    let server =
        ScriptedServer::start("/v1/embeddings", vec![embedding_reply(vec![1.0, 0.0])]).await;
    let mut settings = settings(&server, 2);
    settings.base_url = format!("{}/v1", server.url);
    let embedder = OpenAiCompatibleEmbedder::new(settings).unwrap();

    embedder.embed("hello").await.unwrap();

    let received = server.received();
    assert_eq!(received[0].authorization, None);
    assert_eq!(
        received[0].body,
        json!({"model": "text-embedding-3-small", "input": "hello"})
    );
}

#[tokio::test]
async fn a_429_is_retried_and_the_following_success_is_returned() {
    let server = ScriptedServer::start(
        "/v1/embeddings",
        vec![
            Reply::json(429, json!({"error": {"message": "rate limited"}})),
            embedding_reply(vec![0.0, 2.0]),
        ],
    )
    .await;
    let embedder = OpenAiCompatibleEmbedder::new(settings(&server, 2)).unwrap();

    let vector = embedder.embed("hello").await.unwrap();

    assert_eq!(vector, vec![0.0, 1.0]);
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn three_server_errors_make_the_embedder_unavailable_after_three_attempts() {
    let failure = Reply::json(500, json!({"error": {"message": "boom"}}));
    let server = ScriptedServer::start(
        "/v1/embeddings",
        vec![failure.clone(), failure.clone(), failure],
    )
    .await;
    let embedder = OpenAiCompatibleEmbedder::new(settings(&server, 2)).unwrap();

    let error = embedder.embed("hello").await.unwrap_err();

    assert!(matches!(error, EmbedError::Unavailable(_)), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_client_error_is_a_bad_response_and_is_not_retried() {
    let server = ScriptedServer::start(
        "/v1/embeddings",
        vec![Reply::json(401, json!({"error": {"message": "bad key"}}))],
    )
    .await;
    let embedder = OpenAiCompatibleEmbedder::new(settings(&server, 2)).unwrap();

    let error = embedder.embed("hello").await.unwrap_err();

    assert!(matches!(error, EmbedError::BadResponse(_)), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_vector_of_the_wrong_size_is_a_bad_response_naming_both_sizes() {
    let server = ScriptedServer::start("/v1/embeddings", vec![embedding_reply(vec![1.0; 4])]).await;
    let embedder = OpenAiCompatibleEmbedder::new(settings(&server, 3)).unwrap();

    let error = embedder.embed("hello").await.unwrap_err();

    assert_eq!(
        error,
        EmbedError::BadResponse(
            "model text-embedding-3-small returned 4 dimensions, expected 3".to_owned()
        )
    );
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_unavailable() {
    // The listener never accepts or answers, so every attempt times out.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut settings = OpenAiCompatibleSettings::new(format!("http://{address}"), "m", 2);
    settings.request_timeout = Duration::from_millis(100);
    settings.retry.base_delay = Duration::from_millis(5);
    let embedder = OpenAiCompatibleEmbedder::new(settings).unwrap();

    let error = embedder.embed("hello").await.unwrap_err();

    assert!(matches!(error, EmbedError::Unavailable(_)), "{error:?}");
    drop(listener);
}

#[tokio::test]
async fn the_start_up_probe_reports_a_store_of_another_size() {
    let server = ScriptedServer::start("/v1/embeddings", vec![embedding_reply(vec![1.0; 4])]).await;
    let embedder = EmbedderSettings::OpenAiCompatible(settings(&server, 4))
        .build()
        .await
        .unwrap();

    let error = check_dimension(embedder.as_ref(), 3).await.unwrap_err();

    assert_eq!(
        error.to_string(),
        "embedder text-embedding-3-small returns 4 dimensions, the store is configured for 3"
    );
}
