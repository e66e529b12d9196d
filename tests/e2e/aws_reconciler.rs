//! The reconciler of ended executions under a real Lambda runtime loop: a question execution on
//! moto's executing Step Functions is stopped by hand while its job waits for the first stage;
//! the status change event EventBridge would deliver (its `detail` is what DescribeExecution
//! returns) is handed to `lambda-reconcile-executions`, which fails the job so it no longer
//! shows `queued` for ever; the same event again changes nothing.
//!
//! Invariant: this test has a moto server of its own (one execution per moto process).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::analyst_server::{TempDataDir, submit_question, wait_for_job_end};
use crate::aws_moto::{Moto, REGION, create_stage_queues, platform_args, queue_prefix, spawn_api};
use crate::aws_step_functions::{create_question_state_machine, execution_arn};
use crate::iam_audit::MOTO_ACCOUNT;
use crate::lambda_runtime_api::spawn_stage_function;
use crate::postgres_datasource::ScratchDatabase;
use crate::scripted_runtime_api::{RuntimeApiCall, ScriptedRuntimeApi};

/// How long the reconciler may take to start (PostgreSQL migrations).
const COLD_START_TIMEOUT: Duration = Duration::from_secs(180);

/// How long a stopped execution may take to leave `RUNNING` on a loaded machine.
const STOP_TIMEOUT: Duration = Duration::from_secs(120);

/// How long one invocation may take.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_question_execution_stopped_by_hand_fails_its_job_through_the_reconciler() {
    let moto = Moto::start().await;
    moto.execute_state_machines().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let prefix = queue_prefix();
    let stage_queues = create_stage_queues(&moto, &prefix).await;
    let state_machine_arn = create_question_state_machine(&moto, &prefix, &stage_queues).await;
    let launcher_args = [
        "--launcher",
        "step-functions",
        "--state-machine-arn",
        &state_machine_arn,
    ]
    .map(str::to_owned);
    let (_api, base_url, admin_key) =
        spawn_api(&moto, &data_dir.path, &database.url, &launcher_args).await;
    let http = reqwest::Client::new();
    let job_id = submit_question(
        &http,
        &base_url,
        &admin_key,
        "How many restaurants are there?",
        "restaurants",
    )
    .await;
    let execution_arn = execution_arn(&state_machine_arn, &job_id);
    wait_until_running(&moto, &execution_arn).await;

    let execution = stop_execution(&moto, &execution_arn).await;
    // moto 5.2.1 ends a stopped execution ABORTED, or at times FAILED with its own
    // `States.Runtime` from the interrupted Task: either is an end no Catch recorded.
    let ended_as = match execution["status"].as_str() {
        Some("ABORTED") => "was stopped",
        Some("FAILED") => "failed",
        _ => panic!("the stopped execution ended unsuccessfully: {execution}"),
    };
    let event = status_change_event(&execution);

    let mut runtime_api = ScriptedRuntimeApi::start(&format!(
        "arn:aws:lambda:{REGION}:{MOTO_ACCOUNT}:function:analyst-reconcile-executions"
    ))
    .await;
    let mut function = spawn_stage_function(
        "lambda-reconcile-executions",
        runtime_api.address,
        &platform_args(&moto, &data_dir.path, &database.url),
    );
    let first_call = runtime_api
        .next_call(&mut function, COLD_START_TIMEOUT)
        .await;
    assert!(
        matches!(first_call, RuntimeApiCall::NextInvocationRequested),
        "after its cold start the reconciler asks for an event: {first_call:?}"
    );
    runtime_api.hand_out(event.clone());
    let first = runtime_api
        .next_response(&mut function, INVOCATION_TIMEOUT)
        .await;
    runtime_api.hand_out(event);
    let again = runtime_api
        .next_response(&mut function, INVOCATION_TIMEOUT)
        .await;

    assert_eq!(first, json!({ "job_id": job_id, "outcome": "recorded" }));
    assert_eq!(
        again,
        json!({ "job_id": job_id, "outcome": "already_ended" })
    );
    let job_view = wait_for_job_end(
        &http,
        &format!("{base_url}/v1/questions/{job_id}"),
        &admin_key,
        INVOCATION_TIMEOUT,
    )
    .await;
    assert_eq!(job_view["status"], "failed", "job: {job_view}");
    let message = job_view["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!(
            "the question's execution {ended_as} before the job ended"
        )),
        "job: {job_view}"
    );
}

/// Stops the execution as an operator would and returns it once it has left `RUNNING`. moto's
/// executing backend answers 500 while the execution's thread is between states, and on a
/// loaded machine its thread may take a while to stop, so the call is repeated until the
/// execution has ended.
async fn stop_execution(moto: &Moto, execution_arn: &str) -> Value {
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        let (status, reply) = moto
            .try_call(
                "states",
                "AWSStepFunctions.StopExecution",
                json!({ "executionArn": execution_arn, "error": "Operator", "cause": "stopped by hand" }),
            )
            .await;
        let (_, execution) = moto
            .try_call(
                "states",
                "AWSStepFunctions.DescribeExecution",
                json!({ "executionArn": execution_arn }),
            )
            .await;
        if execution["status"]
            .as_str()
            .is_some_and(|ended| ended != "RUNNING")
        {
            return execution;
        }
        assert!(
            Instant::now() < deadline,
            "the execution did not stop: StopExecution {status} {reply}; {execution}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Waits for moto to show the execution (started by the API) as `RUNNING`.
async fn wait_until_running(moto: &Moto, execution_arn: &str) {
    let deadline = Instant::now() + INVOCATION_TIMEOUT;
    loop {
        let (status, execution) = moto
            .try_call(
                "states",
                "AWSStepFunctions.DescribeExecution",
                json!({ "executionArn": execution_arn }),
            )
            .await;
        if status.is_success() && execution["status"] == "RUNNING" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "execution never ran: {execution}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The EventBridge event of `execution`'s status change, as Step Functions sends it.
fn status_change_event(execution: &Value) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": MOTO_ACCOUNT,
        "time": "2026-12-02T10:00:00Z",
        "region": REGION,
        "resources": [execution["executionArn"]],
        "detail": execution,
    })
}
