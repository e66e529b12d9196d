//! [`StepFunctionsLauncher`]: the API's `JobLauncher` on AWS, one Step Functions execution per
//! job.
//!
//! Invariant: the execution is named after the job id, so a repeated launch of the same job
//! never starts a second execution.

use async_trait::async_trait;
use contracts::envelope::JobEnvelope;
use contracts::stages::ClassifyRequest;
use ports::job_launcher::JobLauncher;
use ports::step_error::StepError;

use crate::execution_input::execution_input;

/// Starts `question.asl.json` executions on Step Functions.
#[derive(Debug, Clone)]
pub struct StepFunctionsLauncher {
    sfn: aws_sdk_sfn::Client,
    state_machine_arn: String,
    max_sql_attempts: u32,
}

impl StepFunctionsLauncher {
    /// A launcher for the state machine `state_machine_arn`.
    pub fn new(sfn: aws_sdk_sfn::Client, state_machine_arn: String, max_sql_attempts: u32) -> Self {
        StepFunctionsLauncher {
            sfn,
            state_machine_arn,
            max_sql_attempts,
        }
    }
}

#[async_trait]
impl JobLauncher for StepFunctionsLauncher {
    async fn launch(&self, envelope: JobEnvelope<ClassifyRequest>) -> Result<(), StepError> {
        let input = execution_input(&envelope, self.max_sql_attempts);
        let started = self
            .sfn
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(envelope.job_id.to_string())
            .input(input.to_string())
            .send()
            .await;
        match started {
            Ok(output) => {
                tracing::info!(job_id = %envelope.job_id, execution_arn = output.execution_arn(), "execution started");
                Ok(())
            }
            Err(sdk_error) => {
                let sdk_error = sdk_error.into_service_error();
                if sdk_error.is_execution_already_exists() {
                    return Ok(());
                }
                tracing::error!(job_id = %envelope.job_id, error.message = %sdk_error, error.chain = ?sdk_error, "could not start the execution");
                Err(StepError::transient("could not start the pipeline"))
            }
        }
    }
}
