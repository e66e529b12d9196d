//! [`StageConsumer`]: the long-running SQS consumer of one or more stage queues (ECS/EC2), and
//! [`process_task_message`], the per-message step it shares with the Lambda entry points.
//!
//! Invariant: a message is deleted only after its outcome was reported (or the orchestrator no
//! longer waits for it, which the heartbeat sent on receipt finds out before the stage runs);
//! an unreadable message is never deleted, so the queue's redrive policy moves it to the
//! dead-letter queue.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use contracts::envelope::TaskMessage;
use contracts::error::{ErrorKind, StageFailure};
use ports::task_handler::TaskHandler;
use serde_json::Value;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::task_report::{ReportError, TaskReporter};

/// Tunables of a consumer.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// Messages handled at once.
    pub concurrency: usize,
    /// Long-poll wait of one ReceiveMessage call, in seconds (0 to 20).
    pub wait_time_seconds: i32,
    /// Seconds a received message stays invisible; longer than the longest stage timeout.
    pub visibility_timeout_seconds: i32,
    /// Interval between heartbeats of a running task (the first is sent on receipt); shorter
    /// than the smallest `HeartbeatSeconds` of the state machines (90 s).
    pub heartbeat_interval: Duration,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        ConsumerSettings {
            concurrency: 8,
            wait_time_seconds: 20,
            visibility_timeout_seconds: 300,
            heartbeat_interval: Duration::from_secs(20),
        }
    }
}

/// Consumes one stage queue until shut down.
pub struct StageConsumer {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    handlers: Arc<dyn TaskHandler>,
    reporter: TaskReporter,
    settings: ConsumerSettings,
}

impl StageConsumer {
    /// A consumer of `queue_url` running messages through `handlers`.
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        queue_url: String,
        handlers: Arc<dyn TaskHandler>,
        reporter: TaskReporter,
        settings: ConsumerSettings,
    ) -> Self {
        StageConsumer {
            sqs,
            queue_url,
            handlers,
            reporter,
            settings,
        }
    }

    /// Receives and handles messages until `shutdown` completes, then waits for the messages
    /// in flight.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let concurrency = self.settings.concurrency.max(1);
        let permits = Arc::new(Semaphore::new(concurrency));
        tokio::pin!(shutdown);
        loop {
            let n_free = permits.available_permits().clamp(1, 10) as i32;
            let received = tokio::select! {
                () = &mut shutdown => break,
                received = self
                    .sqs
                    .receive_message()
                    .queue_url(&self.queue_url)
                    .max_number_of_messages(n_free)
                    .wait_time_seconds(self.settings.wait_time_seconds)
                    .visibility_timeout(self.settings.visibility_timeout_seconds)
                    .send() => received,
            };
            let messages = match received {
                Ok(output) => output.messages.unwrap_or_default(),
                Err(sdk_error) => {
                    let sdk_error = sdk_error.into_service_error();
                    tracing::warn!(queue_url = %self.queue_url, error.message = %sdk_error, "receive failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            for message in messages {
                let permit = permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let sqs = self.sqs.clone();
                let queue_url = self.queue_url.clone();
                let handlers = self.handlers.clone();
                let reporter = self.reporter.clone();
                let heartbeat_interval = self.settings.heartbeat_interval;
                tokio::spawn(async move {
                    let body = message.body.unwrap_or_default();
                    let processed = process_task_message(
                        handlers.as_ref(),
                        &reporter,
                        &body,
                        heartbeat_interval,
                    )
                    .await;
                    match (processed, message.receipt_handle) {
                        (Ok(()), Some(receipt_handle)) => {
                            if let Err(sdk_error) = sqs
                                .delete_message()
                                .queue_url(&queue_url)
                                .receipt_handle(receipt_handle)
                                .send()
                                .await
                            {
                                let sdk_error = sdk_error.into_service_error();
                                tracing::warn!(message_id = ?message.message_id, error.message = %sdk_error, "could not delete a handled message");
                            }
                        }
                        (Ok(()), None) => {}
                        (Err(report_error), _) => {
                            tracing::warn!(message_id = ?message.message_id, error.message = %report_error, "message left for redelivery");
                        }
                    }
                    drop(permit);
                });
            }
        }
        let _all = permits
            .acquire_many(concurrency as u32)
            .await
            .expect("the semaphore is never closed");
    }
}

/// Decodes one queue message, sends a heartbeat at once, runs its stage through `handlers`
/// while sending heartbeats every `heartbeat_interval`, and reports the outcome. When the
/// first heartbeat finds the token gone (the Task timed out while the message waited, or the
/// execution ended), the stage is not run and the message counts as handled. `Err` means the
/// message must be delivered again (or, when it keeps failing, land in the dead-letter queue).
pub async fn process_task_message(
    handlers: &dyn TaskHandler,
    reporter: &TaskReporter,
    body: &str,
    heartbeat_interval: Duration,
) -> Result<(), ReportError> {
    let task_message: TaskMessage = match serde_json::from_str(body) {
        Ok(task_message) => task_message,
        Err(parse_error) => return report_unreadable(reporter, body, &parse_error).await,
    };
    let span = tracing::info_span!(
        "task",
        stage = %task_message.stage,
        job_id = task_message.envelope.get("job_id").and_then(serde_json::Value::as_str).unwrap_or_default()
    );
    match reporter.heartbeat(&task_message.task_token).await {
        Ok(()) => {}
        Err(ReportError::TokenGone(reason)) => {
            tracing::warn!(stage = %task_message.stage, reason = %reason, "the orchestrator stopped waiting for this task before it ran; dropped");
            return Ok(());
        }
        Err(report_error) => {
            tracing::warn!(stage = %task_message.stage, error.message = %report_error, "heartbeat on receipt failed");
        }
    }
    let run = handlers.handle_task(&task_message).instrument(span);
    tokio::pin!(run);
    let mut heartbeats = tokio::time::interval(heartbeat_interval);
    // The first tick is immediate; the heartbeat on receipt has just been sent.
    heartbeats.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = heartbeats.tick() => {
                if let Err(report_error) = reporter.heartbeat(&task_message.task_token).await {
                    tracing::warn!(stage = %task_message.stage, error.message = %report_error, "heartbeat failed");
                }
            }
        }
    };

    let reported = match &result {
        Ok(output) => reporter.success(&task_message.task_token, output).await,
        Err(step_error) => {
            let failure = step_error.to_stage_failure(&task_message.stage);
            reporter.failure(&task_message.task_token, &failure).await
        }
    };
    match reported {
        Err(ReportError::TokenGone(reason)) => {
            tracing::warn!(stage = %task_message.stage, reason = %reason, "the orchestrator stopped waiting for this task");
            Ok(())
        }
        other => other,
    }
}

/// A message that is not a `TaskMessage`: reported as invalid input when it still names a task
/// token, otherwise left for the dead-letter queue.
async fn report_unreadable(
    reporter: &TaskReporter,
    body: &str,
    parse_error: &serde_json::Error,
) -> Result<(), ReportError> {
    let task_token = serde_json::from_str::<Value>(body).ok().and_then(|value| {
        value
            .get("task_token")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    match task_token {
        Some(task_token) => {
            let failure = StageFailure {
                kind: ErrorKind::InvalidInput,
                stage: None,
                message: format!("unreadable task message: {parse_error}"),
            };
            reporter.failure(&task_token, &failure).await
        }
        None => Err(ReportError::Undelivered(format!(
            "unreadable message without a task token: {parse_error}"
        ))),
    }
}
