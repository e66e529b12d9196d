//! Jobs in a `PostgresStore` beyond the shared contract: concurrent updates, error mapping and
//! column types. Each test runs on a database of its own.
//!
//! Invariant: tests only read the database directly to inspect what the store wrote.

mod support;

use contracts::api::{JobStatus, SqlAttempt};
use contracts::result::ResultSet;
use ports::job_store::{JobStore, JobUpdate};
use ports::key_store::{ApiKeyRecord, KeyScope, KeyStore, hash_api_key};
use ports::store_error::StoreError;
use support::fixtures::new_job;
use support::{CONTRACT_DIMENSION, TestDatabase};
use uuid::Uuid;

#[tokio::test]
async fn concurrent_updates_to_different_jobs_from_two_tasks_all_apply() {
    const N_STAGES: u32 = 25;
    let database = TestDatabase::create().await;
    let store = database.store(2, CONTRACT_DIMENSION).await;
    let jobs = [new_job(0), new_job(1)];
    for job in &jobs {
        store.create_job(job.clone()).await.unwrap();
    }

    let tasks = jobs.clone().map(|job| {
        let store = store.clone();
        tokio::spawn(async move {
            for stage_number in 1..=N_STAGES {
                let stage = format!("stage_{stage_number}");
                let updates = [
                    JobUpdate::StageStarted {
                        stage: stage.clone(),
                        at: job.submitted_at,
                    },
                    JobUpdate::SqlAttempted(SqlAttempt {
                        attempt: stage_number,
                        sql: format!("SELECT {stage_number}"),
                        error: None,
                    }),
                    JobUpdate::StageFinished {
                        stage,
                        duration_ms: u64::from(stage_number),
                        succeeded: true,
                    },
                ];
                for update in updates {
                    store
                        .update(job.job_id, update)
                        .await
                        .expect("update applies");
                }
            }
        })
    });
    for task in tasks {
        task.await.expect("the updating task finishes");
    }

    for job in &jobs {
        let view = store.get_job(job.job_id).await.unwrap().unwrap();
        assert_eq!(view.status, JobStatus::Running);
        assert_eq!(view.timings.len(), N_STAGES as usize);
        assert!(view.timings.iter().all(|timing| timing.outcome == "ok"));
        assert_eq!(view.attempts.len(), N_STAGES as usize);
        assert_eq!(view.stage, Some(format!("stage_{N_STAGES}")));
    }
}

#[tokio::test]
async fn an_update_to_an_unknown_job_is_a_conflict() {
    let database = TestDatabase::create().await;
    let store = database.store(1, CONTRACT_DIMENSION).await;

    let outcome = store
        .update(
            Uuid::new_v4(),
            JobUpdate::Answered {
                answer: "42".into(),
                chart: None,
            },
        )
        .await;

    assert!(
        matches!(outcome, Err(StoreError::Conflict(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn writing_the_same_job_or_key_twice_is_a_conflict() {
    let database = TestDatabase::create().await;
    let store = database.store(1, CONTRACT_DIMENSION).await;
    let job = new_job(0);
    let key = ApiKeyRecord {
        key_id: "key-1".into(),
        key_hash: hash_api_key("sk-test"),
        name: "test".into(),
        scopes: vec![KeyScope::Ask, KeyScope::Admin],
        created_at: job.submitted_at,
        revoked_at: None,
    };
    store.create_job(job.clone()).await.unwrap();
    store.insert_key(key.clone()).await.unwrap();

    let second_job = store.create_job(job).await;
    let same_hash = ApiKeyRecord {
        key_id: "key-2".into(),
        ..key
    };
    let second_key = store.insert_key(same_hash).await;

    assert!(
        matches!(second_job, Err(StoreError::Conflict(_))),
        "{second_job:?}"
    );
    assert!(
        matches!(second_key, Err(StoreError::Conflict(_))),
        "{second_key:?}"
    );
}

#[tokio::test]
async fn results_are_stored_as_jsonb_and_times_as_timestamptz() {
    let database = TestDatabase::create().await;
    let store = database.store(1, CONTRACT_DIMENSION).await;
    let job = new_job(0);
    store.create_job(job.clone()).await.unwrap();
    let result = ResultSet {
        columns: vec![],
        rows: vec![],
        truncated: false,
        total_rows: Some(0),
    };
    store
        .store_result(job.job_id, "result-1", &result)
        .await
        .unwrap();
    let client = database.client().await;

    let row = client
        .query_one(
            "SELECT pg_typeof(r.result)::text, pg_typeof(j.submitted_at)::text,
                    r.result->'total_rows'
             FROM job_results r JOIN jobs j USING (job_id)",
            &[],
        )
        .await
        .unwrap();

    assert_eq!(row.get::<_, String>(0), "jsonb");
    assert_eq!(row.get::<_, String>(1), "timestamp with time zone");
    assert_eq!(row.get::<_, serde_json::Value>(2), serde_json::json!(0));
}

#[tokio::test]
async fn results_stored_before_retention_get_their_size_and_owner() {
    let database = TestDatabase::create().await;
    let store = database.store(1, CONTRACT_DIMENSION).await;
    let mut owned_job = new_job(0);
    owned_job.owner_key_id = Some("key_a".into());
    let unowned_job = new_job(1);
    for job in [&owned_job, &unowned_job] {
        store.create_job(job.clone()).await.unwrap();
    }
    let client = database.client().await;
    client
        .batch_execute(
            "DROP INDEX job_results_by_stored_at;
             ALTER TABLE job_results DROP COLUMN n_bytes, DROP COLUMN owner_key_id;
             DELETE FROM schema_migrations WHERE version = 10;",
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO job_results (result_ref, job_id, result, stored_at)
             VALUES ('owned/1', $1, '{\"rows\": [\"é\"]}', now()), ('unowned/1', $2, '[]', now())",
            &[&owned_job.job_id, &unowned_job.job_id],
        )
        .await
        .unwrap();

    let _migrated_again = database.store(1, CONTRACT_DIMENSION).await;

    let rows = client
        .query(
            "SELECT result_ref, n_bytes, owner_key_id FROM job_results ORDER BY result_ref",
            &[],
        )
        .await
        .unwrap();
    let backfilled: Vec<(String, i64, Option<String>)> = rows
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    assert_eq!(
        backfilled,
        vec![
            ("owned/1".to_owned(), 16, Some("key_a".to_owned())),
            ("unowned/1".to_owned(), 2, None),
        ],
        "sizes are UTF-8 bytes of the jsonb text rendering, owners come from the jobs"
    );
}

#[tokio::test]
async fn concurrent_stores_of_one_owner_end_at_its_cap_without_errors() {
    const N_TASKS: usize = 4;
    const N_STORES_PER_TASK: usize = 10;
    let database = TestDatabase::create().await;
    let result = ResultSet {
        columns: vec![],
        rows: vec![vec![serde_json::json!("a value of some length")]; 10],
        truncated: false,
        total_rows: Some(10),
    };
    let n_bytes = ports::result_retention::stored_result_bytes(&result);
    let store = database
        .store(N_TASKS, CONTRACT_DIMENSION)
        .await
        .with_result_retention(ports::result_retention::ResultRetention {
            max_bytes_per_owner: 3 * n_bytes,
            ..Default::default()
        });
    let mut jobs = Vec::new();
    for task_idx in 0..N_TASKS {
        let mut job = new_job(task_idx as u32);
        job.owner_key_id = Some("key_shared".into());
        store.create_job(job.clone()).await.unwrap();
        jobs.push(job);
    }

    let tasks = jobs.into_iter().map(|job| {
        let store = store.clone();
        let result = result.clone();
        tokio::spawn(async move {
            for store_idx in 0..N_STORES_PER_TASK {
                let result_ref = format!("{}/{store_idx}", job.job_id);
                store
                    .store_result(job.job_id, &result_ref, &result)
                    .await
                    .expect("store rows");
            }
        })
    });
    for task in tasks.collect::<Vec<_>>() {
        task.await.expect("the storing task finishes");
    }

    let client = database.client().await;
    let row = client
        .query_one(
            "SELECT COUNT(*), COALESCE(SUM(n_bytes), 0)::bigint FROM job_results
             WHERE owner_key_id = 'key_shared'",
            &[],
        )
        .await
        .unwrap();
    let (n_kept, kept_bytes): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(n_kept, 3, "exactly the cap's worth of results is kept");
    assert_eq!(kept_bytes as u64, 3 * n_bytes);
}
