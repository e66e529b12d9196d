//! [`open_state_stores`]: the SQLite store in the data directory, or PostgreSQL + pgvector when
//! a state-store URL is configured, behind the five store ports.
//!
//! Invariant: every port of one platform is served by the same store.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use ports::job_store::JobStore;
use ports::key_store::KeyStore;
use ports::memory_store::PairStore;
use ports::result_retention::ResultRetention;
use ports::schema::SchemaStore;
use ports::upload_store::UploadStore;
use secrecy::SecretString;
use store_postgres::PostgresStore;

use crate::cli::StoreArgs;
use crate::platform::open_state_store;

/// The store behind every state port.
#[derive(Clone)]
pub struct StateStores {
    /// Jobs, results and feedback.
    pub job_store: Arc<dyn JobStore>,
    /// API keys.
    pub key_store: Arc<dyn KeyStore>,
    /// Schema snapshots.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Cache entries and few-shot examples.
    pub pair_store: Arc<dyn PairStore>,
    /// Uploads and their progress.
    pub upload_store: Arc<dyn UploadStore>,
}

impl StateStores {
    fn from_store<S>(store: Arc<S>) -> Self
    where
        S: JobStore + KeyStore + SchemaStore + PairStore + UploadStore + 'static,
    {
        StateStores {
            job_store: store.clone(),
            key_store: store.clone(),
            schema_store: store.clone(),
            pair_store: store.clone(),
            upload_store: store,
        }
    }
}

/// Opens the configured store; PostgreSQL stores vectors of `embedding_dimension` components
/// and refuses a database set up for another size.
pub async fn open_state_stores(
    data_dir: &Path,
    store_args: &StoreArgs,
    embedding_dimension: usize,
) -> anyhow::Result<StateStores> {
    let result_retention = ResultRetention::from_hours_and_mib(
        store_args.result_retention_hours,
        store_args.max_result_mib_per_key,
    );
    match &store_args.state_store_url {
        Some(url) => {
            let url = SecretString::from(url.clone());
            let postgres_store =
                PostgresStore::connect(&url, store_args.state_store_pool, embedding_dimension)
                    .await
                    .context("open the PostgreSQL state store")?
                    .with_result_retention(result_retention);
            tracing::info!(
                dimension = embedding_dimension,
                "state store: PostgreSQL + pgvector"
            );
            Ok(StateStores::from_store(Arc::new(postgres_store)))
        }
        None => {
            let sqlite_store = Arc::unwrap_or_clone(open_state_store(data_dir)?)
                .with_result_retention(result_retention);
            tracing::info!(data_dir = %data_dir.display(), "state store: SQLite");
            Ok(StateStores::from_store(Arc::new(sqlite_store)))
        }
    }
}
