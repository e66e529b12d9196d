//! The API behind an API Gateway REST stage: the stage root without its trailing slash
//! (`https://…/api`) is redirected to `https://…/api/`, so the web UI's relative URLs
//! (`assets/…`, `v1/…`) resolve under the stage. `lambda-api` runs with
//! `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH`, so the router sees paths without the stage.
//!
//! Invariant: only the root of a request that came through API Gateway's REST integration is
//! redirected; every other request passes unchanged.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use lambda_http::request::RequestContext;

/// Redirects the slash-less stage root; passes everything else to `next`.
pub async fn redirect_stage_root(request: Request, next: Next) -> Response {
    if request.uri().path() == "/"
        && let Some(RequestContext::ApiGatewayV1(context)) =
            request.extensions().get::<RequestContext>()
        && let Some(public_path) = context.path.as_deref()
        && !public_path.ends_with('/')
    {
        let query = request
            .uri()
            .query()
            .map(|query| format!("?{query}"))
            .unwrap_or_default();
        return Redirect::permanent(&format!("{public_path}/{query}")).into_response();
    }
    next.run(request).await
}
