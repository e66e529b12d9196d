//! The AWS half of ZIP ingestion: the `ingest` stage of `statemachines/ingestion.asl.json`
//! downloads an uploaded ZIP from S3, validates it with `ingest::prepare_upload`, writes one
//! typed Parquet file per table under a fresh per-upload data prefix, then creates or replaces
//! the datasource's Glue tables all or nothing; the `record_ingestion_failure` stage marks an
//! upload failed with the state machine's error. Both record the upload's progress and outcome
//! in the `UploadStore` that `GET /v1/uploads/{id}` reads.
//!
//! Invariant: no Glue table is switched before every Parquet file of the upload is written, and
//! a failed upload leaves no table switched and no data object of its own behind.

mod archive_download;
mod data_objects;
mod glue_catalog;
mod ingest_stage;
mod ingestion_clients;
mod ingestion_error;
mod ingestion_failure;
mod ingestion_handlers;
mod ingestion_settings;
#[cfg(test)]
mod moto_test_server;
mod upload_object;
mod upload_recorder;

pub use ingest_stage::ingest_object;
pub use ingestion_clients::IngestionClients;
pub use ingestion_error::IngestionError;
pub use ingestion_failure::record_ingestion_failure;
pub use ingestion_handlers::{INGESTION_STAGES, IngestionDeps, IngestionHandlers};
pub use ingestion_settings::IngestionSettings;
pub use upload_object::{UploadObject, upload_id_of};
