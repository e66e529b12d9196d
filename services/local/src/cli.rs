//! The command line of `analyst`.
//!
//! Invariant: only declares arguments; parsing never opens files or sockets.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Ask questions of your data in plain English, locally.
#[derive(Debug, Parser)]
#[command(name = "analyst", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API and the pipeline on this machine.
    Serve(ServeArgs),
    /// Ask one question and print the SQL, the rows and the answer.
    Ask(AskArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Measure jobs per second and submit-to-done latency of the local pipeline.
    Bench(BenchArgs),
}

/// Arguments of `analyst serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory of the state store and the demo databases.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
    /// Question to ask through the API once listening; the server keeps running afterwards.
    #[arg(long)]
    pub ask: Option<String>,
    /// Where the datasources come from.
    #[command(flatten)]
    pub datasource_args: DatasourceArgs,
}

/// Arguments choosing the datasources, shared by `serve` and `ask`.
#[derive(Debug, Clone, Args)]
pub struct DatasourceArgs {
    /// TOML file of PostgreSQL, Redshift and Athena datasources (see docs/datasources.md).
    #[arg(long = "datasources", env = "ANALYST_DATASOURCES")]
    pub datasources_file: Option<PathBuf>,
    /// Do not load the bundled demo databases.
    #[arg(long)]
    pub no_demo: bool,
}

/// Arguments of `analyst ask`.
#[derive(Debug, Clone, Args)]
pub struct AskArgs {
    /// The question in plain English.
    pub question: String,
    /// Datasource to ask; the server's default when omitted.
    #[arg(long)]
    pub datasource: Option<String>,
    /// Base URL of a running server; without it the platform starts in this process.
    #[arg(long)]
    pub url: Option<String>,
    /// API key with the `ask` scope (needed with `--url`).
    #[arg(long, env = "ANALYST_API_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Data directory used when the platform starts in this process.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
    /// Datasources of the platform started in this process.
    #[command(flatten)]
    pub datasource_args: DatasourceArgs,
}

/// Subcommands of `analyst keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once.
    Create(CreateKeyArgs),
}

/// Arguments of `analyst keys create`.
#[derive(Debug, Clone, Args)]
pub struct CreateKeyArgs {
    /// Label of the key.
    #[arg(long)]
    pub name: String,
    /// Comma-separated scopes: ask, approve, ingest, admin.
    #[arg(long, value_delimiter = ',', default_value = "ask")]
    pub scopes: Vec<String>,
    /// Directory of the state store.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
}

/// Arguments of `analyst bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Questions to submit in total.
    #[arg(long, default_value_t = 1000)]
    pub questions: usize,
    /// Clients submitting and polling at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Pause between two polls of one job, in milliseconds.
    #[arg(long, default_value_t = 2)]
    pub poll_interval_ms: u64,
    /// Data directory; a fresh temporary one (removed afterwards) when omitted.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}
