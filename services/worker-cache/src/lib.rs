//! Semantic-cache lookup step: finds a verified query for a question asked before in other words.
//!
//! Invariant: only entries of the same datasource and the current schema version can match.

use std::sync::Arc;

use contracts::envelope::JobEnvelope;
use contracts::stages::{CacheLookupRequest, CacheLookupResult};
use ports::embedder::Embedder;
use ports::job_store::{JobStore, JobUpdate};
use ports::memory_store::{MemoryKind, PairStore};
use ports::schema::SchemaStore;
use ports::step_error::StepError;

/// Similarity at or above which a cached entry is reused.
pub const DEFAULT_SIMILARITY_THRESHOLD: f32 = 0.95;

/// What the cache step needs.
#[derive(Clone)]
pub struct CacheDeps {
    /// Embeds the question.
    pub embedder: Arc<dyn Embedder>,
    /// Verified pairs.
    pub pair_store: Arc<dyn PairStore>,
    /// Schema snapshots, for the current version.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Job records.
    pub job_store: Arc<dyn JobStore>,
    /// Minimum cosine similarity for a hit.
    pub similarity_threshold: f32,
}

/// Looks the question up in the semantic cache.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "cache_lookup"))]
pub async fn run(
    deps: &CacheDeps,
    envelope: JobEnvelope<CacheLookupRequest>,
) -> Result<CacheLookupResult, StepError> {
    let request = envelope.payload;
    let schema = deps
        .schema_store
        .latest_snapshot(&request.datasource)
        .await?
        .ok_or_else(|| {
            StepError::invalid_input(format!(
                "datasource '{}' has no schema yet",
                request.datasource
            ))
        })?;
    let embedding = deps
        .embedder
        .embed(&request.question)
        .await
        .map_err(|err| StepError {
            kind: err.kind(),
            message: err.to_string(),
        })?;

    let best = deps
        .pair_store
        .nearest_pairs(
            MemoryKind::Cache,
            &request.datasource,
            Some(&schema.version),
            &embedding,
            1,
        )
        .await?
        .into_iter()
        .next();

    let similarity = best.as_ref().map(|scored| scored.similarity);
    let result = match best {
        Some(scored) if scored.similarity >= deps.similarity_threshold => CacheLookupResult {
            hit: true,
            sql: Some(scored.pair.sql),
            similarity,
            entry_id: Some(scored.pair.entry_id),
        },
        _ => CacheLookupResult {
            hit: false,
            sql: None,
            similarity,
            entry_id: None,
        },
    };
    tracing::info!(hit = result.hit, similarity = ?similarity, "cache lookup");
    deps.job_store
        .update(
            envelope.job_id,
            JobUpdate::CacheChecked {
                hit: result.hit,
                similarity,
            },
        )
        .await?;
    Ok(result)
}
