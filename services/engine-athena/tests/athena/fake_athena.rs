//! A local Athena endpoint with scripted answers per operation that records every request.
//!
//! Invariant: an operation without a script gets an error answer, never a made-up success.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_athena::config::{Credentials, SharedCredentialsProvider};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use engine_athena::{AthenaEngine, AthenaSettings};

/// One scripted answer: HTTP status and JSON body.
#[derive(Debug, Clone)]
pub(crate) struct ScriptedAnswer {
    status: u16,
    body: Value,
}

/// A successful answer with `body`.
pub(crate) fn answer(body: Value) -> ScriptedAnswer {
    ScriptedAnswer { status: 200, body }
}

/// An error answer with the awsJson1_1 error shape.
pub(crate) fn error_answer(status: u16, error_type: &str, message: &str) -> ScriptedAnswer {
    ScriptedAnswer {
        status,
        body: json!({ "__type": error_type, "message": message }),
    }
}

/// GetQueryExecution answer in `state`.
pub(crate) fn query_state(state: &str) -> ScriptedAnswer {
    answer(json!({
        "QueryExecution": { "QueryExecutionId": "q-1", "Status": { "State": state } }
    }))
}

/// GetQueryExecution answer for a query that ended in `state` with `reason`.
pub(crate) fn query_ended(state: &str, reason: &str) -> ScriptedAnswer {
    answer(json!({
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": { "State": state, "StateChangeReason": reason }
        }
    }))
}

/// GetQueryResults answer with `(name, type)` columns, rows of optional cells and a token.
pub(crate) fn results_page(
    columns: &[(&str, &str)],
    rows: &[Vec<Option<&str>>],
    next_token: Option<&str>,
) -> ScriptedAnswer {
    let column_info: Vec<Value> = columns
        .iter()
        .map(|(name, athena_type)| json!({ "Name": name, "Label": name, "Type": athena_type }))
        .collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|cells| {
            let data: Vec<Value> = cells
                .iter()
                .map(|cell| match cell {
                    Some(text) => json!({ "VarCharValue": text }),
                    None => json!({}),
                })
                .collect();
            json!({ "Data": data })
        })
        .collect();
    let mut body = json!({
        "ResultSet": { "Rows": rows, "ResultSetMetadata": { "ColumnInfo": column_info } }
    });
    if let Some(token) = next_token {
        body["NextToken"] = json!(token);
    }
    answer(body)
}

/// The running server.
pub(crate) struct FakeAthena {
    endpoint_url: String,
    state: Arc<Mutex<ServerState>>,
}

#[derive(Default)]
struct ServerState {
    scripts: HashMap<String, VecDeque<ScriptedAnswer>>,
    requests: Vec<(String, Value)>,
}

impl FakeAthena {
    /// Starts a server on a free port of 127.0.0.1.
    pub(crate) async fn start() -> Self {
        let state = Arc::new(Mutex::new(ServerState::default()));
        let router = Router::new()
            .route("/", post(handle_request))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeAthena {
            endpoint_url: format!("http://{address}"),
            state,
        }
    }

    /// Queues answers for `operation`; the last one repeats once the others are used up.
    pub(crate) fn script(&self, operation: &str, answers: Vec<ScriptedAnswer>) {
        let mut state = self.state.lock().unwrap();
        state
            .scripts
            .entry(operation.to_owned())
            .or_default()
            .extend(answers);
    }

    /// Bodies of the requests received for `operation`, in order.
    pub(crate) fn requests(&self, operation: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .requests
            .iter()
            .filter(|(name, _)| name == operation)
            .map(|(_, body)| body.clone())
            .collect()
    }

    /// Settings pointing at this server, polling fast.
    pub(crate) fn settings(&self) -> AthenaSettings {
        AthenaSettings {
            endpoint_url: Some(self.endpoint_url.clone()),
            poll_initial: Duration::from_millis(20),
            poll_max: Duration::from_millis(100),
            ..AthenaSettings::new("us-east-1", "analyst-wg", "sales")
        }
    }

    /// An engine on this server with static test credentials.
    pub(crate) fn engine(&self) -> AthenaEngine {
        engine_with(self.settings())
    }
}

/// An engine with `settings` and static test credentials.
pub(crate) fn engine_with(settings: AthenaSettings) -> AthenaEngine {
    AthenaEngine::new(&test_sdk_config(), settings).unwrap()
}

/// Region us-east-1 and the static credentials `test` / `test`.
pub(crate) fn test_sdk_config() -> SdkConfig {
    SdkConfig::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "test",
        )))
        .behavior_version(BehaviorVersion::latest())
        .build()
}

async fn handle_request(
    State(state): State<Arc<Mutex<ServerState>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let operation = target
        .strip_prefix("AmazonAthena.")
        .unwrap_or(target)
        .to_owned();
    let request_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);

    let scripted = {
        let mut state = state.lock().unwrap();
        state.requests.push((operation.clone(), request_body));
        let queue = state.scripts.entry(operation.clone()).or_default();
        if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        }
    };
    let scripted = scripted.unwrap_or_else(|| {
        error_answer(
            400,
            "InvalidRequestException",
            &format!("no scripted answer for {operation}"),
        )
    });
    let status = StatusCode::from_u16(scripted.status).unwrap();
    (
        status,
        [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
        scripted.body.to_string(),
    )
        .into_response()
}
