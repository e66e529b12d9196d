//! Settings and dependencies of the pipeline's stages.
//!
//! Invariant: defaults here are the documented defaults (cache 0.95, or 0.75 with an equal
//! question signature; few-shot k 5 at 0.75;
//! 3 SQL attempts).

use std::sync::Arc;

use ports::datasource::Datasources;
use ports::embedder::Embedder;
use ports::job_store::JobStore;
use ports::language_model::LanguageModel;
use ports::memory_store::PairStore;
use ports::schema::SchemaStore;
use ports::sql_engine::QueryLimits;
use worker_sqlgen::Approach;

/// Tunables of the pipeline.
#[derive(Debug, Clone)]
pub struct PipelineSettings {
    /// Minimum cosine similarity of a semantic-cache hit.
    pub cache_similarity_threshold: f32,
    /// Minimum cosine similarity of a hit whose question has the same canonical signature.
    pub cache_paraphrase_floor: f32,
    /// Zero-shot or few-shot generation.
    pub approach: Approach,
    /// Few-shot examples retrieved at most.
    pub few_shot_k: usize,
    /// Minimum similarity of a few-shot example.
    pub few_shot_threshold: f32,
    /// SQL generation attempts per question, the first included.
    pub max_sql_attempts: u32,
    /// Limits of every query.
    pub query_limits: QueryLimits,
    /// Multiplier of Retry intervals (1.0 in production; tests shrink it).
    pub retry_interval_scale: f64,
    /// Messages each stage's worker handles at once.
    pub stage_concurrency: usize,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            cache_similarity_threshold: worker_cache::DEFAULT_SIMILARITY_THRESHOLD,
            cache_paraphrase_floor: worker_cache::DEFAULT_PARAPHRASE_FLOOR,
            approach: Approach::FewShot,
            few_shot_k: 5,
            few_shot_threshold: 0.75,
            max_sql_attempts: 3,
            query_limits: QueryLimits::default(),
            retry_interval_scale: 1.0,
            stage_concurrency: 8,
        }
    }
}

/// Ports every stage draws from.
#[derive(Clone)]
pub struct StageDeps {
    /// Job records and stored rows.
    pub job_store: Arc<dyn JobStore>,
    /// Schema snapshots.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Semantic cache and few-shot examples.
    pub pair_store: Arc<dyn PairStore>,
    /// Question embedder.
    pub embedder: Arc<dyn Embedder>,
    /// Language model.
    pub llm: Arc<dyn LanguageModel>,
    /// Datasources and their engines.
    pub datasources: Datasources,
    /// Tunables.
    pub settings: PipelineSettings,
}
