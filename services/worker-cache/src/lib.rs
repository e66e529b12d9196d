//! Semantic-cache lookup step: finds a verified query for a question asked before in other words.
//!
//! Invariant: only entries of the same datasource and the current schema version can match.

mod approval_desk;
mod example_seeding;
mod question_signature;

use std::sync::Arc;

use contracts::envelope::JobEnvelope;
use contracts::stages::{CacheLookupRequest, CacheLookupResult};
use ports::embedder::Embedder;
use ports::job_store::{JobStore, JobUpdate};
use ports::memory_store::{MemoryKind, PairStore};
use ports::schema::SchemaStore;
use ports::step_error::StepError;

pub use approval_desk::{ApprovalDesk, MAX_COMMENT_CHARS};
pub use example_seeding::{ExampleRow, ExampleSeeder, SeedError, SeedOutcome};
pub use question_signature::question_signature;

/// Similarity at or above which a cached entry is reused.
pub const DEFAULT_SIMILARITY_THRESHOLD: f32 = 0.95;

/// Similarity at or above which a cached entry is reused when its question has the same
/// [`question_signature`] as the asked one.
pub const DEFAULT_PARAPHRASE_FLOOR: f32 = 0.75;

/// Cached entries compared with the question.
const CANDIDATES: usize = 5;

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
    /// Minimum cosine similarity for a hit whose question has the same signature.
    pub paraphrase_floor: f32,
}

/// Looks the question up in the semantic cache.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "cache_lookup"))]
pub async fn run(
    deps: &CacheDeps,
    envelope: JobEnvelope<CacheLookupRequest>,
) -> Result<CacheLookupResult, StepError> {
    let request = envelope.payload;
    if request.conversation_id.is_some() {
        tracing::info!("follow-up question: cache lookup left to after the rewrite");
        metrics::counter!("analyst_cache_lookups_total", "outcome" => "skipped").increment(1);
        return Ok(CacheLookupResult {
            hit: false,
            sql: None,
            similarity: None,
            entry_id: None,
        });
    }
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
    let embedding = deps.embedder.embed(&request.question).await?;

    let candidates = deps
        .pair_store
        .nearest_pairs(
            MemoryKind::Cache,
            &request.datasource,
            Some(&schema.version),
            &embedding,
            CANDIDATES,
        )
        .await?;
    let similarity = candidates.first().map(|scored| scored.similarity);
    let asked_signature = question_signature(&request.question);
    let chosen = candidates.into_iter().find(|scored| {
        scored.similarity >= deps.similarity_threshold
            || (scored.similarity >= deps.paraphrase_floor
                && !asked_signature.is_empty()
                && question_signature(&scored.pair.question) == asked_signature)
    });
    let similarity = chosen
        .as_ref()
        .map(|scored| scored.similarity)
        .or(similarity);
    let result = match chosen {
        Some(scored) => CacheLookupResult {
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
    let outcome = if result.hit { "hit" } else { "miss" };
    metrics::counter!("analyst_cache_lookups_total", "outcome" => outcome).increment(1);
    if let Some(similarity) = similarity {
        metrics::histogram!("analyst_cache_best_similarity").record(f64::from(similarity));
    }
    deps.job_store
        .update(
            envelope.job_id,
            JobUpdate::CacheChecked {
                hit: result.hit,
                similarity,
                entry_id: result.entry_id.clone(),
            },
        )
        .await?;
    Ok(result)
}
