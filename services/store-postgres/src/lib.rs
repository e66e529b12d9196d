//! PostgreSQL (with pgvector) implementation of the state stores: jobs with their stage
//! timings, SQL attempts and result rows, API keys, schema snapshots, and the verified
//! question/SQL pairs of the semantic cache and few-shot memory, searched through HNSW indexes.
//! One [`PostgresStore`] implements `JobStore`, `KeyStore`, `SchemaStore` and `PairStore` over a
//! connection pool, and migrates the database (under an advisory lock) when it connects.
//!
//! Invariant: every stored embedding has the dimension the store was connected with; a database
//! migrated for another dimension is refused at connect time.

mod job_columns;
mod job_results;
mod job_store;
mod job_updates;
mod job_view;
mod key_store;
mod migrations;
mod pair_store;
mod postgres_error;
mod postgres_store;
mod schema_store;
mod upload_store;

pub use postgres_store::{MAX_EMBEDDING_DIMENSION, PostgresStore};
