//! Logs every server error exactly once, at the edge of the router.
//!
//! Invariant: the logged cause never reaches the response body.

use std::error::Error;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// The cause of a 5xx response, carried from [`crate::ApiError`] to the log in the response
/// extensions.
#[derive(Debug, Clone)]
pub(crate) struct ServerErrorReport {
    message: String,
    chain: Vec<String>,
}

impl ServerErrorReport {
    /// Captures the message and every source of an error.
    pub(crate) fn from_error(error: &(dyn Error + 'static)) -> Self {
        let mut chain = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            chain.push(cause.to_string());
            source = cause.source();
        }
        ServerErrorReport {
            message: error.to_string(),
            chain,
        }
    }
}

/// Middleware that logs the [`ServerErrorReport`] of a response, if it has one.
pub(crate) async fn log_server_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if let Some(report) = response.extensions_mut().remove::<ServerErrorReport>() {
        tracing::error!(
            error.message = %report.message,
            error.chain = ?report.chain,
            http.method = %method,
            http.path = %path,
            status = response.status().as_u16(),
            "request failed"
        );
    }
    response
}
