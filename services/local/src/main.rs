//! The `analyst` binary: parses the command line and hands over to the command.
//!
//! Invariant: no wiring here; every command lives in its own module of the `local` crate.

use clap::Parser;
use local::cli::{Cli, Command, ExamplesCommand, KeysCommand, MetadataCommand, SchemaCommand};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    bootstrap::init_tracing("analyst");
    match cli.command {
        Command::Serve(serve_args) => local::serve_command::run(serve_args).await,
        Command::Ask(ask_args) => local::ask_command::run(ask_args).await,
        Command::Keys(KeysCommand::Create(create_key_args)) => {
            local::keys_command::run_create(create_key_args).await
        }
        Command::Keys(KeysCommand::List(key_store_args)) => {
            local::keys_command::run_list(key_store_args).await
        }
        Command::Keys(KeysCommand::Revoke(revoke_key_args)) => {
            local::keys_command::run_revoke(revoke_key_args).await
        }
        Command::Bench(bench_args) => local::bench_command::run(bench_args).await,
        Command::Examples(ExamplesCommand::Load(load_args)) => {
            local::examples_command::run_load(load_args).await
        }
        Command::Eval(eval_args) => local::eval_command::run(eval_args).await,
        Command::Ingest(ingest_args) => local::ingest_command::run(ingest_args).await,
        Command::Metadata(MetadataCommand::Import(import_args)) => {
            local::metadata_command::run_import(import_args).await
        }
        Command::Schema(SchemaCommand::Refresh(refresh_args)) => {
            local::schema_command::run_refresh(refresh_args).await
        }
        Command::Mcp(mcp_args) => local::mcp_command::run(mcp_args).await,
    }
}
