//! [`OpenAiCompatibleEmbedder`]: embeddings from any server speaking the OpenAI
//! `POST /v1/embeddings` protocol (OpenAI, Azure-style gateways, vLLM, Ollama, LocalAI).
//!
//! Invariant: the API key only ever leaves this module in the `Authorization` header; it is
//! never formatted by `Debug`, logged or copied into an error.

use std::time::Duration;

use async_trait::async_trait;
use ports::embedder::{EmbedError, Embedder};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use ports::retry::RetryPolicy;

use crate::AttemptError;
use crate::unit_vector::{l2_normalised, require_dimension};

/// Longest wait for one HTTP attempt when none is configured.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how to reach an OpenAI-compatible embeddings endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiCompatibleSettings {
    /// Server root, such as `https://api.openai.com` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// Model name sent with every request and recorded with every vector.
    pub model: String,
    /// Number of components every vector must have.
    pub dimension: usize,
    /// Whether to ask the server for `dimension` components (the `dimensions` field), for
    /// models that can shorten their vectors.
    pub request_dimensions: bool,
    /// Bearer key; `None` for local servers that need none.
    pub api_key: Option<SecretString>,
    /// Longest wait for one HTTP attempt.
    pub request_timeout: Duration,
    /// Retries on throttling, server errors and timeouts.
    pub retry: RetryPolicy,
}

impl OpenAiCompatibleSettings {
    /// Settings with no key, the default timeout and the default retry policy.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>, dimension: usize) -> Self {
        OpenAiCompatibleSettings {
            base_url: base_url.into(),
            model: model.into(),
            dimension,
            request_dimensions: false,
            api_key: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }

    /// The full embeddings URL: `/embeddings` is appended when the base URL already ends in
    /// `/v1`, `/v1/embeddings` otherwise.
    pub fn embeddings_url(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        if base.ends_with("/v1") {
            format!("{base}/embeddings")
        } else {
            format!("{base}/v1/embeddings")
        }
    }
}

/// The settings could not produce a working embedder.
#[derive(Debug, thiserror::Error)]
pub enum OpenAiSettingsError {
    /// The HTTP client could not be built (for example no TLS backend).
    #[error("cannot build the http client for the embeddings endpoint: {0}")]
    HttpClient(#[from] reqwest::Error),
}

impl OpenAiSettingsError {
    /// Retry class of this error.
    pub fn kind(&self) -> contracts::error::ErrorKind {
        match self {
            OpenAiSettingsError::HttpClient(_) => contracts::error::ErrorKind::Fatal,
        }
    }
}

/// Body of `POST /v1/embeddings`.
#[derive(Serialize)]
struct EmbeddingsRequest<'a> {
    model: &'a str,
    input: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<usize>,
}

/// The part of the embeddings response this crate reads.
#[derive(Deserialize)]
struct EmbeddingsResponse {
    data: Vec<EmbeddingItem>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    embedding: Vec<f32>,
}

/// Embeds text through an OpenAI-compatible embeddings endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiCompatibleEmbedder {
    client: reqwest::Client,
    url: String,
    settings: OpenAiCompatibleSettings,
}

impl OpenAiCompatibleEmbedder {
    /// An embedder with its own HTTP client using `settings.request_timeout`.
    pub fn new(settings: OpenAiCompatibleSettings) -> Result<Self, OpenAiSettingsError> {
        let client = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .build()?;
        Ok(OpenAiCompatibleEmbedder {
            client,
            url: settings.embeddings_url(),
            settings,
        })
    }

    /// One HTTP attempt.
    async fn attempt(&self, text: &str) -> Result<Vec<f32>, AttemptError> {
        let body = EmbeddingsRequest {
            model: &self.settings.model,
            input: text,
            dimensions: self
                .settings
                .request_dimensions
                .then_some(self.settings.dimension),
        };
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(key) = &self.settings.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(status_error(status, &body));
        }
        let parsed: EmbeddingsResponse = response.json().await.map_err(|error| {
            if error.is_timeout() {
                transport_error(error)
            } else {
                AttemptError::Final(EmbedError::BadResponse(format!(
                    "embeddings response is not the expected json: {error}"
                )))
            }
        })?;
        parsed
            .data
            .into_iter()
            .next()
            .map(|item| item.embedding)
            .ok_or_else(|| {
                AttemptError::Final(EmbedError::BadResponse(
                    "embeddings response has an empty data list".to_owned(),
                ))
            })
    }
}

/// What the embeddings API is called in error messages.
const ENDPOINT: &str = "embeddings";

/// A request that never got a status, sorted by the shared rules: timeouts and connection
/// failures are unavailable, the rest bad responses.
fn transport_error(error: reqwest::Error) -> AttemptError {
    provider_errors::http::transport_failure(ENDPOINT, error)
        .into_attempt(EmbedError::Unavailable, EmbedError::BadResponse)
}

/// A non-success status, sorted by the shared rules: throttling and server errors are
/// unavailable, the rest bad responses.
fn status_error(status: StatusCode, body: &str) -> AttemptError {
    provider_errors::http::status_failure(ENDPOINT, status, body)
        .into_attempt(EmbedError::Unavailable, EmbedError::BadResponse)
}

#[async_trait]
impl Embedder for OpenAiCompatibleEmbedder {
    fn dimension(&self) -> usize {
        self.settings.dimension
    }

    fn model_name(&self) -> &str {
        &self.settings.model
    }

    async fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let model = self.settings.model.as_str();
        let vector = self
            .settings
            .retry
            .run(model, || self.attempt(text))
            .await?;
        require_dimension(&vector, self.settings.dimension, model)?;
        l2_normalised(vector, model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_ending_in_v1_gets_only_the_embeddings_segment() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9/v1/", "m", 3);

        assert_eq!(
            settings.embeddings_url(),
            "http://127.0.0.1:9/v1/embeddings"
        );
    }

    #[test]
    fn a_bare_base_url_gets_the_full_path() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", "m", 3);

        assert_eq!(
            settings.embeddings_url(),
            "http://127.0.0.1:9/v1/embeddings"
        );
    }

    #[test]
    fn the_api_key_never_appears_in_debug_output() {
        let mut settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", "m", 3);
        settings.api_key = Some(SecretString::from("sk-very-secret"));
        let embedder = OpenAiCompatibleEmbedder::new(settings).unwrap();

        assert!(!format!("{embedder:?}").contains("sk-very-secret"));
    }

    #[test]
    fn throttling_and_server_errors_are_retryable_and_client_errors_are_not() {
        assert!(matches!(
            status_error(StatusCode::TOO_MANY_REQUESTS, ""),
            AttemptError::Retryable(EmbedError::Unavailable(_))
        ));
        assert!(matches!(
            status_error(StatusCode::BAD_GATEWAY, ""),
            AttemptError::Retryable(EmbedError::Unavailable(_))
        ));
        assert!(matches!(
            status_error(StatusCode::UNAUTHORIZED, ""),
            AttemptError::Final(EmbedError::BadResponse(_))
        ));
    }
}
