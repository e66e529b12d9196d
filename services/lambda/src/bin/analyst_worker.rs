//! `analyst-worker --stage <name>=<queue url>`: a long-running SQS consumer of one or more
//! stage queues (question stages and ingestion stages) for ECS or EC2, reporting to Step
//! Functions (or to the reply queue named by an interpreter-issued token).

use std::sync::Arc;
use std::time::Duration;

use adapter_aws::{AwsClients, AwsSettings, ConsumerSettings, StageConsumer, TaskReporter};
use anyhow::Context;
use clap::Parser;
use lambda::{
    EmbedderUse, IngestionArgs, PlatformArgs, StageQueue, open_ingestion_handlers, open_platform,
    shutdown_signal,
};
use pipeline::StageHandlers;
use ports::task_handler::TaskHandler;
use tokio::sync::watch;

/// Consumes stage queues until SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "analyst-worker")]
struct WorkerArgs {
    #[command(flatten)]
    platform: PlatformArgs,
    #[command(flatten)]
    ingestion: IngestionArgs,
    /// Stages to consume, `stage=queue-url`; repeat for several stages in one process.
    #[arg(
        long = "stage",
        env = "ANALYST_WORKER_STAGES",
        value_delimiter = ',',
        required = true
    )]
    stages: Vec<StageQueue>,
    /// Messages handled at once per stage.
    #[arg(long, env = "ANALYST_WORKER_CONCURRENCY", default_value_t = 8)]
    concurrency: usize,
    /// Long-poll wait of one receive, in seconds.
    #[arg(long, env = "ANALYST_WORKER_WAIT_SECONDS", default_value_t = 20)]
    wait_seconds: i32,
    /// Seconds between heartbeats of a running task.
    #[arg(long, env = "ANALYST_WORKER_HEARTBEAT_SECONDS", default_value_t = 20)]
    heartbeat_seconds: u64,
    /// Seconds a received message stays invisible to other consumers; longer than the longest
    /// stage. A message not deleted by then is delivered again, and after the queue's
    /// `maxReceiveCount` deliveries it moves to the dead-letter queue.
    #[arg(long, env = "ANALYST_WORKER_VISIBILITY_SECONDS", default_value_t = 300)]
    visibility_seconds: i32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bootstrap::init_tracing("analyst-worker");
    let args = WorkerArgs::parse();
    let is_ingestion_stage = |stage_queue: &StageQueue| {
        ingest_aws::INGESTION_STAGES.contains(&stage_queue.stage.as_str())
    };
    let question_handlers: Option<Arc<dyn TaskHandler>> = if args
        .stages
        .iter()
        .any(|stage_queue| !is_ingestion_stage(stage_queue))
    {
        let embedder_use = EmbedderUse::of_stages(
            args.stages
                .iter()
                .map(|stage_queue| stage_queue.stage.as_str()),
        );
        let platform = open_platform(&args.platform, embedder_use)
            .await
            .context("open the platform")?;
        Some(Arc::new(StageHandlers::new(&platform.stage_deps)))
    } else {
        None
    };
    let ingestion_handlers: Option<Arc<dyn TaskHandler>> =
        if args.stages.iter().any(is_ingestion_stage) {
            let handlers = open_ingestion_handlers(&args.platform, &args.ingestion)
                .await
                .context("open the ingestion stages")?;
            Some(Arc::new(handlers))
        } else {
            None
        };
    let clients = AwsClients::connect(&AwsSettings {
        region: args.platform.aws_region.clone(),
        endpoint_url: args.platform.aws_endpoint_url.clone(),
    })
    .await;
    let reporter = TaskReporter::new(clients.sfn.clone(), clients.sqs.clone());
    let settings = ConsumerSettings {
        concurrency: args.concurrency,
        wait_time_seconds: args.wait_seconds,
        heartbeat_interval: Duration::from_secs(args.heartbeat_seconds.max(1)),
        visibility_timeout_seconds: args.visibility_seconds.max(1),
    };

    let (stop_sender, stop_receiver) = watch::channel(false);
    let mut consumers = Vec::new();
    for stage_queue in &args.stages {
        let handlers = if is_ingestion_stage(stage_queue) {
            ingestion_handlers.clone()
        } else {
            question_handlers.clone()
        }
        .expect("handlers are opened for every stage consumed");
        let consumer = StageConsumer::new(
            clients.sqs.clone(),
            stage_queue.queue_url.clone(),
            handlers,
            reporter.clone(),
            settings.clone(),
        );
        let mut stop = stop_receiver.clone();
        consumers.push(tokio::spawn(consumer.run(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })));
        tracing::info!(stage = %stage_queue.stage, queue_url = %stage_queue.queue_url, "consuming");
    }
    #[allow(clippy::print_stdout)]
    {
        println!("worker ready");
    }
    shutdown_signal().await;
    let _ = stop_sender.send(true);
    for consumer in consumers {
        consumer.await.context("join a consumer")?;
    }
    Ok(())
}
