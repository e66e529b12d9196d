//! [`OpenAiCompatibleSettings`] and the transport for any server speaking the OpenAI
//! `POST /v1/chat/completions` protocol (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, gateways).
//!
//! Invariant: the API key only ever leaves this module in the `Authorization` header; it is
//! never formatted by `Debug`, logged or copied into an error.

use std::time::Duration;

use ports::language_model::LlmError;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::AttemptError;
use crate::chat::{ChatMessage, ChatRequest, ChatRole, Completion, StopKind};
use crate::chat_settings::ChatSettings;
use crate::settings::LlmSettingsError;

/// Longest wait for a connection to the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where and how to reach an OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiCompatibleSettings {
    /// Server root, such as `https://api.openai.com`, `http://127.0.0.1:11434` (Ollama) or
    /// `http://127.0.0.1:8000/v1` (vLLM).
    pub base_url: String,
    /// Model name sent with every request and recorded on jobs.
    pub model: String,
    /// Bearer key; `None` for local servers that need none.
    pub api_key: Option<SecretString>,
    /// Whether to send `response_format: {"type": "json_object"}`, for servers that support
    /// JSON mode (OpenAI, vLLM, llama.cpp); off by default because some servers refuse it.
    pub json_mode: bool,
    /// Sampling, timeout, retries and prompting.
    pub chat: ChatSettings,
}

impl OpenAiCompatibleSettings {
    /// Settings with no key, no JSON mode and the default [`ChatSettings`].
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        OpenAiCompatibleSettings {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            json_mode: false,
            chat: ChatSettings::default(),
        }
    }

    /// The full chat-completions URL: `/chat/completions` is appended when the base URL already
    /// ends in `/v1`, `/v1/chat/completions` otherwise.
    pub fn chat_completions_url(&self) -> String {
        let base = self.base_url.trim_end_matches('/');
        if base.ends_with("/v1") {
            format!("{base}/chat/completions")
        } else {
            format!("{base}/v1/chat/completions")
        }
    }

    /// Checks the URL, the model name and the chat settings.
    pub fn validate(&self) -> Result<(), LlmSettingsError> {
        if self.model.trim().is_empty() {
            return Err(LlmSettingsError::Invalid(
                "the model name is empty".to_owned(),
            ));
        }
        reqwest::Url::parse(&self.chat_completions_url()).map_err(|error| {
            LlmSettingsError::Invalid(format!(
                "base url {:?} is not a url: {error}",
                self.base_url
            ))
        })?;
        self.chat.validate()
    }
}

/// Body of `POST /v1/chat/completions`.
#[derive(Serialize)]
struct ChatCompletionsRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage<'a>>,
    temperature: f32,
    max_tokens: u32,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
}

#[derive(Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct ResponseFormat {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The part of the chat-completions response this crate reads.
#[derive(Deserialize)]
struct ChatCompletionsResponse {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: AnswerMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct AnswerMessage {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// Runs invocations against one OpenAI-compatible endpoint.
#[derive(Debug)]
pub(crate) struct OpenAiChat {
    client: reqwest::Client,
    url: String,
    settings: OpenAiCompatibleSettings,
}

impl OpenAiChat {
    /// A transport with its own HTTP client, timing out each attempt after
    /// `settings.chat.request_timeout`.
    pub(crate) fn new(settings: OpenAiCompatibleSettings) -> Result<Self, LlmSettingsError> {
        settings.validate()?;
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(settings.chat.request_timeout)
            .build()?;
        Ok(OpenAiChat {
            client,
            url: settings.chat_completions_url(),
            settings,
        })
    }

    /// One HTTP attempt.
    pub(crate) async fn complete(
        &self,
        request: ChatRequest<'_>,
    ) -> Result<Completion, AttemptError> {
        let body = self.request_body(request);
        let mut http_request = self.client.post(&self.url).json(&body);
        if let Some(key) = &self.settings.api_key {
            http_request = http_request.bearer_auth(key.expose_secret());
        }
        let response = http_request.send().await.map_err(transport_error)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(status_error(status, &body));
        }
        let parsed: ChatCompletionsResponse = response.json().await.map_err(|error| {
            if error.is_timeout() {
                transport_error(error)
            } else {
                AttemptError::Final(LlmError::Malformed(format!(
                    "chat completions response is not the expected json: {}",
                    error.without_url()
                )))
            }
        })?;
        completion(parsed)
    }

    fn request_body<'a>(&'a self, request: ChatRequest<'a>) -> ChatCompletionsRequest<'a> {
        let system = WireMessage {
            role: "system",
            content: request.system,
        };
        let turns = request
            .messages
            .iter()
            .map(|message: &ChatMessage| WireMessage {
                role: match message.role {
                    ChatRole::User => "user",
                    ChatRole::Assistant => "assistant",
                },
                content: &message.text,
            });
        let chat = &self.settings.chat;
        ChatCompletionsRequest {
            model: &self.settings.model,
            messages: std::iter::once(system).chain(turns).collect(),
            temperature: chat.temperature,
            max_tokens: chat.max_tokens,
            stop: &chat.stop_sequences,
            response_format: self.settings.json_mode.then_some(ResponseFormat {
                kind: "json_object",
            }),
        }
    }
}

/// The first choice's text, stop reason and the usage, if reported.
fn completion(response: ChatCompletionsResponse) -> Result<Completion, AttemptError> {
    let usage = response.usage.unwrap_or(WireUsage {
        prompt_tokens: 0,
        completion_tokens: 0,
    });
    let choice = response.choices.into_iter().next().ok_or_else(|| {
        AttemptError::Final(LlmError::Malformed(
            "chat completions response has no choices".to_owned(),
        ))
    })?;
    let stop = match choice.finish_reason.as_deref() {
        Some("length") => StopKind::MaxTokens,
        Some("content_filter") => StopKind::ContentFiltered,
        _ => StopKind::Finished,
    };
    Ok(Completion {
        text: choice.message.content.unwrap_or_default(),
        stop,
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
    })
}

/// What the chat-completions API is called in error messages.
const ENDPOINT: &str = "chat completions";

/// A request that never got a status, sorted by the shared rules: timeouts and connection
/// failures are unavailable, the rest rejected.
fn transport_error(error: reqwest::Error) -> AttemptError {
    provider_errors::http::transport_failure(ENDPOINT, error)
        .into_attempt(LlmError::Unavailable, LlmError::Rejected)
}

/// A non-success status, sorted by the shared rules: throttling and server errors are
/// unavailable, the rest rejected.
fn status_error(status: StatusCode, body: &str) -> AttemptError {
    provider_errors::http::status_failure(ENDPOINT, status, body)
        .into_attempt(LlmError::Unavailable, LlmError::Rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_ending_in_v1_gets_only_the_chat_completions_segment() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:8000/v1/", "m");

        assert_eq!(
            settings.chat_completions_url(),
            "http://127.0.0.1:8000/v1/chat/completions"
        );
    }

    #[test]
    fn a_bare_base_url_gets_the_full_path() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:11434", "m");

        assert_eq!(
            settings.chat_completions_url(),
            "http://127.0.0.1:11434/v1/chat/completions"
        );
    }

    #[test]
    fn a_base_url_that_is_not_a_url_is_refused() {
        let settings = OpenAiCompatibleSettings::new("not a url", "m");

        assert!(matches!(
            settings.validate(),
            Err(LlmSettingsError::Invalid(_))
        ));
    }

    #[test]
    fn the_api_key_never_appears_in_debug_output() {
        let mut settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", "m");
        settings.api_key = Some(SecretString::from("sk-very-secret"));
        let transport = OpenAiChat::new(settings).unwrap();

        assert!(!format!("{transport:?}").contains("sk-very-secret"));
    }

    #[test]
    fn throttling_and_server_errors_are_retryable_and_client_errors_are_not() {
        assert!(matches!(
            status_error(StatusCode::TOO_MANY_REQUESTS, ""),
            AttemptError::Retryable(LlmError::Unavailable(_))
        ));
        assert!(matches!(
            status_error(StatusCode::SERVICE_UNAVAILABLE, ""),
            AttemptError::Retryable(LlmError::Unavailable(_))
        ));
        assert!(matches!(
            status_error(StatusCode::UNAUTHORIZED, ""),
            AttemptError::Final(LlmError::Rejected(_))
        ));
    }
}
