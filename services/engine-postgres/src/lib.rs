//! The PostgreSQL and Redshift engine: generated SQL runs over a connection pool inside a
//! read-only transaction with a server-side statement timeout, a client-side cancel request
//! when the time is up, and a portal that fetches no more rows than the caps allow; PostgreSQL's
//! own reading of a statement from its plan (`EXPLAIN`, never run); plus the schema extraction
//! from each dialect's catalogs.
//!
//! Invariant: every query runs in a `READ ONLY` transaction that is always rolled back, no more
//! than `max_rows + 1` rows are ever fetched, and the connection URL never appears in logs,
//! errors or `Debug` output.

mod catalog_session;
mod connection_pool;
mod database_error;
mod engine;
mod expression_calls;
mod extracted_table;
mod numeric_text;
mod portal_fetch;
mod postgres_catalog;
mod query_execution;
mod redshift_catalog;
mod result_values;
mod settings;
mod statement_reading;
mod transport_security;
mod value_sampling;

pub use engine::PostgresEngine;
pub use settings::{PostgresSettings, TlsMode};
