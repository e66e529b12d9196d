//! Secrets never reach the logs: a full run at debug level with a model key, a state-store
//! password and API keys (valid and invalid) in play leaves none of them in the log output.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::analyst_server::{TempDataDir, analyst_binary, wait_for_job_end};
use crate::postgres_datasource::ScratchDatabase;
use crate::scripted_models::{Script, start_model_server};

const MODEL_KEY: &str = "sk-model-secret-7f3a9c";
const STORE_PASSWORD: &str = "store-secret-4b2e8d";
const WRONG_API_KEY: &str = "ak_wrong_but_secret_9d8c7b";

#[tokio::test]
async fn a_full_run_at_debug_level_logs_no_secret() {
    let model_url = start_model_server(Script::default()).await;
    let database = ScratchDatabase::create_empty().await;
    let store_url =
        database
            .url
            .replacen("://analyst@", &format!("://analyst:{STORE_PASSWORD}@"), 1);
    assert!(
        store_url.contains(STORE_PASSWORD),
        "the test URL carries a password"
    );
    let data_dir = TempDataDir::new();
    let log_path = data_dir.path.join("server.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut child = Command::new(analyst_binary())
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir.path)
        .args([
            "--embedder",
            "offline",
            "--llm",
            "openai",
            "--llm-model",
            "scripted-chat",
        ])
        .args(["--llm-url", &model_url])
        .env("ANALYST_LLM_API_KEY", MODEL_KEY)
        .env("ANALYST_STATE_STORE_URL", &store_url)
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut admin_key = String::new();
    let mut base_url = String::new();
    while let Some(line) = tokio::time::timeout(Duration::from_secs(180), lines.next_line())
        .await
        .unwrap()
        .unwrap()
    {
        if let Some(key) = line.strip_prefix("admin api key: ") {
            admin_key = key.trim().to_owned();
        }
        if let Some(url) = line.strip_prefix("listening on ") {
            base_url = url.trim().to_owned();
            break;
        }
    }
    let http = reqwest::Client::new();

    let refused = http
        .get(format!("{base_url}/v1/datasources"))
        .bearer_auth(WRONG_API_KEY)
        .send()
        .await
        .unwrap();
    let submitted: Value = http
        .post(format!("{base_url}/v1/questions"))
        .bearer_auth(&admin_key)
        .json(&json!({"question": "How many restaurants are there?", "datasource": "restaurants"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let poll_url = format!("{base_url}{}", submitted["poll_url"].as_str().unwrap());
    let status =
        wait_for_job_end(&http, &poll_url, &admin_key, Duration::from_secs(30)).await["status"]
            .clone();
    child.kill().await.unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();

    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert_eq!(status, "succeeded");
    assert!(
        logs.lines().count() > 20,
        "debug logging was on: {} lines",
        logs.lines().count()
    );
    for secret in [MODEL_KEY, STORE_PASSWORD, WRONG_API_KEY, admin_key.as_str()] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}
