//! [`MeteredJobStore`]: the job store every stage writes through, counting what the job
//! updates say into the process's metrics (stage latency, finished jobs by status, model
//! tokens), so every worker is measured without measuring code in any of them.
//!
//! Invariant: only delegates; an update is counted after the store accepted it, and labels
//! never hold questions, SQL or identifiers of jobs.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobStatus, JobView};
use contracts::result::ResultSet;
use ports::job_store::{ConversationTurn, JobOwner, JobStore, JobUpdate, NewJob};
use ports::store_error::StoreError;
use uuid::Uuid;

/// A job store that counts the updates it passes on.
pub struct MeteredJobStore {
    inner: Arc<dyn JobStore>,
}

impl MeteredJobStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn JobStore>) -> Self {
        MeteredJobStore { inner }
    }
}

fn count(update: &JobUpdate) {
    match update {
        JobUpdate::StageFinished {
            stage,
            duration_ms,
            succeeded,
        } => {
            let outcome = if *succeeded { "ok" } else { "error" };
            metrics::histogram!(
                "analyst_stage_duration_seconds",
                "stage" => stage.clone(),
                "outcome" => outcome
            )
            .record(*duration_ms as f64 / 1000.0);
        }
        JobUpdate::ModelCalled(model_call) => {
            metrics::counter!("analyst_llm_tokens_total", "direction" => "input", "stage" => model_call.stage.clone())
                .increment(model_call.input_tokens);
            metrics::counter!("analyst_llm_tokens_total", "direction" => "output", "stage" => model_call.stage.clone())
                .increment(model_call.output_tokens);
            metrics::counter!("analyst_llm_calls_total", "stage" => model_call.stage.clone())
                .increment(1);
        }
        JobUpdate::Answered { .. } => {
            metrics::counter!("analyst_jobs_finished_total", "status" => JobStatus::Succeeded.as_str())
                .increment(1);
        }
        JobUpdate::Failed(_) => {
            metrics::counter!("analyst_jobs_finished_total", "status" => JobStatus::Failed.as_str())
                .increment(1);
        }
        _ => {}
    }
}

#[async_trait]
impl JobStore for MeteredJobStore {
    async fn create_job(&self, job: NewJob) -> Result<(), StoreError> {
        self.inner.create_job(job).await
    }

    async fn completed_task_output(
        &self,
        task_token: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.inner.completed_task_output(task_token).await
    }

    async fn record_task_output(
        &self,
        job_id: Uuid,
        task_token: &str,
        stage: &str,
        output: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.inner
            .record_task_output(job_id, task_token, stage, output)
            .await
    }

    async fn job_for_idempotency_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        self.inner.job_for_idempotency_key(idempotency_key).await
    }

    async fn update(&self, job_id: Uuid, update: JobUpdate) -> Result<(), StoreError> {
        let counted = matches!(update, JobUpdate::Answered { .. } | JobUpdate::Failed(_))
            .then(|| self.inner.job_status(job_id));
        let was_terminal = match counted {
            Some(status) => status.await?.is_some_and(JobStatus::is_terminal),
            None => false,
        };
        self.inner.update(job_id, update.clone()).await?;
        if !was_terminal {
            count(&update);
        }
        Ok(())
    }

    async fn get_job(&self, job_id: Uuid) -> Result<Option<JobView>, StoreError> {
        self.inner.get_job(job_id).await
    }

    async fn job_status(&self, job_id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        self.inner.job_status(job_id).await
    }

    async fn job_owner(&self, job_id: Uuid) -> Result<Option<JobOwner>, StoreError> {
        self.inner.job_owner(job_id).await
    }

    async fn conversation_owner(
        &self,
        conversation_id: &str,
    ) -> Result<Option<JobOwner>, StoreError> {
        self.inner.conversation_owner(conversation_id).await
    }

    async fn store_result(
        &self,
        job_id: Uuid,
        result_ref: &str,
        result: &ResultSet,
    ) -> Result<(), StoreError> {
        self.inner.store_result(job_id, result_ref, result).await
    }

    async fn load_result(&self, result_ref: &str) -> Result<Option<ResultSet>, StoreError> {
        self.inner.load_result(result_ref).await
    }

    async fn unfinished_jobs(&self) -> Result<Vec<NewJob>, StoreError> {
        self.inner.unfinished_jobs().await
    }

    async fn record_interruption(&self, job_id: Uuid) -> Result<u32, StoreError> {
        self.inner.record_interruption(job_id).await
    }

    async fn conversation_turns(
        &self,
        conversation_id: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ConversationTurn>, StoreError> {
        self.inner
            .conversation_turns(conversation_id, before, limit)
            .await
    }

    async fn record_feedback(&self, feedback: &FeedbackRecord) -> Result<(), StoreError> {
        self.inner.record_feedback(feedback).await
    }
}
