//! [`IngestionSettings`]: where uploads are read from, where table data is written and how the
//! Glue databases are named.
//!
//! Invariant: the defaults match `infra/template.yaml` (uploads under `uploads/`, data under
//! `data/` of the same bucket, databases `analyst_<datasource>`).

use std::path::PathBuf;

use ingest::IngestOptions;

/// Tunables of the ingestion stages.
#[derive(Debug, Clone)]
pub struct IngestionSettings {
    /// Key prefix of uploads, with its trailing `/` (default `uploads/`).
    pub uploads_prefix: String,
    /// Bucket the Parquet files go to; `None` means the upload's own bucket.
    pub data_bucket: Option<String>,
    /// Key prefix of table data, with its trailing `/` (default `data/`).
    pub data_prefix: String,
    /// Prefix of the Glue database of a datasource: database = prefix + datasource name
    /// (default `analyst_`, so datasource `shop` lives in database `analyst_shop`).
    pub glue_database_prefix: String,
    /// Largest ZIP object accepted, in bytes (default 1 GiB); checked before and while
    /// downloading.
    pub max_archive_bytes: u64,
    /// Directory the archive and the normalised files are staged in (default: the system's
    /// temporary directory, `/tmp` on Lambda).
    pub staging_parent: PathBuf,
    /// Limits and decoding of the archive's CSV files.
    pub ingest_options: IngestOptions,
}

impl Default for IngestionSettings {
    fn default() -> Self {
        IngestionSettings {
            uploads_prefix: "uploads/".to_owned(),
            data_bucket: None,
            data_prefix: "data/".to_owned(),
            glue_database_prefix: "analyst_".to_owned(),
            max_archive_bytes: 1 << 30,
            staging_parent: std::env::temp_dir(),
            ingest_options: IngestOptions::default(),
        }
    }
}
