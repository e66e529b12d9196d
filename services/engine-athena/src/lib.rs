//! The Amazon Athena engine: generated SQL runs as an Athena query in the platform's own
//! workgroup, its typed rows are read page by page under row, byte and time limits, and the
//! tables of the Glue database are read as the schema.
//!
//! Invariant: every query runs in the configured workgroup (which carries the bytes-scanned
//! cutoff) and is stopped when its time is up; credentials are never logged.

mod engine;
mod query_lifecycle;
mod result_pages;
mod result_values;
mod settings;
mod table_extraction;
mod transient_retry;
mod value_sampling;

pub use engine::AthenaEngine;
pub use settings::{AthenaSettings, AthenaSettingsError, DEFAULT_CATALOG};
