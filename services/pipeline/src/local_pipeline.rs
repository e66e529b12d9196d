//! The local mode's orchestration: the ASL interpreter runs each job's execution, and every
//! Task message travels over an in-process channel to that stage's worker loop, standing in for
//! the SQS queue and the task-token report of the AWS mode.
//!
//! Invariant: every launched job ends `succeeded` or `failed` on the job record, even when the
//! execution itself breaks (it is then recorded as a fatal failure).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION, TaskMessage};
use contracts::error::{ErrorKind, StageFailure};
use contracts::stages::ClassifyRequest;
use ports::job_launcher::JobLauncher;
use ports::job_store::{JobStore, JobUpdate};
use ports::step_error::StepError;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};

use crate::asl::definition::{DefinitionError, StateMachine};
use crate::asl::interpreter::{ExecutionOutcome, Interpreter, TaskError, TaskHandler};
use crate::interrupted_jobs::jobs_to_resume;
use crate::settings::StageDeps;
use crate::stage_dispatch::{STAGES, StageHandlers};

/// The question state machine, the same file Step Functions runs.
pub const QUESTION_STATE_MACHINE: &str = include_str!("../../../statemachines/question.asl.json");

/// Resource of every Task state: send to a queue and wait for the worker's report.
const SEND_AND_WAIT_RESOURCE: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// The pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The state machine definition is unusable.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    /// The job store failed while listing, counting or failing unfinished jobs.
    #[error("could not resume unfinished jobs: {0}")]
    Store(#[from] ports::store_error::StoreError),
}

struct WorkItem {
    message: TaskMessage,
    reply: oneshot::Sender<Result<Value, StepError>>,
}

/// In-process pipeline: interpreter, channel transport and one worker loop per stage.
pub struct LocalPipeline {
    core: Arc<PipelineCore>,
}

struct PipelineCore {
    interpreter: Interpreter,
    transport: ChannelTransport,
    job_store: Arc<dyn JobStore>,
    max_sql_attempts: u32,
    n_running: AtomicUsize,
    idle: Notify,
}

impl LocalPipeline {
    /// Loads the state machine and starts one worker loop per stage.
    pub fn start(deps: StageDeps) -> Result<Arc<Self>, PipelineError> {
        let substitutions = queue_substitutions();
        let substitution_refs: Vec<(&str, &str)> = substitutions
            .iter()
            .map(|(name, url)| (name.as_str(), url.as_str()))
            .collect();
        let machine = StateMachine::load(QUESTION_STATE_MACHINE, &substitution_refs)?;
        let handlers = Arc::new(StageHandlers::new(&deps));
        let mut senders = HashMap::new();
        for stage in STAGES {
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(worker_loop(
                receiver,
                handlers.clone(),
                deps.settings.stage_concurrency,
            ));
            senders.insert(local_queue_url(stage), sender);
        }
        let core = PipelineCore {
            interpreter: Interpreter::new(machine, deps.settings.retry_interval_scale),
            transport: ChannelTransport { senders },
            job_store: deps.job_store,
            max_sql_attempts: deps.settings.max_sql_attempts,
            n_running: AtomicUsize::new(0),
            idle: Notify::new(),
        };
        Ok(Arc::new(LocalPipeline {
            core: Arc::new(core),
        }))
    }

    /// Waits until no execution is running.
    pub async fn run_until_idle(&self) {
        loop {
            let notified = self.core.idle.notified();
            if self.core.n_running.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Relaunches every job left `queued` or `running` (e.g. by a crash), except jobs
    /// interrupted twice, which are failed (see [`jobs_to_resume`]); returns how many were
    /// relaunched.
    pub async fn resume_unfinished(&self) -> Result<usize, PipelineError> {
        let jobs = jobs_to_resume(self.core.job_store.as_ref()).await?;
        let n_jobs = jobs.len();
        for job in jobs {
            tracing::info!(job_id = %job.job_id, "resuming unfinished job");
            spawn_execution(
                &self.core,
                JobEnvelope {
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
                },
            );
        }
        Ok(n_jobs)
    }
}

#[async_trait]
impl JobLauncher for LocalPipeline {
    async fn launch(&self, envelope: JobEnvelope<ClassifyRequest>) -> Result<(), StepError> {
        spawn_execution(&self.core, envelope);
        Ok(())
    }
}

fn spawn_execution(core: &Arc<PipelineCore>, envelope: JobEnvelope<ClassifyRequest>) {
    core.n_running.fetch_add(1, Ordering::SeqCst);
    let core = core.clone();
    tokio::spawn(async move {
        core.run_execution(envelope).await;
        if core.n_running.fetch_sub(1, Ordering::SeqCst) == 1 {
            core.idle.notify_waiters();
        }
    });
}

impl PipelineCore {
    async fn run_execution(&self, envelope: JobEnvelope<ClassifyRequest>) {
        let job_id = envelope.job_id;
        let input = json!({
            "job_id": job_id,
            "correlation_id": envelope.correlation_id,
            "submitted_at": envelope.submitted_at,
            "question": envelope.payload.question,
            "datasource": envelope.payload.datasource,
            "conversation_id": envelope.payload.conversation_id,
            "provided_sql": envelope.payload.provided_sql,
            "max_sql_attempts": self.max_sql_attempts,
        });
        let outcome = self
            .interpreter
            .run(&job_id.to_string(), input, &self.transport)
            .await;
        if let ExecutionOutcome::Failed(error) = outcome {
            // Every Catch leads to RecordFailure, which already stored the failure; this covers
            // executions that broke before reaching it. Terminal jobs ignore the second write.
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

/// Sends Task messages to stage worker loops and waits for their report.
struct ChannelTransport {
    senders: HashMap<String, mpsc::Sender<WorkItem>>,
}

#[async_trait]
impl TaskHandler for ChannelTransport {
    async fn run_task(&self, resource: &str, parameters: Value) -> Result<Value, TaskError> {
        if resource != SEND_AND_WAIT_RESOURCE {
            return Err(task_error(
                ErrorKind::Fatal,
                format!("unsupported Task resource {resource}"),
            ));
        }
        let queue_url = parameters
            .get("QueueUrl")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let sender = self.senders.get(queue_url).ok_or_else(|| {
            task_error(
                ErrorKind::Fatal,
                format!("no local worker listens on '{queue_url}'"),
            )
        })?;
        let body = parameters
            .get("MessageBody")
            .cloned()
            .unwrap_or(Value::Null);
        let message: TaskMessage = serde_json::from_value(body).map_err(|err| {
            task_error(ErrorKind::Fatal, format!("unreadable task message: {err}"))
        })?;
        let stage = message.stage.clone();
        let (reply, reply_receiver) = oneshot::channel();
        sender
            .send(WorkItem { message, reply })
            .await
            .map_err(|_| task_error(ErrorKind::Transient, "worker loop stopped".to_owned()))?;
        match reply_receiver.await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(step_error)) => {
                let failure = step_error.to_stage_failure(&stage);
                let cause =
                    serde_json::to_string(&failure).expect("a stage failure always serializes");
                Err(TaskError {
                    error: step_error.kind().as_str().to_owned(),
                    cause,
                })
            }
            Err(_) => Err(task_error(
                ErrorKind::Transient,
                "worker dropped the task".to_owned(),
            )),
        }
    }
}

async fn worker_loop(
    mut receiver: mpsc::Receiver<WorkItem>,
    handlers: Arc<StageHandlers>,
    concurrency: usize,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    while let Some(item) = receiver.recv().await {
        metrics::gauge!("analyst_queue_depth", "stage" => item.message.stage.clone())
            .set(receiver.len() as f64);
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let handlers = handlers.clone();
        tokio::spawn(async move {
            let result = handlers.handle(&item.message).await;
            // The execution may have timed out and gone; nobody waits for this reply then.
            let _ = item.reply.send(result);
            drop(permit);
        });
    }
}

fn task_error(kind: ErrorKind, message: String) -> TaskError {
    let failure = StageFailure {
        kind,
        stage: None,
        message,
    };
    TaskError {
        error: kind.as_str().to_owned(),
        cause: serde_json::to_string(&failure).expect("a stage failure always serializes"),
    }
}

fn local_queue_url(stage: &str) -> String {
    format!("local://{stage}")
}

/// The `${...QueueUrl}` placeholders of the definition mapped to local channel names.
fn queue_substitutions() -> Vec<(String, String)> {
    STAGES
        .iter()
        .map(|stage| {
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
            (format!("{camel}QueueUrl"), local_queue_url(stage))
        })
        .collect()
}
