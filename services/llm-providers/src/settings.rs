//! [`LlmSettings`]: the choice of language model made at start-up, and the one place that turns
//! it into a running [`LanguageModel`].
//!
//! Invariant: every variant is validated before anything is built; a bad value is an
//! [`LlmSettingsError`], never a failure on the first question.

use std::sync::Arc;

use contracts::error::ErrorKind;
use planner_offline::OfflinePlanner;
use ports::language_model::LanguageModel;

use crate::bedrock::BedrockSettings;
use crate::openai_compatible::OpenAiCompatibleSettings;
use crate::remote_model::RemoteLanguageModel;

/// Which language model the process uses.
#[derive(Debug, Clone)]
pub enum LlmSettings {
    /// The built-in offline planner; needs no model and no network.
    Offline,
    /// A model on Amazon Bedrock through the Converse API.
    Bedrock(BedrockSettings),
    /// A model behind any OpenAI-compatible `/v1/chat/completions` endpoint.
    OpenAiCompatible(OpenAiCompatibleSettings),
}

/// The settings could not produce a working language model.
#[derive(Debug, thiserror::Error)]
pub enum LlmSettingsError {
    /// A setting has a value no provider accepts.
    #[error("invalid language model settings: {0}")]
    Invalid(String),
    /// The HTTP client could not be built (for example no TLS backend).
    #[error("cannot build the http client for the language model: {0}")]
    HttpClient(#[from] reqwest::Error),
}

impl LlmSettingsError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LlmSettingsError::Invalid(_) | LlmSettingsError::HttpClient(_) => ErrorKind::Fatal,
        }
    }
}

impl LlmSettings {
    /// Model identifier the configured model records on jobs.
    pub fn model_id(&self) -> &str {
        match self {
            LlmSettings::Offline => planner_offline::MODEL_ID,
            LlmSettings::Bedrock(settings) => &settings.model_id,
            LlmSettings::OpenAiCompatible(settings) => &settings.model,
        }
    }

    /// The configured model; Bedrock takes its credentials from the default AWS provider chain.
    pub async fn build(self) -> Result<Arc<dyn LanguageModel>, LlmSettingsError> {
        match self {
            LlmSettings::Offline => Ok(Arc::new(OfflinePlanner::new())),
            LlmSettings::Bedrock(settings) => Ok(Arc::new(
                RemoteLanguageModel::bedrock_with_default_credentials(settings).await?,
            )),
            LlmSettings::OpenAiCompatible(settings) => {
                Ok(Arc::new(RemoteLanguageModel::openai_compatible(settings)?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat_settings::ChatSettings;

    #[tokio::test]
    async fn offline_settings_build_the_offline_planner() {
        let model = LlmSettings::Offline.build().await.unwrap();

        assert_eq!(model.model_id(), planner_offline::MODEL_ID);
    }

    #[tokio::test]
    async fn an_openai_compatible_model_records_its_model_name() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", "llama3.1:8b");

        let model = LlmSettings::OpenAiCompatible(settings)
            .build()
            .await
            .unwrap();

        assert_eq!(model.model_id(), "llama3.1:8b");
    }

    #[tokio::test]
    async fn a_bedrock_model_with_an_invalid_temperature_is_refused_before_any_call() {
        let mut settings =
            BedrockSettings::new("anthropic.claude-3-5-haiku-20241022-v1:0", "us-east-1");
        settings.chat = ChatSettings {
            temperature: -1.0,
            ..ChatSettings::default()
        };

        let Err(error) = LlmSettings::Bedrock(settings).build().await else {
            panic!("a negative temperature must be refused");
        };

        assert!(matches!(error, LlmSettingsError::Invalid(_)), "{error}");
    }

    #[tokio::test]
    async fn an_empty_model_name_is_refused() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", " ");

        let Err(error) = LlmSettings::OpenAiCompatible(settings).build().await else {
            panic!("an empty model name must be refused");
        };

        assert_eq!(
            error.to_string(),
            "invalid language model settings: the model name is empty"
        );
    }
}
