//! [`StagingDir`]: a fresh directory for one upload's normalised files, removed with
//! everything in it when dropped.
//!
//! Invariant: the directory's name is unique per process and call, and it is never reused.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ingest_error::IngestError;

static NEXT_STAGING_ID: AtomicU64 = AtomicU64::new(0);

/// A directory removed (recursively) on drop.
#[derive(Debug)]
pub struct StagingDir {
    path: PathBuf,
}

impl StagingDir {
    /// Creates `<parent>/ingest-<pid>-<n>`, creating `parent` when missing.
    pub(crate) fn create(parent: &Path) -> Result<Self, IngestError> {
        let n = NEXT_STAGING_ID.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!("ingest-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|err| IngestError::Staging {
            path: path.display().to_string(),
            message: err.to_string(),
        })?;
        Ok(StagingDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        // Nothing useful can be done when removal fails; the name is never reused.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
