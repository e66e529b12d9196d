//! [`TaskReporter`]: how a worker reports a task's outcome: SendTaskSuccess / SendTaskFailure /
//! SendTaskHeartbeat on Step Functions, or, for tokens the interpreter's SQS transport issued,
//! a reply message on the reply queue the token names.
//!
//! Invariant: a failure is reported with the error name of its `ErrorKind` (`Transient`,
//! `InvalidInput`, `Fatal`), the names the state machine's Retry and Catch match on; no report
//! exceeds the limits of the Step Functions calls (`report_limits`).

use contracts::error::StageFailure;
use serde_json::{Value, json};

use crate::report_limits::{bounded_cause, bounded_error, oversized_output_failure};

/// Prefix of tokens issued by the interpreter's SQS transport: `sqs-reply|<queue url>|<id>`.
pub const REPLY_TOKEN_PREFIX: &str = "sqs-reply|";

/// A report could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The orchestrator no longer waits for this token (timed out, or the execution ended);
    /// reporting again cannot help.
    #[error("the task token is no longer valid: {0}")]
    TokenGone(String),
    /// The report did not arrive; the message should be delivered again.
    #[error("the report was not delivered: {0}")]
    Undelivered(String),
}

/// Delivers task outcomes.
#[derive(Debug, Clone)]
pub struct TaskReporter {
    sfn: aws_sdk_sfn::Client,
    sqs: aws_sdk_sqs::Client,
}

impl TaskReporter {
    /// A reporter over these clients.
    pub fn new(sfn: aws_sdk_sfn::Client, sqs: aws_sdk_sqs::Client) -> Self {
        TaskReporter { sfn, sqs }
    }

    /// Reports the stage's result; an output over `MAX_OUTPUT_BYTES`, which cannot be cut and
    /// stay JSON, is reported as a `Fatal` failure that gives its size instead.
    pub async fn success(&self, task_token: &str, output: &Value) -> Result<(), ReportError> {
        let output_json = output.to_string();
        if let Some(failure) = oversized_output_failure(output_json.len()) {
            return self.failure(task_token, &failure).await;
        }
        if let Some((reply_queue_url, _)) = reply_queue_of(task_token) {
            let reply = json!({ "task_token": task_token, "output": output });
            return self.send_reply(reply_queue_url, &reply).await;
        }
        self.sfn
            .send_task_success()
            .task_token(task_token)
            .output(output_json)
            .send()
            .await
            .map(|_| ())
            .map_err(|sdk_error| classify_sfn_error(sdk_error.into_service_error()))
    }

    /// Reports a failure named after its kind, with the recorded failure as the cause (its
    /// message cut to fit `MAX_CAUSE_BYTES`).
    pub async fn failure(
        &self,
        task_token: &str,
        failure: &StageFailure,
    ) -> Result<(), ReportError> {
        let error_name = bounded_error(failure.kind.as_str());
        let cause = bounded_cause(failure);
        if let Some((reply_queue_url, _)) = reply_queue_of(task_token) {
            let reply = json!({ "task_token": task_token, "error": error_name, "cause": cause });
            return self.send_reply(reply_queue_url, &reply).await;
        }
        self.sfn
            .send_task_failure()
            .task_token(task_token)
            .error(error_name)
            .cause(cause)
            .send()
            .await
            .map(|_| ())
            .map_err(|sdk_error| classify_sfn_error(sdk_error.into_service_error()))
    }

    /// Tells the orchestrator the task is still running (reply-queue tokens need no heartbeat).
    pub async fn heartbeat(&self, task_token: &str) -> Result<(), ReportError> {
        if reply_queue_of(task_token).is_some() {
            return Ok(());
        }
        self.sfn
            .send_task_heartbeat()
            .task_token(task_token)
            .send()
            .await
            .map(|_| ())
            .map_err(|sdk_error| classify_sfn_error(sdk_error.into_service_error()))
    }

    async fn send_reply(&self, reply_queue_url: &str, reply: &Value) -> Result<(), ReportError> {
        self.sqs
            .send_message()
            .queue_url(reply_queue_url)
            .message_body(reply.to_string())
            .send()
            .await
            .map(|_| ())
            .map_err(|sdk_error| {
                ReportError::Undelivered(format!("{}", sdk_error.into_service_error()))
            })
    }
}

/// The reply queue URL and request id of an interpreter-issued token.
pub(crate) fn reply_queue_of(task_token: &str) -> Option<(&str, &str)> {
    task_token
        .strip_prefix(REPLY_TOKEN_PREFIX)
        .and_then(|rest| rest.rsplit_once('|'))
}

fn classify_sfn_error<E>(service_error: E) -> ReportError
where
    E: std::error::Error + aws_sdk_sfn::error::ProvideErrorMetadata,
{
    match service_error.code() {
        Some("TaskTimedOut" | "TaskDoesNotExist" | "InvalidToken") => {
            ReportError::TokenGone(service_error.to_string())
        }
        _ => ReportError::Undelivered(format!("{service_error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_token_names_its_queue_and_request() {
        let token = format!("{REPLY_TOKEN_PREFIX}http://127.0.0.1:5000/123/replies|abc");

        let parsed = reply_queue_of(&token);

        assert_eq!(parsed, Some(("http://127.0.0.1:5000/123/replies", "abc")));
    }

    #[test]
    fn a_step_functions_token_is_not_a_reply_token() {
        assert_eq!(reply_queue_of("AAAAKgAAAAIAAAAA"), None);
    }
}
