//! The input document of one question execution, the same for Step Functions and the
//! interpreter.
//!
//! Invariant: the field names match those `statemachines/question.asl.json` reads and those
//! `pipeline`'s local runner writes.

use contracts::envelope::JobEnvelope;
use contracts::stages::ClassifyRequest;
use serde_json::{Value, json};

/// The execution input of a job.
pub(crate) fn execution_input(
    envelope: &JobEnvelope<ClassifyRequest>,
    max_sql_attempts: u32,
) -> Value {
    json!({
        "job_id": envelope.job_id,
        "correlation_id": envelope.correlation_id,
        "submitted_at": envelope.submitted_at,
        "question": envelope.payload.question,
        "datasource": envelope.payload.datasource,
        "conversation_id": envelope.payload.conversation_id,
        "provided_sql": envelope.payload.provided_sql,
        "max_sql_attempts": max_sql_attempts,
    })
}
