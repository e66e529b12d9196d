//! How the MCP tools reach the platform's HTTP API: [`InProcessApi`] calls the API's own router
//! (the server behind `/mcp`), [`HttpApi`] calls a running server over HTTP (`analyst mcp`).
//!
//! Invariant: every call goes through the API's routes with the caller's own key, so the key
//! check, scopes, ownership, rate limit and SQL guard are exactly the API's.

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

/// Largest API response body the tools read, in bytes (16 MiB).
const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// Request headers an MCP request passes on to the API: the key and the request id.
const FORWARDED_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-request-id"];

/// One API request a tool makes.
#[derive(Debug, Clone)]
pub(crate) struct ApiCall {
    /// HTTP method.
    pub(crate) method: Method,
    /// Path and query, e.g. `/v1/questions`.
    pub(crate) path: String,
    /// JSON body, for `POST`.
    pub(crate) body: Option<Value>,
}

/// The API's answer: its status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug, Clone)]
pub(crate) struct ApiReply {
    /// HTTP status.
    pub(crate) status: StatusCode,
    /// Parsed body.
    pub(crate) body: Value,
}

/// The API could not be reached or answered unreadably.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransportError {
    /// The HTTP request failed before an answer arrived.
    #[error("the analyst API could not be reached: {0}")]
    Unreachable(String),
}

/// Sends [`ApiCall`]s to the API with the credentials of the MCP request (`headers`, empty on
/// stdio).
#[async_trait]
pub(crate) trait ApiTransport: Send + Sync {
    /// Sends one call.
    async fn send(&self, headers: &HeaderMap, call: ApiCall) -> Result<ApiReply, TransportError>;
}

/// Calls the API's router in the same process with `oneshot`, forwarding the MCP request's
/// `Authorization`/`x-api-key` header.
#[derive(Clone)]
pub(crate) struct InProcessApi {
    /// The router without `/mcp`.
    pub(crate) router: Router,
}

#[async_trait]
impl ApiTransport for InProcessApi {
    async fn send(&self, headers: &HeaderMap, call: ApiCall) -> Result<ApiReply, TransportError> {
        let mut request_builder = Request::builder()
            .method(call.method)
            .uri(call.path.as_str());
        for name in FORWARDED_HEADERS {
            if let Some(value) = headers.get(name) {
                request_builder = request_builder.header(name, value);
            }
        }
        let body = match call.body {
            Some(json_body) => {
                request_builder = request_builder.header(CONTENT_TYPE, "application/json");
                Body::from(json_body.to_string())
            }
            None => Body::empty(),
        };
        let request = request_builder
            .body(body)
            .map_err(|error| TransportError::Unreachable(error.to_string()))?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router's error type is Infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_REPLY_BYTES)
            .await
            .map_err(|error| TransportError::Unreachable(error.to_string()))?;
        Ok(ApiReply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }
}

/// Calls a running API at `base_url` with one key (`Authorization: Bearer <key>`).
pub(crate) struct HttpApi {
    pub(crate) client: reqwest::Client,
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    pub(crate) base_url: String,
    /// The `Authorization` header value sent with every call.
    pub(crate) authorization: HeaderValue,
}

#[async_trait]
impl ApiTransport for HttpApi {
    async fn send(&self, _headers: &HeaderMap, call: ApiCall) -> Result<ApiReply, TransportError> {
        let url = format!("{}{}", self.base_url, call.path);
        let mut request_builder = self
            .client
            .request(call.method, url)
            .header(AUTHORIZATION, self.authorization.clone());
        if let Some(json_body) = call.body {
            request_builder = request_builder.json(&json_body);
        }
        let response = request_builder
            .send()
            .await
            .map_err(|error| TransportError::Unreachable(error.without_url().to_string()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| TransportError::Unreachable(error.without_url().to_string()))?;
        Ok(ApiReply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        })
    }
}
