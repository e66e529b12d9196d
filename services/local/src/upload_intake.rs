//! [`LocalUploadIntake`]: `POST /v1/uploads` in local mode. Each received archive is checked
//! and loaded into its datasource's DuckDB file in the background, one upload at a time, its
//! view saved to the upload store at every step; on success the datasource is (re)registered
//! with its new schema snapshot, so its tables are askable at once.
//!
//! Invariant: the received archive file is removed whatever the outcome; an upload that a
//! stopped server left unfinished is marked failed at the next start, and nothing of it was
//! loaded (the datasource's file is only ever replaced whole).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use contracts::error::ErrorKind;
use contracts::uploads::UploadView;
use engine_duckdb::ExistingTables;
use ingest::{IngestLimits, IngestOptions, TextEncoding};
use ports::datasource::Datasources;
use ports::schema::SchemaStore;
use ports::upload_intake::{CsvTextEncoding, ReceivedArchive, UploadIntake, UploadRefused};
use ports::upload_store::UploadStore;
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

use crate::datasource_ingestion::{
    IngestionFailure, datasource_name_problem, ingest_archive, ingested_database_path,
    register_ingested_datasource,
};
use crate::upload_progress::{apply_failure, apply_step, apply_success, fail};

/// Folder of archives being received, inside the data directory.
const RECEIVING_DIR: &str = "uploads-incoming";
/// Uploads that may wait behind the running one; more are refused until the queue drains.
const MAX_WAITING_UPLOADS: usize = 8;

/// What the intake works with.
pub struct UploadIntakeDeps {
    /// Data directory holding `ingested/` and `staging/`.
    pub data_dir: PathBuf,
    /// The registry every worker reads; a loaded datasource is (re)inserted here.
    pub datasources: Datasources,
    /// Where the new schema snapshot is saved.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Where upload views are saved.
    pub upload_store: Arc<dyn UploadStore>,
    /// Limits of one archive's content.
    pub limits: IngestLimits,
}

/// Background ingestion of uploaded archives into the local data directory.
#[derive(Clone)]
pub struct LocalUploadIntake {
    deps: Arc<UploadIntakeDeps>,
    receiving_dir: PathBuf,
    one_at_a_time: Arc<Semaphore>,
    /// Uploads accepted and not finished, the running one included.
    n_unfinished: Arc<AtomicUsize>,
}

impl LocalUploadIntake {
    /// Prepares the receiving directory (removing archives a stopped server left there) and
    /// marks uploads that were unfinished when the server stopped as failed.
    pub async fn open(deps: UploadIntakeDeps) -> anyhow::Result<Self> {
        let receiving_dir = deps.data_dir.join(RECEIVING_DIR);
        let _ = std::fs::remove_dir_all(&receiving_dir);
        std::fs::create_dir_all(&receiving_dir)?;
        for upload_id in deps.upload_store.unfinished_uploads().await? {
            if let Some(mut view) = deps.upload_store.upload(upload_id).await? {
                fail(
                    &mut view,
                    ErrorKind::Transient,
                    "the server stopped before this upload finished; nothing of it was loaded; upload it again".into(),
                    None,
                    Utc::now(),
                );
                deps.upload_store.save_upload(&view).await?;
                tracing::warn!(%upload_id, "unfinished upload marked failed");
            }
        }
        Ok(LocalUploadIntake {
            deps: Arc::new(deps),
            receiving_dir,
            one_at_a_time: Arc::new(Semaphore::new(1)),
            n_unfinished: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Why an upload into `datasource` is refused before it is queued.
    fn refusal(&self, datasource: &str) -> Option<String> {
        if let Some(problem) = datasource_name_problem(datasource) {
            return Some(problem);
        }
        let is_ingested = ingested_database_path(&self.deps.data_dir, datasource).exists();
        (self.deps.datasources.contains(datasource) && !is_ingested).then(|| {
            format!("`{datasource}` is a configured datasource, not one made from uploads; choose another name")
        })
    }
}

#[async_trait::async_trait]
impl UploadIntake for LocalUploadIntake {
    fn receiving_dir(&self) -> &Path {
        &self.receiving_dir
    }

    async fn accept(&self, archive: ReceivedArchive) -> Result<UploadView, UploadRefused> {
        let refused = |kind, message: String| {
            let _ = std::fs::remove_file(&archive.path);
            UploadRefused { kind, message }
        };
        if let Some(message) = self.refusal(&archive.datasource) {
            return Err(refused(ErrorKind::InvalidInput, message));
        }
        if self.n_unfinished.load(Ordering::SeqCst) > MAX_WAITING_UPLOADS {
            return Err(refused(
                ErrorKind::Transient,
                format!("{MAX_WAITING_UPLOADS} uploads are waiting already; try again later"),
            ));
        }
        let view = UploadView::queued(
            Uuid::new_v4(),
            &archive.datasource,
            &archive.file_name,
            archive.n_bytes,
            archive.replace_existing,
            Utc::now(),
        );
        if let Err(err) = self.deps.upload_store.save_upload(&view).await {
            return Err(refused(
                err.kind(),
                "the upload could not be recorded".into(),
            ));
        }
        tracing::info!(upload_id = %view.upload_id, datasource = %view.datasource, n_bytes = archive.n_bytes, "upload queued");
        let queued = view.clone();
        let deps = self.deps.clone();
        let one_at_a_time = self.one_at_a_time.clone();
        let n_unfinished = self.n_unfinished.clone();
        n_unfinished.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let _permit = one_at_a_time.acquire_owned().await;
            let upload_id = view.upload_id;
            let archive_path = archive.path.clone();
            if let Err(err) = run_upload(&deps, view, archive).await {
                tracing::error!(%upload_id, error = %format!("{err:#}"), "upload could not be recorded");
            }
            let _ = std::fs::remove_file(&archive_path);
            n_unfinished.fetch_sub(1, Ordering::SeqCst);
        });
        Ok(queued)
    }
}

async fn run_upload(
    deps: &Arc<UploadIntakeDeps>,
    mut view: UploadView,
    archive: ReceivedArchive,
) -> anyhow::Result<()> {
    view.status = contracts::uploads::UploadStatus::Validating;
    view.updated_at = Utc::now();
    deps.upload_store.save_upload(&view).await?;

    let (view_sender, mut view_receiver) = watch::channel(view.clone());
    let options = IngestOptions {
        limits: deps.limits.clone(),
        encoding: match archive.encoding {
            CsvTextEncoding::Utf8 => TextEncoding::Utf8,
            CsvTextEncoding::Latin1 => TextEncoding::Latin1,
        },
    };
    let existing = if archive.replace_existing {
        ExistingTables::Replace
    } else {
        ExistingTables::Refuse
    };
    let ingestion = {
        let deps = deps.clone();
        let mut progress_view = view.clone();
        tokio::task::spawn_blocking(move || {
            let outcome = ingest_archive(
                &archive.path,
                &deps.data_dir,
                &archive.datasource,
                &options,
                existing,
                &mut |step| {
                    apply_step(&mut progress_view, step, Utc::now());
                    view_sender.send_replace(progress_view.clone());
                },
            );
            (outcome, progress_view)
        })
    };
    // Saves the latest view whenever it changes, until the ingestion thread drops its sender.
    while view_receiver.changed().await.is_ok() {
        let latest = view_receiver.borrow_and_update().clone();
        deps.upload_store.save_upload(&latest).await?;
    }
    let (outcome, mut view) = ingestion.await?;
    match outcome {
        Ok(outcome) => {
            match register_ingested_datasource(
                &deps.data_dir,
                &view.datasource,
                deps.schema_store.as_ref(),
                &deps.datasources,
            )
            .await
            {
                Ok(()) => apply_success(&mut view, outcome, Utc::now()),
                Err(err) => fail(
                    &mut view,
                    ErrorKind::Transient,
                    format!(
                        "the tables were loaded but the datasource could not be opened: {err:#}; restart the server to pick them up"
                    ),
                    None,
                    Utc::now(),
                ),
            }
        }
        Err(failure) => log_and_apply_failure(&mut view, &failure),
    }
    deps.upload_store.save_upload(&view).await?;
    tracing::info!(upload_id = %view.upload_id, status = view.status.as_str(), "upload finished");
    Ok(())
}

fn log_and_apply_failure(view: &mut UploadView, failure: &IngestionFailure) {
    tracing::info!(upload_id = %view.upload_id, error = %failure, "upload refused");
    apply_failure(view, failure, Utc::now());
}
