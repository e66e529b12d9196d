//! Where an API process hands over a received ZIP archive to be ingested in the background.
//!
//! Invariant: `accept` returns as soon as the upload is recorded as queued; the archive file
//! it is given belongs to the intake from then on, which removes it when done, whatever the
//! outcome.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use contracts::error::ErrorKind;
use contracts::uploads::UploadView;

/// How the bytes of the CSV files become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvTextEncoding {
    /// UTF-8 only (a UTF-8 byte-order mark is accepted).
    #[default]
    Utf8,
    /// ISO-8859-1, transcoded to UTF-8.
    Latin1,
}

impl CsvTextEncoding {
    /// Parses the wire name (`utf8`, `latin1`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "utf8" | "utf-8" => Some(CsvTextEncoding::Utf8),
            "latin1" | "iso-8859-1" => Some(CsvTextEncoding::Latin1),
            _ => None,
        }
    }
}

/// One archive as received, already on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedArchive {
    /// The archive file, inside [`UploadIntake::receiving_dir`].
    pub path: PathBuf,
    /// Name the client gave the file.
    pub file_name: String,
    /// Size of the file in bytes.
    pub n_bytes: u64,
    /// Datasource the tables go into (created when new).
    pub datasource: String,
    /// Replace existing tables instead of refusing the upload.
    pub replace_existing: bool,
    /// Text encoding of the CSV files.
    pub encoding: CsvTextEncoding,
}

/// An upload refused before it was queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UploadRefused {
    /// `InvalidInput` for a bad request, `Transient` when the intake is busy or the store
    /// unavailable.
    pub kind: ErrorKind,
    /// Safe, human-readable reason.
    pub message: String,
}

/// Takes received archives and ingests them in the background.
#[async_trait]
pub trait UploadIntake: Send + Sync {
    /// Directory the API writes incoming archives to (on the same disk as the staging area).
    fn receiving_dir(&self) -> &Path;

    /// Checks the request, records the upload as queued and starts ingesting it; the archive
    /// file is removed by the intake in every case, also when refused.
    async fn accept(&self, archive: ReceivedArchive) -> Result<UploadView, UploadRefused>;
}
