//! Ingested datasources of a data directory: where their DuckDB files live, the checks on
//! their names, loading a ZIP of CSV files into one (shared by `analyst ingest` and
//! `POST /v1/uploads`), and registering them as datasources with their schema snapshots.
//!
//! Invariant: a datasource's file is only ever replaced whole (`load_tables_by_swap`), so a
//! refused or failed upload leaves no table, no staged file and no partial database file.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context;
use contracts::error::ErrorKind;
use engine_duckdb::{
    ExistingTables, LoadError, LoadedTable, load_tables_by_swap, open_ingested_datasource,
    remove_abandoned_working_copies,
};
use ingest::{IngestError, IngestOptions, IngestProgress, prepare_upload};
use ports::datasource::{Datasource, Datasources};
use ports::schema::{SchemaSnapshot, SchemaStore};

/// Folder of the ingested datasources' DuckDB files inside the data directory.
pub const INGESTED_DIR: &str = "ingested";
/// Folder of in-flight uploads' normalised files inside the data directory.
pub const STAGING_DIR: &str = "staging";
/// Description of every ingested datasource.
const INGESTED_DESCRIPTION: &str = "Tables ingested from ZIP archives of CSV files";

/// Path of the DuckDB file of an ingested datasource.
pub fn ingested_database_path(data_dir: &Path, datasource: &str) -> PathBuf {
    data_dir
        .join(INGESTED_DIR)
        .join(format!("{datasource}.duckdb"))
}

/// Why a datasource name cannot take an upload.
pub fn datasource_name_problem(datasource: &str) -> Option<String> {
    if !ingest::is_datasource_name(datasource) {
        return Some(format!(
            "datasource name `{datasource}` must be snake_case: lowercase letters, digits and `_`, starting with a letter, at most 63 characters"
        ));
    }
    let is_demo = engine_duckdb::demo::demo_databases()
        .iter()
        .any(|demo_database| demo_database.name == datasource);
    is_demo
        .then(|| format!("`{datasource}` is the name of a bundled demo database; choose another"))
}

/// An ingestion that did not load: the archive was refused or the load failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestionFailure {
    /// The archive or one of its files failed a check.
    #[error(transparent)]
    Refused(#[from] IngestError),
    /// The checked tables did not load; nothing changed.
    #[error(transparent)]
    LoadFailed(#[from] LoadError),
    /// The archive file could not be opened.
    #[error("open the uploaded archive: {0}")]
    Unreadable(#[from] std::io::Error),
}

impl IngestionFailure {
    /// Retry class.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IngestionFailure::Refused(err) => err.kind(),
            IngestionFailure::LoadFailed(err) => err.kind(),
            IngestionFailure::Unreadable(_) => ErrorKind::Transient,
        }
    }

    /// The archive entry at fault, when one is.
    pub fn entry(&self) -> Option<&str> {
        match self {
            IngestionFailure::Refused(err) => err.entry(),
            IngestionFailure::LoadFailed(_) | IngestionFailure::Unreadable(_) => None,
        }
    }
}

/// What one archive loaded.
#[derive(Debug, Clone)]
pub struct IngestionOutcome {
    /// Tables as loaded.
    pub tables: Vec<LoadedTable>,
    /// Archive entries that are not CSV files.
    pub skipped_entries: Vec<String>,
}

/// A step of [`ingest_archive`], for progress display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestionStep {
    /// Checking the archive, with the checker's own progress.
    Checking(IngestProgress),
    /// Every file passed; loading `n_tables` tables.
    Loading {
        /// Tables to load.
        n_tables: usize,
    },
}

/// Checks the ZIP at `zip_path` and loads its tables into the datasource's file in
/// `data_dir`, all or nothing; blocks the thread.
pub fn ingest_archive(
    zip_path: &Path,
    data_dir: &Path,
    datasource: &str,
    options: &IngestOptions,
    existing: ExistingTables,
    progress: &mut dyn FnMut(IngestionStep),
) -> Result<IngestionOutcome, IngestionFailure> {
    let ingested_dir = data_dir.join(INGESTED_DIR);
    std::fs::create_dir_all(&ingested_dir)?;
    let staging_parent = data_dir.join(STAGING_DIR);
    let outcome = (|| {
        let zip_file = File::open(zip_path)?;
        let upload = prepare_upload(
            BufReader::new(zip_file),
            &staging_parent,
            options,
            &mut |event| progress(IngestionStep::Checking(event)),
        )?;
        progress(IngestionStep::Loading {
            n_tables: upload.tables.len(),
        });
        let database_path = ingested_database_path(data_dir, datasource);
        let tables = load_tables_by_swap(&database_path, &upload.tables, existing)?;
        Ok(IngestionOutcome {
            tables,
            skipped_entries: upload.skipped_entries.clone(),
        })
    })();
    // Only removed when empty: another upload may be staging next to this one.
    let _ = std::fs::remove_dir(&staging_parent);
    outcome
}

/// Opens the ingested datasource `name` of `data_dir` with the snapshot read from its file.
async fn open_ingested(
    data_dir: &Path,
    name: &str,
) -> anyhow::Result<(Datasource, SchemaSnapshot)> {
    let database_path = ingested_database_path(data_dir, name);
    let ingested = open_ingested_datasource(&database_path, name)
        .await
        .with_context(|| format!("open ingested datasource {}", database_path.display()))?;
    let datasource = Datasource {
        name: name.to_owned(),
        description: Some(INGESTED_DESCRIPTION.to_owned()),
        engine_name: "embedded".to_owned(),
        engine: ingested.engine,
        allowed_relations: None,
    };
    Ok((datasource, ingested.snapshot))
}

/// Opens the ingested datasource `name` of `data_dir`, saves its schema snapshot (with the
/// imported metadata applied) and registers it, replacing an earlier registration.
pub async fn register_ingested_datasource(
    data_dir: &Path,
    name: &str,
    schema_store: &dyn SchemaStore,
    datasources: &Datasources,
) -> anyhow::Result<()> {
    let (datasource, snapshot) = open_ingested(data_dir, name).await?;
    let saved = pipeline::save_snapshot_with_metadata(schema_store, &snapshot)
        .await
        .with_context(|| format!("save the schema snapshot of {name}"))?;
    for warning in &saved.metadata_warnings {
        tracing::warn!(datasource = name, %warning, "imported metadata does not match the schema");
    }
    datasources.insert(datasource);
    Ok(())
}

/// Registers every datasource of `<data_dir>/ingested/` (in name order) without saving a
/// snapshot (the schema refresh at start-up does); a name already registered (a demo database)
/// is skipped with a warning. Working copies left by a killed upload are removed first.
pub async fn open_ingested_datasources(
    data_dir: &Path,
    datasources: &Datasources,
) -> anyhow::Result<()> {
    let ingested_dir = data_dir.join(INGESTED_DIR);
    let n_removed = remove_abandoned_working_copies(&ingested_dir);
    if n_removed > 0 {
        tracing::warn!(n_removed, "removed working copies of interrupted uploads");
    }
    let Ok(dir_entries) = std::fs::read_dir(&ingested_dir) else {
        return Ok(());
    };
    let mut names: Vec<String> = dir_entries
        .filter_map(|dir_entry| dir_entry.ok().map(|dir_entry| dir_entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "duckdb")
        })
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    for name in names {
        if datasources.contains(&name) {
            tracing::warn!(
                datasource = name,
                "ingested datasource shadowed by another; skipped"
            );
            continue;
        }
        let (datasource, _) = open_ingested(data_dir, &name).await?;
        datasources.insert(datasource);
    }
    Ok(())
}
