//! The execution step enforces each datasource's table allow-list before the engine runs
//! anything.
//!
//! Invariant: the engine here only records the SQL it is handed, so "not recorded" proves the
//! guard stopped the query.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use contracts::envelope::{JobEnvelope, SCHEMA_VERSION};
use contracts::result::{ColumnType, ResultColumn, ResultSet};
use contracts::stages::ExecuteRequest;
use ports::datasource::{Datasource, Datasources};
use ports::job_store::{JobStore, NewJob};
use ports::schema::TableSchema;
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};
use store_sqlite::SqliteStore;
use uuid::Uuid;
use worker_execute::{ExecuteDeps, run};

/// An engine that records every query it is asked to run and answers one row.
#[derive(Default)]
struct RecordingEngine {
    executed: Mutex<Vec<String>>,
}

impl RecordingEngine {
    fn executed(&self) -> Vec<String> {
        self.executed.lock().unwrap().clone()
    }
}

#[async_trait]
impl SqlEngine for RecordingEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&self, sql: &str, _limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        self.executed.lock().unwrap().push(sql.to_owned());
        Ok(ResultSet {
            columns: vec![ResultColumn {
                name: "count".into(),
                column_type: ColumnType::Integer,
            }],
            rows: vec![vec![serde_json::json!(11)]],
            truncated: false,
            total_rows: Some(1),
        })
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        Ok(Vec::new())
    }
}

/// The deps of a datasource `shop` that admits only `public.orders`, with one job created.
async fn deps_with_allow_list(engine: Arc<RecordingEngine>) -> (ExecuteDeps, Uuid) {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    let job_id = Uuid::new_v4();
    store
        .create_job(NewJob {
            job_id,
            correlation_id: "c".into(),
            question: "how many orders are there".into(),
            datasource: "shop".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at: Utc::now(),
        })
        .await
        .unwrap();
    let datasources = Datasources::default();
    datasources.insert(Datasource {
        name: "shop".into(),
        description: None,
        engine_name: "postgres".into(),
        engine,
        allowed_relations: Some(vec!["public.orders".into()]),
    });
    let deps = ExecuteDeps {
        datasources,
        job_store: store,
        limits: QueryLimits::default(),
    };
    (deps, job_id)
}

fn envelope(job_id: Uuid, sql: &str) -> JobEnvelope<ExecuteRequest> {
    JobEnvelope {
        schema_version: SCHEMA_VERSION,
        job_id,
        correlation_id: "c".into(),
        attempt: 0,
        submitted_at: Utc::now(),
        sent_at: None,
        payload: ExecuteRequest {
            datasource: "shop".into(),
            sql: sql.into(),
            origin: Some("generated".into()),
            generation_attempt: Some(1),
        },
    }
}

#[tokio::test]
async fn a_table_outside_the_allow_list_is_rejected_before_reaching_the_engine() {
    let engine = Arc::new(RecordingEngine::default());
    let (deps, job_id) = deps_with_allow_list(engine.clone()).await;

    let result = run(&deps, envelope(job_id, "SELECT * FROM customers"))
        .await
        .unwrap();

    assert!(!result.succeeded);
    let error = result.error.expect("a rejected query carries its reason");
    assert!(error.contains("rejected before running"), "error: {error}");
    assert!(error.contains("customers"), "error: {error}");
    assert!(engine.executed().is_empty());
}

#[tokio::test]
async fn the_rejection_is_recorded_as_the_failed_generation_attempt() {
    let engine = Arc::new(RecordingEngine::default());
    let (deps, job_id) = deps_with_allow_list(engine.clone()).await;

    run(&deps, envelope(job_id, "SELECT * FROM public.customers"))
        .await
        .unwrap();

    let job_view = deps.job_store.get_job(job_id).await.unwrap().unwrap();
    let attempt_error = job_view.attempts[0].error.clone().unwrap_or_default();
    assert!(
        attempt_error.contains("customers"),
        "attempt: {attempt_error}"
    );
}

#[tokio::test]
async fn a_table_on_the_allow_list_reaches_the_engine() {
    let engine = Arc::new(RecordingEngine::default());
    let (deps, job_id) = deps_with_allow_list(engine.clone()).await;

    let result = run(&deps, envelope(job_id, "SELECT COUNT(*) FROM orders"))
        .await
        .unwrap();

    assert!(result.succeeded, "error: {:?}", result.error);
    assert_eq!(engine.executed(), vec!["SELECT COUNT(*) FROM orders"]);
}

#[tokio::test]
async fn a_datasource_without_an_allow_list_admits_any_table() {
    let engine = Arc::new(RecordingEngine::default());
    let (mut deps, job_id) = deps_with_allow_list(engine.clone()).await;
    let open_datasources = Datasources::default();
    open_datasources.insert(Datasource {
        name: "shop".into(),
        description: None,
        engine_name: "postgres".into(),
        engine: engine.clone(),
        allowed_relations: None,
    });
    deps.datasources = open_datasources;

    let result = run(&deps, envelope(job_id, "SELECT * FROM customers"))
        .await
        .unwrap();

    assert!(result.succeeded, "error: {:?}", result.error);
    assert_eq!(engine.executed(), vec!["SELECT * FROM customers"]);
}
