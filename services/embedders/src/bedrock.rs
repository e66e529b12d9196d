//! [`BedrockEmbedder`]: embeddings from Amazon Bedrock `InvokeModel`, for Titan Text
//! Embeddings v2 and Cohere Embed v3.
//!
//! Invariant: the SDK's own retries are off, so [`RetryPolicy`] is the only retry loop, and
//! throttling that outlasts it surfaces as [`EmbedError::Unavailable`].

use std::time::Duration;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::http::HttpResponse;
use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
use aws_sdk_bedrockruntime::primitives::Blob;
use ports::embedder::{EmbedError, Embedder};

use crate::bedrock_model::{BedrockModel, BedrockModelError};
use ports::retry::RetryPolicy;

use crate::AttemptError;
use crate::unit_vector::{l2_normalised, require_dimension};

/// Longest wait for a connection to the Bedrock endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one attempt when none is configured.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Content type of every request and response body.
const JSON: &str = "application/json";

/// Which Bedrock model to call, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedrockSettings {
    /// Model id, such as `amazon.titan-embed-text-v2:0` or `cohere.embed-english-v3`.
    pub model_id: String,
    /// Number of components every vector must have.
    pub dimension: usize,
    /// AWS region of the Bedrock endpoint.
    pub region: String,
    /// Endpoint override (a local test server); `None` for the regional AWS endpoint.
    pub endpoint_url: Option<String>,
    /// Longest wait for one attempt.
    pub request_timeout: Duration,
    /// Retries on throttling, server errors and timeouts.
    pub retry: RetryPolicy,
}

impl BedrockSettings {
    /// Settings for the regional endpoint with the default timeout and retry policy.
    pub fn new(model_id: impl Into<String>, dimension: usize, region: impl Into<String>) -> Self {
        BedrockSettings {
            model_id: model_id.into(),
            dimension,
            region: region.into(),
            endpoint_url: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }
}

/// Embeds text with a Bedrock embedding model.
#[derive(Clone)]
pub struct BedrockEmbedder {
    client: aws_sdk_bedrockruntime::Client,
    model: BedrockModel,
    settings: BedrockSettings,
}

impl BedrockEmbedder {
    /// An embedder using the credentials and HTTP client of `sdk_config`, with the region,
    /// endpoint override and timeout of `settings`.
    pub fn new(
        sdk_config: &SdkConfig,
        settings: BedrockSettings,
    ) -> Result<Self, BedrockModelError> {
        let model = BedrockModel::for_model_id(&settings.model_id, settings.dimension)?;
        let timeout_config = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(settings.request_timeout)
            .build();
        let mut config = aws_sdk_bedrockruntime::config::Builder::from(sdk_config)
            .region(Region::new(settings.region.clone()))
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeout_config);
        if let Some(endpoint_url) = &settings.endpoint_url {
            config = config.endpoint_url(endpoint_url);
        }
        if let Some(recorder) = aws_call_log::recorder_from_env() {
            config = config.interceptor(recorder);
        }
        Ok(BedrockEmbedder {
            client: aws_sdk_bedrockruntime::Client::from_conf(config.build()),
            model,
            settings,
        })
    }

    /// An embedder with credentials from the default AWS provider chain (environment, profile,
    /// container or instance role).
    pub async fn from_settings(settings: BedrockSettings) -> Result<Self, BedrockModelError> {
        BedrockModel::for_model_id(&settings.model_id, settings.dimension)?;
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .load()
            .await;
        BedrockEmbedder::new(&sdk_config, settings)
    }

    /// One `InvokeModel` call.
    async fn attempt(&self, text: &str) -> Result<Vec<f32>, AttemptError> {
        let body = self.model.request_body(text, self.settings.dimension);
        let output = self
            .client
            .invoke_model()
            .model_id(&self.settings.model_id)
            .content_type(JSON)
            .accept(JSON)
            .body(Blob::new(body))
            .send()
            .await
            .map_err(|error| invoke_error(&self.settings.model_id, error))?;
        self.model
            .read_response(output.body().as_ref(), &self.settings.model_id)
            .map_err(AttemptError::Final)
    }
}

/// An `InvokeModel` failure, sorted by the shared rules: retryable ones (throttling, capacity,
/// server errors, timeouts) are unavailable, the rest (validation, access, unknown model) bad
/// responses.
fn invoke_error(model_id: &str, error: SdkError<InvokeModelError, HttpResponse>) -> AttemptError {
    provider_errors::aws::bedrock_model_failure(model_id, error)
        .into_attempt(EmbedError::Unavailable, EmbedError::BadResponse)
}

impl std::fmt::Debug for BedrockEmbedder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client holds the credentials provider, so only the settings are shown.
        formatter
            .debug_struct("BedrockEmbedder")
            .field("model", &self.model)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Embedder for BedrockEmbedder {
    fn dimension(&self) -> usize {
        self.settings.dimension
    }

    fn model_name(&self) -> &str {
        &self.settings.model_id
    }

    async fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let model_id = self.settings.model_id.as_str();
        let vector = self
            .settings
            .retry
            .run(model_id, || self.attempt(text))
            .await?;
        require_dimension(&vector, self.settings.dimension, model_id)?;
        l2_normalised(vector, model_id)
    }
}
