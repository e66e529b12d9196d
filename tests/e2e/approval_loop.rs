//! The approval loop end to end on both state stores: a question is answered, approved, and a
//! paraphrase is then served from the semantic cache without classification or generation;
//! corrections are re-run before they are stored, conflicting approvals are refused, and the
//! admin listing, deletion and metrics reflect it all.
//!
//! Invariant: the server embeds with the installed MiniLM model (`ANALYST_MINILM_DIR`, set by
//! `scripts/test`), as a real deployment would.

use std::ffi::OsStr;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::analyst_server::AnalystServer;
use crate::postgres_datasource::ScratchDatabase;

const MINILM_DIR_ENV: &str = "ANALYST_MINILM_DIR";

async fn start_server(state_store_url: Option<&str>) -> AnalystServer {
    let minilm_dir = std::env::var(MINILM_DIR_ENV).unwrap_or_else(|_| {
        panic!("{MINILM_DIR_ENV} is not set: run scripts/install-minilm (scripts/test does)")
    });
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("--embedder"),
        OsStr::new("minilm"),
        OsStr::new("--minilm-dir"),
        OsStr::new(&minilm_dir),
    ];
    let mut env = Vec::new();
    if let Some(url) = state_store_url {
        env.push(("ANALYST_STATE_STORE_URL", url));
    }
    args.shrink_to_fit();
    AnalystServer::start_with(&args, &env).await
}

async fn post_feedback(server: &AnalystServer, job_id: &str, body: Value) -> reqwest::Response {
    server
        .http
        .post(server.url(&format!("/v1/questions/{job_id}/feedback")))
        .bearer_auth(&server.admin_key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get_json(server: &AnalystServer, path: &str) -> Value {
    let response = server
        .http
        .get(server.url(path))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

fn stages(job_view: &Value) -> Vec<String> {
    job_view["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|timing| timing["stage"].as_str().unwrap().to_owned())
        .collect()
}

async fn approved_paraphrase_is_served_from_the_cache(server: &AnalystServer) {
    let first = server
        .ask("how many restaurants are there", "restaurants")
        .await;
    assert_eq!(first["status"], "succeeded", "job: {first}");
    assert_eq!(first["cache_hit"], false);
    let first_id = first["job_id"].as_str().unwrap();

    let approval = post_feedback(server, first_id, json!({"verdict": "approve"})).await;
    assert_eq!(approval.status(), StatusCode::OK);
    let approval: Value = approval.json().await.unwrap();
    let cache_entry_id = approval["cache_entry_id"].as_str().unwrap().to_owned();
    assert_eq!(approval["given_by"], "admin");
    let paraphrase = server.ask("count the restaurants", "restaurants").await;
    let other_datasource = server.ask("count the restaurants", "academic").await;

    assert_eq!(paraphrase["status"], "succeeded", "job: {paraphrase}");
    assert_eq!(paraphrase["cache_hit"], true, "job: {paraphrase}");
    assert_eq!(paraphrase["cache_entry_id"], cache_entry_id.as_str());
    assert_eq!(paraphrase["result"]["rows"], json!([[11]]));
    assert_eq!(stages(&paraphrase), ["cache_lookup", "execute", "explain"]);
    assert_eq!(paraphrase["model_calls"], json!([]), "a hit calls no model");
    assert_eq!(
        other_datasource["cache_hit"], false,
        "an entry of another datasource never matches: {other_datasource}"
    );
    let first_view = get_json(server, &format!("/v1/questions/{first_id}")).await;
    assert_eq!(first_view["feedback"][0]["verdict"], "approve");
    let cache_entries = get_json(server, "/v1/admin/memory/cache?datasource=restaurants").await;
    assert_eq!(
        cache_entries["entries"][0]["entry_id"],
        cache_entry_id.as_str()
    );
    assert_eq!(cache_entries["entries"][0]["source_job_id"], first_id);
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("analyst_cache_lookups_total{outcome=\"hit\"} 1"),
        "metrics: {metrics}"
    );
    assert!(metrics.contains("analyst_feedback_total{verdict=\"approve\"} 1"));
    for series in [
        "analyst_jobs_finished_total{status=\"succeeded\"}",
        "analyst_stage_duration_seconds_bucket{stage=\"execute\",outcome=\"ok\",le=",
        "analyst_cache_best_similarity_bucket{le=",
        "analyst_queue_depth{stage=",
        "analyst_llm_calls_total{stage=\"generate_sql\"}",
    ] {
        assert!(
            metrics.contains(series),
            "{series} is missing from: {metrics}"
        );
    }
}

#[tokio::test]
async fn an_approved_answer_serves_a_paraphrase_from_the_cache_on_sqlite() {
    let server = start_server(None).await;

    approved_paraphrase_is_served_from_the_cache(&server).await;
}

#[tokio::test]
async fn an_approved_answer_serves_a_paraphrase_from_the_cache_on_postgres() {
    let database = ScratchDatabase::create_empty().await;
    let server = start_server(Some(&database.url)).await;

    approved_paraphrase_is_served_from_the_cache(&server).await;
}

#[tokio::test]
async fn corrections_are_rerun_conflicts_refused_and_entries_deleted() {
    let server = start_server(None).await;
    let job = server
        .ask(
            "How many restaurants are there in each city?",
            "restaurants",
        )
        .await;
    let job_id = job["job_id"].as_str().unwrap();

    let destructive = post_feedback(
        &server,
        job_id,
        json!({"verdict": "approve", "corrected_sql": "DELETE FROM restaurant"}),
    )
    .await;
    let broken = post_feedback(
        &server,
        job_id,
        json!({"verdict": "approve", "corrected_sql": "SELECT no_such_column FROM restaurant"}),
    )
    .await;
    let approved = post_feedback(&server, job_id, json!({"verdict": "approve"})).await;
    let conflicting = post_feedback(
        &server,
        job_id,
        json!({"verdict": "approve", "corrected_sql": "SELECT city_name, COUNT(*) AS n FROM restaurant GROUP BY city_name"}),
    )
    .await;
    let rejection = post_feedback(
        &server,
        job_id,
        json!({"verdict": "reject", "comment": "should exclude closed ones"}),
    )
    .await;
    let replaced = post_feedback(
        &server,
        job_id,
        json!({"verdict": "approve", "corrected_sql": "SELECT city_name, COUNT(*) AS n FROM restaurant GROUP BY city_name", "replace_existing": true}),
    )
    .await;

    assert_eq!(destructive.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(broken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(approved.status(), StatusCode::OK);
    let approved: Value = approved.json().await.unwrap();
    assert_eq!(conflicting.status(), StatusCode::CONFLICT);
    let conflict: Value = conflicting.json().await.unwrap();
    assert_eq!(conflict["error"]["code"], "approval_conflict");
    assert_eq!(rejection.status(), StatusCode::OK);
    assert_eq!(replaced.status(), StatusCode::OK);
    let replaced: Value = replaced.json().await.unwrap();
    assert_eq!(replaced["corrected"], true);
    let replaced_ids = replaced["replaced_entry_ids"].as_array().unwrap();
    assert!(replaced_ids.contains(&approved["cache_entry_id"]));
    assert!(replaced_ids.contains(&approved["few_shot_entry_id"]));
    let cache_entries = get_json(&server, "/v1/admin/memory/cache").await;
    assert_eq!(cache_entries["entries"].as_array().unwrap().len(), 1);
    assert_eq!(
        cache_entries["entries"][0]["sql"],
        "SELECT city_name, COUNT(*) AS n FROM restaurant GROUP BY city_name"
    );
    let view = get_json(&server, &format!("/v1/questions/{job_id}")).await;
    let verdicts: Vec<&str> = view["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["approve", "reject", "approve"]);
    let entry_id = replaced["cache_entry_id"].as_str().unwrap();
    let deleted = server
        .http
        .delete(server.url(&format!("/v1/admin/memory/cache/{entry_id}")))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after_delete = get_json(&server, "/v1/admin/memory/cache").await;
    assert_eq!(after_delete["entries"], json!([]));
}

#[tokio::test]
async fn a_store_set_up_for_another_vector_size_stops_the_start_with_both_sizes() {
    let database = ScratchDatabase::create_empty().await;
    let start = |dimension: &'static str| {
        let url = database.url.clone();
        async move {
            tokio::process::Command::new(crate::analyst_server::analyst_binary())
                .args(["serve", "--addr", "127.0.0.1:0", "--no-demo", "--data-dir"])
                .arg(std::env::temp_dir().join(format!("analyst-e2e-dim-{}", uuid::Uuid::new_v4())))
                .args(["--embedder", "offline", "--embedding-dimension", dimension])
                .env("ANALYST_STATE_STORE_URL", url)
                .env("RUST_LOG", "warn")
                .stdin(std::process::Stdio::null())
                .output()
                .await
                .unwrap()
        }
    };

    let first = start("8").await;
    let second = start("16").await;

    let first_stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        first_stderr.contains("no datasource is available"),
        "the first start sets the store up, then stops for lack of datasources: {first_stderr}"
    );
    assert!(!second.status.success());
    let second_stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        second_stderr.contains('8') && second_stderr.contains("16"),
        "the error names both sizes: {second_stderr}"
    );
    assert!(
        !second_stderr.contains(&database.url),
        "the store URL (with its credentials) is never printed"
    );
}
