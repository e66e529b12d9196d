//! Local mode of the analyst: one process that runs the HTTP API, the in-process pipeline, the
//! SQLite state store and the embedded demo databases, plus the `ask` and `keys` commands that
//! talk to it.
//!
//! Invariant: everything runs on this machine; no cloud service is ever contacted.

pub mod analyst_client;
pub mod answer_print;
pub mod api_key_issue;
pub mod ask_command;
pub mod bench_command;
pub mod cli;
pub mod keys_command;
pub mod platform;
pub mod serve_command;
pub mod shutdown_signal;
pub mod table_print;
