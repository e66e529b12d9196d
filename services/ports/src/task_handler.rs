//! [`TaskHandler`]: what a queue consumer runs for each task message it receives, so one
//! transport (SQS consumer, Lambda SQS event) serves the question stages and the ingestion
//! stages alike.
//!
//! Invariant: a handler reports through its return value only; it never talks to the
//! orchestrator (task tokens are the transport's business).

use async_trait::async_trait;
use contracts::envelope::TaskMessage;
use serde_json::Value;

use crate::step_error::StepError;

/// Runs the stage a task message names.
#[async_trait]
pub trait TaskHandler: Send + Sync {
    /// Runs `message`'s stage and returns its result as JSON, or a classified error.
    async fn handle_task(&self, message: &TaskMessage) -> Result<Value, StepError>;
}
