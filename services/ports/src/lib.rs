//! Traits (ports) for everything outside the pipeline's pure logic: stores, SQL engines,
//! language models and embedders, plus the domain types they exchange.
//!
//! Invariant: no implementation here performs I/O; adapters live in their own crates.
#![warn(missing_docs)]

pub mod approval;
pub mod datasource;
pub mod embedder;
pub mod job_launcher;
pub mod job_store;
pub mod key_store;
pub mod language_model;
pub mod memory_store;
pub mod result_retention;
pub mod retry;
pub mod schema;
pub mod schema_metadata;
pub mod sql_engine;
pub mod step_error;
#[cfg(feature = "contract-tests")]
pub mod store_contract;
pub mod store_error;
pub mod task_handler;
pub mod upload_intake;
pub mod upload_store;
