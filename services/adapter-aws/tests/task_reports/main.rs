//! `process_task_message` against a scripted Step Functions endpoint (static test credentials,
//! an endpoint override, no retries): what it sends, in which order, and when it runs the stage.
//!
//! Invariant: each test states the replies it scripts and checks what the server received.

mod heartbeat_on_receipt;
mod report_limits;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use adapter_aws::TaskReporter;
use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sfn::config::{Credentials, SharedCredentialsProvider};
use contracts::envelope::TaskMessage;
use ports::step_error::StepError;
use ports::task_handler::TaskHandler;
use scripted_server::{Reply, ScriptedServer};
use serde_json::{Value, json};

/// Long enough that no periodic heartbeat is sent during a test.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(600);

fn reporter(server: &ScriptedServer) -> TaskReporter {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "static",
        )))
        .endpoint_url(&server.url)
        .retry_config(RetryConfig::disabled())
        .build();
    TaskReporter::new(
        aws_sdk_sfn::Client::new(&config),
        aws_sdk_sqs::Client::new(&config),
    )
}

/// A Step Functions reply of an accepted call.
fn accepted() -> Reply {
    Reply::json(200, json!({}))
}

/// A Step Functions error reply (awsJson1_0).
fn sfn_error(code: &str) -> Reply {
    Reply::json(
        400,
        json!({"__type": format!("com.amazonaws.swf.base.model#{code}"), "message": code}),
    )
}

fn task_message(stage: &str) -> String {
    json!({
        "task_token": "AAAAKgAAAAIAAAAAAAAAAtoken",
        "stage": stage,
        "envelope": {"schema_version": 1, "job_id": "00000000-0000-0000-0000-000000000001"}
    })
    .to_string()
}

/// A stage that answers with a fixed result and counts its runs, noting how many requests
/// the server had received when it started.
struct FixedStage {
    result: Result<Value, StepError>,
    server: Arc<ScriptedServer>,
    n_runs: AtomicUsize,
    requests_before_run: AtomicUsize,
}

impl FixedStage {
    fn new(server: &Arc<ScriptedServer>, result: Result<Value, StepError>) -> Self {
        FixedStage {
            result,
            server: server.clone(),
            n_runs: AtomicUsize::new(0),
            requests_before_run: AtomicUsize::new(usize::MAX),
        }
    }

    fn n_runs(&self) -> usize {
        self.n_runs.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl TaskHandler for FixedStage {
    async fn handle_task(&self, _message: &TaskMessage) -> Result<Value, StepError> {
        self.requests_before_run
            .store(self.server.received().len(), Ordering::SeqCst);
        self.n_runs.fetch_add(1, Ordering::SeqCst);
        self.result.clone()
    }
}
