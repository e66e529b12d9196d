//! A Bedrock runtime stand-in on loopback answering Titan Text Embeddings v2 `InvokeModel`
//! calls, so AWS-mode processes run with the Bedrock embedder (and its start-up check) in tests.
//!
//! Invariant: the vector depends only on the text, so equal questions embed equally and the
//! cache behaves as with a real model.

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::routing::post;
use serde_json::{Value, json};

/// A running stand-in.
pub(crate) struct ScriptedBedrock {
    /// Endpoint to give the SDK (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`).
    pub(crate) url: String,
}

impl ScriptedBedrock {
    /// Starts the stand-in on 127.0.0.1.
    pub(crate) async fn start() -> Self {
        let app = Router::new().route("/model/{model_id}/invoke", post(invoke_model));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ScriptedBedrock {
            url: format!("http://{address}"),
        }
    }
}

async fn invoke_model(Path(_model_id): Path<String>, Json(request): Json<Value>) -> Json<Value> {
    let text = request["inputText"].as_str().unwrap_or_default();
    let dimension = request["dimensions"].as_u64().unwrap_or(1024) as usize;
    Json(json!({
        "embedding": text_vector(text, dimension),
        "inputTextTokenCount": text.split_whitespace().count(),
    }))
}

/// A unit vector derived from the bytes of `text`.
fn text_vector(text: &str, dimension: usize) -> Vec<f32> {
    let mut vector = vec![0.0f32; dimension];
    for (index, byte) in text.to_lowercase().bytes().enumerate() {
        let slot = (usize::from(byte) * 31 + index * 7) % dimension;
        vector[slot] += 1.0;
    }
    vector[0] += 1.0;
    let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
    vector.iter().map(|value| value / norm).collect()
}
