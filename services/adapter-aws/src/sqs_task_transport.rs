//! [`SqsTaskTransport`]: the interpreter's Task transport over real SQS queues. Each Task sends
//! its `TaskMessage` to the stage queue with a reply token, and the worker's report comes back
//! on the reply queue the token names; this stands in for Step Functions where the emulator
//! cannot run executions (see `infra/README.md`).
//!
//! Invariant: a waiting Task is woken only by the reply carrying its own token; replies for
//! tasks nobody waits for any more are dropped from the reply queue.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use contracts::error::{ErrorKind, StageFailure};
use pipeline::asl::interpreter::{TaskError, TaskHandler};
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::task_report::REPLY_TOKEN_PREFIX;

/// Resource of every Task state: send to a queue and wait for the worker's report.
const SEND_AND_WAIT_RESOURCE: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

type PendingTasks = Arc<Mutex<HashMap<String, oneshot::Sender<Result<Value, TaskError>>>>>;

/// Sends Task messages to SQS and waits for the replies.
pub(crate) struct SqsTaskTransport {
    sqs: aws_sdk_sqs::Client,
    reply_queue_url: String,
    pending: PendingTasks,
}

impl SqsTaskTransport {
    /// A transport replying on `reply_queue_url`; starts the reply listener.
    pub(crate) fn start(sqs: aws_sdk_sqs::Client, reply_queue_url: String) -> Self {
        let pending = PendingTasks::default();
        tokio::spawn(listen_for_replies(
            sqs.clone(),
            reply_queue_url.clone(),
            pending.clone(),
        ));
        SqsTaskTransport {
            sqs,
            reply_queue_url,
            pending,
        }
    }
}

/// Removes a task's waiter when its Task ends in any way, timeouts included.
struct PendingGuard {
    pending: PendingTasks,
    task_token: String,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.pending
            .lock()
            .expect("the pending map is never poisoned")
            .remove(&self.task_token);
    }
}

#[async_trait]
impl TaskHandler for SqsTaskTransport {
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
            .ok_or_else(|| task_error(ErrorKind::Fatal, "Task has no QueueUrl".to_owned()))?
            .to_owned();
        let mut message_body = parameters
            .get("MessageBody")
            .cloned()
            .filter(Value::is_object)
            .ok_or_else(|| task_error(ErrorKind::Fatal, "Task has no MessageBody".to_owned()))?;
        let task_token = format!(
            "{REPLY_TOKEN_PREFIX}{}|{}",
            self.reply_queue_url,
            Uuid::new_v4()
        );
        message_body["task_token"] = Value::String(task_token.clone());

        let (reply_sender, reply_receiver) = oneshot::channel();
        self.pending
            .lock()
            .expect("the pending map is never poisoned")
            .insert(task_token.clone(), reply_sender);
        let _guard = PendingGuard {
            pending: self.pending.clone(),
            task_token,
        };
        self.sqs
            .send_message()
            .queue_url(&queue_url)
            .message_body(message_body.to_string())
            .send()
            .await
            .map_err(|sdk_error| {
                task_error(
                    ErrorKind::Transient,
                    format!(
                        "could not send to {queue_url}: {}",
                        sdk_error.into_service_error()
                    ),
                )
            })?;
        reply_receiver.await.unwrap_or_else(|_| {
            Err(task_error(
                ErrorKind::Transient,
                "the reply listener stopped".to_owned(),
            ))
        })
    }
}

/// Receives replies forever and wakes the Task each one belongs to.
async fn listen_for_replies(
    sqs: aws_sdk_sqs::Client,
    reply_queue_url: String,
    pending: PendingTasks,
) {
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&reply_queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await;
        let messages = match received {
            Ok(output) => output.messages.unwrap_or_default(),
            Err(sdk_error) => {
                let sdk_error = sdk_error.into_service_error();
                tracing::warn!(error.message = %sdk_error, "receiving replies failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let mut receipt_handles = Vec::new();
        for message in messages {
            if let Some((task_token, outcome)) = message.body.as_deref().and_then(parse_reply) {
                let waiter = pending
                    .lock()
                    .expect("the pending map is never poisoned")
                    .remove(&task_token);
                match waiter {
                    Some(waiter) => {
                        let _ = waiter.send(outcome);
                    }
                    None => tracing::warn!("dropping a reply nobody waits for"),
                }
            } else {
                tracing::warn!(message_id = ?message.message_id, "dropping an unreadable reply");
            }
            receipt_handles.extend(message.receipt_handle);
        }
        for receipt_handle in receipt_handles {
            if let Err(sdk_error) = sqs
                .delete_message()
                .queue_url(&reply_queue_url)
                .receipt_handle(receipt_handle)
                .send()
                .await
            {
                let sdk_error = sdk_error.into_service_error();
                tracing::warn!(error.message = %sdk_error, "could not delete a reply");
            }
        }
    }
}

/// A reply: `{task_token, output}` or `{task_token, error, cause}`.
fn parse_reply(body: &str) -> Option<(String, Result<Value, TaskError>)> {
    let reply: Value = serde_json::from_str(body).ok()?;
    let task_token = reply.get("task_token")?.as_str()?.to_owned();
    let outcome = match reply.get("error").and_then(Value::as_str) {
        Some(error) => Err(TaskError {
            error: error.to_owned(),
            cause: reply
                .get("cause")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        }),
        None => Ok(reply.get("output").cloned().unwrap_or(Value::Null)),
    };
    Some((task_token, outcome))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_reply_keeps_the_error_name_for_retry_routing() {
        let body = r#"{"task_token":"t","error":"Transient","cause":"{}"}"#;

        let (task_token, outcome) = parse_reply(body).unwrap();

        assert_eq!(task_token, "t");
        assert_eq!(outcome.unwrap_err().error, "Transient");
    }

    #[test]
    fn a_success_reply_carries_the_stage_output() {
        let body = r#"{"task_token":"t","output":{"intent":"sql"}}"#;

        let (_, outcome) = parse_reply(body).unwrap();

        assert_eq!(outcome.unwrap(), serde_json::json!({"intent": "sql"}));
    }
}
