//! A local HTTP server that answers one route with a script of replies and records every
//! request it receives.
//!
//! Invariant: replies are served in script order; once the script is used up every request
//! gets a 500.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

/// One scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
    delay: Duration,
}

impl Reply {
    /// A reply with a JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: vec![("content-type", "application/json")],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The same reply, sent only after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A running scripted server.
pub struct ScriptedServer {
    pub url: String,
    script: Script,
}

impl ScriptedServer {
    /// Starts a server on 127.0.0.1 answering `POST route` with `replies` in order.
    pub async fn start(route: &str, replies: Vec<Reply>) -> Self {
        let script = Script {
            replies: Arc::new(Mutex::new(replies.into())),
            received: Arc::default(),
        };
        let app = Router::new()
            .route(route, post(answer))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ScriptedServer {
            url: format!("http://{address}"),
            script,
        }
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.script.received.lock().unwrap().clone()
    }
}

async fn answer(
    State(script): State<Script>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    script.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        authorization: headers
            .get("authorization")
            .map(|value| value.to_str().unwrap().to_owned()),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let reply = script.replies.lock().unwrap().pop_front();
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "script used up").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (reply.status, reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}
