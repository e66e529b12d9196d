//! `POST /v1/uploads` (multipart: `datasource`, optional `replace` and `encoding`, and the ZIP
//! as `file`), `GET /v1/uploads` (the most recent) and `GET /v1/uploads/{id}` (one upload with
//! its progress, per-file results and tables).
//!
//! Invariant: the archive is streamed to disk and never held in memory whole; a request that
//! fails before the intake takes the file over leaves no file behind.

use std::path::{Path as FsPath, PathBuf};

use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header::LOCATION};
use contracts::error::ErrorKind;
use contracts::uploads::{UploadAccepted, UploadView};
use ports::upload_intake::{CsvTextEncoding, ReceivedArchive, UploadIntake};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app_state::{AppState, Uploads};

/// Longest accepted text field of the multipart form, in bytes.
const MAX_TEXT_FIELD_BYTES: usize = 256;
/// Longest kept file name, in characters.
const MAX_FILE_NAME_CHARS: usize = 255;
/// Most uploads `GET /v1/uploads` returns.
const MAX_LISTED_UPLOADS: usize = 100;

/// Receives the archive and hands it to the intake; `202 Accepted` with the queued view.
pub(crate) async fn create_upload(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, HeaderMap, Json<UploadAccepted>), ApiError> {
    let uploads = state
        .uploads
        .as_ref()
        .ok_or(ApiError::UploadsNotSupported)?;
    let intake = uploads
        .intake
        .as_ref()
        .ok_or(ApiError::UploadsNotSupported)?;
    let multipart = multipart.map_err(|rejection| {
        ApiError::InvalidUpload(format!(
            "send the upload as multipart/form-data: {}",
            rejection.body_text()
        ))
    })?;
    let form = receive_form(multipart, intake.as_ref(), uploads.max_archive_bytes).await?;
    let upload = intake
        .accept(form)
        .await
        .map_err(|refused| match refused.kind {
            ErrorKind::InvalidInput => ApiError::InvalidUpload(refused.message),
            ErrorKind::Transient | ErrorKind::Fatal => ApiError::Unavailable(refused.message),
        })?;
    let status_url = format!("/v1/uploads/{}", upload.upload_id);
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&status_url) {
        headers.insert(LOCATION, location);
    }
    Ok((
        StatusCode::ACCEPTED,
        headers,
        Json(UploadAccepted { upload, status_url }),
    ))
}

/// One upload.
pub(crate) async fn get_upload(
    State(state): State<AppState>,
    Path(raw_upload_id): Path<String>,
) -> Result<Json<UploadView>, ApiError> {
    let uploads = upload_routes(&state)?;
    let upload_id = Uuid::parse_str(&raw_upload_id)
        .map_err(|_| ApiError::InvalidUploadId(raw_upload_id.clone()))?;
    let upload = uploads
        .store
        .upload(upload_id)
        .await?
        .ok_or(ApiError::UploadNotFound(upload_id))?;
    Ok(Json(upload))
}

/// Query of `GET /v1/uploads`.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    /// Most uploads to return (1 to 100, default 20).
    limit: Option<usize>,
}

/// The most recent uploads, newest first.
pub(crate) async fn list_uploads(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<UploadView>>, ApiError> {
    let uploads = upload_routes(&state)?;
    let Query(query) =
        query.map_err(|rejection| ApiError::InvalidParameter(rejection.body_text()))?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=MAX_LISTED_UPLOADS).contains(&limit) {
        return Err(ApiError::InvalidParameter(format!(
            "limit must be between 1 and {MAX_LISTED_UPLOADS}"
        )));
    }
    Ok(Json(uploads.store.recent_uploads(limit).await?))
}

fn upload_routes(state: &AppState) -> Result<&Uploads, ApiError> {
    state.uploads.as_ref().ok_or(ApiError::UploadsNotSupported)
}

/// Reads the form, streaming `file` into the intake's receiving directory; removes the file
/// again when the form turns out incomplete or malformed.
async fn receive_form(
    mut multipart: Multipart,
    intake: &dyn UploadIntake,
    max_archive_bytes: u64,
) -> Result<ReceivedArchive, ApiError> {
    let mut received: Option<(PathBuf, String, u64)> = None;
    let outcome = async {
        let mut datasource = None;
        let mut replace_existing = false;
        let mut encoding = CsvTextEncoding::Utf8;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|err| unreadable_body(&err, max_archive_bytes))?
        {
            match field.name().unwrap_or_default() {
                "file" => {
                    if received.is_some() {
                        return Err(ApiError::InvalidUpload(
                            "send exactly one `file` field".into(),
                        ));
                    }
                    let file_name = clean_file_name(field.file_name());
                    let path = intake
                        .receiving_dir()
                        .join(format!("{}.zip", Uuid::new_v4().simple()));
                    received = Some((path.clone(), file_name, 0));
                    let n_bytes = stream_to_file(field, &path, max_archive_bytes).await?;
                    if let Some(received) = received.as_mut() {
                        received.2 = n_bytes;
                    }
                }
                "datasource" => datasource = Some(text_field(field, max_archive_bytes).await?),
                "replace" => {
                    replace_existing = match text_field(field, max_archive_bytes).await?.as_str() {
                        "true" | "1" | "on" => true,
                        "false" | "0" | "off" | "" => false,
                        other => {
                            return Err(ApiError::InvalidUpload(format!(
                                "replace must be true or false, not `{other}`"
                            )));
                        }
                    }
                }
                "encoding" => {
                    let name = text_field(field, max_archive_bytes).await?;
                    encoding = CsvTextEncoding::parse(&name).ok_or_else(|| {
                        ApiError::InvalidUpload(format!(
                            "encoding must be utf8 or latin1, not `{name}`"
                        ))
                    })?;
                }
                other => {
                    return Err(ApiError::InvalidUpload(format!(
                        "unknown form field `{other}`; send `datasource`, `file` and optionally `replace` and `encoding`"
                    )));
                }
            }
        }
        let datasource = datasource
            .filter(|name| !name.trim().is_empty())
            .ok_or_else(|| ApiError::InvalidUpload("the `datasource` field is required".into()))?;
        let Some((path, file_name, n_bytes)) = received.clone() else {
            return Err(ApiError::InvalidUpload(
                "the `file` field with the ZIP archive is required".into(),
            ));
        };
        Ok(ReceivedArchive {
            path,
            file_name,
            n_bytes,
            datasource: datasource.trim().to_owned(),
            replace_existing,
            encoding,
        })
    }
    .await;
    if outcome.is_err()
        && let Some((path, _, _)) = &received
    {
        let _ = tokio::fs::remove_file(path).await;
    }
    outcome
}

async fn stream_to_file(
    mut field: Field<'_>,
    path: &FsPath,
    max_archive_bytes: u64,
) -> Result<u64, ApiError> {
    let unavailable =
        |err: std::io::Error| ApiError::Unavailable(format!("write {}: {err}", path.display()));
    let mut file = tokio::fs::File::create(path).await.map_err(unavailable)?;
    let mut n_bytes = 0u64;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|err| unreadable_body(&err, max_archive_bytes))?
    {
        n_bytes += chunk.len() as u64;
        if n_bytes > max_archive_bytes {
            return Err(ApiError::UploadTooLarge {
                max_bytes: max_archive_bytes,
            });
        }
        file.write_all(&chunk).await.map_err(unavailable)?;
    }
    file.flush().await.map_err(unavailable)?;
    if n_bytes == 0 {
        return Err(ApiError::InvalidUpload("the uploaded file is empty".into()));
    }
    Ok(n_bytes)
}

async fn text_field(field: Field<'_>, max_archive_bytes: u64) -> Result<String, ApiError> {
    let name = field.name().unwrap_or_default().to_owned();
    let bytes = field
        .bytes()
        .await
        .map_err(|err| unreadable_body(&err, max_archive_bytes))?;
    if bytes.len() > MAX_TEXT_FIELD_BYTES {
        return Err(ApiError::InvalidUpload(format!(
            "the `{name}` field is longer than {MAX_TEXT_FIELD_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::InvalidUpload(format!("the `{name}` field is not UTF-8 text")))
}

/// The last path segment of the client's file name, cut to a sane length.
fn clean_file_name(file_name: Option<&str>) -> String {
    let base = file_name
        .unwrap_or("upload.zip")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    if cleaned.is_empty() {
        "upload.zip".to_owned()
    } else {
        cleaned
    }
}

/// The error of a multipart body that could not be read: too large (past the route's body
/// limit) or malformed.
fn unreadable_body(err: &MultipartError, max_archive_bytes: u64) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::UploadTooLarge {
            max_bytes: max_archive_bytes,
        }
    } else {
        ApiError::InvalidUpload(format!("malformed multipart body: {}", err.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_their_last_segment() {
        assert_eq!(clean_file_name(Some("../../etc/shop.zip")), "shop.zip");
        assert_eq!(clean_file_name(Some("C:\\data\\shop.zip")), "shop.zip");
        assert_eq!(clean_file_name(Some("a\u{0}b.zip")), "ab.zip");
        assert_eq!(clean_file_name(Some("  ")), "upload.zip");
        assert_eq!(clean_file_name(None), "upload.zip");
        assert_eq!(clean_file_name(Some(&"x".repeat(300))).len(), 255);
    }
}
