//! The embedded analytic engine: a DuckDB file queried read-only under row, byte and time
//! limits, plus the bundled demo databases materialized into DuckDB files on first use.
//!
//! Invariant: queries run on a read-only connection, one statement per call, and never touch
//! files other than the database itself.

mod clock_pinning;
pub mod demo;
mod engine;
mod query_execution;
mod result_values;
mod statement_split;
mod table_extraction;

pub use engine::DuckDbEngine;
