//! `GET /v1/questions/{id}/chart.svg`: the job's Vega-Lite chart drawn as a standalone SVG,
//! for API users who want a picture rather than a spec.
//!
//! Invariant: read-only; the SVG is drawn from the stored spec on every request and holds no
//! script or external reference (see the `chart-svg` crate), and it is served with a
//! content security policy that would block one anyway. Only the job's owner or an admin key
//! reaches it.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use contracts::api::JobView;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::job_access::ensure_job_reachable;
use crate::require_api_key::Caller;

/// Answers 200 `image/svg+xml`, 400 for an id that is not a UUID, 404 for an unknown job, a
/// job of another key and a job without a chart (not finished, table-only answer, failed).
pub(crate) async fn get_chart_svg(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw_job_id): Path<String>,
) -> Result<Response, ApiError> {
    let job_id =
        Uuid::parse_str(&raw_job_id).map_err(|_| ApiError::InvalidJobId(raw_job_id.clone()))?;
    ensure_job_reachable(&state, &caller, job_id).await?;
    let job_view = state
        .job_store
        .get_job(job_id)
        .await?
        .ok_or(ApiError::JobNotFound(job_id))?;
    chart_svg_response(&job_view)
}

/// The SVG response of a job, or the 404 of a job that has no chart that can be drawn.
fn chart_svg_response(job_view: &JobView) -> Result<Response, ApiError> {
    let job_id = job_view.job_id;
    let no_chart = || ApiError::ChartNotFound(job_id);
    let chart_spec = job_view.chart.as_ref().ok_or_else(no_chart)?;
    let svg = chart_svg::render_svg(chart_spec).map_err(|render_error| {
        tracing::warn!(job_id = %job_id, error.message = %render_error, "stored chart cannot be drawn as svg");
        no_chart()
    })?;
    let content_disposition =
        HeaderValue::from_str(&format!("inline; filename=\"chart-{job_id}.svg\""))
            .expect("a file name made of a UUID is a valid header value");
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            ),
            // A finished job never changes, but the response needs a key: private caches only.
            (
                CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=3600"),
            ),
            (CONTENT_DISPOSITION, content_disposition),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            ),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    use super::*;

    /// A job view as the API serves it; fields it omits take their defaults.
    fn job_view(chart: Value) -> JobView {
        serde_json::from_value(json!({
            "job_id": "6f1c5a1e-2b7d-4c55-9a8e-0d3b2f1e4a77",
            "status": "succeeded",
            "question": "restaurants per city",
            "datasource": "restaurants",
            "submitted_at": "2026-01-01T00:00:00Z",
            "chart": chart
        }))
        .unwrap()
    }

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_job_with_a_chart_is_served_as_svg() {
        let chart = json!({
            "data": { "values": [{ "city": "Miami", "n": 2 }, { "city": "Austin", "n": 3 }] },
            "mark": { "type": "bar", "tooltip": true },
            "encoding": {
                "x": { "field": "city", "type": "nominal", "sort": "-y" },
                "y": { "field": "n", "type": "quantitative" }
            }
        });

        let response = chart_svg_response(&job_view(chart)).unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        let svg = body_text(response).await;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<rect x=").count(), 2);
    }

    #[tokio::test]
    async fn a_job_without_a_chart_is_a_404_with_the_error_body() {
        let error = chart_svg_response(&job_view(Value::Null)).unwrap_err();

        let response = error.into_response();

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(body["error"]["code"], "chart_not_found");
        assert_eq!(
            body["error"]["message"],
            "job 6f1c5a1e-2b7d-4c55-9a8e-0d3b2f1e4a77 has no chart"
        );
    }

    #[tokio::test]
    async fn a_chart_the_renderer_cannot_draw_is_a_404() {
        let chart = json!({ "mark": "arc", "data": { "values": [] } });

        let error = chart_svg_response(&job_view(chart)).unwrap_err();

        assert_eq!(error.status(), StatusCode::NOT_FOUND);
    }
}
