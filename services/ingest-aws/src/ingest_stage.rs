//! [`ingest_object`]: the `ingest` stage. One uploaded ZIP object becomes the datasource's Glue
//! tables: download (size-limited), validate (`ingest::prepare_upload`), one typed Parquet file
//! per table under a fresh per-upload prefix, then every Glue table created or replaced, and
//! the upload recorded as succeeded with its tables.
//!
//! Invariant: Glue is touched only after every Parquet file is written; on any failure the
//! upload's own data objects are deleted and no table stays switched.

use std::collections::HashMap;

use chrono::Utc;
use contracts::ingestion::{IngestObjectRequest, IngestObjectResult};
use contracts::uploads::{UploadColumnView, UploadStatus, UploadTableView, UploadView};
use ingest::{PreparedUpload, TablePlan, prepare_upload};

use crate::archive_download::download_archive;
use crate::data_objects::{TableDataLocation, delete_data_objects, put_parquet_object};
use crate::glue_catalog::{ensure_database, existing_tables, parquet_table_input, switch_tables};
use crate::ingestion_error::IngestionError;
use crate::ingestion_failure::record_refused_key;
use crate::ingestion_handlers::IngestionDeps;
use crate::upload_object::{UploadObject, upload_id_of};
use crate::upload_recorder::{UploadRecorder, stored_or_queued};

/// Runs the ingest stage for one uploaded object; an upload that already ended answers with
/// its recorded outcome without running again.
#[tracing::instrument(skip_all, fields(stage = "ingest", key = %request.key))]
pub async fn ingest_object(
    deps: &IngestionDeps,
    request: IngestObjectRequest,
) -> Result<IngestObjectResult, IngestionError> {
    let version = request.object.clone().unwrap_or_default();
    let object = match UploadObject::parse(
        &request.bucket,
        &request.key,
        version.clone(),
        &deps.settings.uploads_prefix,
    ) {
        Ok(object) => object,
        Err(key_error) => {
            let upload_id = upload_id_of(&request.bucket, &request.key, &version);
            record_refused_key(
                deps,
                upload_id,
                &request.key,
                request.size_bytes,
                &key_error,
            )
            .await?;
            return Err(key_error);
        }
    };
    let database = glue_database_of(deps, object.datasource());
    let fresh = UploadView::queued(
        object.upload_id(),
        object.datasource(),
        object.key(),
        request.size_bytes,
        object.replace_existing(),
        Utc::now(),
    );
    let view = stored_or_queued(deps.upload_store.as_ref(), fresh).await?;
    if view.status.is_terminal() {
        tracing::info!(upload_id = %view.upload_id, status = view.status.as_str(), "upload already ended; answering with its outcome");
        return outcome_of_ended_upload(view, database);
    }
    let mut recorder = UploadRecorder::new(deps.upload_store.clone(), view);
    match run_ingestion(deps, &object, &database, &mut recorder).await {
        Ok(result) => Ok(result),
        Err(ingestion_error) => {
            if let Err(record_error) = recorder.fail(&ingestion_error).await {
                tracing::warn!(upload_id = %object.upload_id(), error.message = %record_error, "could not record the failure");
            }
            Err(ingestion_error)
        }
    }
}

/// The Glue database of `datasource`.
pub(crate) fn glue_database_of(deps: &IngestionDeps, datasource: &str) -> String {
    format!("{}{datasource}", deps.settings.glue_database_prefix)
}

async fn run_ingestion(
    deps: &IngestionDeps,
    object: &UploadObject,
    database: &str,
    recorder: &mut UploadRecorder,
) -> Result<IngestObjectResult, IngestionError> {
    recorder.enter(UploadStatus::Validating).await?;
    let archive = download_archive(
        &deps.s3,
        object,
        deps.settings.max_archive_bytes,
        &deps.settings.staging_parent,
    )
    .await?;
    let prepared = validate_archive(deps, archive, recorder).await?;
    recorder.set_skipped_entries(prepared.skipped_entries.clone());

    let table_names: Vec<&str> = prepared.tables.iter().map(|t| t.name.as_str()).collect();
    let previous = existing_tables(&deps.glue, database, &table_names).await?;
    if !previous.is_empty() && !object.replace_existing() {
        let mut names: Vec<&str> = previous.keys().map(String::as_str).collect();
        names.sort_unstable();
        return Err(IngestionError::TablesExist {
            database: database.to_owned(),
            names: names.join(", "),
            replace_key: format!(
                "{}{}/replace/{}",
                deps.settings.uploads_prefix,
                object.datasource(),
                object.file_name()
            ),
        });
    }

    recorder.enter(UploadStatus::Loading).await?;
    let data_bucket = deps
        .settings
        .data_bucket
        .clone()
        .unwrap_or_else(|| object.bucket().to_owned());
    let locations: Vec<TableDataLocation> = prepared
        .tables
        .iter()
        .map(|table| {
            TableDataLocation::new(
                &data_bucket,
                &deps.settings.data_prefix,
                object.datasource(),
                &table.name,
                object.upload_id(),
            )
        })
        .collect();
    let switched =
        write_then_switch(deps, object, database, &prepared, &locations, &previous).await;
    if let Err(load_error) = switched {
        for location in &locations {
            if let Err(delete_error) = delete_data_objects(&deps.s3, location).await {
                tracing::error!(prefix = %location.prefix, error.message = %delete_error, "could not delete the data of a failed upload");
            }
        }
        return Err(load_error);
    }
    delete_replaced_data(deps, &previous).await;

    let tables = table_views(&prepared.tables, &previous);
    let n_rows = prepared.tables.iter().map(|table| table.n_rows).sum();
    recorder.succeed(tables).await?;
    tracing::info!(upload_id = %object.upload_id(), database, n_tables = prepared.tables.len(), row_count = n_rows, "upload ingested");
    Ok(IngestObjectResult {
        upload_id: object.upload_id(),
        datasource: object.datasource().to_owned(),
        glue_database: database.to_owned(),
        tables: prepared.tables.iter().map(|t| t.name.clone()).collect(),
        n_rows,
    })
}

/// Runs `prepare_upload` on a blocking thread, recording each progress event as it comes.
async fn validate_archive(
    deps: &IngestionDeps,
    archive: std::fs::File,
    recorder: &mut UploadRecorder,
) -> Result<PreparedUpload, IngestionError> {
    let (progress_sender, mut progress_receiver) = tokio::sync::mpsc::unbounded_channel();
    let staging_parent = deps.settings.staging_parent.clone();
    let options = deps.settings.ingest_options.clone();
    let validation = tokio::task::spawn_blocking(move || {
        prepare_upload(archive, &staging_parent, &options, &mut |progress| {
            let _ = progress_sender.send(progress);
        })
    });
    while let Some(progress) = progress_receiver.recv().await {
        recorder.apply(progress).await?;
    }
    let prepared = validation.await.map_err(|join_error| {
        IngestionError::Staging(format!("validation stopped: {join_error}"))
    })??;
    Ok(prepared)
}

/// Writes every table's Parquet file, then switches every Glue table.
async fn write_then_switch(
    deps: &IngestionDeps,
    object: &UploadObject,
    database: &str,
    prepared: &PreparedUpload,
    locations: &[TableDataLocation],
    previous: &HashMap<String, aws_sdk_glue::types::Table>,
) -> Result<(), IngestionError> {
    let mut table_inputs = Vec::with_capacity(prepared.tables.len());
    for (table, location) in prepared.tables.iter().zip(locations) {
        let parquet_path = prepared
            .staging_dir()
            .path()
            .join(format!("{}.parquet", table.name));
        let export_table = table.clone();
        let export_path = parquet_path.clone();
        tokio::task::spawn_blocking(move || {
            engine_duckdb::write_parquet(&export_table, &export_path)
        })
        .await
        .map_err(|join_error| IngestionError::Staging(format!("export stopped: {join_error}")))??;
        put_parquet_object(
            &deps.s3,
            &location.bucket,
            &location.part_key(),
            &parquet_path,
        )
        .await?;
        let _ = std::fs::remove_file(&parquet_path);
        table_inputs.push(parquet_table_input(
            table,
            location,
            object.key(),
            object.upload_id(),
        )?);
    }
    ensure_database(&deps.glue, database, object.datasource()).await?;
    switch_tables(&deps.glue, database, table_inputs, previous).await
}

/// Deletes the data the replaced tables pointed at before (best effort: a leftover costs
/// storage, not correctness).
async fn delete_replaced_data(
    deps: &IngestionDeps,
    previous: &HashMap<String, aws_sdk_glue::types::Table>,
) {
    for table in previous.values() {
        let old_location = table
            .storage_descriptor()
            .and_then(|descriptor| descriptor.location())
            .and_then(|uri| TableDataLocation::from_uri(uri, &deps.settings.data_prefix));
        if let Some(old_location) = old_location
            && let Err(delete_error) = delete_data_objects(&deps.s3, &old_location).await
        {
            tracing::warn!(prefix = %old_location.prefix, error.message = %delete_error, "could not delete the data of a replaced table");
        }
    }
}

fn table_views(
    tables: &[TablePlan],
    previous: &HashMap<String, aws_sdk_glue::types::Table>,
) -> Vec<UploadTableView> {
    tables
        .iter()
        .map(|table| UploadTableView {
            name: table.name.clone(),
            n_rows: table.n_rows,
            columns: table
                .columns
                .iter()
                .map(|column| UploadColumnView {
                    name: column.name.clone(),
                    original_name: column.original_name.clone(),
                    data_type: column.column_type.sql_name().to_owned(),
                })
                .collect(),
            replaced: previous.contains_key(&table.name),
        })
        .collect()
}

/// The recorded outcome of an upload that already ended.
fn outcome_of_ended_upload(
    view: UploadView,
    database: String,
) -> Result<IngestObjectResult, IngestionError> {
    match view.status {
        UploadStatus::Succeeded => Ok(IngestObjectResult {
            upload_id: view.upload_id,
            datasource: view.datasource,
            glue_database: database,
            n_rows: view.tables.iter().map(|table| table.n_rows).sum(),
            tables: view.tables.into_iter().map(|table| table.name).collect(),
        }),
        _ => Err(IngestionError::AlreadyFailed {
            upload_id: view.upload_id,
            message: view
                .failure
                .map(|failure| failure.message)
                .unwrap_or_default(),
        }),
    }
}
