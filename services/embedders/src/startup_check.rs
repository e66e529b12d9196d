//! [`check_dimension`]: the start-up probe that proves an embedder and the vector store agree on
//! the vector size before any vector is stored or compared.
//!
//! Invariant: a process whose embedder returns vectors of another size than the store holds
//! stops at start-up with a message naming the embedder and both sizes.

use ports::embedder::{EmbedError, Embedder};

/// Text embedded by the start-up probe.
const PROBE_TEXT: &str = "how many orders were placed last month";

/// The embedder cannot serve the configured vector store.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StartupCheckError {
    /// The embedder's vectors and the store's vectors have different sizes.
    #[error(
        "embedder {model} returns {returned} dimensions, the store is configured for {expected}"
    )]
    DimensionMismatch {
        model: String,
        returned: usize,
        expected: usize,
    },
    /// The probe text could not be embedded.
    #[error("embedder {model} failed the start-up probe: {source}")]
    ProbeFailed { model: String, source: EmbedError },
}

impl StartupCheckError {
    /// Retry class of this error: a size mismatch is broken configuration, a failed probe
    /// takes the class of its cause.
    pub fn kind(&self) -> contracts::error::ErrorKind {
        match self {
            StartupCheckError::DimensionMismatch { .. } => contracts::error::ErrorKind::Fatal,
            StartupCheckError::ProbeFailed { source, .. } => source.kind(),
        }
    }
}

/// Embeds a probe text and checks that the embedder both declares and returns `expected`
/// components.
pub async fn check_dimension(
    embedder: &dyn Embedder,
    expected: usize,
) -> Result<(), StartupCheckError> {
    let model = embedder.model_name().to_owned();
    let mismatch = |returned| StartupCheckError::DimensionMismatch {
        model: model.clone(),
        returned,
        expected,
    };
    if embedder.dimension() != expected {
        return Err(mismatch(embedder.dimension()));
    }
    let vector =
        embedder
            .embed(PROBE_TEXT)
            .await
            .map_err(|source| StartupCheckError::ProbeFailed {
                model: model.clone(),
                source,
            })?;
    if vector.len() != expected {
        return Err(mismatch(vector.len()));
    }
    tracing::info!(
        model,
        dimension = expected,
        "embedder passed the start-up probe"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use embedder_offline::HashingEmbedder;

    use super::*;

    fn offline(dimension: usize) -> HashingEmbedder {
        HashingEmbedder::with_dimension(NonZeroUsize::new(dimension).unwrap())
    }

    #[tokio::test]
    async fn an_embedder_of_the_store_size_passes() {
        assert_eq!(check_dimension(&offline(384), 384).await, Ok(()));
    }

    #[tokio::test]
    async fn a_size_mismatch_names_the_embedder_and_both_sizes() {
        let error = check_dimension(&offline(1024), 384).await.unwrap_err();

        assert_eq!(
            error.to_string(),
            "embedder offline-hashing-v1 returns 1024 dimensions, the store is configured for 384"
        );
    }
}
