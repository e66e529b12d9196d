//! The cache step only matches verified entries of the same datasource and schema version.

use std::sync::Arc;

use chrono::Utc;
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::stages::CacheLookupRequest;
use embedder_offline::HashingEmbedder;
use ports::embedder::Embedder;
use ports::job_store::{JobStore, NewJob};
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair};
use ports::schema::{ColumnSchema, SchemaSnapshot, SchemaStore, TableSchema};
use store_sqlite::SqliteStore;
use uuid::Uuid;
use worker_cache::{CacheDeps, DEFAULT_SIMILARITY_THRESHOLD, run};

const QUESTION: &str = "how many restaurants are there";

fn snapshot(datasource: &str, column: &str) -> SchemaSnapshot {
    let column = ColumnSchema {
        name: column.into(),
        data_type: "BIGINT".into(),
        description: None,
        sample_values: vec![],
    };
    SchemaSnapshot::new(
        datasource,
        vec![TableSchema {
            name: "restaurant".into(),
            description: None,
            columns: vec![column],
            n_rows: None,
        }],
    )
}

async fn deps_with_entry(
    entry_datasource: &str,
    entry_schema_version: Option<String>,
) -> (CacheDeps, Uuid) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let current = snapshot("restaurants", "id");
    store.save_snapshot(&current).await.unwrap();
    let embedder = Arc::new(HashingEmbedder::default());
    let pair = VerifiedPair {
        entry_id: String::new(),
        datasource: entry_datasource.into(),
        schema_version: entry_schema_version.unwrap_or(current.version),
        question: QUESTION.into(),
        sql: "SELECT COUNT(*) FROM restaurant".into(),
        embedding: embedder.embed(QUESTION).await.unwrap(),
        embedding_model: embedder.model_name().into(),
        approved_by: "test".into(),
        approved_at: Utc::now(),
        source_job_id: None,
    };
    store.insert_pair(MemoryKind::Cache, pair).await.unwrap();
    let job_id = Uuid::new_v4();
    let job = NewJob {
        job_id,
        correlation_id: "c".into(),
        question: QUESTION.into(),
        datasource: "restaurants".into(),
        conversation_id: None,
        provided_sql: None,
        owner_key_id: None,
        idempotency_key: None,
        submitted_at: Utc::now(),
    };
    store.create_job(job).await.unwrap();
    let deps = CacheDeps {
        embedder,
        pair_store: store.clone(),
        schema_store: store.clone(),
        job_store: store,
        similarity_threshold: DEFAULT_SIMILARITY_THRESHOLD,
        paraphrase_floor: worker_cache::DEFAULT_PARAPHRASE_FLOOR,
    };
    (deps, job_id)
}

fn envelope(job_id: Uuid, question: &str) -> JobEnvelope<CacheLookupRequest> {
    JobEnvelope {
        schema_version: SCHEMA_VERSION,
        job_id,
        correlation_id: "c".into(),
        attempt: 0,
        submitted_at: Utc::now(),
        sent_at: None,
        payload: CacheLookupRequest {
            question: question.into(),
            datasource: "restaurants".into(),
            conversation_id: None,
        },
    }
}

#[tokio::test]
async fn the_same_question_on_the_same_datasource_and_schema_hits() {
    let (deps, job_id) = deps_with_entry("restaurants", None).await;

    let result = run(&deps, envelope(job_id, "How many restaurants are there?"))
        .await
        .unwrap();

    assert!(result.hit);
    assert_eq!(
        result.sql.as_deref(),
        Some("SELECT COUNT(*) FROM restaurant")
    );
    assert!(
        deps.job_store
            .get_job(job_id)
            .await
            .unwrap()
            .unwrap()
            .cache_hit
    );
}

#[tokio::test]
async fn an_entry_of_another_datasource_never_matches() {
    let (deps, job_id) = deps_with_entry("yelp", None).await;

    let result = run(&deps, envelope(job_id, QUESTION)).await.unwrap();

    assert!(!result.hit);
    assert_eq!(result.similarity, None);
}

#[tokio::test]
async fn an_entry_of_an_old_schema_version_never_matches() {
    let old_version = snapshot("restaurants", "old_id").version;
    let (deps, job_id) = deps_with_entry("restaurants", Some(old_version)).await;

    let result = run(&deps, envelope(job_id, QUESTION)).await.unwrap();

    assert!(!result.hit);
}

#[tokio::test]
async fn a_different_question_below_the_threshold_misses() {
    let (deps, job_id) = deps_with_entry("restaurants", None).await;

    let result = run(
        &deps,
        envelope(job_id, "which restaurants serve Italian food"),
    )
    .await
    .unwrap();

    assert!(!result.hit);
    assert!(result.similarity.unwrap() < DEFAULT_SIMILARITY_THRESHOLD);
}

#[tokio::test]
async fn a_follow_up_in_a_conversation_is_never_looked_up_literally() {
    let (deps, job_id) = deps_with_entry("restaurants", None).await;
    let mut envelope = envelope(job_id, "How many restaurants are there?");
    envelope.payload.conversation_id = Some("conversation-1".into());

    let result = worker_cache::run(&deps, envelope).await.unwrap();

    assert!(!result.hit);
    assert_eq!(result.similarity, None);
}
