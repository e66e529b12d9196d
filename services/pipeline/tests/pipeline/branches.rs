use chrono::Utc;
use contracts::api::{JobStatus, JobView};
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::error::ErrorKind;
use contracts::stages::{ClassifyRequest, Intent};
use ports::embedder::Embedder;
use ports::job_launcher::JobLauncher;
use ports::job_store::{JobStore, NewJob};
use ports::language_model::LlmError;
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair};
use ports::schema::SchemaStore;
use serde_json::json;
use uuid::Uuid;

use crate::scripted::{Harness, ScriptedModel, harness};

const GOOD_SQL: &str = "SELECT COUNT(*) AS n FROM restaurant";

async fn ask(harness: &Harness, question: &str) -> JobView {
    ask_with_sql(harness, question, None).await
}

async fn ask_with_sql(harness: &Harness, question: &str, provided_sql: Option<&str>) -> JobView {
    submit(harness, question, provided_sql, None).await
}

async fn ask_in_conversation(harness: &Harness, question: &str, conversation_id: &str) -> JobView {
    submit(harness, question, None, Some(conversation_id)).await
}

async fn submit(
    harness: &Harness,
    question: &str,
    provided_sql: Option<&str>,
    conversation_id: Option<&str>,
) -> JobView {
    let job_id = Uuid::new_v4();
    let submitted_at = Utc::now();
    harness
        .store
        .create_job(NewJob {
            job_id,
            correlation_id: "test".into(),
            question: question.into(),
            datasource: "restaurants".into(),
            conversation_id: conversation_id.map(str::to_owned),
            provided_sql: provided_sql.map(str::to_owned),
            owner_key_id: Some("key_pipeline_test".into()),
            idempotency_key: None,
            submitted_at,
        })
        .await
        .unwrap();
    let envelope = JobEnvelope {
        schema_version: SCHEMA_VERSION,
        job_id,
        correlation_id: "test".into(),
        attempt: 0,
        submitted_at,
        sent_at: None,
        payload: ClassifyRequest {
            question: question.into(),
            datasource: "restaurants".into(),
            conversation_id: conversation_id.map(str::to_owned),
            provided_sql: provided_sql.map(str::to_owned),
        },
    };
    harness.pipeline.launch(envelope).await.unwrap();
    harness.pipeline.run_until_idle().await;
    harness.store.get_job(job_id).await.unwrap().unwrap()
}

fn stages_run(job: &JobView) -> Vec<&str> {
    job.timings
        .iter()
        .map(|timing| timing.stage.as_str())
        .collect()
}

#[tokio::test]
async fn a_greeting_is_answered_with_guidance_and_no_sql() {
    let harness = harness(ScriptedModel::new(Intent::Chat, vec![])).await;

    let job = ask(&harness, "hello").await;

    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(
        job.answer.as_deref(),
        Some("Hello! Ask me about restaurants.")
    );
    assert_eq!(job.sql, None);
    assert_eq!(
        stages_run(&job),
        vec!["cache_lookup", "classify", "explain"]
    );
}

#[tokio::test]
async fn a_cache_miss_generates_executes_and_explains() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![Ok(GOOD_SQL)])).await;

    let job = ask(&harness, "how many restaurants are there").await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert_eq!(job.sql.as_deref(), Some(GOOD_SQL));
    assert_eq!(job.result.as_ref().unwrap().rows, vec![vec![json!(11)]]);
    assert_eq!(job.answer.as_deref(), Some("1 rows."));
    assert!(!job.cache_hit);
    assert_eq!(
        stages_run(&job),
        vec![
            "cache_lookup",
            "classify",
            "generate_sql",
            "execute",
            "explain"
        ]
    );
    assert!(
        job.timings
            .iter()
            .all(|timing| timing.duration_ms.is_some() && timing.outcome == "ok")
    );
}

#[tokio::test]
async fn a_cache_hit_reexecutes_the_cached_sql_without_generating() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;
    let question = "how many restaurants are there";
    let embedder = embedder_offline::HashingEmbedder::default();
    let schema_version = harness
        .store
        .latest_snapshot("restaurants")
        .await
        .unwrap()
        .unwrap()
        .version;
    harness
        .store
        .insert_pair(
            MemoryKind::Cache,
            VerifiedPair {
                entry_id: String::new(),
                datasource: "restaurants".into(),
                schema_version,
                question: question.into(),
                sql: GOOD_SQL.into(),
                embedding: embedder.embed(question).await.unwrap(),
                embedding_model: embedder.model_name().into(),
                approved_by: "test".into(),
                approved_at: Utc::now(),
                source_job_id: None,
            },
        )
        .await
        .unwrap();

    let job = ask(&harness, question).await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert!(job.cache_hit);
    assert_eq!(
        stages_run(&job),
        vec!["cache_lookup", "execute", "explain"],
        "a hit needs neither the classifier nor the generator"
    );
    assert!(
        job.model_calls.is_empty(),
        "a hit calls no model: {:?}",
        job.model_calls
    );
    assert_eq!(
        harness.engine.executed.lock().unwrap().as_slice(),
        [GOOD_SQL]
    );
}

#[tokio::test]
async fn a_failed_query_is_repaired_with_the_database_error() {
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![Ok("SELECT COUNT(*) FROM restaurants"), Ok(GOOD_SQL)],
    ))
    .await;

    let job = ask(&harness, "how many restaurants are there").await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert_eq!(job.attempts.len(), 2);
    assert!(
        job.attempts[0]
            .error
            .as_deref()
            .unwrap()
            .contains("Catalog Error")
    );
    assert_eq!(job.attempts[1].error, None);
    let seen = harness.model.repair_errors_seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].contains("Catalog Error"));
}

#[tokio::test]
async fn sql_given_by_the_user_runs_through_the_guard_without_generation() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;

    let job = ask_with_sql(&harness, "how many restaurants are there", Some(GOOD_SQL)).await;
    let destructive = ask_with_sql(&harness, "wipe", Some("DELETE FROM restaurant")).await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert_eq!(stages_run(&job), vec!["execute", "explain"]);
    assert_eq!(job.sql.as_deref(), Some(GOOD_SQL));
    assert_eq!(destructive.status, JobStatus::Failed, "{destructive:?}");
    let failure = destructive.error.unwrap();
    assert!(
        failure.message.contains("rejected before running"),
        "{failure:?}"
    );
    assert_eq!(
        harness.engine.executed.lock().unwrap().as_slice(),
        [GOOD_SQL],
        "the rejected statement never reached the engine"
    );
}

#[tokio::test]
async fn sql_rejected_by_the_guard_goes_back_for_repair_and_never_runs() {
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![Ok("SELECT 1; DROP TABLE restaurant"), Ok(GOOD_SQL)],
    ))
    .await;

    let job = ask(&harness, "how many restaurants are there").await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert!(
        job.attempts[0]
            .error
            .as_deref()
            .unwrap()
            .contains("exactly one statement")
    );
    assert_eq!(
        harness.engine.executed.lock().unwrap().as_slice(),
        [GOOD_SQL]
    );
}

#[tokio::test]
async fn repair_stops_after_the_maximum_attempts_and_records_the_failure() {
    let bad = Ok("SELECT nope FROM restaurant");
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![bad.clone(), bad.clone(), bad],
    ))
    .await;

    let job = ask(&harness, "how many restaurants are there").await;

    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.attempts.len(), 3);
    assert!(job.attempts.iter().all(|attempt| attempt.error.is_some()));
    let error = job.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("cannot run"), "{}", error.message);
}

#[tokio::test]
async fn a_question_the_model_cannot_answer_fails_with_the_reason_recorded() {
    let reason = "no table holds weather data";
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![Err(LlmError::CannotAnswer(reason.into()))],
    ))
    .await;

    let job = ask(&harness, "what is the weather").await;

    assert_eq!(job.status, JobStatus::Failed);
    let error = job.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert_eq!(error.stage.as_deref(), Some("generate_sql"));
    assert_eq!(error.message, reason);
    assert_eq!(job.timings.last().unwrap().outcome, "error");
}

#[tokio::test]
async fn a_transient_model_error_is_retried_by_the_state_machine() {
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![Err(LlmError::Unavailable("throttled".into())), Ok(GOOD_SQL)],
    ))
    .await;

    let job = ask(&harness, "how many restaurants are there").await;

    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    let n_generations = job
        .timings
        .iter()
        .filter(|timing| timing.stage == "generate_sql")
        .count();
    assert_eq!(n_generations, 2);
}

#[tokio::test]
async fn an_unfinished_job_is_resumed_after_a_restart() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![Ok(GOOD_SQL)])).await;
    let job_id = Uuid::new_v4();
    harness
        .store
        .create_job(NewJob {
            job_id,
            correlation_id: "c".into(),
            question: "how many restaurants are there".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at: Utc::now(),
        })
        .await
        .unwrap();

    let n_resumed = harness.pipeline.resume_unfinished().await.unwrap();
    harness.pipeline.run_until_idle().await;

    assert_eq!(n_resumed, 1);
    assert_eq!(
        harness.store.get_job(job_id).await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
}

#[tokio::test]
async fn a_follow_up_is_rewritten_with_the_conversation_before_cache_and_generation() {
    let harness = harness(ScriptedModel::new(
        Intent::Sql,
        vec![Ok(GOOD_SQL), Ok(GOOD_SQL), Ok(GOOD_SQL)],
    ))
    .await;
    let first = ask_in_conversation(&harness, "how many restaurants are there", "c1").await;
    let follow_up = ask_in_conversation(&harness, "and for February?", "c1").await;
    let standalone = "how many restaurants are there (and for February?)";
    let embedder = embedder_offline::HashingEmbedder::default();
    let schema_version = harness
        .store
        .latest_snapshot("restaurants")
        .await
        .unwrap()
        .unwrap()
        .version;
    harness
        .store
        .insert_pair(
            MemoryKind::Cache,
            VerifiedPair {
                entry_id: String::new(),
                datasource: "restaurants".into(),
                schema_version,
                question: standalone.into(),
                sql: GOOD_SQL.into(),
                embedding: embedder.embed(standalone).await.unwrap(),
                embedding_model: embedder.model_name().into(),
                approved_by: "test".into(),
                approved_at: Utc::now(),
                source_job_id: None,
            },
        )
        .await
        .unwrap();
    let repeated = ask_in_conversation(&harness, "and for February?", "c1").await;
    let elsewhere = ask_in_conversation(&harness, "and for February?", "c2").await;

    assert_eq!(first.status, JobStatus::Succeeded, "{first:?}");
    assert_eq!(first.standalone_question, None, "a first turn stands alone");
    assert_eq!(follow_up.status, JobStatus::Succeeded, "{follow_up:?}");
    assert_eq!(follow_up.standalone_question.as_deref(), Some(standalone));
    assert_eq!(
        stages_run(&follow_up),
        vec![
            "cache_lookup",
            "classify",
            "cache_lookup",
            "generate_sql",
            "execute",
            "explain"
        ]
    );
    assert!(
        follow_up
            .model_calls
            .iter()
            .any(|call| call.stage == "rewrite")
    );
    assert!(
        repeated.cache_hit,
        "the rewritten follow-up hits the cache: {repeated:?}"
    );
    assert_eq!(
        stages_run(&repeated),
        vec![
            "cache_lookup",
            "classify",
            "cache_lookup",
            "execute",
            "explain"
        ]
    );
    assert_eq!(
        elsewhere.standalone_question, None,
        "another conversation has no turns"
    );
    assert!(!elsewhere.cache_hit);
}

#[tokio::test]
async fn a_cancelled_job_runs_no_further_stage() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![Ok(GOOD_SQL)])).await;
    let job_id = Uuid::new_v4();
    let submitted_at = Utc::now();
    harness
        .store
        .create_job(NewJob {
            job_id,
            correlation_id: "c".into(),
            question: "how many restaurants are there".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at,
        })
        .await
        .unwrap();
    let cancellation = contracts::error::StageFailure {
        kind: contracts::error::ErrorKind::InvalidInput,
        stage: None,
        message: "cancelled by tester".into(),
    };
    harness
        .store
        .update(job_id, ports::job_store::JobUpdate::Failed(cancellation))
        .await
        .unwrap();

    let n_resumed = harness.pipeline.resume_unfinished().await.unwrap();
    let envelope = JobEnvelope {
        schema_version: SCHEMA_VERSION,
        job_id,
        correlation_id: "c".into(),
        attempt: 0,
        submitted_at,
        sent_at: None,
        payload: ClassifyRequest {
            question: "how many restaurants are there".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
        },
    };
    harness.pipeline.launch(envelope).await.unwrap();
    harness.pipeline.run_until_idle().await;

    let job = harness.store.get_job(job_id).await.unwrap().unwrap();
    assert_eq!(n_resumed, 0, "a cancelled job is not resumed");
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error.unwrap().message, "cancelled by tester");
    assert!(job.timings.is_empty(), "no stage ran: {:?}", job.timings);
    assert!(harness.engine.executed.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_redelivered_task_is_answered_from_its_recorded_result_without_running_again() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![Ok(GOOD_SQL)])).await;
    let job_id = Uuid::new_v4();
    let submitted_at = Utc::now();
    harness
        .store
        .create_job(NewJob {
            job_id,
            correlation_id: "c".into(),
            question: "how many restaurants are there".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at,
        })
        .await
        .unwrap();
    let message = contracts::envelope::TaskMessage {
        task_token: format!("{job_id}/3/GenerateSql/0"),
        stage: "generate_sql".into(),
        envelope: serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "job_id": job_id,
            "correlation_id": "c",
            "attempt": 0,
            "submitted_at": submitted_at,
            "payload": {"question": "how many restaurants are there", "datasource": "restaurants", "intent": "sql"}
        }),
    };

    let first = harness.handlers.handle(&message).await.unwrap();
    let redelivered = harness.handlers.handle(&message).await.unwrap();

    assert_eq!(first, redelivered);
    let job = harness.store.get_job(job_id).await.unwrap().unwrap();
    assert_eq!(
        job.model_calls.len(),
        1,
        "the model is called (and charged) once"
    );
    assert_eq!(job.attempts.len(), 1);
    assert_eq!(stages_run(&job), vec!["generate_sql"], "the stage ran once");
}
