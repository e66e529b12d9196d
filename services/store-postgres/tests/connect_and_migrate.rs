//! Connecting a `PostgresStore`: data survives reconnects, migrations run once even when
//! stores connect together, and the embedding dimension is fixed by the first migration.
//! Each test runs on a database of its own.
//!
//! Invariant: tests only read the database directly to inspect what the store wrote.

mod support;

use contracts::api::JobStatus;
use ports::job_store::{JobStore, JobUpdate};
use ports::key_store::KeyStore;
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair};
use ports::store_error::StoreError;
use store_postgres::PostgresStore;
use support::fixtures::{new_job, pair};
use support::{CONTRACT_DIMENSION, TestDatabase};

/// Versions of the migrations in `migrations/` (6 is reserved for a parallel change).
const MIGRATION_VERSIONS: [i64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

async fn applied_migrations(database: &TestDatabase) -> Vec<i64> {
    database
        .client()
        .await
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("schema_migrations exists")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn data_survives_reconnecting() {
    let database = TestDatabase::create().await;
    let job = new_job(0);
    let first_store = database.store(2, CONTRACT_DIMENSION).await;
    first_store.create_job(job.clone()).await.unwrap();
    let started = JobUpdate::StageStarted {
        stage: "classify".into(),
        at: job.submitted_at,
    };
    first_store.update(job.job_id, started).await.unwrap();
    let stored_pair = pair("restaurants", "how many restaurants", vec![0.6, 0.8, 0.0]);
    let entry_id = first_store
        .insert_pair(MemoryKind::Cache, stored_pair.clone())
        .await
        .unwrap();
    drop(first_store);

    let reconnected = database.store(2, CONTRACT_DIMENSION).await;

    let view = reconnected.get_job(job.job_id).await.unwrap().unwrap();
    assert_eq!(view.status, JobStatus::Running);
    assert_eq!(view.timings.len(), 1);
    assert_eq!(reconnected.unfinished_jobs().await.unwrap(), vec![job]);
    let nearest = reconnected
        .nearest_pairs(
            MemoryKind::Cache,
            "restaurants",
            Some("v1"),
            &[0.6, 0.8, 0.0],
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        nearest[0].pair,
        VerifiedPair {
            entry_id,
            ..stored_pair
        }
    );
}

#[tokio::test]
async fn connecting_twice_applies_each_migration_once() {
    let database = TestDatabase::create().await;

    let first = database.store(1, CONTRACT_DIMENSION).await;
    let second = database.store(1, CONTRACT_DIMENSION).await;

    assert_eq!(
        applied_migrations(&database).await,
        MIGRATION_VERSIONS.to_vec()
    );
    assert_eq!(first.count_keys().await.unwrap(), 0);
    assert_eq!(second.count_keys().await.unwrap(), 0);
}

#[tokio::test]
async fn stores_connecting_at_the_same_time_migrate_once() {
    let database = TestDatabase::create().await;
    let url = database.url().secret();

    let (first, second, third) = tokio::join!(
        PostgresStore::connect(&url, 1, CONTRACT_DIMENSION),
        PostgresStore::connect(&url, 1, CONTRACT_DIMENSION),
        PostgresStore::connect(&url, 1, CONTRACT_DIMENSION),
    );

    for outcome in [first, second, third] {
        outcome.expect("every concurrent connect succeeds");
    }
    assert_eq!(
        applied_migrations(&database).await,
        MIGRATION_VERSIONS.to_vec()
    );
}

#[tokio::test]
async fn a_database_migrated_for_another_dimension_is_refused_naming_both() {
    let database = TestDatabase::create().await;
    database.store(1, 384).await;

    let outcome = PostgresStore::connect(&database.url().secret(), 1, 768).await;

    let Err(StoreError::Corrupt(message)) = outcome else {
        panic!("a dimension mismatch is a start-up error, got {outcome:?}");
    };
    assert!(
        message.contains("384") && message.contains("768"),
        "the message names both dimensions: {message}"
    );
}

#[tokio::test]
async fn the_embedding_columns_have_the_configured_dimension_and_an_hnsw_index() {
    let database = TestDatabase::create().await;
    database.store(1, 16).await;
    let client = database.client().await;

    for table in ["cache_entries", "few_shot_examples"] {
        let column_type: String = client
            .query_one(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                 WHERE attrelid = $1::text::regclass AND attname = 'embedding'",
                &[&table],
            )
            .await
            .unwrap()
            .get(0);
        let index_definition: String = client
            .query_one(
                "SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%hnsw%'",
                &[&table],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(column_type, "vector(16)");
        assert!(
            index_definition.contains("vector_cosine_ops"),
            "{index_definition}"
        );
    }
}
