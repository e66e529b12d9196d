//! A JSON body extractor whose rejections use the API's error shape.
//!
//! Invariant: every body rejection becomes an [`ApiError`], never axum's plain-text response.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;

/// Like [`axum::Json`], but rejects with `malformed_json` or `payload_too_large`.
#[derive(Debug, Clone)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(api_error_from_rejection(&rejection)),
        }
    }
}

fn api_error_from_rejection(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    let message = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "the request body must be JSON sent with `content-type: application/json`".to_owned()
        }
        other => format!(
            "the request body is not valid JSON of the expected shape: {}",
            other.body_text()
        ),
    };
    ApiError::MalformedJson(message)
}
