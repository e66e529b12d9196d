//! One Lambda function per stage: the SQS event source hands over a batch of task messages,
//! each runs through `pipeline::StageHandlers` (the dispatch code of local mode) and reports to
//! Step Functions; messages whose report could not be delivered are returned as batch item
//! failures, so only they are delivered again.
//!
//! Invariant: one message's failure never makes the batch's other messages run again.

use std::sync::Arc;
use std::time::Duration;

use adapter_aws::{AwsClients, AwsSettings, TaskReporter, process_task_message};
use anyhow::Context;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use clap::Parser;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use pipeline::StageHandlers;
use ports::task_handler::TaskHandler;

use crate::ingestion_wiring::{IngestionArgs, open_ingestion_handlers};
use crate::init_error::reporting_init_error;
use crate::platform_args::PlatformArgs;
use crate::platform_wiring::{EmbedderUse, open_platform};

/// Heartbeat interval of a running task, below the state machine's smallest `HeartbeatSeconds`.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(20);

/// A stage function's settings: environment variables only.
#[derive(Debug, Parser)]
struct StageFunctionArgs {
    #[command(flatten)]
    platform: PlatformArgs,
    #[command(flatten)]
    ingestion: IngestionArgs,
}

/// Runs the Lambda function of `stage` until the runtime stops it.
pub fn run_stage_function(stage: &'static str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(async move {
        bootstrap::init_tracing(&format!("lambda-{stage}"));
        let (args, handlers) = reporting_init_error(async {
            let args = StageFunctionArgs::try_parse_from([stage])?;
            let handlers: Arc<dyn TaskHandler> = if ingest_aws::INGESTION_STAGES.contains(&stage) {
                Arc::new(open_ingestion_handlers(&args.platform, &args.ingestion).await?)
            } else {
                let platform =
                    open_platform(&args.platform, EmbedderUse::of_stages([stage])).await?;
                Arc::new(StageHandlers::new(&platform.stage_deps))
            };
            anyhow::Ok((args, handlers))
        })
        .await?;
        let clients = AwsClients::connect(&AwsSettings {
            region: args.platform.aws_region.clone(),
            endpoint_url: args.platform.aws_endpoint_url.clone(),
        })
        .await;
        let reporter = TaskReporter::new(clients.sfn, clients.sqs);
        lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
            let handlers = handlers.clone();
            let reporter = reporter.clone();
            async move { handle_sqs_event(handlers.as_ref(), &reporter, stage, event.payload).await }
        }))
        .await
        .map_err(|err| anyhow::anyhow!("lambda runtime stopped: {err}"))
    })
}

/// Handles one batch; the returned failures are the messages to deliver again.
async fn handle_sqs_event(
    handlers: &dyn TaskHandler,
    reporter: &TaskReporter,
    stage: &str,
    sqs_event: SqsEvent,
) -> Result<SqsBatchResponse, Error> {
    let mut batch_item_failures = Vec::new();
    for record in sqs_event.records {
        let body = record.body.unwrap_or_default();
        let processed = process_task_message(handlers, reporter, &body, HEARTBEAT_INTERVAL).await;
        if let Err(report_error) = processed {
            tracing::warn!(stage, message_id = ?record.message_id, error.message = %report_error, "message returned to the queue");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.unwrap_or_default();
            batch_item_failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = batch_item_failures;
    Ok(response)
}
