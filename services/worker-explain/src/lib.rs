//! Explanation step: a short answer grounded in the stored rows, plus a chart when one helps.
//!
//! Invariant: the answer never states a number that is not in the rows; charts are declarative
//! Vega-Lite specs, never code.

mod chart_spec;
mod fallback_answer;

use std::sync::Arc;
use std::time::Instant;

use contracts::envelope::JobEnvelope;
use contracts::stages::{ExplainRequest, ExplainResult, Intent};
use ports::job_store::{JobStore, JobUpdate};
use ports::language_model::{LanguageModel, record_model_call};
use ports::step_error::StepError;
use uuid::Uuid;

pub use chart_spec::choose_chart;
pub use fallback_answer::fallback_answer;

/// What the explanation step needs.
#[derive(Clone)]
pub struct ExplainDeps {
    /// Model that explains.
    pub llm: Arc<dyn LanguageModel>,
    /// Job records and stored rows.
    pub job_store: Arc<dyn JobStore>,
}

/// Writes the answer of one job and marks it succeeded.
#[tracing::instrument(skip_all, fields(job_id = %envelope.job_id, correlation_id = %envelope.correlation_id, stage = "explain"))]
pub async fn run(
    deps: &ExplainDeps,
    envelope: JobEnvelope<ExplainRequest>,
) -> Result<ExplainResult, StepError> {
    let request = envelope.payload;
    let result = match (&request.result_ref, &request.guidance) {
        (Some(result_ref), _) => {
            answer_from_rows(deps, &request, result_ref, envelope.job_id).await?
        }
        (None, Some(guidance)) => ExplainResult {
            answer: guidance.clone(),
            chart: None,
        },
        (None, None) => {
            return Err(StepError::fatal(
                "explain needs rows or guidance, got neither",
            ));
        }
    };
    deps.job_store
        .update(
            envelope.job_id,
            JobUpdate::Answered {
                answer: result.answer.clone(),
                chart: result.chart.clone(),
            },
        )
        .await?;
    Ok(result)
}

async fn answer_from_rows(
    deps: &ExplainDeps,
    request: &ExplainRequest,
    result_ref: &str,
    job_id: Uuid,
) -> Result<ExplainResult, StepError> {
    let result_set = deps
        .job_store
        .load_result(result_ref)
        .await?
        .ok_or_else(|| StepError::fatal(format!("stored rows {result_ref} are missing")))?;
    let sql = deps
        .job_store
        .get_job(job_id)
        .await?
        .and_then(|job| job.sql)
        .unwrap_or_default();
    if request.from_cache {
        let chart = choose_chart(&request.question, false, &result_set);
        return Ok(ExplainResult {
            answer: fallback_answer(&result_set),
            chart,
        });
    }
    let started = Instant::now();
    let answer = match deps.llm.explain(&request.question, &sql, &result_set).await {
        Ok(reply) => {
            record_model_call(
                deps.job_store.as_ref(),
                job_id,
                "explain",
                &reply.usage,
                started,
            )
            .await?;
            reply.value
        }
        Err(err) => {
            tracing::warn!(error.message = %err, "model explanation failed, using the deterministic answer");
            fallback_answer(&result_set)
        }
    };
    let chart = choose_chart(
        &request.question,
        request.intent == Intent::Chart,
        &result_set,
    );
    Ok(ExplainResult { answer, chart })
}
