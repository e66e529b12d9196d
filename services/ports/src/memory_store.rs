//! Verified question/SQL pairs: the semantic cache and the few-shot example memory.
//!
//! Invariant: lookups only ever return entries of the asked datasource (and, for the cache,
//! of the asked schema version).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
}
