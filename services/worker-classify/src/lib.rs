//! Classification step: rewrites a follow-up in a conversation into a standalone question,
//! then decides whether it needs a query, a chart, or guidance.
//!
//! Invariant: pure logic over ports; no network, no SQL; only succeeded turns of the same
//! conversation submitted before the job are used.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use contracts::envelope::JobEnvelope;
use contracts::stages::{ClassifyRequest, ClassifyResult};
use ports::job_store::{JobStore, JobUpdate};
use ports::language_model::{LanguageModel, record_model_call};
use ports::schema::SchemaStore;
use ports::step_error::StepError;

/// Earlier turns of a conversation given to the rewrite.
pub const CONVERSATION_TURNS: usize = 5;

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

    let question = match &request.conversation_id {
        Some(conversation_id) => {
            standalone_question(
                deps,
                envelope.job_id,
                &request.question,
                conversation_id,
                envelope.submitted_at,
            )
            .await?
        }
        None => request.question.clone(),
    };

    let started = Instant::now();
    let reply = deps.llm.classify(&question, &schema).await?;
    record_model_call(
        deps.job_store.as_ref(),
        envelope.job_id,
        "classify",
        &reply.usage,
        started,
    )
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
        standalone_question: question,
        guidance: classification.guidance,
    })
}

/// The follow-up rewritten with the conversation's earlier turns, recorded on the job when it
/// changed.
async fn standalone_question(
    deps: &ClassifyDeps,
    job_id: uuid::Uuid,
    question: &str,
    conversation_id: &str,
    submitted_at: DateTime<Utc>,
) -> Result<String, StepError> {
    let turns = deps
        .job_store
        .conversation_turns(conversation_id, submitted_at, CONVERSATION_TURNS)
        .await?;
    if turns.is_empty() {
        return Ok(question.to_owned());
    }
    let started = Instant::now();
    let reply = deps.llm.rewrite_follow_up(question, &turns).await?;
    record_model_call(
        deps.job_store.as_ref(),
        job_id,
        "rewrite",
        &reply.usage,
        started,
    )
    .await?;
    let standalone = reply.value.trim().to_owned();
    tracing::info!(
        n_turns = turns.len(),
        changed = standalone != question,
        "follow-up rewritten"
    );
    if standalone.is_empty() || standalone == question {
        return Ok(question.to_owned());
    }
    deps.job_store
        .update(
            job_id,
            JobUpdate::Rewritten {
                standalone_question: standalone.clone(),
            },
        )
        .await?;
    Ok(standalone)
}
