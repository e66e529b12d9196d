//! Starting `analyst serve` as a child process and talking to it.
//!
//! Invariant: a started child process is killed and its data directory removed on drop.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::{Instant, timeout};
use uuid::Uuid;

/// How long the server may take to materialize the demo databases and start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// How long a job may take to finish.
const JOB_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `analyst serve`; killed and its data directory removed on drop.
pub(crate) struct AnalystServer {
    pub(crate) base_url: String,
    pub(crate) admin_key: String,
    pub(crate) http: reqwest::Client,
    child: Child,
    data_dir: Option<TempDataDir>,
}

impl AnalystServer {
    pub(crate) async fn start() -> Self {
        AnalystServer::start_with(&[], &[]).await
    }

    /// Starts `analyst serve` with `extra_args` after the usual ones and `extra_env` set in its
    /// environment.
    pub(crate) async fn start_with(extra_args: &[&OsStr], extra_env: &[(&str, &str)]) -> Self {
        let data_dir = TempDataDir::new();
        let mut server =
            AnalystServer::start_in(&data_dir.path.clone(), extra_args, extra_env, None).await;
        server.data_dir = Some(data_dir);
        server
    }

    /// Starts `analyst serve` on an existing data directory (kept on drop); `known_admin_key`
    /// is the key of an earlier start, since only the first start prints one.
    pub(crate) async fn start_in(
        data_dir: &std::path::Path,
        extra_args: &[&OsStr],
        extra_env: &[(&str, &str)],
        known_admin_key: Option<String>,
    ) -> Self {
        let mut child = Command::new(analyst_binary())
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra_args)
            .envs(extra_env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the analyst binary");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (base_url, printed_key) = timeout(STARTUP_TIMEOUT, read_startup_lines(stdout))
            .await
            .expect("the server printed its address in time");
        AnalystServer {
            base_url,
            admin_key: printed_key
                .or(known_admin_key)
                .expect("the first start prints the admin key"),
            http: reqwest::Client::new(),
            child,
            data_dir: None,
        }
    }

    /// Kills the process with SIGKILL, as a crash would, and waits for it to be gone.
    pub(crate) async fn kill(mut self) {
        self.child.kill().await.expect("kill the server");
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id().expect("the server is running")
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(crate) async fn submit(&self, body: Value) -> reqwest::Response {
        self.http
            .post(self.url("/v1/questions"))
            .bearer_auth(&self.admin_key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Submits a question and polls its job until it is `succeeded` or `failed`.
    pub(crate) async fn ask(&self, question: &str, datasource: &str) -> Value {
        let response = self
            .submit(json!({ "question": question, "datasource": datasource }))
            .await;
        assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
        let poll_url = response.json::<Value>().await.unwrap()["poll_url"]
            .as_str()
            .unwrap()
            .to_owned();
        wait_for_job_end(
            &self.http,
            &self.url(&poll_url),
            &self.admin_key,
            JOB_TIMEOUT,
        )
        .await
    }
}

/// The `analyst` binary: `ANALYST_BIN`, else `target/debug/analyst` of this workspace.
/// Submits `question` on `datasource` to the API at `base_url`; returns the job id.
pub(crate) async fn submit_question(
    http: &reqwest::Client,
    base_url: &str,
    api_key: &str,
    question: &str,
    datasource: &str,
) -> String {
    let accepted: Value = http
        .post(format!("{base_url}/v1/questions"))
        .bearer_auth(api_key)
        .json(&serde_json::json!({ "question": question, "datasource": datasource }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    accepted["job_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the question was not accepted: {accepted}"))
        .to_owned()
}

/// Polls the job at `job_url` (`.../v1/questions/{id}`) until it is `succeeded` or `failed`;
/// panics when it has not ended within `within`.
pub(crate) async fn wait_for_job_end(
    http: &reqwest::Client,
    job_url: &str,
    api_key: &str,
    within: Duration,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let job_view: Value = http
            .get(job_url)
            .bearer_auth(api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if job_view["status"] == "succeeded" || job_view["status"] == "failed" {
            return job_view;
        }
        assert!(
            Instant::now() < deadline,
            "job did not finish in time: {job_view}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn analyst_binary() -> PathBuf {
    let binary = match std::env::var_os("ANALYST_BIN") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("debug")
            .join("analyst"),
    };
    assert!(
        binary.exists(),
        "{} does not exist; run `cargo build -p local --bin analyst` or set ANALYST_BIN",
        binary.display()
    );
    binary
}

/// Reads stdout until `listening on <url>`, collecting the first-start admin key on the way;
/// the rest of stdout is drained in the background so the child never blocks on a full pipe.
async fn read_startup_lines(stdout: ChildStdout) -> (String, Option<String>) {
    let mut lines = BufReader::new(stdout).lines();
    let mut admin_key = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(key) = line.strip_prefix("admin api key: ") {
            admin_key = Some(key.trim().to_owned());
        }
        if let Some(base_url) = line.strip_prefix("listening on ") {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (base_url.trim().to_owned(), admin_key);
        }
    }
    panic!("the server exited before listening");
}

/// A data directory under the system temp directory, removed on drop.
pub(crate) struct TempDataDir {
    pub(crate) path: PathBuf,
}

impl TempDataDir {
    pub(crate) fn new() -> Self {
        let path = std::env::temp_dir().join(format!("analyst-e2e-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        TempDataDir { path }
    }
}

impl Drop for TempDataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
