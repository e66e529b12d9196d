//! Text embedders used by the semantic cache and few-shot retrieval.
//!
//! Invariant: every vector an embedder returns has exactly `dimension()` components.

use async_trait::async_trait;
use contracts::error::ErrorKind;

/// An embedding could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EmbedError {
    /// The provider could not be reached or throttled the call.
    #[error("embedder unavailable: {0}")]
    Unavailable(String),
    /// The provider answered something unusable.
    #[error("embedder answered badly: {0}")]
    BadResponse(String),
}

impl EmbedError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EmbedError::Unavailable(_) => ErrorKind::Transient,
            EmbedError::BadResponse(_) => ErrorKind::Fatal,
        }
    }
}

/// Turns text into a unit-length vector.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// Number of components of every vector.
    fn dimension(&self) -> usize;

    /// Name recorded with stored vectors, so vectors of different models never mix.
    fn model_name(&self) -> &str;

    /// Embeds one text.
    async fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError>;
}

/// Cosine similarity of two vectors of equal length (0.0 when either is all zeros).
pub fn cosine_similarity(a: &[f32], b: &[f32]) -> f32 {
    let mut dot = 0.0f32;
    let mut norm_a = 0.0f32;
    let mut norm_b = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    if norm_a == 0.0 || norm_b == 0.0 {
        return 0.0;
    }
    dot / (norm_a.sqrt() * norm_b.sqrt())
}
