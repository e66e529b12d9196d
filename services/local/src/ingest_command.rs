//! `analyst ingest <zip> --datasource <name>`: validates a ZIP of CSV files, loads its tables
//! into the datasource's DuckDB file (`<data-dir>/ingested/<name>.duckdb`) in one
//! transaction, saves the schema snapshot and prints each table's rows and column types;
//! progress goes to stderr. Also [`open_ingested_datasources`], which `serve`, `ask` and
//! `bench` use to register every ingested datasource at start (their snapshots are saved by
//! the schema refresh that follows).
//!
//! Invariant: a refused upload leaves no table, no staged file and no new database file.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context;
use engine_duckdb::{ExistingTables, LoadedTable, load_tables, open_ingested_datasource};
use ingest::{IngestLimits, IngestOptions, IngestProgress, TextEncoding, prepare_upload};
use ports::datasource::{Datasource, Datasources};

use crate::cli::{CsvEncoding, IngestArgs};
use crate::state_stores::open_state_stores;

/// Folder of the ingested datasources' DuckDB files inside the data directory.
pub const INGESTED_DIR: &str = "ingested";
/// Folder of in-flight uploads' normalised files inside the data directory.
const STAGING_DIR: &str = "staging";
/// Description of every ingested datasource.
const INGESTED_DESCRIPTION: &str = "Tables ingested from ZIP archives of CSV files";

/// Runs the command.
pub async fn run(ingest_args: IngestArgs) -> anyhow::Result<()> {
    let datasource = ingest_args.datasource.as_str();
    check_datasource_name(datasource)?;
    let ingested_dir = ingest_args.data_dir.join(INGESTED_DIR);
    std::fs::create_dir_all(&ingested_dir)
        .with_context(|| format!("create {}", ingested_dir.display()))?;
    let database_path = ingested_database_path(&ingest_args.data_dir, datasource);
    let staging_parent = ingest_args.data_dir.join(STAGING_DIR);
    let options = IngestOptions {
        limits: IngestLimits {
            max_total_bytes: ingest_args.max_total_mib.saturating_mul(1 << 20),
            ..IngestLimits::default()
        },
        encoding: match ingest_args.encoding {
            CsvEncoding::Utf8 => TextEncoding::Utf8,
            CsvEncoding::Latin1 => TextEncoding::Latin1,
        },
    };
    let existing = if ingest_args.replace {
        ExistingTables::Replace
    } else {
        ExistingTables::Refuse
    };

    let zip_path = ingest_args.zip.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        let outcome = ingest_zip(
            &zip_path,
            &staging_parent,
            &database_path,
            &options,
            existing,
        );
        // Only removed when empty: another upload may be staging next to this one.
        let _ = std::fs::remove_dir(&staging_parent);
        outcome
    })
    .await
    .context("join the ingestion thread")??;

    let stores = open_state_stores(
        &ingest_args.data_dir,
        &ingest_args.store_args,
        ingest_args.embedding_dimension,
    )
    .await?;
    let ingested = open_ingested_datasource(
        &ingested_database_path(&ingest_args.data_dir, datasource),
        datasource,
    )
    .await
    .with_context(|| format!("open the ingested datasource `{datasource}`"))?;
    let saved =
        pipeline::save_snapshot_with_metadata(stores.schema_store.as_ref(), &ingested.snapshot)
            .await
            .context("save the schema snapshot")?;
    for warning in &saved.metadata_warnings {
        eprintln!("metadata warning: {warning}");
    }
    println!("{}", render_loaded_tables(datasource, &loaded));
    Ok(())
}

/// Registers every datasource of `<data_dir>/ingested/` (in name order); a name already
/// registered (a demo database) is skipped with a warning.
pub async fn open_ingested_datasources(
    data_dir: &Path,
    datasources: &mut Datasources,
) -> anyhow::Result<()> {
    let ingested_dir = data_dir.join(INGESTED_DIR);
    let Ok(dir_entries) = std::fs::read_dir(&ingested_dir) else {
        return Ok(());
    };
    let mut database_paths: Vec<PathBuf> = dir_entries
        .filter_map(|dir_entry| dir_entry.ok().map(|dir_entry| dir_entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "duckdb")
        })
        .collect();
    database_paths.sort();
    for database_path in database_paths {
        let Some(name) = database_path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if datasources.get(name).is_some() {
            tracing::warn!(
                datasource = name,
                "ingested datasource shadowed by another; skipped"
            );
            continue;
        }
        let ingested = open_ingested_datasource(&database_path, name)
            .await
            .with_context(|| format!("open ingested datasource {}", database_path.display()))?;
        datasources.insert(Datasource {
            name: name.to_owned(),
            description: Some(INGESTED_DESCRIPTION.to_owned()),
            engine_name: "embedded".to_owned(),
            engine: ingested.engine,
            allowed_relations: None,
        });
    }
    Ok(())
}

/// Path of the DuckDB file of an ingested datasource.
pub fn ingested_database_path(data_dir: &Path, datasource: &str) -> PathBuf {
    data_dir
        .join(INGESTED_DIR)
        .join(format!("{datasource}.duckdb"))
}

/// Validates and loads the archive; blocks the thread.
fn ingest_zip(
    zip_path: &Path,
    staging_parent: &Path,
    database_path: &Path,
    options: &IngestOptions,
    existing: ExistingTables,
) -> anyhow::Result<Vec<LoadedTable>> {
    let zip_file = File::open(zip_path).with_context(|| format!("open {}", zip_path.display()))?;
    let mut report_progress = |event: IngestProgress| match event {
        IngestProgress::LayoutPlanned { n_tables, n_files } => {
            eprintln!("found {n_tables} tables in {n_files} CSV files");
        }
        IngestProgress::EntryStarted {
            entry,
            table,
            n_bytes,
        } => eprintln!("checking {entry} ({n_bytes} bytes) for table {table}"),
        IngestProgress::EntryFinished { entry, n_rows } => {
            eprintln!("  {entry}: {n_rows} rows");
        }
    };
    let upload = prepare_upload(
        BufReader::new(zip_file),
        staging_parent,
        options,
        &mut report_progress,
    )
    .with_context(|| format!("ingest {}", zip_path.display()))?;
    for skipped in &upload.skipped_entries {
        eprintln!("skipped {skipped}: not a CSV file");
    }
    eprintln!(
        "loading {} tables into {}",
        upload.tables.len(),
        database_path.display()
    );
    let loaded = load_tables(database_path, &upload.tables, existing)
        .with_context(|| format!("load {}", zip_path.display()))?;
    Ok(loaded)
}

/// A datasource name must be its own `snake_case` form and no demo database's name.
fn check_datasource_name(datasource: &str) -> anyhow::Result<()> {
    let starts_with_letter = datasource.starts_with(|c: char| c.is_ascii_lowercase());
    if !starts_with_letter
        || ingest::normalise_identifier(datasource, "").as_deref() != Some(datasource)
    {
        anyhow::bail!(
            "datasource name `{datasource}` must be snake_case: lowercase letters, digits and `_`, starting with a letter"
        );
    }
    let is_demo = engine_duckdb::demo::demo_databases()
        .iter()
        .any(|demo_database| demo_database.name == datasource);
    if is_demo {
        anyhow::bail!("`{datasource}` is the name of a bundled demo database; choose another");
    }
    Ok(())
}

/// One block per table: name, rows (and whether it replaced a table), columns with types.
fn render_loaded_tables(datasource: &str, loaded: &[LoadedTable]) -> String {
    let mut lines = vec![format!(
        "datasource {datasource}: {} tables loaded",
        loaded.len()
    )];
    for table in loaded {
        let replaced = if table.replaced { ", replaced" } else { "" };
        lines.push(format!("{}: {} rows{replaced}", table.name, table.n_rows));
        for (column, column_type) in &table.columns {
            lines.push(format!("  {column} {column_type}"));
        }
    }
    lines.join("\n")
}
