//! Verified question/SQL pairs: the semantic cache and the few-shot example memory.
//!
//! Invariant: lookups only ever return entries of the asked datasource (and, for the cache,
//! of the asked schema version).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store_error::StoreError;

/// A verified question/SQL pair with its embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedPair {
    /// Identifier assigned by the store (empty before insertion).
    pub entry_id: String,
    /// Datasource the SQL runs on.
    pub datasource: String,
    /// Schema version the SQL was verified against.
    pub schema_version: String,
    /// The question.
    pub question: String,
    /// The SQL that answers it.
    pub sql: String,
    /// Embedding of the question.
    pub embedding: Vec<f32>,
    /// Embedding model name.
    pub embedding_model: String,
    /// Who approved the pair.
    pub approved_by: String,
    /// When it was approved.
    pub approved_at: DateTime<Utc>,
    /// Job whose approval admitted the pair, if any.
    pub source_job_id: Option<Uuid>,
}

/// A stored pair with its similarity to the query vector.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    /// The pair.
    pub pair: VerifiedPair,
    /// Cosine similarity to the query (-1.0 to 1.0).
    pub similarity: f32,
}

/// Which memory a pair lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryKind {
    /// Semantic cache: re-executed on a hit, scoped by schema version.
    Cache,
    /// Few-shot examples for generation, scoped by datasource only.
    FewShot,
}

/// Store of verified pairs.
#[async_trait]
pub trait PairStore: Send + Sync {
    /// Inserts a pair; returns its new identifier.
    async fn insert_pair(&self, kind: MemoryKind, pair: VerifiedPair)
    -> Result<String, StoreError>;

    /// The `k` most similar pairs of the datasource (and, for the cache, of `schema_version`),
    /// best first.
    async fn nearest_pairs(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        embedding: &[f32],
        k: usize,
    ) -> Result<Vec<ScoredPair>, StoreError>;

    /// Pairs of the datasource (and, when given, schema version) whose [`question_key`] equals
    /// `question_key`, oldest first.
    async fn pairs_with_question(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        question_key: &str,
    ) -> Result<Vec<VerifiedPair>, StoreError>;

    /// A page of pairs, newest first, optionally of one datasource.
    async fn list_pairs(
        &self,
        kind: MemoryKind,
        datasource: Option<&str>,
        page: PageRequest,
    ) -> Result<Vec<VerifiedPair>, StoreError>;

    /// Deletes one pair; `false` when no such pair exists.
    async fn delete_pair(&self, kind: MemoryKind, entry_id: &str) -> Result<bool, StoreError>;
}

/// A page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Entries to skip.
    pub offset: u64,
    /// Entries to return at most.
    pub limit: u32,
}

/// The comparison form of a question: lowercase, inner whitespace collapsed, surrounding
/// whitespace and trailing punctuation removed. Two approvals of questions with equal keys are
/// approvals of the same question.
pub fn question_key(question: &str) -> String {
    let collapsed = question
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    collapsed
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_keys_ignore_case_spacing_and_trailing_punctuation() {
        assert_eq!(
            question_key("  How many   restaurants are there?! "),
            "how many restaurants are there"
        );
        assert_eq!(
            question_key("count the restaurants."),
            "count the restaurants"
        );
        assert_ne!(
            question_key("count the restaurants"),
            question_key("count the cities")
        );
    }
}
