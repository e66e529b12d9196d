//! The Bedrock embedder against a scripted `POST /model/{modelId}/invoke` server, with static
//! test credentials and an endpoint override.
//!
//! Invariant: each test states the replies it scripts and checks what the server received.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::{Credentials, SharedCredentialsProvider};
use embedders::{BedrockEmbedder, BedrockSettings, RetryPolicy};
use ports::embedder::{EmbedError, Embedder};
use serde_json::json;

use scripted_server::{Reply, ScriptedServer};

const TITAN: &str = "amazon.titan-embed-text-v2:0";
const COHERE: &str = "cohere.embed-english-v3";

fn sdk_config() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "static",
        )))
        .build()
}

async fn embedder(server: &ScriptedServer, model_id: &str, dimension: usize) -> BedrockEmbedder {
    let mut settings = BedrockSettings::new(model_id, dimension, "us-east-1");
    settings.endpoint_url = Some(server.url.clone());
    settings.retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(5),
    };
    BedrockEmbedder::new(&sdk_config(), settings).unwrap()
}

fn titan_reply(embedding: Vec<f32>) -> Reply {
    Reply::json(
        200,
        json!({"embedding": embedding, "inputTextTokenCount": 4}),
    )
}

fn throttled() -> Reply {
    Reply::json(429, json!({"message": "Too many requests, please wait"}))
        .with_header("x-amzn-errortype", "ThrottlingException")
}

fn decoded(path: &str) -> String {
    path.replace("%3A", ":").replace("%3a", ":")
}

#[tokio::test]
async fn titan_is_invoked_with_its_request_body_and_its_vector_is_returned() {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![titan_reply(vec![0.5; 256])],
    )
    .await;
    let embedder = embedder(&server, TITAN, 256).await;

    let vector = embedder.embed("revenue by region").await.unwrap();

    assert_eq!(vector.len(), 256);
    let norm: f32 = vector.iter().map(|x| x * x).sum();
    assert!((norm - 1.0).abs() < 1e-5);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(decoded(&received[0].path), format!("/model/{TITAN}/invoke"));
    assert!(
        received[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256 Credential=test/")
    );
    assert_eq!(
        received[0].body,
        json!({"inputText": "revenue by region", "dimensions": 256, "normalize": true})
    );
}

#[tokio::test]
async fn cohere_is_invoked_with_its_request_body_and_its_first_vector_is_returned() {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![Reply::json(
            200,
            json!({
                "id": "e1",
                "embeddings": [vec![2.0f32; 1024]],
                "texts": ["revenue by region"],
                "response_type": "embeddings_floats"
            }),
        )],
    )
    .await;
    let embedder = embedder(&server, COHERE, 1024).await;

    let vector = embedder.embed("revenue by region").await.unwrap();

    assert_eq!(vector.len(), 1024);
    assert!((vector[0] - 1.0 / 32.0).abs() < 1e-6);
    let received = server.received();
    assert_eq!(
        decoded(&received[0].path),
        format!("/model/{COHERE}/invoke")
    );
    assert_eq!(
        received[0].body,
        json!({"texts": ["revenue by region"], "input_type": "search_query", "truncate": "END"})
    );
}

/// Embeds with Titan against a server that answers `failure` first and then a success, and
/// checks that the failure was retried once.
async fn assert_retried_after(failure: Reply) {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![failure, titan_reply(vec![1.0; 512])],
    )
    .await;
    let embedder = embedder(&server, TITAN, 512).await;

    let vector = embedder.embed("hello").await.unwrap();

    assert_eq!(vector.len(), 512);
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn throttling_is_retried_and_the_following_success_is_returned() {
    assert_retried_after(throttled()).await;
}

#[tokio::test]
async fn a_model_timeout_is_retried_by_its_code_although_its_status_is_a_client_error() {
    assert_retried_after(
        Reply::json(408, json!({"message": "Model has timed out."}))
            .with_header("x-amzn-errortype", "ModelTimeoutException"),
    )
    .await;
}

#[tokio::test]
async fn throttling_on_every_attempt_makes_the_embedder_unavailable() {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![throttled(), throttled(), throttled()],
    )
    .await;
    let embedder = embedder(&server, TITAN, 256).await;

    let error = embedder.embed("hello").await.unwrap_err();

    assert!(matches!(error, EmbedError::Unavailable(_)), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_validation_error_is_a_bad_response_and_is_not_retried() {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![
            Reply::json(400, json!({"message": "Malformed input request"}))
                .with_header("x-amzn-errortype", "ValidationException"),
        ],
    )
    .await;
    let embedder = embedder(&server, TITAN, 256).await;

    let error = embedder.embed("hello").await.unwrap_err();

    assert!(matches!(error, EmbedError::BadResponse(_)), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_vector_of_the_wrong_size_is_a_bad_response_naming_both_sizes() {
    let server = ScriptedServer::start(
        "/model/{model_id}/invoke",
        vec![titan_reply(vec![1.0; 1024])],
    )
    .await;
    let embedder = embedder(&server, TITAN, 256).await;

    let error = embedder.embed("hello").await.unwrap_err();

    assert_eq!(
        error,
        EmbedError::BadResponse(format!(
            "model {TITAN} returned 1024 dimensions, expected 256"
        ))
    );
}
