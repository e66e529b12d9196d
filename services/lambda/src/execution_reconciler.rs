//! The reconciler of ended executions: a Lambda function the EventBridge rule on Step Functions'
//! `Execution Status Change` events (FAILED, TIMED_OUT, ABORTED of both state machines)
//! invokes. A question execution's job, or an ingestion execution's upload, that has not ended
//! is recorded failed with the execution's status, error and cause; this covers what no `Catch`
//! can: the top-level timeout, `States.Runtime` and `States.DataLimitExceeded`, and a failure
//! recorder that could not run.
//!
//! Invariant: a job or upload that already ended is never changed (both recorders check), so a
//! status change after a recorded failure, or a redelivered event, is a no-op.

use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use clap::Parser;
use contracts::envelope::{SCHEMA_VERSION, TaskMessage};
use contracts::execution_status::{ExecutionDetail, ExecutionStatusChange};
use contracts::ingestion::RecordIngestionFailureRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use pipeline::{EndedExecution, ended_execution_message, record_ended_execution};
use ports::job_store::JobStore;
use ports::task_handler::TaskHandler;
use serde_json::{Value, json};
use store_postgres::PostgresStore;
use uuid::Uuid;

use crate::ingestion_wiring::{IngestionArgs, open_ingestion_handlers};
use crate::init_error::reporting_init_error;
use crate::platform_args::PlatformArgs;
use crate::platform_wiring::{embedding_dimension, state_store_url};

/// The reconciler's settings: environment variables only.
#[derive(Debug, Parser)]
struct ReconcilerArgs {
    #[command(flatten)]
    platform: PlatformArgs,
    #[command(flatten)]
    ingestion: IngestionArgs,
}

/// What the reconciler records on: the job store, and the ingestion stages for uploads.
#[derive(Clone)]
pub struct ExecutionReconciler {
    job_store: Arc<dyn JobStore>,
    ingestion: Arc<dyn TaskHandler>,
}

impl ExecutionReconciler {
    /// Handles one status change event and says what it did, e.g.
    /// `{"job_id": "…", "outcome": "recorded"}`.
    pub async fn reconcile(&self, event: Value) -> anyhow::Result<Value> {
        let change: ExecutionStatusChange =
            serde_json::from_value(event).context("not a Step Functions status change event")?;
        let execution = &change.detail;
        match uploaded_object(execution) {
            Some(object_event) => self.record_upload_failure(execution, &object_event).await,
            None => {
                let outcome = record_ended_execution(self.job_store.as_ref(), execution)
                    .await
                    .context("record the job's failure")?;
                Ok(json!({ "job_id": execution.name, "outcome": job_outcome_name(outcome) }))
            }
        }
    }

    async fn record_upload_failure(
        &self,
        execution: &ExecutionDetail,
        object_event: &Value,
    ) -> anyhow::Result<Value> {
        if !execution.status.ended_unsuccessfully() {
            return Ok(json!({ "outcome": "not_a_failure" }));
        }
        let request = RecordIngestionFailureRequest {
            bucket: text_at(object_event, "/detail/bucket/name")?,
            key: text_at(object_event, "/detail/object/key")?,
            object: object_event
                .pointer("/detail/object")
                .cloned()
                .and_then(|object| serde_json::from_value(object).ok()),
            error: execution
                .error
                .clone()
                .unwrap_or_else(|| format!("States.{}", execution.status.as_str())),
            cause: Some(ended_execution_message(
                execution,
                "the ingestion's execution",
                "the upload",
            )),
        };
        let message = TaskMessage {
            task_token: String::new(),
            stage: "record_ingestion_failure".to_owned(),
            envelope: json!({
                "schema_version": SCHEMA_VERSION,
                "job_id": execution.name.parse::<Uuid>().unwrap_or_else(|_| Uuid::new_v4()),
                "correlation_id": object_event.get("id").and_then(Value::as_str).unwrap_or(&execution.name),
                "attempt": 0,
                "submitted_at": object_event.get("time").cloned().unwrap_or_else(|| json!(Utc::now())),
                "payload": request,
            }),
        };
        let recorded = self
            .ingestion
            .handle_task(&message)
            .await
            .map_err(|error| anyhow::anyhow!("record the upload's failure: {}", error.message))?;
        Ok(json!({
            "upload_id": recorded.get("upload_id"),
            "outcome": if recorded.get("recorded") == Some(&Value::Bool(true)) { "recorded" } else { "already_ended" },
        }))
    }
}

/// Opens the state store and the ingestion stages.
async fn open_reconciler(args: &ReconcilerArgs) -> anyhow::Result<ExecutionReconciler> {
    let url = state_store_url(&args.platform).await?;
    let job_store = PostgresStore::connect(
        &url,
        args.platform.state_store_pool,
        embedding_dimension(&args.platform),
    )
    .await
    .context("open the PostgreSQL state store")?;
    let ingestion = open_ingestion_handlers(&args.platform, &args.ingestion).await?;
    Ok(ExecutionReconciler {
        job_store: Arc::new(job_store),
        ingestion: Arc::new(ingestion),
    })
}

/// Runs the reconciler function until the runtime stops it.
pub fn run_execution_reconciler() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(async move {
        bootstrap::init_tracing("lambda-reconcile-executions");
        let reconciler = reporting_init_error(async {
            let args = ReconcilerArgs::try_parse_from(["reconcile-executions"])?;
            open_reconciler(&args).await
        })
        .await?;
        lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
            let reconciler = reconciler.clone();
            async move {
                reconciler
                    .reconcile(event.payload)
                    .await
                    .map_err(|error| Error::from(format!("{error:#}")))
            }
        }))
        .await
        .map_err(|err| anyhow::anyhow!("lambda runtime stopped: {err}"))
    })
}

/// The S3 `Object Created` event an ingestion execution was started with, if this is one.
fn uploaded_object(execution: &ExecutionDetail) -> Option<Value> {
    let input: Value = serde_json::from_str(execution.input.as_deref()?).ok()?;
    (input.get("source").and_then(Value::as_str) == Some("aws.s3")).then_some(input)
}

fn text_at(value: &Value, pointer: &str) -> anyhow::Result<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("the execution's S3 event has no {pointer}"))
}

fn job_outcome_name(outcome: EndedExecution) -> &'static str {
    match outcome {
        EndedExecution::Recorded => "recorded",
        EndedExecution::AlreadyEnded => "already_ended",
        EndedExecution::NotAFailure => "not_a_failure",
        EndedExecution::UnknownJob => "unknown_job",
    }
}
