//! Starting the pipeline for an accepted job (in-process runner locally, Step Functions on AWS).
//!
//! Invariant: launching never blocks until the job finishes.

use async_trait::async_trait;
use contracts::envelope::JobEnvelope;
use contracts::stages::ClassifyRequest;

use crate::step_error::StepError;

/// Starts the question pipeline for a job that is already stored as `queued`.
#[async_trait]
pub trait JobLauncher: Send + Sync {
    /// Starts the pipeline; returns once the start is durable or queued, not when it finishes.
    async fn launch(&self, envelope: JobEnvelope<ClassifyRequest>) -> Result<(), StepError>;
}
