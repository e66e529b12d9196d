//! Local mode of the analyst: one process that runs the HTTP API, the in-process pipeline, the
//! state store (SQLite, or PostgreSQL + pgvector), the embedded demo databases and the
//! PostgreSQL, Redshift or Athena datasources of a datasource file with a periodic schema
//! refresh, plus the `ask`, `keys`, `examples`, `metadata`, `schema` and `bench` commands.
//!
//! Invariant: the only outside services ever contacted are the ones the operator configures
//! (datasources, a PostgreSQL state store, a remote embedder).

pub mod analyst_client;
pub mod answer_print;
pub mod api_key_issue;
pub mod ask_command;
pub mod bench_command;
pub mod cli;
pub mod datasource_config;
pub mod datasource_ingestion;
pub mod embedder_choice;
pub mod eval_command;
pub mod examples_command;
pub mod ingest_command;
pub mod keys_command;
pub mod llm_choice;
pub mod mcp_command;
pub mod metadata_command;
pub mod metrics_recorder;
pub mod platform;
pub mod schema_command;
pub mod schema_refresh_timer;
pub mod serve_command;
pub mod shutdown_signal;
pub mod state_stores;
pub mod table_print;
pub mod upload_intake;
pub mod upload_progress;
