//! Wire types shared by every process: the job envelope, the typed payload of each pipeline
//! stage, the HTTP API's request and response bodies, and the error kinds retries route on.
//!
//! Invariant: plain data only; no I/O, no behaviour beyond constructors and names.
#![warn(missing_docs)]

pub mod api;
pub mod envelope;
pub mod error;
pub mod execution_status;
pub mod ingestion;
pub mod mcp;
pub mod result;
pub mod schema_export;
pub mod stages;
pub mod uploads;
