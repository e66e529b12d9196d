//! Black-box tests of local mode: the real `analyst` binary is started on port 0 with a fresh
//! data directory and driven over HTTP and through its own `ask` command.
//!
//! The binary is found through `ANALYST_BIN`, else at `target/debug/analyst` of the workspace;
//! build it first with `cargo build -p local --bin analyst`. The PostgreSQL tests need a server
//! at `ANALYST_TEST_PG_URL` whose user may create databases.

mod analyst_server;
mod api_guards;
mod approval_loop;
mod ask_command;
mod aws_dead_letter;
mod aws_iam_audit;
mod aws_ingested_question;
mod aws_ingestion;
mod aws_ingestion_stack;
mod aws_moto;
mod aws_reconciler;
mod aws_s3;
mod aws_sqs_pipeline;
mod aws_step_functions;
mod crash_recovery;
mod eval_command;
mod examples_command;
mod iam_audit;
mod ingest_command;
mod lambda_api_gateway;
mod lambda_runtime_api;
mod mcp;
mod metadata_command;
mod postgres_datasource;
mod questions;
mod schema_refresh;
mod scripted_bedrock;
mod scripted_models;
mod scripted_runtime_api;
mod secret_hygiene;
mod seed_archive;
mod slow_sockets;
mod upload_endpoint;
