//! [`open_ingestion_handlers`]: what the ingestion stages need (the upload store in the
//! PostgreSQL state store, S3 and Glue clients, prefixes and limits), without the embedder,
//! the language model or the demo databases the question stages open. With an Athena
//! workgroup configured, a successful `ingest` also stores the datasource's new schema
//! snapshot, so its tables can be asked about as soon as the execution succeeds.
//!
//! Invariant: the state store is opened with the deployment's embedding dimension, so an
//! ingestion process never disagrees with the question stages about the vector columns; a
//! snapshot that cannot be stored never fails an ingestion that succeeded (the scheduled
//! refresh stores it later).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use clap::Args;
use contracts::envelope::TaskMessage;
use contracts::ingestion::IngestObjectResult;
use ingest_aws::{IngestionClients, IngestionDeps, IngestionHandlers, IngestionSettings};
use ports::datasource::DatasourceFinder;
use ports::step_error::StepError;
use ports::task_handler::TaskHandler;
use serde_json::Value;
use store_postgres::PostgresStore;

use crate::glue_datasources::GlueDatasourceFinder;
use crate::platform_args::PlatformArgs;
use crate::platform_wiring::{embedding_dimension, glue_datasource_finder, state_store_url};

/// Settings of the ingestion stages, from flags or `ANALYST_*` environment variables.
#[derive(Debug, Clone, Args)]
pub struct IngestionArgs {
    /// Key prefix of uploaded ZIP objects (`<prefix><datasource>/<file>.zip`).
    #[arg(long, env = "ANALYST_UPLOADS_PREFIX", default_value = "uploads/")]
    pub uploads_prefix: String,
    /// Bucket the tables' Parquet files go to (default: the upload's bucket).
    #[arg(long, env = "ANALYST_DATA_BUCKET")]
    pub data_bucket: Option<String>,
    /// Key prefix of the tables' Parquet files.
    #[arg(long, env = "ANALYST_DATA_PREFIX", default_value = "data/")]
    pub data_prefix: String,
    /// Largest uploaded ZIP object, in MiB.
    #[arg(long, env = "ANALYST_MAX_UPLOAD_MIB", default_value_t = 1024)]
    pub max_upload_mib: u64,
    /// Directory uploads are staged in while they are checked (default: the system's
    /// temporary directory).
    #[arg(long, env = "ANALYST_STAGING_DIR")]
    pub staging_dir: Option<PathBuf>,
}

/// The ingestion stages, followed after a successful `ingest` by the snapshot of the
/// datasource it loaded.
pub struct IngestionStages {
    handlers: IngestionHandlers,
    finder: Option<GlueDatasourceFinder>,
}

#[async_trait]
impl TaskHandler for IngestionStages {
    async fn handle_task(&self, message: &TaskMessage) -> Result<Value, StepError> {
        let output = self.handlers.handle_task(message).await?;
        if message.stage == "ingest"
            && let Some(finder) = &self.finder
        {
            store_ingested_snapshot(finder, &output).await;
        }
        Ok(output)
    }
}

/// Re-reads the ingested datasource's schema from Glue and stores it; failures are logged.
async fn store_ingested_snapshot(finder: &GlueDatasourceFinder, output: &Value) {
    let ingested = match serde_json::from_value::<IngestObjectResult>(output.clone()) {
        Ok(ingested) => ingested,
        Err(parse_error) => {
            tracing::warn!(error.message = %parse_error, "ingest output unreadable; no snapshot stored");
            return;
        }
    };
    match finder.find(&ingested.datasource).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            tracing::warn!(datasource = %ingested.datasource, "ingested datasource not found in Glue; no snapshot stored");
        }
        Err(find_error) => {
            tracing::warn!(datasource = %ingested.datasource, error.message = %find_error, "schema snapshot of the ingested datasource not stored");
        }
    }
}

/// Opens the upload store and the AWS clients and returns the ingestion stages.
pub async fn open_ingestion_handlers(
    platform_args: &PlatformArgs,
    ingestion_args: &IngestionArgs,
) -> anyhow::Result<IngestionStages> {
    for (name, prefix) in [
        ("--uploads-prefix", &ingestion_args.uploads_prefix),
        ("--data-prefix", &ingestion_args.data_prefix),
    ] {
        anyhow::ensure!(
            !prefix.is_empty() && prefix.ends_with('/'),
            "{name} must be a key prefix ending in `/`, got `{prefix}`"
        );
    }
    let state_store_url = state_store_url(platform_args).await?;
    let postgres_store = Arc::new(
        PostgresStore::connect(
            &state_store_url,
            platform_args.state_store_pool,
            embedding_dimension(platform_args),
        )
        .await
        .context("open the PostgreSQL state store")?,
    );
    let finder = glue_datasource_finder(platform_args, postgres_store.clone()).await?;
    let clients = IngestionClients::connect(
        platform_args.aws_region.as_deref(),
        platform_args.aws_endpoint_url.as_deref(),
    )
    .await;
    let defaults = IngestionSettings::default();
    let staging_parent = ingestion_args
        .staging_dir
        .clone()
        .unwrap_or(defaults.staging_parent);
    std::fs::create_dir_all(&staging_parent)
        .with_context(|| format!("create staging directory {}", staging_parent.display()))?;
    let handlers = IngestionHandlers::new(IngestionDeps {
        s3: clients.s3,
        glue: clients.glue,
        upload_store: postgres_store,
        settings: IngestionSettings {
            uploads_prefix: ingestion_args.uploads_prefix.clone(),
            data_bucket: ingestion_args.data_bucket.clone(),
            data_prefix: ingestion_args.data_prefix.clone(),
            glue_database_prefix: platform_args.glue_database_prefix.clone(),
            max_archive_bytes: ingestion_args.max_upload_mib.saturating_mul(1 << 20),
            staging_parent,
            ingest_options: defaults.ingest_options,
        },
    });
    Ok(IngestionStages { handlers, finder })
}
