//! The event Step Functions puts on EventBridge when an execution's status changes
//! (`source` `aws.states`, `detail-type` `Step Functions Execution Status Change`). Its `detail`
//! carries what `DescribeExecution` returns; `input` is left out when input and output together
//! exceed EventBridge's 248 KB.
//!
//! Invariant: only the fields the reconciler reads are typed; others are ignored.

use serde::{Deserialize, Serialize};

/// `detail-type` of the event.
pub const EXECUTION_STATUS_CHANGE: &str = "Step Functions Execution Status Change";

/// One status change event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionStatusChange {
    /// Always [`EXECUTION_STATUS_CHANGE`].
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// Always `aws.states`.
    pub source: String,
    /// The execution.
    pub detail: ExecutionDetail,
}

/// The execution whose status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDetail {
    /// `arn:aws:states:<region>:<account>:execution:<state machine>:<name>`.
    pub execution_arn: String,
    /// The state machine it ran.
    pub state_machine_arn: String,
    /// Execution name: the job id for question executions.
    pub name: String,
    /// Status at the time of the event.
    pub status: ExecutionStatus,
    /// The execution input as JSON text, when EventBridge's size limit let it through.
    #[serde(default)]
    pub input: Option<String>,
    /// Error name of a failed, timed-out or aborted execution.
    #[serde(default)]
    pub error: Option<String>,
    /// Cause text of that error.
    #[serde(default)]
    pub cause: Option<String>,
}

/// Status of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Started or redriven.
    Running,
    /// Ended with output.
    Succeeded,
    /// Ended with an error no Catch took.
    Failed,
    /// Ran past its `TimeoutSeconds`.
    TimedOut,
    /// Stopped by `StopExecution`.
    Aborted,
    /// Failed and waiting to be redriven.
    PendingRedrive,
}

impl ExecutionStatus {
    /// `true` for an execution that ended without succeeding.
    pub fn ended_unsuccessfully(self) -> bool {
        matches!(
            self,
            ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Aborted
        )
    }

    /// The name AWS uses, e.g. `TIMED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Running => "RUNNING",
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
            ExecutionStatus::PendingRedrive => "PENDING_REDRIVE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event as the examples of the Step Functions Developer Guide ("EventBridge for Step
    /// Functions execution status changes") show it, with the status of a timed-out execution.
    const DOCUMENTED_TIMED_OUT: &str = r#"{
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "012345678912",
        "time": "2019-02-26T19:42:21Z",
        "region": "us-east-1",
        "resources": ["arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name"],
        "detail": {
            "executionArn": "arn:aws:states:us-east-1:012345678912:execution:state-machine-name:execution-name",
            "stateMachineArn": "arn:aws:states:us-east-1:012345678912:stateMachine:state-machine",
            "name": "execution-name",
            "status": "TIMED_OUT",
            "startDate": 1551225014968,
            "stopDate": 1551225017576,
            "input": "{}",
            "inputDetails": {"included": true},
            "output": null,
            "outputDetails": null
        }
    }"#;

    #[test]
    fn the_documented_timed_out_event_reads_as_an_unsuccessful_end() {
        let event: ExecutionStatusChange = serde_json::from_str(DOCUMENTED_TIMED_OUT).unwrap();
        assert_eq!(event.detail_type, EXECUTION_STATUS_CHANGE);
        assert_eq!(event.detail.status, ExecutionStatus::TimedOut);
        assert!(event.detail.status.ended_unsuccessfully());
        assert_eq!(event.detail.name, "execution-name");
        assert_eq!(event.detail.input.as_deref(), Some("{}"));
        assert_eq!(event.detail.error, None);
    }

    #[test]
    fn only_failed_timed_out_and_aborted_are_unsuccessful_ends() {
        let unsuccessful: Vec<&str> = [
            ExecutionStatus::Running,
            ExecutionStatus::Succeeded,
            ExecutionStatus::Failed,
            ExecutionStatus::TimedOut,
            ExecutionStatus::Aborted,
            ExecutionStatus::PendingRedrive,
        ]
        .into_iter()
        .filter(|status| status.ended_unsuccessfully())
        .map(ExecutionStatus::as_str)
        .collect();
        assert_eq!(unsuccessful, ["FAILED", "TIMED_OUT", "ABORTED"]);
    }
}
