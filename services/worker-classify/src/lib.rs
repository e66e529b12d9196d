//! Classification step: decides whether a question needs a query, a chart, or guidance.
//!
//! Invariant: pure logic over ports; no network, no SQL.

use std::sync::Arc;
use std::time::Instant;

use contracts::envelope::JobEnvelope;
use contracts::stages::{ClassifyRequest, ClassifyResult};
use ports::job_store::{JobStore, JobUpdate};
use ports::language_model::LanguageModel;
use ports::schema::SchemaStore;
use ports::step_error::StepError;

/// What the classification step needs.
#[derive(Clone)]
pub struct ClassifyDeps {
    /// Model that classifies.
    pub llm: Arc<dyn LanguageModel>,
    /// Schema snapshots, so the model knows what the datasource holds.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Job records.
    pub job_store: Arc<dyn JobStore>,
}

/// Classifies the question of one job.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "classify"))]
pub async fn run(
    deps: &ClassifyDeps,
    envelope: JobEnvelope<ClassifyRequest>,
) -> Result<ClassifyResult, StepError> {
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

    let started = Instant::now();
    let reply = deps
        .llm
        .classify(&request.question, &schema)
        .await
        .map_err(|err| StepError {
            kind: err.kind(),
            message: err.to_string(),
        })?;
    let model_call = reply.usage.model_call("classify", elapsed_ms(started));
    tracing::info!(
        model_id = %model_call.model_id,
        prompt_version = %model_call.prompt_version,
        input_tokens = model_call.input_tokens,
        output_tokens = model_call.output_tokens,
        duration_ms = model_call.duration_ms,
        "question classified"
    );
    deps.job_store
        .update(envelope.job_id, JobUpdate::ModelCalled(model_call))
        .await?;
    let classification = reply.value;

    deps.job_store
        .update(
            envelope.job_id,
            JobUpdate::Classified {
                intent: classification.intent,
            },
        )
        .await?;
    Ok(ClassifyResult {
        intent: classification.intent,
        standalone_question: request.question,
        guidance: classification.guidance,
    })
}

/// Milliseconds since `started`.
fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
