//! `analyst ingest <zip> --datasource <name>`: validates a ZIP of CSV files, loads its tables
//! into the datasource's DuckDB file (`<data-dir>/ingested/<name>.duckdb`) in one
//! transaction, saves the schema snapshot and prints each table's rows and column types;
//! progress goes to stderr.
//!
//! Invariant: a refused upload leaves no table, no staged file and no new database file.

use anyhow::Context;
use engine_duckdb::{ExistingTables, LoadedTable};
use ingest::{IngestLimits, IngestOptions, IngestProgress, TextEncoding};
use ports::datasource::Datasources;

use crate::cli::{CsvEncoding, IngestArgs};
use crate::datasource_ingestion::{
    IngestionStep, datasource_name_problem, ingest_archive, register_ingested_datasource,
};
use crate::state_stores::open_state_stores;

/// Runs the command.
pub async fn run(ingest_args: IngestArgs) -> anyhow::Result<()> {
    let datasource = ingest_args.datasource.clone();
    if let Some(problem) = datasource_name_problem(&datasource) {
        anyhow::bail!(problem);
    }
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
    let data_dir = ingest_args.data_dir.clone();
    let blocking_datasource = datasource.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        ingest_archive(
            &zip_path,
            &data_dir,
            &blocking_datasource,
            &options,
            existing,
            &mut print_progress,
        )
        .with_context(|| format!("ingest {}", zip_path.display()))
    })
    .await
    .context("join the ingestion thread")??;
    for skipped in &outcome.skipped_entries {
        eprintln!("skipped {skipped}: not a CSV file");
    }

    let stores = open_state_stores(
        &ingest_args.data_dir,
        &ingest_args.store_args,
        ingest_args.embedding_dimension,
    )
    .await?;
    register_ingested_datasource(
        &ingest_args.data_dir,
        &datasource,
        stores.schema_store.as_ref(),
        &Datasources::default(),
    )
    .await?;
    println!("{}", render_loaded_tables(&datasource, &outcome.tables));
    Ok(())
}

fn print_progress(step: IngestionStep) {
    match step {
        IngestionStep::Checking(IngestProgress::LayoutPlanned {
            n_tables, n_files, ..
        }) => {
            eprintln!("found {n_tables} tables in {n_files} CSV files");
        }
        IngestionStep::Checking(IngestProgress::EntryStarted {
            entry,
            table,
            n_bytes,
        }) => eprintln!("checking {entry} ({n_bytes} bytes) for table {table}"),
        IngestionStep::Checking(IngestProgress::EntryFinished { entry, n_rows }) => {
            eprintln!("  {entry}: {n_rows} rows");
        }
        IngestionStep::Loading { n_tables } => eprintln!("loading {n_tables} tables"),
    }
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
