//! The Model Context Protocol server: the analyst as tools (and each datasource's schema as a
//! resource) for agents. Over Streamable HTTP at `/mcp` (stateless: every POST stands alone, so
//! it runs behind AWS Lambda too) the tools call this process's own router with the caller's
//! key; over stdio (`analyst mcp`) they call a running server over HTTP with one key.
//!
//! Invariant: the tools and resources reach the platform only through its HTTP API, so what a
//! key may do over MCP is exactly what it may do over the API.

mod analyst_tools;
mod api_transport;
mod datasource_resources;
mod suggested_questions;
mod tool_answers;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::api_error::ApiError;
use crate::mcp::analyst_tools::AnalystTools;
use crate::mcp::api_transport::{HttpApi, InProcessApi};

/// The MCP server over stdio could not start or broke.
#[derive(Debug, thiserror::Error)]
pub enum McpStdioError {
    /// The key cannot be sent in an HTTP header.
    #[error("the API key holds characters an HTTP header cannot carry")]
    InvalidKey,
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// The MCP session over stdio failed.
    #[error("the MCP session over stdio failed: {0}")]
    Session(String),
}

/// The `/mcp` service: stateless Streamable HTTP with JSON answers, the tools calling
/// `api_router` (the router without `/mcp`) in process.
///
/// The `Host` check of the SDK is off: every request carries an API key, which a page that
/// rebinds a name to this server does not have.
pub(crate) fn streamable_http_service(
    api_router: Router,
) -> StreamableHttpService<AnalystTools, NeverSessionManager> {
    let in_process_api = Arc::new(InProcessApi { router: api_router });
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(crate::MAX_BODY_BYTES)
        .disable_allowed_hosts();
    StreamableHttpService::new(
        move || Ok(AnalystTools::new(in_process_api.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    )
}

/// Longest transport error text kept for the JSON error body.
const MAX_TRANSPORT_ERROR_BYTES: usize = 4 * 1024;

/// Turns the transport's own error answers (plain text) into the API's JSON error body, so
/// every error of the server has one shape.
pub(crate) async fn json_error_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|content_type| content_type.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    // A 405 names the methods `/mcp` takes (RFC 9110); stateless, that is POST alone.
    let allow = (status == StatusCode::METHOD_NOT_ALLOWED).then(|| {
        response
            .headers()
            .get(header::ALLOW)
            .cloned()
            .unwrap_or(HeaderValue::from_static("POST"))
    });
    let text = axum::body::to_bytes(response.into_body(), MAX_TRANSPORT_ERROR_BYTES)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_owned()
    } else {
        text
    };
    let mut refused = ApiError::InvalidMcpRequest { status, message }.into_response();
    if let Some(allow) = allow {
        refused.headers_mut().insert(header::ALLOW, allow);
    }
    refused
}

/// Serves MCP over stdin/stdout until the client closes it, the tools calling the API at
/// `base_url` with `api_key`.
pub async fn serve_mcp_stdio(base_url: &str, api_key: &str) -> Result<(), McpStdioError> {
    let mut authorization = HeaderValue::from_str(&format!("Bearer {api_key}"))
        .map_err(|_| McpStdioError::InvalidKey)?;
    authorization.set_sensitive(true);
    let client = reqwest::Client::builder()
        .build()
        .map_err(|error| McpStdioError::Client(error.to_string()))?;
    let http_api = Arc::new(HttpApi {
        client,
        base_url: base_url.trim_end_matches('/').to_owned(),
        authorization,
    });
    let running_service = AnalystTools::new(http_api)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|error| McpStdioError::Session(error.to_string()))?;
    running_service
        .waiting()
        .await
        .map_err(|error| McpStdioError::Session(error.to_string()))?;
    Ok(())
}
