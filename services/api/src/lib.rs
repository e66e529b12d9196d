//! The HTTP API of the analyst: submit a question, poll or cancel its job, its chart as SVG,
//! list datasources, give feedback, upload ZIP archives of CSV files and follow them, manage the cache and few-shot memory, metrics, the OpenAPI
//! document, health, and the web UI's static files. Every route except `/health` and the static
//! UI files (`/`, `/assets/*`, which hold no data) needs an API key with the route's scope
//! (`ask`, `approve`, `ingest` or `admin`) within its rate limit, and every error leaves as the same
//! `{ "error": { "code", "message" } }` body.
//!
//! Invariant: handlers never run a pipeline stage themselves; they store the job and launch it.

mod api_error;
mod app_state;
mod connection_limits;
mod connection_table;
mod correlation_id;
mod idle_timeout_io;
mod job_access;
mod json_body;
mod mcp;
mod openapi;
mod rate_limit;
mod require_api_key;
mod routes;
mod serve;
mod server_error_log;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{delete, get, post};

pub use api_error::ApiError;
pub use app_state::{AppState, Uploads};
pub use connection_limits::ConnectionLimits;
pub use mcp::{McpStdioError, serve_mcp_stdio};
pub use rate_limit::KeyRateLimiter;
pub use serve::serve;

/// Largest accepted request body in bytes (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Builds the router with every route, the key check, the body limit and error logging, and
/// the MCP server at `/mcp`, whose tools call the same routes in process.
pub fn router(state: AppState) -> Router {
    let api_router = api_router(state.clone());
    let mcp_routes = Router::new()
        .route_service("/mcp", mcp::streamable_http_service(api_router.clone()))
        .route_layer(middleware::from_fn(mcp::json_error_bodies))
        .route_layer(middleware::from_fn_with_state(
            state,
            require_api_key::require_any_scope,
        ))
        .layer(middleware::from_fn(server_error_log::log_server_errors));
    api_router.merge(mcp_routes)
}

/// Every route but `/mcp`.
fn api_router(state: AppState) -> Router {
    let ask_routes = Router::new()
        .route(
            "/v1/questions",
            post(routes::submit_question::submit_question),
        )
        .route(
            "/v1/questions/{id}",
            get(routes::get_question::get_question)
                .delete(routes::cancel_question::cancel_question),
        )
        .route(
            "/v1/datasources",
            get(routes::list_datasources::list_datasources),
        )
        .route(
            "/v1/datasources/{name}/schema",
            get(routes::get_datasource_schema::get_datasource_schema),
        )
        .route(
            "/openapi.json",
            get(routes::openapi_document::openapi_document),
        )
        .route(
            "/v1/questions/{id}/chart.svg",
            get(routes::get_chart_svg::get_chart_svg),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key::require_ask_scope,
        ));

    let approve_routes = Router::new()
        .route(
            "/v1/questions/{id}/feedback",
            post(routes::give_feedback::give_feedback),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key::require_approve_scope,
        ));
    // The multipart body may be as large as the archive limit plus the form around it.
    let upload_body_limit = state.uploads.as_ref().map_or(MAX_BODY_BYTES, |uploads| {
        usize::try_from(uploads.max_archive_bytes)
            .unwrap_or(usize::MAX)
            .saturating_add(MAX_BODY_BYTES)
    });
    let ingest_routes = Router::new()
        .route(
            "/v1/uploads",
            post(routes::uploads::create_upload)
                .layer(DefaultBodyLimit::max(upload_body_limit))
                .get(routes::uploads::list_uploads),
        )
        .route("/v1/uploads/{id}", get(routes::uploads::get_upload))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key::require_ingest_scope,
        ));
    let admin_routes = Router::new()
        .route(
            "/v1/admin/memory/{kind}",
            get(routes::memory_entries::list_memory_entries),
        )
        .route(
            "/v1/admin/memory/{kind}/{entry_id}",
            delete(routes::memory_entries::delete_memory_entry),
        )
        .route("/metrics", get(routes::metrics::metrics))
        .route(
            "/v1/admin/keys",
            get(routes::api_keys::list_api_keys).post(routes::api_keys::create_api_key),
        )
        .route(
            "/v1/admin/keys/{key_id}",
            delete(routes::api_keys::revoke_api_key),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key::require_admin_scope,
        ));

    Router::new()
        .route("/health", get(routes::health::health))
        .route("/", get(routes::ui_assets::index))
        .route("/assets/{*path}", get(routes::ui_assets::asset))
        .merge(ask_routes)
        .merge(approve_routes)
        .merge(ingest_routes)
        .merge(admin_routes)
        .fallback(routes::not_found::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(server_error_log::log_server_errors))
        .with_state(state)
}
