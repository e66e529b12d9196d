//! The Parquet objects of ingested tables in S3: `data/<datasource>/<table>/<upload-id>/
//! part-0.parquet`, one fresh prefix per upload, so a replaced table's old files stay readable
//! until its Glue table points elsewhere.
//!
//! Invariant: only keys under the data prefix are written or deleted here.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use uuid::Uuid;

use crate::ingestion_error::{IngestionError, service_error_text};

/// Where one table's data of one upload lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableDataLocation {
    /// Bucket of the data.
    pub(crate) bucket: String,
    /// Key prefix of the table's files of this upload, with its trailing `/`.
    pub(crate) prefix: String,
}

impl TableDataLocation {
    /// `<data_prefix><datasource>/<table>/<upload_id>/` in `bucket`.
    pub(crate) fn new(
        bucket: &str,
        data_prefix: &str,
        datasource: &str,
        table: &str,
        upload_id: Uuid,
    ) -> Self {
        TableDataLocation {
            bucket: bucket.to_owned(),
            prefix: format!("{data_prefix}{datasource}/{table}/{upload_id}/"),
        }
    }

    /// The `s3://bucket/prefix/` URI Glue and Athena read.
    pub(crate) fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    /// Key of the one Parquet file of the table.
    pub(crate) fn part_key(&self) -> String {
        format!("{}part-0.parquet", self.prefix)
    }

    /// The location of an `s3://bucket/prefix/` URI, when it lies under `data_prefix`.
    pub(crate) fn from_uri(uri: &str, data_prefix: &str) -> Option<Self> {
        let (bucket, prefix) = uri.strip_prefix("s3://")?.split_once('/')?;
        (prefix.starts_with(data_prefix) && prefix.ends_with('/') && !bucket.is_empty()).then(
            || TableDataLocation {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            },
        )
    }
}

/// Uploads the local file `parquet_path` as `key` of `bucket`.
pub(crate) async fn put_parquet_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    parquet_path: &Path,
) -> Result<(), IngestionError> {
    let body = ByteStream::from_path(parquet_path)
        .await
        .map_err(|err| IngestionError::Staging(err.to_string()))?;
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .content_type("application/vnd.apache.parquet")
        .body(body)
        .send()
        .await
        .map(|_| ())
        .map_err(|sdk_error| IngestionError::Storage {
            operation: "PutObject",
            message: service_error_text(&sdk_error.into_service_error()),
        })
}

/// Deletes every object under `location`'s prefix; returns how many were deleted.
pub(crate) async fn delete_data_objects(
    s3: &aws_sdk_s3::Client,
    location: &TableDataLocation,
) -> Result<usize, IngestionError> {
    let mut n_deleted = 0;
    let mut continuation_token = None;
    loop {
        let listed = s3
            .list_objects_v2()
            .bucket(&location.bucket)
            .prefix(&location.prefix)
            .set_continuation_token(continuation_token)
            .send()
            .await
            .map_err(|sdk_error| IngestionError::Storage {
                operation: "ListObjectsV2",
                message: service_error_text(&sdk_error.into_service_error()),
            })?;
        for object in listed.contents() {
            let Some(key) = object.key() else { continue };
            s3.delete_object()
                .bucket(&location.bucket)
                .key(key)
                .send()
                .await
                .map_err(|sdk_error| IngestionError::Storage {
                    operation: "DeleteObject",
                    message: service_error_text(&sdk_error.into_service_error()),
                })?;
            n_deleted += 1;
        }
        match listed.next_continuation_token() {
            Some(token) if listed.is_truncated() == Some(true) => {
                continuation_token = Some(token.to_owned());
            }
            _ => return Ok(n_deleted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_location_round_trips_through_its_uri() {
        let upload_id = Uuid::nil();
        let location = TableDataLocation::new("bucket", "data/", "shop", "orders", upload_id);

        let uri = location.uri();

        assert_eq!(
            uri,
            "s3://bucket/data/shop/orders/00000000-0000-0000-0000-000000000000/"
        );
        assert_eq!(TableDataLocation::from_uri(&uri, "data/"), Some(location));
    }

    #[test]
    fn a_location_outside_the_data_prefix_is_not_ours() {
        assert_eq!(
            TableDataLocation::from_uri("s3://bucket/elsewhere/orders/", "data/"),
            None
        );
        assert_eq!(
            TableDataLocation::from_uri("s3://bucket/data", "data/"),
            None
        );
    }
}
