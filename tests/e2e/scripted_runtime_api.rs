//! A scripted Lambda Runtime API on a loopback port: `next` hands out the events a test
//! queued, one per call, and holds the request open while none is queued; responses, invocation
//! errors and init errors are recorded for the test to assert on.
//!
//! Invariant: the server only records and hands out; it never answers on the function's behalf.

use std::net::SocketAddr;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::Value;
use tokio::process::Child;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Deadline handed to an invocation, from the moment it is handed out.
const INVOCATION_DEADLINE: Duration = Duration::from_secs(300);

/// What the function sent to the Runtime API.
#[derive(Debug, Clone)]
pub(crate) enum RuntimeApiCall {
    /// `GET /runtime/invocation/next`.
    NextInvocationRequested,
    /// `POST /runtime/invocation/{request_id}/response`.
    InvocationResponse { request_id: String, body: Value },
    /// `POST /runtime/invocation/{request_id}/error`.
    InvocationError {
        request_id: String,
        error_type: Option<String>,
        body: Value,
    },
    /// `POST /runtime/init/error`.
    InitError {
        error_type: Option<String>,
        body: Value,
    },
}

/// The init or invocation error `call` posted, if it is one.
pub(crate) fn posted_error(call: &RuntimeApiCall) -> Option<String> {
    match call {
        RuntimeApiCall::InitError { error_type, body } => {
            Some(format!("init error {error_type:?}: {body}"))
        }
        RuntimeApiCall::InvocationError {
            request_id,
            error_type,
            body,
        } => Some(format!(
            "invocation {request_id} error {error_type:?}: {body}"
        )),
        RuntimeApiCall::NextInvocationRequested | RuntimeApiCall::InvocationResponse { .. } => None,
    }
}

/// One event waiting to be handed out by `next`.
struct PendingInvocation {
    request_id: String,
    payload: Value,
}

/// The Lambda Runtime API on a loopback port: `next` hands out the events the test queued, one
/// per call, and holds the request open while none is queued; every call is recorded.
pub(crate) struct ScriptedRuntimeApi {
    pub(crate) address: SocketAddr,
    pending_invocations: mpsc::UnboundedSender<PendingInvocation>,
    calls: mpsc::UnboundedReceiver<RuntimeApiCall>,
    received_calls: Vec<RuntimeApiCall>,
    server: JoinHandle<()>,
}

#[derive(Clone)]
struct RuntimeApiState {
    pending_invocations: Arc<Mutex<mpsc::UnboundedReceiver<PendingInvocation>>>,
    calls: mpsc::UnboundedSender<RuntimeApiCall>,
    function_arn: Arc<str>,
}

impl ScriptedRuntimeApi {
    /// Starts serving on a free loopback port, naming `function_arn` as the invoked function.
    pub(crate) async fn start(function_arn: &str) -> Self {
        let (pending_sender, pending_receiver) = mpsc::unbounded_channel();
        let (call_sender, call_receiver) = mpsc::unbounded_channel();
        let state = RuntimeApiState {
            pending_invocations: Arc::new(Mutex::new(pending_receiver)),
            calls: call_sender,
            function_arn: Arc::from(function_arn),
        };
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{request_id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        ScriptedRuntimeApi {
            address,
            pending_invocations: pending_sender,
            calls: call_receiver,
            received_calls: Vec::new(),
            server,
        }
    }

    /// Queues `payload` for the next `next` call; returns its request id.
    pub(crate) fn hand_out(&self, payload: Value) -> String {
        let request_id = Uuid::new_v4().to_string();
        self.pending_invocations
            .send(PendingInvocation {
                request_id: request_id.clone(),
                payload,
            })
            .unwrap();
        request_id
    }

    /// The next call the function makes; panics when the function exits or stays silent.
    pub(crate) async fn next_call(
        &mut self,
        function: &mut Child,
        within: Duration,
    ) -> RuntimeApiCall {
        let call = tokio::select! {
            call = self.calls.recv() => call.expect("the server outlives the test"),
            exit_status = function.wait() => panic_on_exit(exit_status.unwrap(), &self.received_calls),
            () = tokio::time::sleep(within) => {
                panic!("the function made no Runtime API call within {within:?}; so far: {:?}", self.received_calls)
            }
        };
        self.received_calls.push(call.clone());
        call
    }

    /// Stops the server; returns every call received.
    /// The body of the next invocation response, skipping `next` requests; panics on an error.
    pub(crate) async fn next_response(&mut self, function: &mut Child, within: Duration) -> Value {
        loop {
            match self.next_call(function, within).await {
                RuntimeApiCall::InvocationResponse { body, .. } => return body,
                RuntimeApiCall::NextInvocationRequested => continue,
                other => panic!("the function answers the invocation: {other:?}"),
            }
        }
    }

    pub(crate) fn stop(mut self) -> Vec<RuntimeApiCall> {
        self.server.abort();
        while let Ok(call) = self.calls.try_recv() {
            self.received_calls.push(call);
        }
        self.received_calls
    }
}

pub(crate) fn panic_on_exit(exit_status: ExitStatus, received_calls: &[RuntimeApiCall]) -> ! {
    panic!("the function exited with {exit_status}; Runtime API calls: {received_calls:?}")
}

async fn next_invocation(State(state): State<RuntimeApiState>) -> impl IntoResponse {
    state
        .calls
        .send(RuntimeApiCall::NextInvocationRequested)
        .unwrap();
    let queued = state.pending_invocations.lock().await.recv().await;
    let invocation: PendingInvocation = match queued {
        Some(invocation) => invocation,
        // Like the real API: with nothing left to hand out, the request stays open.
        None => std::future::pending().await,
    };
    let deadline_ms = (SystemTime::now() + INVOCATION_DEADLINE)
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    (
        [
            ("lambda-runtime-aws-request-id", invocation.request_id),
            ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                state.function_arn.to_string(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                    .to_owned(),
            ),
        ],
        axum::Json(invocation.payload),
    )
}

async fn invocation_response(
    State(state): State<RuntimeApiState>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    state
        .calls
        .send(RuntimeApiCall::InvocationResponse {
            request_id,
            body: json_or_text(&body),
        })
        .unwrap();
    StatusCode::ACCEPTED
}

async fn invocation_error(
    State(state): State<RuntimeApiState>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state
        .calls
        .send(RuntimeApiCall::InvocationError {
            request_id,
            error_type: function_error_type(&headers),
            body: json_or_text(&body),
        })
        .unwrap();
    StatusCode::ACCEPTED
}

async fn init_error(
    State(state): State<RuntimeApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state
        .calls
        .send(RuntimeApiCall::InitError {
            error_type: function_error_type(&headers),
            body: json_or_text(&body),
        })
        .unwrap();
    StatusCode::ACCEPTED
}

fn function_error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get("lambda-runtime-function-error-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn json_or_text(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}
