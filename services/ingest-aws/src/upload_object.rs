//! [`UploadObject`]: what an uploaded object's key says (datasource, file, whether existing
//! tables may be replaced) and the upload id derived from the object's identity.
//!
//! Key layout, below the uploads prefix:
//! - `uploads/<datasource>/<file>.zip`: tables that already exist refuse the upload;
//! - `uploads/<datasource>/replace/<file>.zip`: existing tables of the upload are replaced.
//!
//! The upload id is the UUID v5 (URL namespace) of `s3://<bucket>/<key>?version=<v>`, where
//! `<v>` is the object's version id when the bucket is versioned, else its ETag (without
//! quotes), else its event sequencer: a redelivered message, or the failure recorder of the
//! same execution, names the same upload.
//!
//! Invariant: parsing performs no I/O; a key outside the layout is refused with the layout in
//! the message.

use contracts::ingestion::S3ObjectVersion;
use uuid::Uuid;

use crate::ingestion_error::IngestionError;

/// Key segment that asks for existing tables to be replaced.
const REPLACE_SEGMENT: &str = "replace";

/// Longest datasource name an upload may use, in bytes (the rule of [`ingest::is_datasource_name`]).
const MAX_DATASOURCE_NAME_LEN: usize = 63;

/// An uploaded ZIP object and what its key asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadObject {
    bucket: String,
    key: String,
    datasource: String,
    file_name: String,
    replace_existing: bool,
    version: S3ObjectVersion,
}

impl UploadObject {
    /// Reads `key` (below `uploads_prefix`) of `bucket`.
    pub fn parse(
        bucket: &str,
        key: &str,
        version: S3ObjectVersion,
        uploads_prefix: &str,
    ) -> Result<Self, IngestionError> {
        let unexpected = |reason: &str| IngestionError::UnexpectedKey {
            key: key.to_owned(),
            reason: format!(
                "{reason}; upload to {uploads_prefix}<datasource>/<file>.zip, or to {uploads_prefix}<datasource>/replace/<file>.zip to replace existing tables"
            ),
        };
        let relative = key
            .strip_prefix(uploads_prefix)
            .ok_or_else(|| unexpected("the key is outside the uploads prefix"))?;
        let segments: Vec<&str> = relative.split('/').collect();
        let (datasource, replace_existing, file_name) = match segments.as_slice() {
            [datasource, file_name] => (*datasource, false, *file_name),
            [datasource, REPLACE_SEGMENT, file_name] => (*datasource, true, *file_name),
            _ => return Err(unexpected("the key has another number of folders")),
        };
        let is_zip =
            file_name.len() > ".zip".len() && file_name.to_ascii_lowercase().ends_with(".zip");
        if !is_zip {
            return Err(unexpected("the file is not a .zip archive"));
        }
        if !ingest::is_datasource_name(datasource) {
            return Err(unexpected(&format!(
                "datasource name `{datasource}` must be snake_case: lowercase letters, digits and `_`, starting with a letter, at most {MAX_DATASOURCE_NAME_LEN} characters"
            )));
        }
        Ok(UploadObject {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            datasource: datasource.to_owned(),
            file_name: file_name.to_owned(),
            replace_existing,
            version,
        })
    }

    /// Bucket of the object.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Key of the object.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Datasource the tables go into.
    pub fn datasource(&self) -> &str {
        &self.datasource
    }

    /// File name of the archive (last key segment).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// `true` when the key asks for existing tables to be replaced.
    pub fn replace_existing(&self) -> bool {
        self.replace_existing
    }

    /// The object's version as the event named it.
    pub fn version(&self) -> &S3ObjectVersion {
        &self.version
    }

    /// The upload id of this object (see the module documentation).
    pub fn upload_id(&self) -> Uuid {
        upload_id_of(&self.bucket, &self.key, &self.version)
    }
}

/// The upload id of the object `key` of `bucket` at `version`, also for keys outside the
/// layout (so their refusal is recorded under a stable id).
pub fn upload_id_of(bucket: &str, key: &str, version: &S3ObjectVersion) -> Uuid {
    let version_id = version
        .version_id
        .as_deref()
        .filter(|version_id| !version_id.is_empty() && *version_id != "null");
    let etag = version.etag.as_deref().map(|etag| etag.trim_matches('"'));
    let pinned = version_id
        .or(etag)
        .or(version.sequencer.as_deref())
        .unwrap_or_default();
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("s3://{bucket}/{key}?version={pinned}").as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(etag: &str, version_id: Option<&str>) -> S3ObjectVersion {
        S3ObjectVersion {
            etag: Some(etag.to_owned()),
            version_id: version_id.map(str::to_owned),
            sequencer: None,
        }
    }

    #[test]
    fn a_key_below_a_datasource_names_it_and_refuses_existing_tables() {
        let object = UploadObject::parse(
            "b",
            "uploads/shop/your_database.zip",
            S3ObjectVersion::default(),
            "uploads/",
        )
        .unwrap();

        assert_eq!(object.datasource(), "shop");
        assert_eq!(object.file_name(), "your_database.zip");
        assert!(!object.replace_existing());
    }

    #[test]
    fn a_replace_segment_allows_replacing_tables() {
        let object = UploadObject::parse(
            "b",
            "uploads/shop/replace/v2.ZIP",
            S3ObjectVersion::default(),
            "uploads/",
        )
        .unwrap();

        assert!(object.replace_existing());
        assert_eq!(object.datasource(), "shop");
    }

    #[test]
    fn keys_outside_the_layout_are_refused_with_the_layout_named() {
        let too_long = format!("uploads/{}/a.zip", "s".repeat(MAX_DATASOURCE_NAME_LEN + 1));
        for key in [
            too_long.as_str(),
            "other/shop/a.zip",
            "uploads/a.zip",
            "uploads/shop/deeper/x/a.zip",
            "uploads/shop/a.csv",
            "uploads/Shop Data/a.zip",
            "uploads/shop/.zip",
        ] {
            let parsed = UploadObject::parse("b", key, S3ObjectVersion::default(), "uploads/");

            let Err(IngestionError::UnexpectedKey { reason, .. }) = parsed else {
                panic!("{key} was accepted: {parsed:?}");
            };
            assert!(
                reason.contains("uploads/<datasource>/<file>.zip"),
                "{reason}"
            );
        }
    }

    #[test]
    fn the_upload_id_follows_the_version_id_then_the_etag() {
        let quoted = upload_id_of("b", "k", &version("\"abc\"", Some("null")));
        let bare = upload_id_of("b", "k", &version("abc", None));
        let versioned = upload_id_of("b", "k", &version("abc", Some("v1")));
        let other_version = upload_id_of("b", "k", &version("abc", Some("v2")));

        assert_eq!(quoted, bare);
        assert_ne!(versioned, bare);
        assert_ne!(versioned, other_version);
        assert_eq!(
            versioned,
            upload_id_of("b", "k", &version("zzz", Some("v1")))
        );
    }
}
