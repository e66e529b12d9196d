//! A router over fresh fakes, plus request and response shortcuts.
//!
//! Invariant: every request goes through the real router, without a socket.

use std::sync::Arc;

use api::{AppState, KeyRateLimiter, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use ports::datasource::{Datasource, Datasources};
use ports::job_store::JobStore;
use ports::key_store::{KeyScope, KeyStore};
use ports::schema::{ColumnSchema, SchemaSnapshot, TableSchema};
use serde_json::Value;
use tower::ServiceExt;

use store_sqlite::SqliteStore;

use crate::fakes::{
    FakeApprovals, FakeJobStore, FakeKeyStore, FakeLauncher, FakeSchemaStore, FakeSqlEngine,
};

pub(crate) const ASK_KEY: &str = "ak_test_ask_key";
pub(crate) const APPROVE_KEY: &str = "ak_test_approve_key";
pub(crate) const ADMIN_KEY: &str = "ak_test_admin_key";
pub(crate) const INGEST_ONLY_KEY: &str = "ak_test_ingest_only_key";

pub(crate) struct TestApp {
    pub(crate) job_store: Arc<FakeJobStore>,
    pub(crate) launcher: Arc<FakeLauncher>,
    pub(crate) approvals: Arc<FakeApprovals>,
    pub(crate) pair_store: Arc<SqliteStore>,
    pub(crate) router: Router,
}

impl TestApp {
    pub(crate) fn new() -> Self {
        TestApp::with_rate_limit(None)
    }

    /// A router whose keys may send `per_minute` requests a minute.
    pub(crate) fn with_rate_limit(per_minute: Option<u32>) -> Self {
        let job_store = Arc::new(FakeJobStore::default());
        let key_store = Arc::new(FakeKeyStore::default());
        key_store.add_key(ASK_KEY, &[KeyScope::Ask]);
        key_store.add_key(INGEST_ONLY_KEY, &[KeyScope::Ingest]);
        key_store.add_key(APPROVE_KEY, &[KeyScope::Approve]);
        key_store.add_key(ADMIN_KEY, &[KeyScope::Admin]);
        let approvals = Arc::new(FakeApprovals::default());
        let pair_store = Arc::new(SqliteStore::open_in_memory().unwrap());
        let launcher = Arc::new(FakeLauncher::default());
        let app_state = app_state(
            job_store.clone(),
            key_store,
            launcher.clone(),
            approvals.clone(),
            pair_store.clone(),
            per_minute,
        );
        TestApp {
            job_store,
            launcher,
            approvals,
            pair_store,
            router: router(app_state),
        }
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub(crate) async fn submit(&self, body: &str) -> Response<Body> {
        let request = Request::post("/v1/questions")
            .header("authorization", format!("Bearer {ASK_KEY}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn post_json(&self, path: &str, key: &str, body: &str) -> Response<Body> {
        let request = Request::post(path)
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn call(&self, method: &str, path: &str, key: &str) -> Response<Body> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-api-key", key)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn get_with_key(&self, path: &str) -> Response<Body> {
        self.send(
            Request::get(path)
                .header("x-api-key", ASK_KEY)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }
}

/// The router's state over the given stores, with the `restaurants` datasource as default.
pub(crate) fn app_state(
    job_store: Arc<dyn JobStore>,
    key_store: Arc<dyn KeyStore>,
    launcher: Arc<FakeLauncher>,
    approvals: Arc<FakeApprovals>,
    pair_store: Arc<SqliteStore>,
    per_minute: Option<u32>,
) -> AppState {
    let datasources = Datasources::default();
    datasources.insert(Datasource {
        name: "restaurants".to_owned(),
        description: Some("Restaurants and their ratings".to_owned()),
        engine_name: "embedded".to_owned(),
        engine: Arc::new(FakeSqlEngine),
        allowed_relations: None,
    });
    AppState {
        job_store,
        key_store,
        launcher,
        datasources,
        default_datasource: "restaurants".to_owned(),
        schema_store: Arc::new(restaurant_schema_store()),
        approvals,
        pair_store,
        metrics: None,
        rate_limiter: per_minute.map(|per_minute| Arc::new(KeyRateLimiter::per_minute(per_minute))),
        uploads: None,
    }
}

/// The `restaurants` snapshot: three tables, the `restaurant` one with described, sampled columns.
pub(crate) fn restaurant_schema_store() -> FakeSchemaStore {
    let schema_store = FakeSchemaStore::with_tables("restaurants", &["geographic", "location"]);
    let mut snapshots = schema_store.snapshots.lock().unwrap();
    let mut tables = snapshots.remove("restaurants").unwrap().tables;
    tables.push(TableSchema {
        name: "restaurant".to_owned(),
        description: Some("One row per restaurant".to_owned()),
        columns: vec![
            ColumnSchema {
                name: "food_type".to_owned(),
                data_type: "VARCHAR".to_owned(),
                description: Some("Cuisine served".to_owned()),
                sample_values: vec!["italian".to_owned(), "vegan".to_owned()],
            },
            ColumnSchema {
                name: "city_name".to_owned(),
                data_type: "VARCHAR".to_owned(),
                description: None,
                sample_values: vec!["san francisco".to_owned()],
            },
            ColumnSchema {
                name: "rating".to_owned(),
                data_type: "DOUBLE".to_owned(),
                description: None,
                sample_values: Vec::new(),
            },
        ],
        n_rows: Some(11),
    });
    snapshots.insert(
        "restaurants".to_owned(),
        SchemaSnapshot::new("restaurants", tables),
    );
    drop(snapshots);
    schema_store
}

pub(crate) async fn json_body(response: Response<Body>) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub(crate) async fn assert_error(
    response: Response<Body>,
    status: StatusCode,
    code: &str,
) -> Value {
    assert_eq!(response.status(), status);
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], code, "body was {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );
    body
}
