//! The acceptance test of the AWS mode: moto on loopback, the API and one worker process per
//! stage exchanging task messages through real SQS queues (the interpreter's SQS transport,
//! since moto runs only one Step Functions execution per server; see `infra/README.md`), 50
//! questions, and every job ends `succeeded` or with a recorded failure.
//!
//! Invariant: the processes share nothing but PostgreSQL (a fresh database), the SQS queues
//! and the read-only demo databases materialized by the API process.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{Moto, create_stage_queues, queue_prefix, spawn_api, spawn_workers};
use crate::postgres_datasource::ScratchDatabase;

/// Questions submitted.
const N_QUESTIONS: usize = 50;

/// How long the queues may take to empty once every job has ended.
const QUEUE_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// How long all jobs together may take.
const ALL_JOBS_TIMEOUT: Duration = Duration::from_secs(300);

/// A mix of answerable questions, chat, an unanswerable one and user SQL that fails.
const QUESTIONS: [(&str, Option<&str>); 6] = [
    ("How many restaurants are there?", None),
    ("How many restaurants are there in each city?", None),
    ("Hello!", None),
    ("What is the average rating of restaurants?", None),
    ("Why do people prefer Italian restaurants?", None),
    (
        "List the restaurants (edited query)",
        Some("SELECT no_such_column FROM restaurant"),
    ),
];

#[tokio::test]
async fn fifty_questions_through_sqs_and_separate_worker_processes_all_end() {
    let moto = Moto::shared_or_start().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let prefix = queue_prefix();
    let stage_queues = create_stage_queues(&moto, &prefix).await;
    let reply_queue_url = moto.create_queue(&prefix, "replies").await;
    let mut launcher_args = vec![
        "--launcher".to_owned(),
        "sqs-interpreter".to_owned(),
        "--reply-queue-url".to_owned(),
        reply_queue_url.clone(),
        "--retry-interval-scale".to_owned(),
        "0.05".to_owned(),
    ];
    for (stage, queue_url) in &stage_queues {
        launcher_args.extend(["--stage-queue".to_owned(), format!("{stage}={queue_url}")]);
    }
    let (_api, base_url, admin_key) =
        spawn_api(&moto, &data_dir.path, &database.url, &launcher_args).await;
    let _workers = spawn_workers(&moto, &data_dir.path, &database.url, &stage_queues).await;
    let http = reqwest::Client::new();

    let mut job_ids = Vec::new();
    for question_idx in 0..N_QUESTIONS {
        let (question, provided_sql) = QUESTIONS[question_idx % QUESTIONS.len()];
        let body = match provided_sql {
            Some(sql) => json!({ "question": question, "sql": sql, "datasource": "restaurants" }),
            None => json!({ "question": question, "datasource": "restaurants" }),
        };
        let response = http
            .post(format!("{base_url}/v1/questions"))
            .bearer_auth(&admin_key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);
        let accepted: Value = response.json().await.unwrap();
        job_ids.push(accepted["job_id"].as_str().unwrap().to_owned());
    }
    let job_views = wait_for_all_jobs(&http, &base_url, &admin_key, &job_ids).await;

    let n_succeeded = count_status(&job_views, "succeeded");
    let n_failed = count_status(&job_views, "failed");
    eprintln!(
        "aws sqs pipeline: {N_QUESTIONS} questions, {n_succeeded} succeeded, {n_failed} failed, {} lost",
        N_QUESTIONS - n_succeeded - n_failed
    );
    assert_eq!(n_succeeded + n_failed, N_QUESTIONS, "no job is lost");
    for job_view in job_views.values() {
        if job_view["status"] == "failed" {
            assert!(
                job_view["error"]["message"].is_string(),
                "a failed job has a recorded error: {job_view}"
            );
        }
    }
    let n_user_sql = N_QUESTIONS.div_ceil(QUESTIONS.len());
    assert!(
        n_failed >= n_user_sql,
        "the failing user SQL is recorded as a failure"
    );
    assert!(
        n_succeeded >= N_QUESTIONS / 2,
        "most questions are answered: {n_succeeded} of {N_QUESTIONS}"
    );
    // A worker deletes its message after it recorded the outcome and reported it, so a queue
    // may still hold the last messages for a moment after every job has ended.
    for (stage, queue_url) in stage_queues
        .iter()
        .map(|(stage, url)| (stage.as_str(), url))
        .chain([("reply", &reply_queue_url)])
    {
        let drain_deadline = Instant::now() + QUEUE_DRAIN_TIMEOUT;
        loop {
            let n_left = moto.n_messages(queue_url).await;
            if n_left == 0 {
                break;
            }
            assert!(
                Instant::now() < drain_deadline,
                "the {stage} queue still holds {n_left} messages"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Polls every job until all are `succeeded` or `failed`.
async fn wait_for_all_jobs(
    http: &reqwest::Client,
    base_url: &str,
    admin_key: &str,
    job_ids: &[String],
) -> HashMap<String, Value> {
    let deadline = Instant::now() + ALL_JOBS_TIMEOUT;
    let mut finished = HashMap::new();
    loop {
        for job_id in job_ids {
            if finished.contains_key(job_id) {
                continue;
            }
            let job_view: Value = http
                .get(format!("{base_url}/v1/questions/{job_id}"))
                .bearer_auth(admin_key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if job_view["status"] == "succeeded" || job_view["status"] == "failed" {
                finished.insert(job_id.clone(), job_view);
            }
        }
        if finished.len() == job_ids.len() {
            return finished;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} jobs did not finish in time",
            job_ids.len() - finished.len(),
            job_ids.len()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn count_status(job_views: &HashMap<String, Value>, status: &str) -> usize {
    job_views
        .values()
        .filter(|job_view| job_view["status"] == status)
        .count()
}
