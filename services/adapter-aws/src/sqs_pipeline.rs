//! [`SqsPipeline`]: the API's `JobLauncher` where Step Functions cannot run the executions (the
//! emulator): the same `question.asl.json` runs in the `pipeline` interpreter inside the API
//! process, and every Task travels over the real SQS stage queues to the worker processes.
//!
//! Invariant: every launched job ends `succeeded` or `failed` on the job record; an execution
//! that breaks before `RecordFailure` is recorded as failed here.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::error::{ErrorKind, StageFailure};
use contracts::stages::ClassifyRequest;
use pipeline::asl::definition::StateMachine;
use pipeline::asl::interpreter::{ExecutionOutcome, Interpreter};
use pipeline::{PipelineError, QUESTION_STATE_MACHINE, STAGES};
use ports::job_launcher::JobLauncher;
use ports::job_store::{JobStore, JobUpdate};
use ports::step_error::StepError;

use crate::execution_input::execution_input;
use crate::sqs_task_transport::SqsTaskTransport;

/// Interpreter executions whose Tasks go over SQS.
pub struct SqsPipeline {
    core: Arc<SqsPipelineCore>,
}

struct SqsPipelineCore {
    interpreter: Interpreter,
    transport: SqsTaskTransport,
    job_store: Arc<dyn JobStore>,
    max_sql_attempts: u32,
}

impl SqsPipeline {
    /// Loads the state machine with `stage_queue_urls` (stage name → queue URL, one per entry
    /// of `pipeline::STAGES`) and starts listening on `reply_queue_url`.
    pub fn start(
        sqs: aws_sdk_sqs::Client,
        stage_queue_urls: &[(String, String)],
        reply_queue_url: String,
        job_store: Arc<dyn JobStore>,
        max_sql_attempts: u32,
        retry_interval_scale: f64,
    ) -> Result<Arc<Self>, PipelineError> {
        let substitutions: Vec<(String, String)> = stage_queue_urls
            .iter()
            .map(|(stage, url)| (queue_url_placeholder(stage), url.clone()))
            .collect();
        let substitution_refs: Vec<(&str, &str)> = substitutions
            .iter()
            .map(|(name, url)| (name.as_str(), url.as_str()))
            .collect();
        let machine = StateMachine::load(QUESTION_STATE_MACHINE, &substitution_refs)?;
        let core = SqsPipelineCore {
            interpreter: Interpreter::new(machine, retry_interval_scale),
            transport: SqsTaskTransport::start(sqs, reply_queue_url),
            job_store,
            max_sql_attempts,
        };
        Ok(Arc::new(SqsPipeline {
            core: Arc::new(core),
        }))
    }

    /// Relaunches every job left `queued` or `running`, except jobs interrupted twice, which
    /// are failed (see [`pipeline::jobs_to_resume`]); returns how many were relaunched.
    pub async fn resume_unfinished(&self) -> Result<usize, PipelineError> {
        let jobs = pipeline::jobs_to_resume(self.core.job_store.as_ref()).await?;
        let n_jobs = jobs.len();
        for job in jobs {
            tracing::info!(job_id = %job.job_id, "resuming unfinished job");
            self.spawn_execution(JobEnvelope {
                schema_version: SCHEMA_VERSION,
                job_id: job.job_id,
                correlation_id: job.correlation_id,
                attempt: 0,
                submitted_at: job.submitted_at,
                sent_at: None,
                payload: ClassifyRequest {
                    question: job.question,
                    datasource: job.datasource,
                    conversation_id: job.conversation_id,
                    provided_sql: job.provided_sql,
                },
            });
        }
        Ok(n_jobs)
    }

    fn spawn_execution(&self, envelope: JobEnvelope<ClassifyRequest>) {
        let core = self.core.clone();
        tokio::spawn(async move { core.run_execution(envelope).await });
    }
}

#[async_trait]
impl JobLauncher for SqsPipeline {
    async fn launch(&self, envelope: JobEnvelope<ClassifyRequest>) -> Result<(), StepError> {
        self.spawn_execution(envelope);
        Ok(())
    }
}

impl SqsPipelineCore {
    async fn run_execution(&self, envelope: JobEnvelope<ClassifyRequest>) {
        let job_id = envelope.job_id;
        let input = execution_input(&envelope, self.max_sql_attempts);
        let outcome = self
            .interpreter
            .run(&job_id.to_string(), input, &self.transport)
            .await;
        if let ExecutionOutcome::Failed(error) = outcome {
            let failure = StageFailure {
                kind: ErrorKind::from_name(&error.error).unwrap_or(ErrorKind::Fatal),
                stage: None,
                message: format!("{}: {}", error.error, error.cause),
            };
            if let Err(store_error) = self
                .job_store
                .update(job_id, JobUpdate::Failed(failure))
                .await
            {
                tracing::error!(job_id = %job_id, error.message = %store_error, "could not record a failed job");
            }
        }
    }
}

/// The `${...QueueUrl}` placeholder of a stage in the state machine definition
/// (`generate_sql` → `GenerateSqlQueueUrl`).
pub fn queue_url_placeholder(stage: &str) -> String {
    let camel: String = stage
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{camel}QueueUrl")
}

/// Every stage with its placeholder, in pipeline order.
pub fn stage_placeholders() -> Vec<(&'static str, String)> {
    STAGES
        .iter()
        .map(|stage| (*stage, queue_url_placeholder(stage)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_match_the_state_machine_definition() {
        for (_, placeholder) in stage_placeholders() {
            assert!(
                QUESTION_STATE_MACHINE.contains(&format!("${{{placeholder}}}")),
                "{placeholder} is not used by question.asl.json"
            );
        }
    }
}
