//! The AWS emulator of the AWS-mode tests: a `moto_server` on loopback (or the one at
//! `ANALYST_TEST_MOTO_URL`), SQS queues and state machines created over its JSON protocol, and
//! the AWS-mode binaries (`analyst-aws-api`, `analyst-worker`) started as child processes with
//! static test credentials and the endpoint override.
//!
//! Invariant: every child process (moto included) is killed on drop; queue names carry a
//! random prefix, so tests sharing one emulator never see each other's messages.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::timeout;
use uuid::Uuid;

use crate::analyst_server::analyst_binary;

/// Environment variable of a running emulator shared by the tests (set by `scripts/test`).
const MOTO_URL_ENV: &str = "ANALYST_TEST_MOTO_URL";

/// Region every client of the tests uses.
pub(crate) const REGION: &str = "us-east-1";

/// How long a child process may take to print its ready line (materializing demo databases).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// A reachable emulator; the process is killed on drop when this test started it.
pub(crate) struct Moto {
    pub(crate) url: String,
    http: reqwest::Client,
    _child: Option<Child>,
}

impl Moto {
    /// The shared emulator of `ANALYST_TEST_MOTO_URL`, else a new one.
    pub(crate) async fn shared_or_start() -> Self {
        match std::env::var(MOTO_URL_ENV) {
            Ok(url) if !url.is_empty() => Moto {
                url,
                http: reqwest::Client::new(),
                _child: None,
            },
            _ => Moto::start().await,
        }
    }

    /// A new `moto_server` of this test alone on a free loopback port. Moto's state machine
    /// integrations call back into the server on `MOTO_PORT`, so it is set to the same port.
    pub(crate) async fn start() -> Self {
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn moto_server (pip install 'moto[server]==5.2.1')");
        let moto = Moto {
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _child: Some(child),
        };
        for _ in 0..200 {
            if moto
                .http
                .get(format!("{}/moto-api/", moto.url))
                .send()
                .await
                .is_ok()
            {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto_server did not start on port {port}");
    }

    /// Turns on moto's executing Step Functions backend (it runs the ASL, Task integrations
    /// included), a server-wide setting.
    pub(crate) async fn execute_state_machines(&self) {
        let response = self
            .http
            .post(format!("{}/moto-api/config", self.url))
            .json(&json!({ "stepfunctions": { "execute_state_machine": true } }))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "moto config: {}",
            response.status()
        );
    }

    /// Calls an action of an AWS JSON-protocol API (`AmazonSQS.CreateQueue`, ...).
    pub(crate) async fn call(&self, service: &str, target: &str, body: Value) -> Value {
        let (status, reply) = self.try_call(service, target, body).await;
        assert!(
            status.is_success(),
            "{target} failed with {status}: {reply}"
        );
        reply
    }

    /// Calls an action of an AWS JSON-protocol API and returns its status and body, whatever
    /// the status.
    pub(crate) async fn try_call(
        &self,
        service: &str,
        target: &str,
        body: Value,
    ) -> (reqwest::StatusCode, Value) {
        let response = self
            .http
            .post(&self.url)
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("X-Amz-Target", target)
            .header(
                "Authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=test/20250101/{REGION}/{service}/aws4_request, \
                     SignedHeaders=host, Signature=0"
                ),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a queue with a random name prefix and returns its URL.
    pub(crate) async fn create_queue(&self, prefix: &str, name: &str) -> String {
        let created = self
            .call(
                "sqs",
                "AmazonSQS.CreateQueue",
                json!({ "QueueName": format!("{prefix}-{name}") }),
            )
            .await;
        created["QueueUrl"].as_str().unwrap().to_owned()
    }

    /// Approximate number of visible plus in-flight messages of a queue.
    pub(crate) async fn n_messages(&self, queue_url: &str) -> u64 {
        let attributes = self
            .call(
                "sqs",
                "AmazonSQS.GetQueueAttributes",
                json!({
                    "QueueUrl": queue_url,
                    "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
                }),
            )
            .await;
        [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ]
        .iter()
        .map(|name| {
            attributes["Attributes"][name]
                .as_str()
                .and_then(|text| text.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum()
    }
}

/// Every stage queue of one test: `(stage, url)` in pipeline order.
pub(crate) const STAGES: [&str; 6] = [
    "classify",
    "cache_lookup",
    "generate_sql",
    "execute",
    "explain",
    "record_failure",
];

/// Creates one queue per stage and returns `(stage, url)` pairs.
pub(crate) async fn create_stage_queues(moto: &Moto, prefix: &str) -> Vec<(String, String)> {
    let mut stage_queues = Vec::new();
    for stage in STAGES {
        let url = moto.create_queue(prefix, &stage.replace('_', "-")).await;
        stage_queues.push((stage.to_owned(), url));
    }
    stage_queues
}

/// A random queue-name prefix.
pub(crate) fn queue_prefix() -> String {
    format!("t{}", &Uuid::new_v4().simple().to_string()[..12])
}

/// A binary of the `lambda` crate next to the `analyst` binary.
pub(crate) fn aws_binary(name: &str) -> PathBuf {
    let binary = analyst_binary().with_file_name(name);
    assert!(
        binary.exists(),
        "{} does not exist; run `cargo build -p lambda`",
        binary.display()
    );
    binary
}

/// Arguments every AWS-mode process of a test shares.
pub(crate) fn platform_args(
    moto: &Moto,
    data_dir: &std::path::Path,
    state_store_url: &str,
) -> Vec<String> {
    vec![
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
        "--state-store-url".to_owned(),
        state_store_url.to_owned(),
        "--state-store-pool".to_owned(),
        "2".to_owned(),
        "--aws-endpoint-url".to_owned(),
        moto.url.clone(),
        "--aws-region".to_owned(),
        REGION.to_owned(),
    ]
}

/// A started AWS-mode process and the lines it printed up to its ready line.
pub(crate) struct AwsProcess {
    pub(crate) printed: Vec<String>,
    _child: Child,
}

/// The environment every AWS-mode process of a test gets: static test credentials, the test
/// region, no instance metadata lookups, warnings only.
pub(crate) fn with_test_aws_environment(command: &mut Command) -> &mut Command {
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", "warn")
}

/// Starts `binary` with `args` and static test credentials, and waits for a stdout line that
/// starts with `ready_prefix`.
pub(crate) async fn spawn_aws_process(
    binary: &str,
    args: &[String],
    ready_prefix: &str,
) -> AwsProcess {
    spawn_aws_process_with_env(binary, args, &[], ready_prefix).await
}

/// [`spawn_aws_process`] with `env` set on top of the test environment.
pub(crate) async fn spawn_aws_process_with_env(
    binary: &str,
    args: &[String],
    env: &[(String, String)],
    ready_prefix: &str,
) -> AwsProcess {
    let mut child = with_test_aws_environment(Command::new(aws_binary(binary)).args(args))
        .envs(env.iter().map(|(name, value)| (name, value)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|err| panic!("spawn {binary}: {err}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let printed = timeout(STARTUP_TIMEOUT, async {
        let mut printed = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let ready = line.starts_with(ready_prefix);
            printed.push(line);
            if ready {
                return printed;
            }
        }
        panic!("{binary} exited before it was ready: {printed:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("{binary} was not ready in time"));
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    AwsProcess {
        printed,
        _child: child,
    }
}

/// Starts one `analyst-worker` per stage queue.
pub(crate) async fn spawn_workers(
    moto: &Moto,
    data_dir: &std::path::Path,
    state_store_url: &str,
    stage_queues: &[(String, String)],
) -> Vec<AwsProcess> {
    spawn_workers_with_env(moto, data_dir, state_store_url, stage_queues, |_| {
        Vec::new()
    })
    .await
}

/// [`spawn_workers`] with the environment `env_of(stage)` set on each worker.
pub(crate) async fn spawn_workers_with_env(
    moto: &Moto,
    data_dir: &std::path::Path,
    state_store_url: &str,
    stage_queues: &[(String, String)],
    env_of: impl Fn(&str) -> Vec<(String, String)>,
) -> Vec<AwsProcess> {
    let mut workers = Vec::new();
    for (stage, queue_url) in stage_queues {
        let mut args = platform_args(moto, data_dir, state_store_url);
        args.extend([
            "--stage".to_owned(),
            format!("{stage}={queue_url}"),
            "--wait-seconds".to_owned(),
            "1".to_owned(),
            "--heartbeat-seconds".to_owned(),
            "5".to_owned(),
        ]);
        workers.push(
            spawn_aws_process_with_env("analyst-worker", &args, &env_of(stage), "worker ready")
                .await,
        );
    }
    workers
}

/// Starts `analyst-aws-api` with `launcher_args`; returns it with its URL and admin key.
pub(crate) async fn spawn_api(
    moto: &Moto,
    data_dir: &std::path::Path,
    state_store_url: &str,
    launcher_args: &[String],
) -> (AwsProcess, String, String) {
    let mut args = platform_args(moto, data_dir, state_store_url);
    args.extend(["--addr".to_owned(), "127.0.0.1:0".to_owned()]);
    args.extend(launcher_args.iter().cloned());
    let api = spawn_aws_process("analyst-aws-api", &args, "listening on ").await;
    let base_url = api
        .printed
        .iter()
        .find_map(|line| line.strip_prefix("listening on "))
        .unwrap()
        .trim()
        .to_owned();
    let admin_key = api
        .printed
        .iter()
        .find_map(|line| line.strip_prefix("admin api key: "))
        .expect("the first start prints the admin key")
        .trim()
        .to_owned();
    (api, base_url, admin_key)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
