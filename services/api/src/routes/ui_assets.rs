//! `GET /` and `GET /assets/{*path}`: the web UI, a single page of plain ES modules with the
//! vendored Vega, Vega-Lite and Vega-Embed builds, all embedded in the binary so the UI works
//! offline and needs no separate server.
//!
//! Invariant: these routes need no key because they serve only static files that hold no data;
//! every data request the page makes goes to the `/v1` routes with the key the user entered.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// Policy of every UI response: scripts, styles, fetches and images from this origin only.
/// Vega-Embed runs with `ast: true`, so Vega evaluates expressions with its interpreter and
/// never needs `'unsafe-eval'`; its default style sheet and the tooltip's are turned off and
/// their rules live in `app.css`, so no `'unsafe-inline'` either.
const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// One embedded file.
struct StaticAsset {
    /// Path under `/assets/` (`index.html` is also served at `/`).
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// `true` when the path names the file's version, so it may be cached forever.
    versioned: bool,
}

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        StaticAsset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/", $path)),
            versioned: false,
        }
    };
    ($path:literal, $content_type:expr, versioned) => {
        StaticAsset {
            path: $path,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/", $path)),
            versioned: true,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file the UI needs. Vendor file names carry their npm version (see
/// `assets/vendor/README.md`).
static STATIC_ASSETS: &[StaticAsset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("js/main.js", JS),
    asset!("js/api_client.js", JS),
    asset!("js/error_messages.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/stage_progress.js", JS),
    asset!("js/sql_highlight.js", JS),
    asset!("js/sql_editor.js", JS),
    asset!("js/result_table.js", JS),
    asset!("js/csv_export.js", JS),
    asset!("js/chart_view.js", JS),
    asset!("js/feedback_panel.js", JS),
    asset!("js/question_history.js", JS),
    asset!("js/datasource_name.js", JS),
    asset!("js/upload_panel.js", JS),
    asset!("js/upload_status.js", JS),
    asset!("js/polling.js", JS),
    asset!("vendor/vega-6.4.0.min.js", JS, versioned),
    asset!("vendor/vega-lite-6.5.0.min.js", JS, versioned),
    asset!("vendor/vega-embed-7.3.0.min.js", JS, versioned),
    asset!("vendor/LICENSE-vega.txt", "text/plain; charset=utf-8"),
    asset!("vendor/LICENSE-vega-lite.txt", "text/plain; charset=utf-8"),
    asset!("vendor/LICENSE-vega-embed.txt", "text/plain; charset=utf-8"),
];

/// `GET /`: the page.
pub(crate) async fn index(headers: HeaderMap) -> Result<Response, ApiError> {
    serve_asset("index.html", &headers)
}

/// `GET /assets/{*path}`: one embedded file, or the JSON 404 of an unknown path.
pub(crate) async fn asset(
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    serve_asset(&path, &headers)
}

fn serve_asset(path: &str, request_headers: &HeaderMap) -> Result<Response, ApiError> {
    let (asset_idx, static_asset) = STATIC_ASSETS
        .iter()
        .enumerate()
        .find(|(_, static_asset)| static_asset.path == path)
        .ok_or(ApiError::RouteNotFound)?;
    let etag = &entity_tags()[asset_idx];
    let cache_control = if static_asset.versioned {
        "public, max-age=31536000, immutable"
    } else {
        // Revalidated on every load: a new binary must never run with stale modules.
        "no-cache"
    };
    let mut response_headers = ui_security_headers();
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response_headers.insert(
        ETAG,
        HeaderValue::from_str(etag).expect("a quoted hex hash is a valid header value"),
    );
    let is_fresh = request_headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|candidate| candidate.trim() == etag || candidate.trim() == "*");
    if is_fresh {
        return Ok((StatusCode::NOT_MODIFIED, response_headers).into_response());
    }
    response_headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(static_asset.content_type),
    );
    Ok((response_headers, static_asset.body).into_response())
}

/// The headers every UI response carries.
fn ui_security_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    let security_headers: [(HeaderName, &'static str); 4] = [
        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "no-referrer"),
        (X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in security_headers {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}

/// Strong entity tags of the assets, in table order: a hash of the content, computed once.
fn entity_tags() -> &'static [String] {
    static ENTITY_TAGS: OnceLock<Vec<String>> = OnceLock::new();
    ENTITY_TAGS.get_or_init(|| {
        STATIC_ASSETS
            .iter()
            .map(|static_asset| {
                let mut hasher = DefaultHasher::new();
                static_asset.body.hash(&mut hasher);
                format!("\"{:016x}\"", hasher.finish())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use axum::http::header::CONTENT_LENGTH;

    use super::*;

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_page_is_served_with_security_headers() {
        let response = index(HeaderMap::new()).await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[CACHE_CONTROL], "no-cache");
        let policy = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("script-src 'self';"));
        assert!(!policy.contains("unsafe"));
        assert!(body_text(response).await.contains("<title>"));
    }

    #[tokio::test]
    async fn vendored_files_are_cached_forever_and_modules_revalidated() {
        let vendored = asset(
            Path("vendor/vega-6.4.0.min.js".to_owned()),
            HeaderMap::new(),
        )
        .await
        .unwrap();
        let module = asset(Path("js/main.js".to_owned()), HeaderMap::new())
            .await
            .unwrap();

        assert_eq!(
            vendored.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(vendored.headers()[CONTENT_TYPE], JS);
        assert_eq!(module.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(module.headers()[CONTENT_TYPE], JS);
    }

    #[tokio::test]
    async fn a_matching_etag_gets_304_without_a_body() {
        let first = asset(Path("app.css".to_owned()), HeaderMap::new())
            .await
            .unwrap();
        let mut conditional_headers = HeaderMap::new();
        conditional_headers.insert(IF_NONE_MATCH, first.headers()[ETAG].clone());

        let second = asset(Path("app.css".to_owned()), conditional_headers)
            .await
            .unwrap();

        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(second.headers()[X_FRAME_OPTIONS], "DENY");
        assert!(
            second
                .headers()
                .get(CONTENT_LENGTH)
                .is_none_or(|length| length == "0")
        );
        assert!(body_text(second).await.is_empty());
    }

    #[tokio::test]
    async fn an_unknown_asset_is_the_json_404() {
        let error = asset(Path("../Cargo.toml".to_owned()), HeaderMap::new())
            .await
            .unwrap_err();

        assert_eq!(error.code(), "not_found");
    }

    #[test]
    fn every_api_error_code_has_a_message_in_the_page() {
        let api_error_source = include_str!("../api_error.rs");
        let error_messages = include_str!("../../assets/js/error_messages.js");
        let codes: Vec<&str> = api_error_source
            .lines()
            .filter_map(|line| line.split("=> \"").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .collect();

        assert!(codes.contains(&"invalid_api_key"), "codes found: {codes:?}");
        for code in codes {
            assert!(
                error_messages.contains(&format!("  {code}: {{")),
                "add a message for the API error code `{code}` to assets/js/error_messages.js"
            );
        }
    }

    #[test]
    fn every_module_the_page_imports_is_embedded() {
        let embedded_paths: Vec<&str> = STATIC_ASSETS
            .iter()
            .map(|static_asset| static_asset.path)
            .collect();
        let sources = STATIC_ASSETS
            .iter()
            .filter(|static_asset| {
                static_asset.path.ends_with(".html") || static_asset.path.starts_with("js/")
            })
            .map(|static_asset| std::str::from_utf8(static_asset.body).unwrap());

        for source in sources {
            for reference in source.split(['"', '\'']).filter(|part| {
                (part.starts_with("/assets/") || part.starts_with("./"))
                    && (part.ends_with(".js") || part.ends_with(".css") || part.ends_with(".svg"))
            }) {
                let path = reference
                    .trim_start_matches("/assets/")
                    .trim_start_matches("./");
                let path = if reference.starts_with("./") {
                    format!("js/{path}")
                } else {
                    path.to_owned()
                };
                assert!(
                    embedded_paths.contains(&path.as_str()),
                    "{reference} is not embedded"
                );
            }
        }
    }
}
