//! [`BedrockSettings`] and the transport for Amazon Bedrock's Converse API, which speaks one
//! message format for every model family (Anthropic Claude, Amazon Nova, Meta Llama, Mistral,
//! Cohere Command, ...).
//!
//! Invariant: the SDK's own retries are off, so [`crate::RetryPolicy`] is the only retry loop,
//! and throttling that outlasts it surfaces as [`LlmError::Unavailable`].

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::http::HttpResponse;
use aws_sdk_bedrockruntime::config::retry::RetryConfig;
use aws_sdk_bedrockruntime::config::timeout::TimeoutConfig;
use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::operation::converse::{ConverseError, ConverseOutput};
use aws_sdk_bedrockruntime::types::{
    ContentBlock, ConversationRole, InferenceConfiguration, Message, StopReason, SystemContentBlock,
};
use ports::language_model::LlmError;

use crate::AttemptError;
use crate::chat::{ChatRequest, ChatRole, Completion, StopKind};
use crate::chat_settings::ChatSettings;
use crate::settings::LlmSettingsError;

/// Longest wait for a connection to the Bedrock endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which Bedrock model to call, where, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct BedrockSettings {
    /// Model id or inference profile id, such as
    /// `anthropic.claude-3-5-sonnet-20241022-v2:0` or `us.amazon.nova-pro-v1:0`.
    pub model_id: String,
    /// AWS region of the Bedrock endpoint.
    pub region: String,
    /// Endpoint override (a VPC endpoint or a local test server); `None` for the regional AWS
    /// endpoint.
    pub endpoint_url: Option<String>,
    /// Sampling, timeout, retries and prompting.
    pub chat: ChatSettings,
}

impl BedrockSettings {
    /// Settings for the regional endpoint with the default [`ChatSettings`].
    pub fn new(model_id: impl Into<String>, region: impl Into<String>) -> Self {
        BedrockSettings {
            model_id: model_id.into(),
            region: region.into(),
            endpoint_url: None,
            chat: ChatSettings::default(),
        }
    }

    /// Checks the model id, the region and the chat settings.
    pub fn validate(&self) -> Result<(), LlmSettingsError> {
        if self.model_id.trim().is_empty() {
            return Err(LlmSettingsError::Invalid(
                "the bedrock model id is empty".to_owned(),
            ));
        }
        if self.region.trim().is_empty() {
            return Err(LlmSettingsError::Invalid(
                "the bedrock region is empty".to_owned(),
            ));
        }
        self.chat.validate()
    }
}

/// Runs invocations against one Bedrock model.
pub(crate) struct BedrockConverse {
    client: aws_sdk_bedrockruntime::Client,
    settings: BedrockSettings,
}

impl BedrockConverse {
    /// A transport using the credentials and HTTP client of `sdk_config`, with the region,
    /// endpoint override and timeout of `settings`.
    pub(crate) fn new(
        sdk_config: &SdkConfig,
        settings: BedrockSettings,
    ) -> Result<Self, LlmSettingsError> {
        settings.validate()?;
        let timeout_config = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(settings.chat.request_timeout)
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
        Ok(BedrockConverse {
            client: aws_sdk_bedrockruntime::Client::from_conf(config.build()),
            settings,
        })
    }

    /// A transport with credentials from the default AWS provider chain (environment, profile,
    /// container or instance role).
    pub(crate) async fn with_default_credentials(
        settings: BedrockSettings,
    ) -> Result<Self, LlmSettingsError> {
        settings.validate()?;
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .load()
            .await;
        BedrockConverse::new(&sdk_config, settings)
    }

    /// One `Converse` call.
    pub(crate) async fn complete(
        &self,
        request: ChatRequest<'_>,
    ) -> Result<Completion, AttemptError> {
        let model_id = self.settings.model_id.as_str();
        let output = self
            .client
            .converse()
            .model_id(model_id)
            .system(SystemContentBlock::Text(request.system.to_owned()))
            .set_messages(Some(messages(request)?))
            .inference_config(self.inference_configuration())
            .send()
            .await
            .map_err(|error| converse_error(model_id, error))?;
        completion(model_id, &output)
    }

    fn inference_configuration(&self) -> InferenceConfiguration {
        let chat = &self.settings.chat;
        let max_tokens =
            i32::try_from(chat.max_tokens).expect("validated settings keep max_tokens in i32");
        let stop_sequences = (!chat.stop_sequences.is_empty()).then(|| chat.stop_sequences.clone());
        InferenceConfiguration::builder()
            .max_tokens(max_tokens)
            .temperature(chat.temperature)
            .set_stop_sequences(stop_sequences)
            .build()
    }
}

/// The conversation as Converse messages.
fn messages(request: ChatRequest<'_>) -> Result<Vec<Message>, AttemptError> {
    request
        .messages
        .iter()
        .map(|message| {
            let role = match message.role {
                ChatRole::User => ConversationRole::User,
                ChatRole::Assistant => ConversationRole::Assistant,
            };
            Message::builder()
                .role(role)
                .content(ContentBlock::Text(message.text.clone()))
                .build()
                .map_err(|error| {
                    AttemptError::Final(LlmError::Rejected(format!(
                        "cannot build a bedrock message: {error}"
                    )))
                })
        })
        .collect()
}

/// The assistant's text blocks, the stop reason and the token counts of one answer.
fn completion(model_id: &str, output: &ConverseOutput) -> Result<Completion, AttemptError> {
    let message = output
        .output()
        .and_then(|output| output.as_message().ok())
        .ok_or_else(|| {
            AttemptError::Final(LlmError::Malformed(format!(
                "bedrock model {model_id} answered without a message"
            )))
        })?;
    let text: String = message
        .content()
        .iter()
        .filter_map(|block| block.as_text().ok())
        .map(String::as_str)
        .collect();
    let stop = match output.stop_reason() {
        StopReason::MaxTokens => StopKind::MaxTokens,
        StopReason::ContentFiltered | StopReason::GuardrailIntervened => StopKind::ContentFiltered,
        _ => StopKind::Finished,
    };
    let (input_tokens, output_tokens) = output.usage().map_or((0, 0), |usage| {
        (
            u64::try_from(usage.input_tokens()).unwrap_or(0),
            u64::try_from(usage.output_tokens()).unwrap_or(0),
        )
    });
    Ok(Completion {
        text,
        stop,
        input_tokens,
        output_tokens,
    })
}

/// A `Converse` failure, sorted by the shared rules: retryable ones (throttling, capacity,
/// server errors, timeouts) are unavailable, the rest (validation, access, unknown model)
/// rejected.
fn converse_error(model_id: &str, error: SdkError<ConverseError, HttpResponse>) -> AttemptError {
    provider_errors::aws::bedrock_model_failure(model_id, error)
        .into_attempt(LlmError::Unavailable, LlmError::Rejected)
}

impl std::fmt::Debug for BedrockConverse {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client holds the credentials provider, so only the settings are shown.
        formatter
            .debug_struct("BedrockConverse")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
