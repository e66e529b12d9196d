//! Turns a queue message into a call of the right worker, recording stage start, end and
//! duration on the job. The same dispatcher serves the local channels and queue consumers.
//!
//! Invariant: a message for an unknown stage or with an unreadable envelope is rejected as
//! invalid input, never guessed at.

use std::time::Instant;

use chrono::Utc;
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION, TaskMessage};
use contracts::error::{ErrorKind, StageFailure};
use contracts::stages::{RecordFailureRequest, RecordFailureResult};
use ports::job_store::{JobStore, JobUpdate};
use ports::step_error::StepError;
use ports::task_handler::TaskHandler;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use worker_cache::CacheDeps;
use worker_classify::ClassifyDeps;
use worker_execute::ExecuteDeps;
use worker_explain::ExplainDeps;
use worker_sqlgen::SqlGenDeps;

use crate::metered_job_store::MeteredJobStore;
use crate::settings::StageDeps;

/// Every stage name a Task may address, in pipeline order.
pub const STAGES: [&str; 6] = [
    "classify",
    "cache_lookup",
    "generate_sql",
    "execute",
    "explain",
    "record_failure",
];

/// The stages whose workers call the embedder (the cache lookup embeds the question, SQL
/// generation finds few-shot examples by it); no other stage ever does.
pub const EMBEDDING_STAGES: [&str; 2] = ["cache_lookup", "generate_sql"];

/// The workers of every stage, ready to handle messages.
#[derive(Clone)]
pub struct StageHandlers {
    classify: ClassifyDeps,
    cache: CacheDeps,
    sqlgen: SqlGenDeps,
    execute: ExecuteDeps,
    explain: ExplainDeps,
    job_store: Arc<dyn JobStore>,
}

#[async_trait::async_trait]
impl TaskHandler for StageHandlers {
    async fn handle_task(&self, message: &TaskMessage) -> Result<Value, StepError> {
        self.handle(message).await
    }
}

impl StageHandlers {
    /// Builds every worker's dependencies from the shared ports; every stage writes to the job
    /// store through a [`MeteredJobStore`].
    pub fn new(deps: &StageDeps) -> Self {
        let metered_job_store: Arc<dyn JobStore> =
            Arc::new(MeteredJobStore::new(deps.job_store.clone()));
        let deps = &StageDeps {
            job_store: metered_job_store,
            ..deps.clone()
        };
        let settings = &deps.settings;
        StageHandlers {
            classify: ClassifyDeps {
                llm: deps.llm.clone(),
                schema_store: deps.schema_store.clone(),
                job_store: deps.job_store.clone(),
            },
            cache: CacheDeps {
                embedder: deps.embedder.clone(),
                pair_store: deps.pair_store.clone(),
                schema_store: deps.schema_store.clone(),
                job_store: deps.job_store.clone(),
                similarity_threshold: settings.cache_similarity_threshold,
                paraphrase_floor: settings.cache_paraphrase_floor,
            },
            sqlgen: SqlGenDeps {
                llm: deps.llm.clone(),
                schema_store: deps.schema_store.clone(),
                pair_store: deps.pair_store.clone(),
                embedder: deps.embedder.clone(),
                datasources: deps.datasources.clone(),
                job_store: deps.job_store.clone(),
                approach: settings.approach,
                few_shot_k: settings.few_shot_k,
                few_shot_threshold: settings.few_shot_threshold,
            },
            execute: ExecuteDeps {
                datasources: deps.datasources.clone(),
                job_store: deps.job_store.clone(),
                limits: settings.query_limits.clone(),
            },
            explain: ExplainDeps {
                llm: deps.llm.clone(),
                job_store: deps.job_store.clone(),
            },
            job_store: deps.job_store.clone(),
        }
    }

    /// Handles one message and returns the stage's result as JSON. A message whose task
    /// already completed (a redelivery) is answered with the recorded result, without running
    /// the stage again, so it never writes or charges twice.
    pub async fn handle(&self, message: &TaskMessage) -> Result<Value, StepError> {
        let job_id = read_job_id(&message.envelope)?;
        if let Some(output) = self
            .job_store
            .completed_task_output(&message.task_token)
            .await?
        {
            tracing::info!(job_id = %job_id, stage = %message.stage, "task already completed; answering with its recorded result");
            metrics::counter!("analyst_task_redeliveries_total", "stage" => message.stage.clone())
                .increment(1);
            return Ok(output);
        }
        let result = self.handle_once(job_id, message).await;
        if let Ok(output) = &result {
            self.job_store
                .record_task_output(job_id, &message.task_token, &message.stage, output)
                .await?;
        }
        result
    }

    async fn handle_once(
        &self,
        job_id: uuid::Uuid,
        message: &TaskMessage,
    ) -> Result<Value, StepError> {
        if message.stage == "record_failure" {
            return to_json(
                record_failure(self.job_store.as_ref(), parse(&message.envelope)?).await?,
            );
        }
        if self
            .job_store
            .job_status(job_id)
            .await?
            .is_some_and(|status| status.is_terminal())
        {
            // A cancelled (or otherwise ended) job runs no further stage.
            return Err(StepError::invalid_input(format!(
                "job {job_id} has already ended; stage {} skipped",
                message.stage
            )));
        }
        let started = Instant::now();
        self.job_store
            .update(
                job_id,
                JobUpdate::StageStarted {
                    stage: message.stage.clone(),
                    at: Utc::now(),
                },
            )
            .await?;

        let result = self.run_stage(message).await;

        let finished = JobUpdate::StageFinished {
            stage: message.stage.clone(),
            duration_ms: started.elapsed().as_millis() as u64,
            succeeded: result.is_ok(),
        };
        self.job_store.update(job_id, finished).await?;
        result
    }

    async fn run_stage(&self, message: &TaskMessage) -> Result<Value, StepError> {
        let envelope = &message.envelope;
        match message.stage.as_str() {
            "classify" => to_json(worker_classify::run(&self.classify, parse(envelope)?).await?),
            "cache_lookup" => to_json(worker_cache::run(&self.cache, parse(envelope)?).await?),
            "generate_sql" => to_json(worker_sqlgen::run(&self.sqlgen, parse(envelope)?).await?),
            "execute" => to_json(worker_execute::run(&self.execute, parse(envelope)?).await?),
            "explain" => to_json(worker_explain::run(&self.explain, parse(envelope)?).await?),
            other => Err(StepError::invalid_input(format!("unknown stage '{other}'"))),
        }
    }
}

async fn record_failure(
    job_store: &dyn JobStore,
    envelope: JobEnvelope<RecordFailureRequest>,
) -> Result<RecordFailureResult, StepError> {
    let request = envelope.payload;
    let failure = request
        .cause
        .as_deref()
        .and_then(|cause| serde_json::from_str::<StageFailure>(cause).ok())
        .unwrap_or_else(|| StageFailure {
            kind: ErrorKind::from_name(&request.error).unwrap_or(ErrorKind::Fatal),
            stage: None,
            message: match request.cause {
                Some(cause) if !cause.is_empty() => cause,
                _ => request.error.clone(),
            },
        });
    tracing::warn!(job_id = %envelope.job_id, error.message = %failure.message, "job failed");
    job_store
        .update(envelope.job_id, JobUpdate::Failed(failure))
        .await?;
    Ok(RecordFailureResult { recorded: true })
}

fn parse<T: DeserializeOwned>(envelope: &Value) -> Result<JobEnvelope<T>, StepError> {
    let parsed: JobEnvelope<T> = serde_json::from_value(envelope.clone())
        .map_err(|err| StepError::invalid_input(format!("unreadable envelope: {err}")))?;
    if parsed.schema_version + 1 < SCHEMA_VERSION || parsed.schema_version > SCHEMA_VERSION {
        return Err(StepError::invalid_input(format!(
            "envelope schema version {} is not supported (this worker reads {} and {})",
            parsed.schema_version,
            SCHEMA_VERSION.saturating_sub(1),
            SCHEMA_VERSION
        )));
    }
    Ok(parsed)
}

fn read_job_id(envelope: &Value) -> Result<uuid::Uuid, StepError> {
    envelope
        .get("job_id")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| StepError::invalid_input("envelope has no valid job_id"))
}

fn to_json<T: Serialize>(value: T) -> Result<Value, StepError> {
    serde_json::to_value(value)
        .map_err(|err| StepError::fatal(format!("stage result does not serialize: {err}")))
}
