//! The ports every handler reaches through the router's state.
//!
//! Invariant: holds only shared handles; cloning it never copies data.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use ports::approval::Approvals;

use crate::rate_limit::KeyRateLimiter;
use ports::datasource::Datasources;
use ports::job_launcher::JobLauncher;
use ports::job_store::JobStore;
use ports::key_store::KeyStore;
use ports::memory_store::PairStore;
use ports::schema::SchemaStore;
use ports::upload_intake::UploadIntake;
use ports::upload_store::UploadStore;

/// Shared state of the router.
#[derive(Clone)]
pub struct AppState {
    /// Where jobs are created and read.
    pub job_store: Arc<dyn JobStore>,
    /// Where API keys are checked.
    pub key_store: Arc<dyn KeyStore>,
    /// Starts the pipeline for an accepted job.
    pub launcher: Arc<dyn JobLauncher>,
    /// Datasources a question may be asked of.
    pub datasources: Datasources,
    /// Datasource used when a request names none.
    pub default_datasource: String,
    /// Source of the table names listed by `GET /v1/datasources`.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Records feedback and admits approved pairs.
    pub approvals: Arc<dyn Approvals>,
    /// Cache entries and few-shot examples, for the admin listing.
    pub pair_store: Arc<dyn PairStore>,
    /// Renders `/metrics`; `None` when the process installed no recorder.
    pub metrics: Option<PrometheusHandle>,
    /// Requests per key and minute; `None` turns the limit off.
    pub rate_limiter: Option<Arc<KeyRateLimiter>>,
    /// Uploads of ZIP archives; `None` when the deployment keeps no upload store.
    pub uploads: Option<Uploads>,
}

/// What the upload routes need.
#[derive(Clone)]
pub struct Uploads {
    /// Where upload views are read.
    pub store: Arc<dyn UploadStore>,
    /// Takes archives posted to `POST /v1/uploads`; `None` where uploads arrive another way
    /// (the uploads bucket on AWS).
    pub intake: Option<Arc<dyn UploadIntake>>,
    /// Largest accepted archive in bytes.
    pub max_archive_bytes: u64,
}
