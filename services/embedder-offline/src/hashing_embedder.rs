//! `HashingEmbedder`, the `Embedder` implementation of this crate.
//!
//! Invariant: never fails and never performs I/O.

use std::num::NonZeroUsize;

use async_trait::async_trait;
use ports::embedder::{EmbedError, Embedder};

use crate::feature_hashing::hashed_vector;
use crate::text_terms::text_terms;

/// Name recorded with every vector this embedder produces.
const MODEL_NAME: &str = "offline-hashing-v1";

/// Number of components when none is configured.
const DEFAULT_DIMENSION: usize = 384;

/// Embeds text by feature-hashing its stemmed words and word pairs into a unit vector.
///
/// A text without any letter or digit embeds to the all-zero vector, which has similarity 0.0
/// with everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingEmbedder {
    dimension: NonZeroUsize,
}

impl HashingEmbedder {
    /// An embedder producing vectors of `dimension` components.
    pub fn with_dimension(dimension: NonZeroUsize) -> Self {
        HashingEmbedder { dimension }
    }
}

impl Default for HashingEmbedder {
    /// An embedder producing vectors of 384 components.
    fn default() -> Self {
        let dimension =
            NonZeroUsize::new(DEFAULT_DIMENSION).expect("the default dimension is not zero");
        HashingEmbedder { dimension }
    }
}

#[async_trait]
impl Embedder for HashingEmbedder {
    fn dimension(&self) -> usize {
        self.dimension.get()
    }

    fn model_name(&self) -> &str {
        MODEL_NAME
    }

    async fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        Ok(hashed_vector(&text_terms(text), self.dimension.get()))
    }
}

#[cfg(test)]
mod tests {
    use ports::embedder::cosine_similarity;

    use super::*;

    async fn similarity(first: &str, second: &str) -> f32 {
        let embedder = HashingEmbedder::default();
        cosine_similarity(
            &embedder.embed(first).await.unwrap(),
            &embedder.embed(second).await.unwrap(),
        )
    }

    #[tokio::test]
    async fn the_same_text_gives_the_same_vector() {
        let embedder = HashingEmbedder::default();

        let first = embedder.embed("Average rating by borough").await.unwrap();
        let second = embedder.embed("Average rating by borough").await.unwrap();

        assert_eq!(first, second);
    }

    #[tokio::test]
    async fn the_default_dimension_is_384_and_a_configured_one_is_respected() {
        let default_embedder = HashingEmbedder::default();
        let small_embedder = HashingEmbedder::with_dimension(NonZeroUsize::new(16).unwrap());

        let default_vector = default_embedder
            .embed("how many restaurants are there")
            .await
            .unwrap();
        let small_vector = small_embedder
            .embed("how many restaurants are there")
            .await
            .unwrap();

        assert_eq!(
            (default_embedder.dimension(), default_vector.len()),
            (384, 384)
        );
        assert_eq!((small_embedder.dimension(), small_vector.len()), (16, 16));
    }

    #[test]
    fn the_model_name_is_offline_hashing_v1() {
        assert_eq!(
            HashingEmbedder::default().model_name(),
            "offline-hashing-v1"
        );
    }

    #[tokio::test]
    async fn case_and_punctuation_do_not_change_the_meaning() {
        let score = similarity(
            "how many restaurants are there",
            "How many restaurants are there?",
        )
        .await;

        assert!(score > 0.99, "similarity {score}");
    }

    #[tokio::test]
    async fn unrelated_questions_are_not_similar() {
        let pairs = [
            (
                "how many restaurants are there",
                "average salary of employees by department",
            ),
            (
                "total revenue by month in 2024",
                "which borough has the most pizza places",
            ),
        ];

        for (first, second) in pairs {
            let score = similarity(first, second).await;
            assert!(score < 0.5, "{first:?} vs {second:?}: similarity {score}");
        }
    }

    #[tokio::test]
    async fn a_rewording_that_shares_words_beats_an_unrelated_question() {
        let reworded = similarity("count the restaurants", "how many restaurants are there").await;
        let unrelated = similarity(
            "average salary of employees by department",
            "how many restaurants are there",
        )
        .await;
        eprintln!(
            "count the restaurants vs how many restaurants are there: {reworded:.3} (unrelated: {unrelated:.3})"
        );

        assert!(
            reworded > unrelated,
            "reworded {reworded} vs unrelated {unrelated}"
        );
    }

    #[tokio::test]
    async fn a_text_without_words_embeds_to_zeros() {
        let vector = HashingEmbedder::default().embed("?!").await.unwrap();

        assert!(vector.iter().all(|value| *value == 0.0));
    }
}
