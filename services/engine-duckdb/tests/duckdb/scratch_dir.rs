//! A uniquely named directory under the system temp dir, removed when dropped.
//!
//! Invariant: never touches anything outside the directory it created.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine_duckdb::DuckDbEngine;
use engine_duckdb::demo::{DemoDatasource, open_demo_datasource};

/// A directory that exists for the life of the value.
pub(crate) struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates a new empty directory whose name starts with `label`.
    pub(crate) fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "engine-duckdb-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).expect("the temp dir is writable");
        ScratchDir { path }
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ignored = std::fs::remove_dir_all(&self.path);
    }
}

/// The restaurants demo datasource materialized in a fresh scratch directory.
pub(crate) async fn open_restaurants(label: &str) -> (ScratchDir, DemoDatasource) {
    let scratch_dir = ScratchDir::new(label);
    let datasource = open_demo_datasource(scratch_dir.path(), "restaurants")
        .await
        .expect("restaurants opens");
    (scratch_dir, datasource)
}

/// The restaurants demo engine, for tests that only run queries.
pub(crate) async fn restaurants_engine(label: &str) -> (ScratchDir, Arc<DuckDbEngine>) {
    let (scratch_dir, datasource) = open_restaurants(label).await;
    (scratch_dir, datasource.engine)
}
