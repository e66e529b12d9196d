//! Jobs belong to the key that submitted them: every job route (poll, chart, cancel, feedback)
//! and a conversation follow-up answer the owner and admin keys, and 404 to every other key,
//! exactly as for a job that does not exist. Jobs and keys live in a real SQLite store.

use std::sync::Arc;

use api::router;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chrono::Utc;
use ports::job_store::{JobStore, JobUpdate, NewJob};
use ports::key_store::{KeyScope, KeyStore, new_key_record};
use serde_json::{Value, json};
use store_sqlite::SqliteStore;
use tower::ServiceExt;
use uuid::Uuid;

use crate::fakes::{FakeApprovals, FakeLauncher};
use crate::test_app::{app_state, assert_error, json_body};

/// A router over one SQLite store holding the jobs and three keys: the owner, another ordinary
/// key with the same scopes, and an admin key.
struct OwnershipApp {
    store: Arc<SqliteStore>,
    launcher: Arc<FakeLauncher>,
    approvals: Arc<FakeApprovals>,
    router: Router,
    owner_key: String,
    other_key: String,
    admin_key: String,
}

impl OwnershipApp {
    async fn new() -> Self {
        let store = Arc::new(SqliteStore::open_in_memory().unwrap());
        let ordinary = [KeyScope::Ask, KeyScope::Approve];
        let owner_key = insert_key(&store, "owner", &ordinary).await;
        let other_key = insert_key(&store, "other", &ordinary).await;
        let admin_key = insert_key(&store, "admin", &KeyScope::ALL).await;
        let launcher = Arc::new(FakeLauncher::default());
        let approvals = Arc::new(FakeApprovals::default());
        let state = app_state(
            store.clone(),
            store.clone(),
            launcher.clone(),
            approvals.clone(),
            store.clone(),
            None,
        );
        OwnershipApp {
            store,
            launcher,
            approvals,
            router: router(state),
            owner_key,
            other_key,
            admin_key,
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> Response<Body> {
        let builder = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {key}"));
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.router.clone().oneshot(request.unwrap()).await.unwrap()
    }

    /// Submits `body` with `key` and returns the job id of the 202 answer.
    async fn submit(&self, key: &str, body: Value) -> Uuid {
        let response = self.send("POST", "/v1/questions", key, Some(body)).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        json_body(response).await["job_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// A job of the owner key, queued.
    async fn owners_job(&self) -> Uuid {
        let key = self.owner_key.clone();
        self.submit(&key, json!({"question": "How many restaurants are there?"}))
            .await
    }

    /// A job of the owner key that succeeded with a bar chart.
    async fn owners_charted_job(&self) -> Uuid {
        let job_id = self.owners_job().await;
        let chart = json!({
            "data": { "values": [{ "city": "Miami", "n": 2 }, { "city": "Austin", "n": 3 }] },
            "mark": "bar",
            "encoding": {
                "x": { "field": "city", "type": "nominal" },
                "y": { "field": "n", "type": "quantitative" }
            }
        });
        self.store
            .update(
                job_id,
                JobUpdate::Answered {
                    answer: "Austin has the most.".into(),
                    chart: Some(chart),
                },
            )
            .await
            .unwrap();
        job_id
    }
}

async fn insert_key(store: &SqliteStore, name: &str, scopes: &[KeyScope]) -> String {
    let (record, plaintext) = new_key_record(name, scopes, Utc::now());
    store.insert_key(record).await.unwrap();
    plaintext
}

/// The 404 another key gets, checked to read exactly like the one of a job that never existed.
async fn assert_hidden(response: Response<Body>, job_id: Uuid) {
    let body = assert_error(response, StatusCode::NOT_FOUND, "job_not_found").await;
    assert_eq!(
        body["error"]["message"],
        format!("job {job_id} does not exist")
    );
}

#[tokio::test]
async fn a_job_is_polled_by_its_owner_and_an_admin_and_hidden_from_other_keys() {
    let app = OwnershipApp::new().await;
    let job_id = app.owners_job().await;
    let path = format!("/v1/questions/{job_id}");

    let by_owner = app.send("GET", &path, &app.owner_key, None).await;
    let by_other = app.send("GET", &path, &app.other_key, None).await;
    let by_admin = app.send("GET", &path, &app.admin_key, None).await;
    let unknown_id = Uuid::new_v4();
    let unknown = app
        .send(
            "GET",
            &format!("/v1/questions/{unknown_id}"),
            &app.other_key,
            None,
        )
        .await;

    assert_eq!(by_owner.status(), StatusCode::OK);
    assert_eq!(json_body(by_owner).await["job_id"], job_id.to_string());
    assert_hidden(by_other, job_id).await;
    assert_eq!(by_admin.status(), StatusCode::OK);
    assert_eq!(json_body(by_admin).await["job_id"], job_id.to_string());
    assert_hidden(unknown, unknown_id).await;
}

#[tokio::test]
async fn a_chart_is_drawn_for_its_owner_and_an_admin_and_hidden_from_other_keys() {
    let app = OwnershipApp::new().await;
    let job_id = app.owners_charted_job().await;
    let path = format!("/v1/questions/{job_id}/chart.svg");

    let by_owner = app.send("GET", &path, &app.owner_key, None).await;
    let by_other = app.send("GET", &path, &app.other_key, None).await;
    let by_admin = app.send("GET", &path, &app.admin_key, None).await;

    assert_eq!(by_owner.status(), StatusCode::OK);
    assert_eq!(
        by_owner.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert_hidden(by_other, job_id).await;
    assert_eq!(by_admin.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_job_is_cancelled_only_by_its_owner_or_an_admin() {
    let app = OwnershipApp::new().await;
    let owners_job = app.owners_job().await;
    let second_job = app.owners_job().await;

    let by_other = app
        .send(
            "DELETE",
            &format!("/v1/questions/{owners_job}"),
            &app.other_key,
            None,
        )
        .await;
    let status_after_refusal = app.store.job_status(owners_job).await.unwrap();
    let by_owner = app
        .send(
            "DELETE",
            &format!("/v1/questions/{owners_job}"),
            &app.owner_key,
            None,
        )
        .await;
    let by_admin = app
        .send(
            "DELETE",
            &format!("/v1/questions/{second_job}"),
            &app.admin_key,
            None,
        )
        .await;

    assert_hidden(by_other, owners_job).await;
    assert_eq!(
        status_after_refusal,
        Some(contracts::api::JobStatus::Queued),
        "the refused cancel changed nothing"
    );
    assert_eq!(by_owner.status(), StatusCode::OK);
    assert_eq!(json_body(by_owner).await["status"], "failed");
    assert_eq!(by_admin.status(), StatusCode::OK);
    let cancelled_by_admin = json_body(by_admin).await;
    assert_eq!(cancelled_by_admin["status"], "failed");
    assert_eq!(cancelled_by_admin["error"]["message"], "cancelled by admin");
}

#[tokio::test]
async fn feedback_is_taken_only_from_the_jobs_owner_or_an_admin() {
    let app = OwnershipApp::new().await;
    let job_id = app.owners_charted_job().await;
    let path = format!("/v1/questions/{job_id}/feedback");
    let verdict = || Some(json!({"verdict": "reject", "comment": "wrong city"}));

    let by_other = app.send("POST", &path, &app.other_key, verdict()).await;
    let inputs_after_refusal = app.approvals.inputs.lock().unwrap().len();
    let by_owner = app.send("POST", &path, &app.owner_key, verdict()).await;
    let by_admin = app.send("POST", &path, &app.admin_key, verdict()).await;

    assert_hidden(by_other, job_id).await;
    assert_eq!(
        inputs_after_refusal, 0,
        "the refused feedback reached no one"
    );
    assert_eq!(by_owner.status(), StatusCode::OK);
    assert_eq!(json_body(by_owner).await["given_by"], "owner");
    assert_eq!(by_admin.status(), StatusCode::OK);
    assert_eq!(json_body(by_admin).await["given_by"], "admin");
}

#[tokio::test]
async fn a_conversation_is_continued_only_by_its_owner_or_an_admin() {
    let app = OwnershipApp::new().await;
    let conversation = || json!({"question": "And in Austin?", "conversation_id": "trip-42"});
    let first = app
        .submit(
            &app.owner_key.clone(),
            json!({"question": "How many restaurants are in Miami?", "conversation_id": "trip-42"}),
        )
        .await;
    let n_jobs_before = app.launcher.launched.lock().unwrap().len();

    let by_other = app
        .send(
            "POST",
            "/v1/questions",
            &app.other_key,
            Some(conversation()),
        )
        .await;
    let n_jobs_after_refusal = app.launcher.launched.lock().unwrap().len();
    let follow_up = app.submit(&app.owner_key.clone(), conversation()).await;
    let by_admin = app.submit(&app.admin_key.clone(), conversation()).await;
    let others_own = app
        .submit(
            &app.other_key.clone(),
            json!({"question": "And in Austin?", "conversation_id": "trip-43"}),
        )
        .await;

    let body = assert_error(by_other, StatusCode::NOT_FOUND, "conversation_not_found").await;
    assert_eq!(
        body["error"]["message"],
        "conversation 'trip-42' does not exist for this API key; send a new conversation_id to start one"
    );
    assert_eq!(n_jobs_after_refusal, n_jobs_before, "no job was launched");
    for job_id in [first, follow_up, by_admin, others_own] {
        assert!(app.store.job_owner(job_id).await.unwrap().is_some());
    }
    let owner_of_conversation = app.store.conversation_owner("trip-42").await.unwrap();
    let owner_of_first = app.store.job_owner(first).await.unwrap();
    assert_eq!(owner_of_conversation, owner_of_first);
    let owner_of_others = app.store.conversation_owner("trip-43").await.unwrap();
    assert_ne!(owner_of_others, owner_of_first);
}

#[tokio::test]
async fn a_job_stored_without_an_owner_is_reached_only_by_admin_keys() {
    let app = OwnershipApp::new().await;
    let job_id = Uuid::new_v4();
    app.store
        .create_job(NewJob {
            job_id,
            correlation_id: "req-legacy".into(),
            question: "How many restaurants are there?".into(),
            datasource: "restaurants".into(),
            conversation_id: Some("legacy-conversation".into()),
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at: Utc::now(),
        })
        .await
        .unwrap();
    let path = format!("/v1/questions/{job_id}");

    let by_owner_key = app.send("GET", &path, &app.owner_key, None).await;
    let by_admin = app.send("GET", &path, &app.admin_key, None).await;
    let follow_up = app
        .send(
            "POST",
            "/v1/questions",
            &app.owner_key,
            Some(json!({"question": "And after?", "conversation_id": "legacy-conversation"})),
        )
        .await;

    assert_hidden(by_owner_key, job_id).await;
    assert_eq!(by_admin.status(), StatusCode::OK);
    assert_error(follow_up, StatusCode::NOT_FOUND, "conversation_not_found").await;
}
