//! [`build_embedder`]: the embedder named on the command line, built and probed once at
//! start-up.
//!
//! Invariant: a process never starts with an embedder whose vectors have another size than the
//! configured one; `auto` falls back to the offline embedder only with a logged warning.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use embedders::{
    BedrockSettings, EmbedderSettings, OpenAiCompatibleSettings, SecretString, check_dimension,
};
use ports::embedder::Embedder;

use crate::cli::{EmbedderArgs, EmbedderKind};

/// Vector size of the offline embedder unless configured (MiniLM's size, so both can share a
/// PostgreSQL store).
const DEFAULT_OFFLINE_DIMENSION: usize = 384;
/// Vector size of Bedrock embedders unless configured (Titan v2's default).
const DEFAULT_BEDROCK_DIMENSION: usize = 1024;

/// Builds the configured embedder and proves it returns vectors of the configured size.
pub async fn build_embedder(embedder_args: &EmbedderArgs) -> anyhow::Result<Arc<dyn Embedder>> {
    let settings = embedder_settings(embedder_args)?;
    let expected_dimension = embedder_args
        .embedding_dimension
        .unwrap_or(settings.dimension());
    let embedder = settings.build().await.context("build the embedder")?;
    check_dimension(embedder.as_ref(), expected_dimension)
        .await
        .context("check the embedder at start-up")?;
    Ok(embedder)
}

/// The MiniLM directory of the command line, else where `scripts/install-minilm` puts it.
pub fn minilm_dir(embedder_args: &EmbedderArgs) -> PathBuf {
    embedder_args
        .minilm_dir
        .clone()
        .unwrap_or_else(|| bootstrap::cache_dir().join(embedder_minilm::INSTALL_SUBDIR))
}

fn embedder_settings(embedder_args: &EmbedderArgs) -> anyhow::Result<EmbedderSettings> {
    let model_dir = minilm_dir(embedder_args);
    match embedder_args.embedder {
        EmbedderKind::Auto if minilm_installed(&model_dir) => {
            Ok(EmbedderSettings::MiniLm { model_dir })
        }
        EmbedderKind::Auto => {
            tracing::warn!(
                model_dir = %model_dir.display(),
                "MiniLM weights not installed (run scripts/install-minilm); using the offline \
                 embedder, which matches paraphrased questions poorly"
            );
            offline_settings(embedder_args)
        }
        EmbedderKind::Minilm => Ok(EmbedderSettings::MiniLm { model_dir }),
        EmbedderKind::Offline => offline_settings(embedder_args),
        EmbedderKind::Openai => {
            let base_url = embedder_args
                .embedder_url
                .clone()
                .context("--embedder openai needs --embedder-url")?;
            let model = embedder_args
                .embedder_model
                .clone()
                .context("--embedder openai needs --embedder-model")?;
            let dimension = embedder_args
                .embedding_dimension
                .context("--embedder openai needs --embedding-dimension")?;
            let mut settings = OpenAiCompatibleSettings::new(base_url, model, dimension);
            settings.api_key = embedder_args
                .embedder_api_key
                .clone()
                .map(SecretString::from);
            Ok(EmbedderSettings::OpenAiCompatible(settings))
        }
        EmbedderKind::Bedrock => {
            let model_id = embedder_args
                .embedder_model
                .clone()
                .unwrap_or_else(|| "amazon.titan-embed-text-v2:0".to_owned());
            let dimension = embedder_args
                .embedding_dimension
                .unwrap_or(DEFAULT_BEDROCK_DIMENSION);
            Ok(EmbedderSettings::Bedrock(BedrockSettings::new(
                model_id,
                dimension,
                embedder_args.embedder_region.clone(),
            )))
        }
    }
}

fn offline_settings(embedder_args: &EmbedderArgs) -> anyhow::Result<EmbedderSettings> {
    let dimension = embedder_args
        .embedding_dimension
        .unwrap_or(DEFAULT_OFFLINE_DIMENSION);
    let dimension = NonZeroUsize::new(dimension).context("--embedding-dimension must not be 0")?;
    Ok(EmbedderSettings::Offline { dimension })
}

fn minilm_installed(model_dir: &Path) -> bool {
    model_dir.join("model.safetensors").is_file() && model_dir.join("tokenizer.json").is_file()
}
