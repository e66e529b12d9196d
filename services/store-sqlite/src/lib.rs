//! SQLite implementation of the state stores: jobs with their stage timings, SQL attempts and
//! result rows, API keys, schema snapshots, and the verified question/SQL pairs of the semantic
//! cache and few-shot memory. One [`SqliteStore`] implements `JobStore`, `KeyStore`,
//! `SchemaStore` and `PairStore` over one database file (or an in-memory database for tests),
//! migrated to the latest schema when opened.
//!
//! Invariant: no SQLite call ever runs on an async worker thread; every call goes through
//! `tokio::task::spawn_blocking`.

mod embedding_blob;
mod job_columns;
mod job_results;
mod job_store;
mod job_updates;
mod job_view;
mod key_store;
mod migrations;
mod pair_store;
mod schema_store;
mod sqlite_error;
mod sqlite_store;
mod timestamp_text;
mod upload_store;

pub use sqlite_store::SqliteStore;
