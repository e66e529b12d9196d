//! Local mode of the analyst: one process that runs the HTTP API, the in-process pipeline, the
//! SQLite state store, the embedded demo databases and the PostgreSQL, Redshift or Athena
//! datasources of a datasource file, plus the `ask` and `keys` commands that talk to it.
//!
//! Invariant: everything runs on this machine; the only outside services ever contacted are the
//! databases the operator's datasource file names.

pub mod analyst_client;
pub mod answer_print;
pub mod api_key_issue;
pub mod ask_command;
pub mod bench_command;
pub mod cli;
pub mod datasource_config;
pub mod keys_command;
pub mod platform;
pub mod serve_command;
pub mod shutdown_signal;
pub mod table_print;
