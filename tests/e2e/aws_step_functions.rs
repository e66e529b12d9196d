//! The question state machine on moto's executing Step Functions backend: the real
//! `statemachines/question.asl.json` with `sqs:sendMessage.waitForTaskToken` Tasks, the API
//! launching with StartExecution, and the worker processes reporting with SendTaskSuccess.
//!
//! Invariant: this test has a moto server of its own, since moto 5.2.1 runs only one
//! execution per server process (see `infra/README.md`).

use std::time::Duration;

use serde_json::{Value, json};

use crate::analyst_server::{TempDataDir, submit_question, wait_for_job_end};
use crate::aws_moto::{Moto, create_stage_queues, queue_prefix, spawn_api, spawn_workers};
use crate::postgres_datasource::ScratchDatabase;

/// The definition Step Functions runs.
const QUESTION_STATE_MACHINE: &str = include_str!("../../statemachines/question.asl.json");

/// How long the execution may take.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// How long the execution may stay `RUNNING` after the job has ended.
const EXECUTION_END_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn moto_runs_the_question_state_machine_with_task_tokens_from_worker_processes() {
    let moto = Moto::start().await;
    moto.execute_state_machines().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let prefix = queue_prefix();
    let stage_queues = create_stage_queues(&moto, &prefix).await;
    let state_machine_arn = create_question_state_machine(&moto, &prefix, &stage_queues).await;
    let launcher_args = vec![
        "--launcher".to_owned(),
        "step-functions".to_owned(),
        "--state-machine-arn".to_owned(),
        state_machine_arn.clone(),
    ];
    let (_api, base_url, admin_key) =
        spawn_api(&moto, &data_dir.path, &database.url, &launcher_args).await;
    let _workers = spawn_workers(&moto, &data_dir.path, &database.url, &stage_queues).await;

    answer_through_step_functions(&moto, &state_machine_arn, &base_url, &admin_key).await;
}

/// Asks a question of the API at `base_url` and waits until its job succeeded and its execution
/// on `state_machine_arn` left `RUNNING` as `SUCCEEDED`.
pub(crate) async fn answer_through_step_functions(
    moto: &Moto,
    state_machine_arn: &str,
    base_url: &str,
    admin_key: &str,
) {
    let http = reqwest::Client::new();
    let job_id = submit_question(
        &http,
        base_url,
        admin_key,
        "How many restaurants are there?",
        "restaurants",
    )
    .await;
    let job_view = wait_for_job_end(
        &http,
        &format!("{base_url}/v1/questions/{job_id}"),
        admin_key,
        JOB_TIMEOUT,
    )
    .await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    let execution = wait_for_execution_end(moto, &execution_arn(state_machine_arn, &job_id)).await;
    assert_eq!(execution["status"], "SUCCEEDED", "execution: {execution}");
}

/// The execution once it has left `RUNNING`: the job is marked succeeded by the last worker
/// before its SendTaskSuccess reaches moto, whose execution thread then takes its own time.
pub(crate) async fn wait_for_execution_end(moto: &Moto, execution_arn: &str) -> Value {
    let deadline = tokio::time::Instant::now() + EXECUTION_END_TIMEOUT;
    loop {
        let execution = moto
            .call(
                "states",
                "AWSStepFunctions.DescribeExecution",
                json!({ "executionArn": execution_arn }),
            )
            .await;
        if execution["status"] != "RUNNING" || tokio::time::Instant::now() >= deadline {
            return execution;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(crate) async fn create_question_state_machine(
    moto: &Moto,
    prefix: &str,
    stage_queues: &[(String, String)],
) -> String {
    let mut definition = QUESTION_STATE_MACHINE.to_owned();
    for (stage, queue_url) in stage_queues {
        let placeholder: String = stage
            .split('_')
            .map(|word| word[..1].to_uppercase() + &word[1..])
            .collect();
        definition = definition.replace(&format!("${{{placeholder}QueueUrl}}"), queue_url);
    }
    let created = moto
        .call(
            "states",
            "AWSStepFunctions.CreateStateMachine",
            json!({
                "name": format!("{prefix}-question"),
                "definition": definition,
                "roleArn": "arn:aws:iam::123456789012:role/analyst-question-state-machine",
            }),
        )
        .await;
    created["stateMachineArn"].as_str().unwrap().to_owned()
}

pub(crate) fn execution_arn(state_machine_arn: &str, job_id: &str) -> String {
    format!(
        "{}:{job_id}",
        state_machine_arn.replace(":stateMachine:", ":execution:")
    )
}
