//! Downloading an uploaded ZIP object into an anonymous temporary file, pinned to the version
//! the event named and stopped at the size limit.
//!
//! Invariant: never more than `max_bytes` bytes are written to disk, whatever the object's
//! declared length; the file disappears when dropped.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use aws_sdk_s3::error::ProvideErrorMetadata;

use crate::ingestion_error::{IngestionError, service_error_text};
use crate::upload_object::UploadObject;

/// Downloads `object` (its version id when the bucket is versioned, else guarded by its
/// ETag) into a temporary file under `staging_parent`, rewound to its start.
pub(crate) async fn download_archive(
    s3: &aws_sdk_s3::Client,
    object: &UploadObject,
    max_bytes: u64,
    staging_parent: &Path,
) -> Result<File, IngestionError> {
    let mut request = s3.get_object().bucket(object.bucket()).key(object.key());
    let version = object.version();
    match (
        version
            .version_id
            .as_deref()
            .filter(|version_id| *version_id != "null"),
        version.etag.as_deref(),
    ) {
        (Some(version_id), _) => request = request.version_id(version_id),
        (None, Some(etag)) => request = request.if_match(format!("\"{}\"", etag.trim_matches('"'))),
        (None, None) => {}
    }
    let output = request.send().await.map_err(|sdk_error| {
        let service_error = sdk_error.into_service_error();
        match service_error.code() {
            Some("NoSuchKey" | "NoSuchVersion" | "PreconditionFailed" | "InvalidArgument") => {
                IngestionError::ObjectGone {
                    key: object.key().to_owned(),
                    message: service_error_text(&service_error),
                }
            }
            _ => IngestionError::Storage {
                operation: "GetObject",
                message: service_error_text(&service_error),
            },
        }
    })?;
    let declared = output.content_length().and_then(|n| u64::try_from(n).ok());
    if let Some(n_bytes) = declared.filter(|n_bytes| *n_bytes > max_bytes) {
        return Err(IngestionError::ArchiveTooLarge { n_bytes, max_bytes });
    }
    let staging_failed = |err: std::io::Error| IngestionError::Staging(err.to_string());
    let mut file = tempfile::tempfile_in(staging_parent).map_err(staging_failed)?;
    let mut body = output.body;
    let mut n_read: u64 = 0;
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|err| IngestionError::Storage {
            operation: "GetObject",
            message: err.to_string(),
        })?
    {
        n_read += chunk.len() as u64;
        if n_read > max_bytes {
            return Err(IngestionError::ArchiveTooLarge {
                n_bytes: n_read,
                max_bytes,
            });
        }
        file.write_all(&chunk).map_err(staging_failed)?;
    }
    file.flush().map_err(staging_failed)?;
    file.seek(SeekFrom::Start(0)).map_err(staging_failed)?;
    Ok(file)
}
