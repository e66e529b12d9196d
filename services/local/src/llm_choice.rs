//! [`build_llm`]: the language model named on the command line.
//!
//! Invariant: a remote model is configured completely (URL and model, or Bedrock model id and
//! region) before the platform starts; the offline planner needs nothing.

use std::sync::Arc;

use anyhow::Context;
use llm_providers::{BedrockSettings, LlmSettings, OpenAiCompatibleSettings, TokenPrices};
use ports::language_model::LanguageModel;
use secrecy::SecretString;

use crate::cli::{LlmArgs, LlmKind};

/// Builds the configured language model.
pub async fn build_llm(llm_args: &LlmArgs) -> anyhow::Result<Arc<dyn LanguageModel>> {
    let settings = match llm_args.llm {
        LlmKind::Offline => LlmSettings::Offline,
        LlmKind::Openai => {
            let base_url = llm_args
                .llm_url
                .clone()
                .context("--llm openai needs --llm-url (e.g. http://127.0.0.1:11434 for Ollama)")?;
            let model = llm_args
                .llm_model
                .clone()
                .context("--llm openai needs --llm-model")?;
            let mut settings = OpenAiCompatibleSettings::new(base_url, model);
            settings.api_key = llm_args.llm_api_key.clone().map(SecretString::from);
            settings.chat.prices = token_prices(llm_args)?;
            LlmSettings::OpenAiCompatible(settings)
        }
        LlmKind::Bedrock => {
            let model_id = llm_args
                .llm_model
                .clone()
                .context("--llm bedrock needs --llm-model (a Bedrock model id)")?;
            let mut settings = BedrockSettings::new(model_id, llm_args.llm_region.clone());
            settings.endpoint_url = llm_args.llm_endpoint_url.clone();
            settings.chat.prices = token_prices(llm_args)?;
            LlmSettings::Bedrock(settings)
        }
    };
    let model_id = settings.model_id().to_owned();
    let llm = settings.build().await.context("build the language model")?;
    tracing::info!(model_id, "language model ready");
    Ok(llm)
}

/// The configured token prices; both or neither must be given, and neither may be negative.
fn token_prices(llm_args: &LlmArgs) -> anyhow::Result<Option<TokenPrices>> {
    match (
        llm_args.llm_input_usd_per_1k,
        llm_args.llm_output_usd_per_1k,
    ) {
        (Some(input_usd_per_1k), Some(output_usd_per_1k)) => {
            anyhow::ensure!(
                input_usd_per_1k >= 0.0 && output_usd_per_1k >= 0.0,
                "token prices must not be negative"
            );
            Ok(Some(TokenPrices {
                input_usd_per_1k,
                output_usd_per_1k,
            }))
        }
        _ => Ok(None),
    }
}
