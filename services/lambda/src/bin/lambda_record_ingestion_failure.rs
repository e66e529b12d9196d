//! The `record_ingestion_failure` stage of the ingestion state machine as a Lambda function
//! consuming its SQS queue.

fn main() -> anyhow::Result<()> {
    lambda::run_stage_function("record_ingestion_failure")
}
