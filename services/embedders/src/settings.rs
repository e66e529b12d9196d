//! [`EmbedderSettings`]: the choice of embedder made at start-up, and the one place that turns
//! it into a running [`Embedder`].
//!
//! Invariant: every variant builds an embedder whose `dimension()` is the configured one.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;

use embedder_minilm::{MiniLmEmbedder, MiniLmLoadError};
use embedder_offline::HashingEmbedder;
use ports::embedder::Embedder;

use crate::bedrock::{BedrockEmbedder, BedrockSettings};
use crate::bedrock_model::BedrockModelError;
use crate::openai_compatible::{
    OpenAiCompatibleEmbedder, OpenAiCompatibleSettings, OpenAiSettingsError,
};

/// Which embedder the process uses.
#[derive(Debug, Clone)]
pub enum EmbedderSettings {
    /// The deterministic feature-hashing embedder; needs no model and no network.
    Offline { dimension: NonZeroUsize },
    /// all-MiniLM-L6-v2 run in-process from installed weights.
    MiniLm { model_dir: PathBuf },
    /// An OpenAI-compatible `/v1/embeddings` endpoint.
    OpenAiCompatible(OpenAiCompatibleSettings),
    /// Titan Text Embeddings v2 or Cohere Embed v3 on Amazon Bedrock.
    Bedrock(BedrockSettings),
}

/// The settings could not produce a working embedder.
#[derive(Debug, thiserror::Error)]
pub enum EmbedderSettingsError {
    /// The OpenAI-compatible embedder could not be built.
    #[error(transparent)]
    OpenAi(#[from] OpenAiSettingsError),
    /// The Bedrock model id or dimension is not supported.
    #[error(transparent)]
    Bedrock(#[from] BedrockModelError),
    /// The MiniLM weights could not be loaded.
    #[error(transparent)]
    MiniLm(#[from] MiniLmLoadError),
    /// A remote embedder was configured with zero dimensions.
    #[error("embedder {0} is configured with zero dimensions")]
    ZeroDimension(String),
}

impl EmbedderSettingsError {
    /// Retry class of this error.
    pub fn kind(&self) -> contracts::error::ErrorKind {
        match self {
            EmbedderSettingsError::OpenAi(error) => error.kind(),
            EmbedderSettingsError::Bedrock(error) => error.kind(),
            EmbedderSettingsError::MiniLm(_) | EmbedderSettingsError::ZeroDimension(_) => {
                contracts::error::ErrorKind::Fatal
            }
        }
    }
}

impl EmbedderSettings {
    /// Number of components the configured embedder produces.
    pub fn dimension(&self) -> usize {
        match self {
            EmbedderSettings::Offline { dimension } => dimension.get(),
            EmbedderSettings::MiniLm { .. } => embedder_minilm::DIMENSION,
            EmbedderSettings::OpenAiCompatible(settings) => settings.dimension,
            EmbedderSettings::Bedrock(settings) => settings.dimension,
        }
    }

    /// The configured embedder; Bedrock takes its credentials from the default AWS provider
    /// chain.
    pub async fn build(self) -> Result<Arc<dyn Embedder>, EmbedderSettingsError> {
        match self {
            EmbedderSettings::Offline { dimension } => {
                Ok(Arc::new(HashingEmbedder::with_dimension(dimension)))
            }
            EmbedderSettings::MiniLm { model_dir } => {
                // Loading reads about 90 MB of weights; keep it off the async threads.
                let embedder =
                    tokio::task::spawn_blocking(move || MiniLmEmbedder::load(&model_dir))
                        .await
                        .expect("loading the model does not panic")?;
                Ok(Arc::new(embedder))
            }
            EmbedderSettings::OpenAiCompatible(settings) => {
                if settings.dimension == 0 {
                    return Err(EmbedderSettingsError::ZeroDimension(settings.model));
                }
                Ok(Arc::new(OpenAiCompatibleEmbedder::new(settings)?))
            }
            EmbedderSettings::Bedrock(settings) => {
                Ok(Arc::new(BedrockEmbedder::from_settings(settings).await?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn offline_settings_build_the_hashing_embedder_of_that_size() {
        let dimension = NonZeroUsize::new(256).unwrap();

        let embedder = EmbedderSettings::Offline { dimension }
            .build()
            .await
            .unwrap();

        assert_eq!(embedder.dimension(), 256);
        assert_eq!(embedder.model_name(), "offline-hashing-v1");
    }

    #[tokio::test]
    async fn an_openai_compatible_embedder_with_zero_dimensions_is_refused() {
        let settings = OpenAiCompatibleSettings::new("http://127.0.0.1:9", "m", 0);

        let Err(error) = EmbedderSettings::OpenAiCompatible(settings).build().await else {
            panic!("zero dimensions must be refused");
        };

        assert_eq!(
            error.to_string(),
            "embedder m is configured with zero dimensions"
        );
    }

    #[tokio::test]
    async fn an_unsupported_bedrock_model_is_refused_before_any_call() {
        let settings = BedrockSettings::new("meta.llama3", 1024, "us-east-1");

        let Err(error) = EmbedderSettings::Bedrock(settings).build().await else {
            panic!("an unsupported model must be refused");
        };

        assert!(matches!(error, EmbedderSettingsError::Bedrock(_)));
    }
}
