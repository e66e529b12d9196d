//! `analyst metadata import FILE --datasource NAME`: reads table, column and metric
//! descriptions from a CSV, XLSX or YAML file (`docs/metadata.md`), stores them as the
//! datasource's metadata and re-saves its current schema snapshot with them, so the next
//! question's prompt already shows them.
//!
//! Invariant: a file with any bad row stores nothing.

use anyhow::Context;
use metadata_import::read_metadata_file;
use pipeline::import_metadata;
use ports::schema_metadata::DatasourceMetadata;

use crate::cli::ImportMetadataArgs;
use crate::state_stores::open_state_stores;

/// Runs the import and prints what it did.
pub async fn run_import(import_args: ImportMetadataArgs) -> anyhow::Result<()> {
    let metadata = read_metadata_file(&import_args.file)
        .with_context(|| format!("read {}", import_args.file.display()))?;
    let state_store_args = &import_args.state_store_args;
    let stores = open_state_stores(
        &state_store_args.data_dir,
        &state_store_args.store_args,
        state_store_args.embedding_dimension,
    )
    .await?;
    let datasource = import_args.datasource.as_str();
    let import = import_metadata(stores.schema_store.as_ref(), datasource, &metadata)
        .await
        .context("store the metadata")?;
    println!("{}", describe_counts(datasource, &metadata));
    match import.saved_snapshot {
        Some(saved) => {
            for warning in &saved.metadata_warnings {
                println!("warning: {warning}");
            }
            if saved.is_new_version {
                println!(
                    "schema snapshot of {datasource}: new version {}",
                    saved.snapshot.version
                );
            } else {
                println!(
                    "schema snapshot of {datasource}: unchanged ({})",
                    saved.snapshot.version
                );
            }
        }
        None => println!(
            "{datasource} has no schema snapshot yet; the metadata is applied when its schema is first read"
        ),
    }
    Ok(())
}

/// `imported metadata for shop: 2 table descriptions, 5 column descriptions, 1 metric`.
fn describe_counts(datasource: &str, metadata: &DatasourceMetadata) -> String {
    let n_table_descriptions = metadata
        .tables
        .iter()
        .filter(|table| table.description.is_some())
        .count();
    let n_column_descriptions: usize = metadata
        .tables
        .iter()
        .map(|table| table.columns.len())
        .sum();
    format!(
        "imported metadata for {datasource}: {n_table_descriptions} table descriptions, {n_column_descriptions} column descriptions, {} metrics",
        metadata.metrics.len()
    )
}
