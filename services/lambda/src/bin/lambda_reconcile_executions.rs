//! The reconciler of ended executions as a Lambda function invoked by EventBridge with Step
//! Functions' execution status changes.

fn main() -> anyhow::Result<()> {
    lambda::run_execution_reconciler()
}
