//! The AWS side of the platform: Step Functions launches, SQS stage consumers that report with
//! the task-token pattern, and an SQS transport for the local ASL interpreter (the emulator
//! path, see `infra/README.md`).
//!
//! Invariant: a stage message is run only through a `ports::task_handler::TaskHandler`
//! (`pipeline::StageHandlers`, the same dispatch code as local mode, or the ingestion
//! handlers); this crate never calls a worker directly.

mod aws_clients;
mod execution_input;
mod report_limits;
mod sqs_pipeline;
mod sqs_task_transport;
mod stage_consumer;
mod step_functions_launcher;
mod task_report;

pub use aws_clients::{AwsClients, AwsSettings};
pub use report_limits::{MAX_CAUSE_BYTES, MAX_ERROR_CHARS, MAX_OUTPUT_BYTES};
pub use sqs_pipeline::{SqsPipeline, queue_url_placeholder, stage_placeholders};
pub use stage_consumer::{ConsumerSettings, StageConsumer, process_task_message};
pub use step_functions_launcher::StepFunctionsLauncher;
pub use task_report::{REPLY_TOKEN_PREFIX, ReportError, TaskReporter};
