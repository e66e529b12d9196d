//! SQL generation step: schema, metadata and retrieved examples go to the model, SQL comes back.
//!
//! Invariant: pure logic over ports; the SQL it returns is checked by the guard before it runs.

use std::sync::Arc;
use std::time::Instant;

use contracts::api::SqlAttempt;
use contracts::envelope::JobEnvelope;
use contracts::stages::{GenerateSqlRequest, GenerateSqlResult};
use ports::datasource::Datasources;
use ports::embedder::Embedder;
use ports::job_store::{JobStore, JobUpdate};
use ports::language_model::{LanguageModel, SqlGenerationInput, record_model_call};
use ports::memory_store::{MemoryKind, PairStore, ScoredPair};
use ports::schema::SchemaStore;
use ports::step_error::StepError;

/// Whether retrieved examples go into the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approach {
    /// Schema and metadata only.
    ZeroShot,
    /// Schema, metadata and the most similar verified examples.
    FewShot,
}

/// What the generation step needs.
#[derive(Clone)]
pub struct SqlGenDeps {
    /// Model that writes SQL.
    pub llm: Arc<dyn LanguageModel>,
    /// Schema snapshots.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Verified examples.
    pub pair_store: Arc<dyn PairStore>,
    /// Embeds the question for example retrieval.
    pub embedder: Arc<dyn Embedder>,
    /// Datasources, for their dialect.
    pub datasources: Datasources,
    /// Job records.
    pub job_store: Arc<dyn JobStore>,
    /// Zero-shot or few-shot.
    pub approach: Approach,
    /// Examples retrieved at most.
    pub few_shot_k: usize,
    /// Minimum similarity of a retrieved example.
    pub few_shot_threshold: f32,
}

/// Generates (or repairs) the SQL of one job.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "generate_sql"))]
pub async fn run(
    deps: &SqlGenDeps,
    envelope: JobEnvelope<GenerateSqlRequest>,
) -> Result<GenerateSqlResult, StepError> {
    let request = envelope.payload;
    let datasource = deps.datasources.require(&request.datasource).await?;
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
    let examples = retrieve_examples(deps, &request).await?;
    let attempt = request
        .repair
        .as_ref()
        .map_or(1, |repair| repair.attempt + 1);

    let input = SqlGenerationInput {
        question: &request.question,
        schema: &schema,
        dialect: datasource.engine.dialect(),
        examples: &examples,
        repair: request.repair.as_ref(),
    };
    let started = Instant::now();
    let reply = deps.llm.generate_sql(input).await?;
    record_model_call(
        deps.job_store.as_ref(),
        envelope.job_id,
        "generate_sql",
        &reply.usage,
        started,
    )
    .await?;

    let sql = reply.value.sql.trim().to_owned();
    deps.job_store
        .update(
            envelope.job_id,
            JobUpdate::SqlAttempted(SqlAttempt {
                attempt,
                sql: sql.clone(),
                error: None,
            }),
        )
        .await?;
    tracing::info!(attempt, n_examples = examples.len(), "sql generated");
    Ok(GenerateSqlResult { sql, attempt })
}

async fn retrieve_examples(
    deps: &SqlGenDeps,
    request: &GenerateSqlRequest,
) -> Result<Vec<ScoredPair>, StepError> {
    if deps.approach == Approach::ZeroShot || deps.few_shot_k == 0 {
        return Ok(Vec::new());
    }
    let embedding = deps.embedder.embed(&request.question).await?;
    let nearest = deps
        .pair_store
        .nearest_pairs(
            MemoryKind::FewShot,
            &request.datasource,
            None,
            &embedding,
            deps.few_shot_k,
        )
        .await?;
    Ok(nearest
        .into_iter()
        .filter(|scored| scored.similarity >= deps.few_shot_threshold)
        .collect())
}
