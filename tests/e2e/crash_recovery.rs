//! Crash safety: the server is killed with SIGKILL while jobs are queued and running, started
//! again on the same data directory, and every job then completes or is visibly failed; none
//! stays stuck and none vanishes. A job running at two crashes in a row is failed at the second
//! restart rather than resumed again (a poison job cannot take the server down forever).

use std::ffi::OsStr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::analyst_server::{AnalystServer, TempDataDir, wait_for_job_end};
use crate::scripted_models::{Script, start_model_server};

const N_QUESTIONS: usize = 12;
const RECOVERY_TIMEOUT: Duration = Duration::from_secs(120);

async fn job_status(server: &AnalystServer, job_id: &str) -> Value {
    job_view(server, job_id).await["status"].clone()
}

async fn job_view(server: &AnalystServer, job_id: &str) -> Value {
    let response = server
        .http
        .get(server.url(&format!("/v1/questions/{job_id}")))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "job {job_id} vanished"
    );
    response.json::<Value>().await.unwrap()
}

/// Polls the job until its `classify` stage has started `n_starts` times.
async fn wait_for_classify_starts(server: &AnalystServer, job_id: &str, n_starts: usize) {
    let deadline = Instant::now() + RECOVERY_TIMEOUT;
    loop {
        let view = job_view(server, job_id).await;
        let n_classify = view["timings"].as_array().map_or(0, |timings| {
            timings.iter().filter(|t| t["stage"] == "classify").count()
        });
        if n_classify >= n_starts {
            assert_eq!(view["status"], "running", "{view}");
            return;
        }
        assert!(Instant::now() < deadline, "classify never started: {view}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The server flags for a scripted model at `model_url`.
fn scripted_model_args(model_url: &str) -> Vec<&OsStr> {
    [
        "--embedder",
        "offline",
        "--llm",
        "openai",
        "--llm-model",
        "scripted-chat",
        "--llm-url",
    ]
    .into_iter()
    .map(OsStr::new)
    .chain([OsStr::new(model_url)])
    .collect()
}

#[tokio::test]
async fn a_job_running_at_two_crashes_is_failed_not_resumed_a_third_time() {
    // Every model reply takes a minute, so the job is still classifying at each kill.
    let model_url = start_model_server(Script::slow(Duration::from_secs(60))).await;
    let data_dir = TempDataDir::new();
    let args = scripted_model_args(&model_url);
    let server = AnalystServer::start_in(&data_dir.path, &args, &[], None).await;
    let admin_key = server.admin_key.clone();
    let response = server
        .submit(json!({"question": "How many restaurants are there?", "datasource": "restaurants"}))
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
    let job_id = response.json::<Value>().await.unwrap()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for_classify_starts(&server, &job_id, 1).await;
    server.kill().await;

    let resumed =
        AnalystServer::start_in(&data_dir.path, &args, &[], Some(admin_key.clone())).await;
    wait_for_classify_starts(&resumed, &job_id, 2).await;
    resumed.kill().await;

    let restarted = AnalystServer::start_in(&data_dir.path, &args, &[], Some(admin_key)).await;
    let view = wait_for_job_end(
        &restarted.http,
        &restarted.url(&format!("/v1/questions/{job_id}")),
        &restarted.admin_key,
        RECOVERY_TIMEOUT,
    )
    .await;

    assert_eq!(view["status"], "failed", "{view}");
    let message = view["error"]["message"].as_str().unwrap();
    assert!(message.contains("interrupted twice"), "{message}");
    assert!(message.contains("not resumed again"), "{message}");
    let n_classify = view["timings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|timing| timing["stage"] == "classify")
        .count();
    assert_eq!(n_classify, 2, "no third run began: {view}");
}

#[tokio::test]
async fn jobs_in_flight_when_the_server_is_killed_finish_after_a_restart() {
    let script = Script::slow(Duration::from_millis(300));
    let model_url = start_model_server(script).await;
    let data_dir = TempDataDir::new();
    let args = scripted_model_args(&model_url);
    let server = AnalystServer::start_in(&data_dir.path, &args, &[], None).await;
    let admin_key = server.admin_key.clone();
    let mut job_ids = Vec::new();
    for question_idx in 0..N_QUESTIONS {
        let response = server
            .submit(json!({
                "question": format!("How many restaurants are there? ({question_idx})"),
                "datasource": "restaurants"
            }))
            .await;
        assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        job_ids.push(body["job_id"].as_str().unwrap().to_owned());
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut n_unfinished_at_crash = 0;
    for job_id in &job_ids {
        let status = job_status(&server, job_id).await;
        if status == "queued" || status == "running" {
            n_unfinished_at_crash += 1;
        }
    }

    server.kill().await;
    let restarted = AnalystServer::start_in(&data_dir.path, &args, &[], Some(admin_key)).await;
    let deadline = Instant::now() + RECOVERY_TIMEOUT;
    let mut final_statuses = Vec::new();
    for job_id in &job_ids {
        loop {
            let status = job_status(&restarted, job_id).await;
            if status == "succeeded" || status == "failed" {
                final_statuses.push(status);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "job {job_id} is stuck in {status}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    assert!(
        n_unfinished_at_crash > 0,
        "the crash must hit jobs in flight to prove anything"
    );
    assert_eq!(final_statuses.len(), N_QUESTIONS);
    let n_succeeded = final_statuses.iter().filter(|s| **s == "succeeded").count();
    assert_eq!(
        n_succeeded, N_QUESTIONS,
        "a resumed job reruns its stages and succeeds: {final_statuses:?}"
    );
}
