//! A stage function under a real Lambda runtime loop: the `lambda-cache-lookup` binary polls a
//! scripted Lambda Runtime API served by the test on loopback, receives one SQS event whose
//! batch holds a deliverable task, a task whose reply queue was never created and an unreadable
//! message that still names a task token, and answers with an `SqsBatchResponse` that names
//! only the task whose report could not be delivered. A function whose set-up fails reports
//! the reason as its init error before it exits.
//!
//! Invariant: the function is reached only as on Lambda (Runtime API, SQS on moto, PostgreSQL),
//! and it is killed before the test ends.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{
    AwsProcess, Moto, REGION, aws_binary, create_stage_queues, platform_args, queue_prefix,
    spawn_api, with_test_aws_environment,
};
use crate::postgres_datasource::ScratchDatabase;
use crate::scripted_runtime_api::{RuntimeApiCall, ScriptedRuntimeApi, posted_error};

/// Name the function runs under, as Lambda passes it in `AWS_LAMBDA_FUNCTION_NAME`.
const FUNCTION_NAME: &str = "analyst-cache-lookup";

/// How long the function may take from its start to its first `next` call (cold start:
/// PostgreSQL migrations and the demo databases).
const COLD_START_TIMEOUT: Duration = Duration::from_secs(180);

/// How long one invocation, or one round trip through the queues, may take.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

/// Seconds a message received by the test stays invisible to anyone else.
const VISIBILITY_TIMEOUT_SECONDS: u64 = 600;

#[tokio::test]
async fn a_stage_function_under_the_lambda_runtime_returns_only_the_undeliverable_message() {
    let pipeline = InterpreterPipeline::start().await;
    let deliverable_job_id = pipeline.submit("How many restaurants are there?").await;
    let undeliverable_job_id = pipeline
        .submit("What is the average rating of restaurants?")
        .await;
    let batch =
        ThreeMessageBatch::prepare(&pipeline, &deliverable_job_id, &undeliverable_job_id).await;
    let mut runtime_api = ScriptedRuntimeApi::start(&format!(
        "arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION_NAME}"
    ))
    .await;
    let mut function = spawn_stage_function(
        "lambda-cache-lookup",
        runtime_api.address,
        &pipeline.platform_args(),
    );
    let first_call = runtime_api
        .next_call(&mut function, COLD_START_TIMEOUT)
        .await;
    assert!(
        matches!(first_call, RuntimeApiCall::NextInvocationRequested),
        "after its cold start the function asks for an invocation: {first_call:?}"
    );

    let request_id = runtime_api.hand_out(batch.sqs_event);
    let outcome = runtime_api
        .next_call(&mut function, INVOCATION_TIMEOUT)
        .await;
    let call_after_outcome = runtime_api
        .next_call(&mut function, INVOCATION_TIMEOUT)
        .await;

    let RuntimeApiCall::InvocationResponse {
        request_id: responded_request_id,
        body: sqs_batch_response,
    } = outcome
    else {
        panic!("the invocation ends with a response: {outcome:?}");
    };
    assert_eq!(responded_request_id, request_id);
    assert_eq!(
        sqs_batch_response,
        json!({ "batchItemFailures": [{ "itemIdentifier": batch.undeliverable_message_id }] }),
        "only the task whose report was not delivered goes back to the queue"
    );
    assert!(
        matches!(call_after_outcome, RuntimeApiCall::NextInvocationRequested),
        "the function keeps serving after the invocation: {call_after_outcome:?}"
    );
    let classify_messages = pipeline
        .receive_until(&pipeline.classify_queue_url, |messages| {
            messages
                .iter()
                .any(|message| task_job_id(message) == deliverable_job_id)
        })
        .await;
    assert!(
        classify_messages
            .iter()
            .all(|message| task_job_id(message) != undeliverable_job_id),
        "the job whose report was not delivered did not advance"
    );
    let observed_replies = pipeline
        .receive_until(&pipeline.observed_reply_queue_url, |messages| {
            !messages.is_empty()
        })
        .await;
    let failure_reply = message_body(&observed_replies[0]);
    assert_eq!(failure_reply["task_token"], json!(batch.unreadable_token));
    assert_eq!(
        failure_reply["error"], "InvalidInput",
        "the unreadable message is reported as a task failure, not returned to the queue"
    );
    assert!(
        function.try_wait().unwrap().is_none(),
        "the function is still waiting for its next invocation"
    );
    function.kill().await.unwrap();
    let posted_errors: Vec<String> = runtime_api.stop().iter().filter_map(posted_error).collect();
    assert_eq!(
        posted_errors,
        Vec::<String>::new(),
        "the function posted no init or invocation error"
    );
}

/// Moto queues, a fresh database and the API process running the question state machine in
/// its interpreter: each Task goes to its stage queue with a token naming the reply queue.
struct InterpreterPipeline {
    _api: AwsProcess,
    moto: Moto,
    database: ScratchDatabase,
    data_dir: TempDataDir,
    cache_lookup_queue_url: String,
    classify_queue_url: String,
    reply_queue_url: String,
    /// A reply queue nobody consumes, so the test can read what is reported to it.
    observed_reply_queue_url: String,
    http: reqwest::Client,
    base_url: String,
    admin_key: String,
}

impl InterpreterPipeline {
    async fn start() -> Self {
        let moto = Moto::shared_or_start().await;
        let database = ScratchDatabase::create_empty().await;
        let data_dir = TempDataDir::new();
        let prefix = queue_prefix();
        let stage_queues = create_stage_queues(&moto, &prefix).await;
        let reply_queue_url = moto.create_queue(&prefix, "replies").await;
        let observed_reply_queue_url = moto.create_queue(&prefix, "observed-replies").await;
        let mut launcher_args = vec![
            "--launcher".to_owned(),
            "sqs-interpreter".to_owned(),
            "--reply-queue-url".to_owned(),
            reply_queue_url.clone(),
        ];
        for (stage, queue_url) in &stage_queues {
            launcher_args.extend(["--stage-queue".to_owned(), format!("{stage}={queue_url}")]);
        }
        // The API process materializes the demo databases the function opens read-only.
        let (api, base_url, admin_key) =
            spawn_api(&moto, &data_dir.path, &database.url, &launcher_args).await;
        let stage_queue_url = |stage: &str| {
            let (_, queue_url) = stage_queues
                .iter()
                .find(|(queue_stage, _)| queue_stage == stage)
                .unwrap();
            queue_url.clone()
        };
        InterpreterPipeline {
            cache_lookup_queue_url: stage_queue_url("cache_lookup"),
            classify_queue_url: stage_queue_url("classify"),
            _api: api,
            moto,
            database,
            data_dir,
            reply_queue_url,
            observed_reply_queue_url,
            http: reqwest::Client::new(),
            base_url,
            admin_key,
        }
    }

    fn platform_args(&self) -> Vec<String> {
        platform_args(&self.moto, &self.data_dir.path, &self.database.url)
    }

    /// Submits a question on the restaurants demo database; returns its job id.
    async fn submit(&self, question: &str) -> String {
        let response = self
            .http
            .post(format!("{}/v1/questions", self.base_url))
            .bearer_auth(&self.admin_key)
            .json(&json!({ "question": question, "datasource": "restaurants" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
        let accepted: Value = response.json().await.unwrap();
        accepted["job_id"].as_str().unwrap().to_owned()
    }

    /// Receives messages of `queue_url`, keeping them invisible to others, until `enough` holds.
    async fn receive_until(
        &self,
        queue_url: &str,
        enough: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + INVOCATION_TIMEOUT;
        let mut messages = Vec::new();
        while !enough(&messages) {
            assert!(
                Instant::now() < deadline,
                "{queue_url} did not receive the expected messages; got {messages:?}"
            );
            let received = self
                .moto
                .call(
                    "sqs",
                    "AmazonSQS.ReceiveMessage",
                    json!({
                        "QueueUrl": queue_url,
                        "MaxNumberOfMessages": 10,
                        "WaitTimeSeconds": 1,
                        "VisibilityTimeout": VISIBILITY_TIMEOUT_SECONDS,
                        "AttributeNames": ["All"],
                    }),
                )
                .await;
            messages.extend(received["Messages"].as_array().cloned().unwrap_or_default());
        }
        messages
    }

    async fn send(&self, queue_url: &str, body: &Value) {
        self.moto
            .call(
                "sqs",
                "AmazonSQS.SendMessage",
                json!({ "QueueUrl": queue_url, "MessageBody": body.to_string() }),
            )
            .await;
    }

    async fn delete(&self, queue_url: &str, message: &Value) {
        self.moto
            .call(
                "sqs",
                "AmazonSQS.DeleteMessage",
                json!({ "QueueUrl": queue_url, "ReceiptHandle": message["ReceiptHandle"] }),
            )
            .await;
    }

    async fn queue_arn(&self, queue_url: &str) -> String {
        let attributes = self
            .moto
            .call(
                "sqs",
                "AmazonSQS.GetQueueAttributes",
                json!({ "QueueUrl": queue_url, "AttributeNames": ["QueueArn"] }),
            )
            .await;
        attributes["Attributes"]["QueueArn"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// One SQS event of the cache-lookup queue holding, in order: the interpreter's task of one job
/// (deliverable); the interpreter's task of a second job whose token now names a reply queue
/// that was never created (its stage runs, its report cannot be delivered); and a body that is
/// no task message but names a token on the observed reply queue (reported as `InvalidInput`).
struct ThreeMessageBatch {
    sqs_event: Value,
    undeliverable_message_id: Value,
    unreadable_token: String,
}

impl ThreeMessageBatch {
    async fn prepare(
        pipeline: &InterpreterPipeline,
        deliverable_job_id: &str,
        undeliverable_job_id: &str,
    ) -> Self {
        let queue_url = &pipeline.cache_lookup_queue_url;
        let interpreter_messages = pipeline
            .receive_until(queue_url, |messages| messages.len() >= 2)
            .await;
        let deliverable_message = message_for_job(&interpreter_messages, deliverable_job_id);
        let undeliverable_original = message_for_job(&interpreter_messages, undeliverable_job_id);
        let mut undeliverable_task = message_body(&undeliverable_original);
        let original_token = undeliverable_task["task_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            original_token.contains(&pipeline.reply_queue_url),
            "the interpreter's token names its reply queue: {original_token}"
        );
        let never_created_queue_url = format!("{}-never-created", pipeline.reply_queue_url);
        undeliverable_task["task_token"] =
            json!(original_token.replacen(&pipeline.reply_queue_url, &never_created_queue_url, 1));
        let unreadable_token = original_token.replacen(
            &pipeline.reply_queue_url,
            &pipeline.observed_reply_queue_url,
            1,
        ) + "-unreadable";
        let unreadable_task =
            json!({ "task_token": unreadable_token, "note": "no stage, no envelope" });
        // Both go through the queue, so their records carry real message ids and checksums.
        pipeline.delete(queue_url, &undeliverable_original).await;
        pipeline.send(queue_url, &undeliverable_task).await;
        pipeline.send(queue_url, &unreadable_task).await;
        let sent_messages = pipeline
            .receive_until(queue_url, |messages| messages.len() >= 2)
            .await;
        let undeliverable_message = message_with_body(&sent_messages, &undeliverable_task);
        let unreadable_message = message_with_body(&sent_messages, &unreadable_task);
        let queue_arn = pipeline.queue_arn(queue_url).await;
        let sqs_event_records = [
            &deliverable_message,
            &undeliverable_message,
            &unreadable_message,
        ]
        .map(|message| sqs_event_record(message, &queue_arn));
        ThreeMessageBatch {
            sqs_event: json!({ "Records": sqs_event_records }),
            undeliverable_message_id: undeliverable_message["MessageId"].clone(),
            unreadable_token,
        }
    }
}

#[tokio::test]
async fn a_stage_function_whose_state_store_is_unreachable_reports_an_init_error_and_exits() {
    let runtime_api = ScriptedRuntimeApi::start(&format!(
        "arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION_NAME}"
    ))
    .await;
    let password = "init-error-password";
    // Port 9 (discard) has no listener on the test machine: the connection is refused.
    let unreachable_store = format!("postgres://analyst:{password}@127.0.0.1:9/analyst");
    let mut function = spawn_stage_function(
        "lambda-cache-lookup",
        runtime_api.address,
        &[
            "--state-store-url".to_owned(),
            unreachable_store,
            "--aws-region".to_owned(),
            REGION.to_owned(),
        ],
    );

    let exit_status = tokio::time::timeout(INVOCATION_TIMEOUT, function.wait())
        .await
        .expect("the function exits after a failed set-up")
        .unwrap();
    let calls = runtime_api.stop();

    assert!(!exit_status.success(), "{exit_status}");
    let [RuntimeApiCall::InitError { error_type, body }] = calls.as_slice() else {
        panic!("expected exactly one init error, got {calls:?}");
    };
    assert_eq!(error_type.as_deref(), Some("Runtime.InitError"));
    assert_eq!(body["errorType"], "Runtime.InitError");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(
        message.contains("open the PostgreSQL state store"),
        "{message}"
    );
    assert!(!message.contains(password), "{message}");
}

/// Starts a stage function binary as Lambda would: settings from `ANALYST_*` variables named
/// after the `platform_args` flags, the runtime variables `lambda_runtime` reads, and static
/// credentials.
pub(crate) fn spawn_stage_function(
    binary: &str,
    runtime_api_address: SocketAddr,
    platform_args: &[String],
) -> Child {
    spawn_lambda_function(binary, runtime_api_address, platform_args, &[])
}

/// [`spawn_stage_function`] with `extra_env` set as well (function settings Lambda would pass).
pub(crate) fn spawn_lambda_function(
    binary: &str,
    runtime_api_address: SocketAddr,
    platform_args: &[String],
    extra_env: &[(&str, &str)],
) -> Child {
    let mut command = Command::new(aws_binary(binary));
    command
        .envs(platform_environment(platform_args))
        .envs(extra_env.iter().copied())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api_address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]e2e")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{FUNCTION_NAME}"),
        )
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY");
    with_test_aws_environment(&mut command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("spawn {binary}: {err}"))
}

/// `--state-store-url <url>` becomes `ANALYST_STATE_STORE_URL=<url>`, the variable clap reads.
fn platform_environment(platform_args: &[String]) -> Vec<(String, String)> {
    platform_args
        .chunks(2)
        .map(|flag_and_value| {
            let flag = flag_and_value[0]
                .strip_prefix("--")
                .expect("platform args are `--flag value` pairs");
            (
                format!("ANALYST_{}", flag.replace('-', "_").to_uppercase()),
                flag_and_value[1].clone(),
            )
        })
        .collect()
}

fn message_body(message: &Value) -> Value {
    serde_json::from_str(message["Body"].as_str().unwrap()).unwrap()
}

fn task_job_id(message: &Value) -> String {
    let task = message_body(message);
    task["envelope"]["job_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn message_for_job(messages: &[Value], job_id: &str) -> Value {
    messages
        .iter()
        .find(|message| task_job_id(message) == job_id)
        .unwrap_or_else(|| panic!("no task message for job {job_id}: {messages:?}"))
        .clone()
}

fn message_with_body(messages: &[Value], body: &Value) -> Value {
    messages
        .iter()
        .find(|message| message["Body"] == json!(body.to_string()))
        .unwrap_or_else(|| panic!("no message with body {body}: {messages:?}"))
        .clone()
}

/// A received SQS message as the Lambda event source mapping delivers it.
fn sqs_event_record(message: &Value, queue_arn: &str) -> Value {
    json!({
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes").cloned().unwrap_or_else(|| json!({})),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    })
}
