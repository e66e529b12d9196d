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
    /// Manage the few-shot example memory.
    #[command(subcommand)]
    Examples(ExamplesCommand),
    /// Measure execution accuracy on a question/gold-SQL file (defog sql-eval format).
    Eval(EvalArgs),
    /// Load a ZIP of CSV files (one folder per table) into an embedded datasource.
    Ingest(IngestArgs),
    /// Manage the descriptions and metric definitions of datasources (see docs/metadata.md).
    #[command(subcommand)]
    Metadata(MetadataCommand),
    /// Manage the schema snapshots of datasources.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Serve the analyst's tools to an MCP client over stdio (Claude Desktop, Cursor, ...),
    /// calling a running server's API with one key (see docs/mcp.md).
    Mcp(McpArgs),
}

/// Subcommands of `analyst metadata`.
#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Import table, column and metric descriptions from a .csv, .xlsx or .yaml file; replaces
    /// the datasource's earlier import and re-saves its current schema snapshot with them.
    Import(ImportMetadataArgs),
}

/// Arguments of `analyst metadata import`.
#[derive(Debug, Clone, Args)]
pub struct ImportMetadataArgs {
    /// Metadata file; the format follows the extension (.csv, .xlsx, .yaml or .yml).
    pub file: PathBuf,
    /// Datasource the metadata describes.
    #[arg(long)]
    pub datasource: String,
    /// The state store that keeps the metadata.
    #[command(flatten)]
    pub state_store_args: StateStoreArgs,
}

/// Subcommands of `analyst schema`.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Re-read every datasource's schema once and store a new snapshot version where it
    /// changed; prints one line per datasource.
    Refresh(RefreshSchemaArgs),
}

/// Arguments of `analyst schema refresh`.
#[derive(Debug, Clone, Args)]
pub struct RefreshSchemaArgs {
    /// The state store that keeps the snapshots.
    #[command(flatten)]
    pub state_store_args: StateStoreArgs,
    /// Where the datasources come from.
    #[command(flatten)]
    pub datasource_args: DatasourceArgs,
}

/// Subcommands of `analyst examples`.
#[derive(Debug, Subcommand)]
pub enum ExamplesCommand {
    /// Seed few-shot examples from a CSV of question/SQL pairs (defog sql-eval format).
    Load(LoadExamplesArgs),
}

/// Arguments of `analyst examples load`.
#[derive(Debug, Clone, Args)]
pub struct LoadExamplesArgs {
    /// CSV with `question`, `query` (or `sql`) and `db_name` columns.
    pub file: PathBuf,
    /// Datasource of every row (instead of the `db_name` column).
    #[arg(long)]
    pub datasource: Option<String>,
    /// Only check each query with the guard instead of also running it.
    #[arg(long)]
    pub no_verify: bool,
    /// Directory of the state store and the demo databases.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
    /// Datasources, stores and embedder.
    #[command(flatten)]
    pub platform_args: PlatformArgs,
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
    /// Seconds between two schema refreshes of every datasource; 0 turns the refresh off.
    #[arg(long, env = "ANALYST_SCHEMA_REFRESH_SECONDS", default_value_t = 300)]
    pub schema_refresh_seconds: u64,
    /// Datasources, stores, embedder and pipeline settings.
    #[command(flatten)]
    pub platform_args: PlatformArgs,
}

/// Everything that shapes the platform, shared by `serve`, `ask` and `bench`.
#[derive(Debug, Clone, Args)]
pub struct PlatformArgs {
    /// Where the datasources come from.
    #[command(flatten)]
    pub datasource_args: DatasourceArgs,
    /// Where jobs, keys, snapshots and verified pairs are kept.
    #[command(flatten)]
    pub store_args: StoreArgs,
    /// How questions are embedded.
    #[command(flatten)]
    pub embedder_args: EmbedderArgs,
    /// Cache and few-shot settings.
    #[command(flatten)]
    pub memory_args: MemoryArgs,
    /// The language model.
    #[command(flatten)]
    pub llm_args: LlmArgs,
    /// Requests per API key and minute (bursts up to the same number); 0 turns the limit off.
    #[arg(long, env = "ANALYST_RATE_LIMIT_PER_MINUTE", default_value_t = 1200)]
    pub rate_limit_per_minute: u32,
    /// Largest ZIP archive `POST /v1/uploads` accepts, in MiB; its uncompressed content may be
    /// up to 2 GiB.
    #[arg(long, env = "ANALYST_MAX_UPLOAD_MIB", default_value_t = 512)]
    pub max_upload_mib: u64,
    /// HTTP timeouts and connection caps.
    #[command(flatten)]
    pub connection_limits: api::ConnectionLimits,
}

/// Which language model classifies questions, writes SQL and explains rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LlmKind {
    /// The built-in offline planner; no model needed.
    Offline,
    /// Any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp, hosted).
    Openai,
    /// Amazon Bedrock through the Converse API.
    Bedrock,
}

/// Arguments choosing the language model (see docs/llm-providers.md).
#[derive(Debug, Clone, Args)]
pub struct LlmArgs {
    /// Language model provider.
    #[arg(long, env = "ANALYST_LLM", value_enum, default_value_t = LlmKind::Offline)]
    pub llm: LlmKind,
    /// Base URL of the OpenAI-compatible server.
    #[arg(long, env = "ANALYST_LLM_URL")]
    pub llm_url: Option<String>,
    /// Model name (OpenAI-compatible) or model id (Bedrock).
    #[arg(long, env = "ANALYST_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// Bearer key of the OpenAI-compatible server.
    #[arg(long, env = "ANALYST_LLM_API_KEY", hide_env_values = true)]
    pub llm_api_key: Option<String>,
    /// AWS region of Bedrock.
    #[arg(long, env = "ANALYST_LLM_REGION", default_value = "us-east-1")]
    pub llm_region: String,
    /// Endpoint replacing Bedrock's regional one (a VPC endpoint or a test server).
    #[arg(long, env = "ANALYST_LLM_ENDPOINT_URL")]
    pub llm_endpoint_url: Option<String>,
    /// US dollars per 1,000 prompt tokens, for the cost recorded on every model call.
    #[arg(
        long,
        env = "ANALYST_LLM_INPUT_USD_PER_1K",
        requires = "llm_output_usd_per_1k"
    )]
    pub llm_input_usd_per_1k: Option<f64>,
    /// US dollars per 1,000 completion tokens, for the cost recorded on every model call.
    #[arg(
        long,
        env = "ANALYST_LLM_OUTPUT_USD_PER_1K",
        requires = "llm_input_usd_per_1k"
    )]
    pub llm_output_usd_per_1k: Option<f64>,
}

/// Arguments choosing the state store.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// PostgreSQL URL (with the `vector` extension available) of the state store; without it
    /// the state lives in SQLite inside the data directory.
    #[arg(long, env = "ANALYST_STATE_STORE_URL", hide_env_values = true)]
    pub state_store_url: Option<String>,
    /// Connections in the PostgreSQL state store's pool.
    #[arg(long, env = "ANALYST_STATE_STORE_POOL", default_value_t = 8)]
    pub state_store_pool: usize,
    /// Hours a query's stored rows are kept, at least 1; older rows are deleted and the job says
    /// its rows expired.
    #[arg(
        long,
        env = "ANALYST_RESULT_RETENTION_HOURS",
        default_value_t = 168,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub result_retention_hours: u64,
    /// MiB of stored rows kept per API key; storing more deletes that key's oldest rows.
    #[arg(long, env = "ANALYST_MAX_RESULT_MIB_PER_KEY", default_value_t = 256)]
    pub max_result_mib_per_key: u64,
}

/// Which embedder turns questions into vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EmbedderKind {
    /// MiniLM when its weights are installed (`scripts/install-minilm`), else offline.
    Auto,
    /// all-MiniLM-L6-v2 run locally (384 dimensions); needs `scripts/install-minilm`.
    Minilm,
    /// Deterministic feature hashing; no model, weak on paraphrases.
    Offline,
    /// An OpenAI-compatible `/v1/embeddings` endpoint (`--embedder-url`, `--embedder-model`).
    Openai,
    /// Amazon Bedrock (Titan Text Embeddings v2 or Cohere Embed v3).
    Bedrock,
}

/// Arguments choosing the embedder.
#[derive(Debug, Clone, Args)]
pub struct EmbedderArgs {
    /// Embedder of questions.
    #[arg(long, env = "ANALYST_EMBEDDER", value_enum, default_value_t = EmbedderKind::Auto)]
    pub embedder: EmbedderKind,
    /// Directory holding the MiniLM weights (default: the `scripts/install-minilm` location).
    #[arg(long, env = "ANALYST_MINILM_DIR")]
    pub minilm_dir: Option<PathBuf>,
    /// Model name for `openai` and `bedrock` (e.g. `text-embedding-3-small`,
    /// `amazon.titan-embed-text-v2:0`).
    #[arg(long, env = "ANALYST_EMBEDDER_MODEL")]
    pub embedder_model: Option<String>,
    /// Base URL of the OpenAI-compatible embeddings server.
    #[arg(long, env = "ANALYST_EMBEDDER_URL")]
    pub embedder_url: Option<String>,
    /// Bearer key of the OpenAI-compatible embeddings server.
    #[arg(long, env = "ANALYST_EMBEDDER_API_KEY", hide_env_values = true)]
    pub embedder_api_key: Option<String>,
    /// AWS region of the Bedrock embedder.
    #[arg(long, env = "ANALYST_EMBEDDER_REGION", default_value = "us-east-1")]
    pub embedder_region: String,
    /// Vector size; must match the model (384 for MiniLM and offline by default).
    #[arg(long, env = "ANALYST_EMBEDDING_DIMENSION")]
    pub embedding_dimension: Option<usize>,
}

/// How SQL generation uses verified pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApproachKind {
    /// Schema and metadata only.
    ZeroShot,
    /// Schema, metadata and the most similar approved examples.
    FewShot,
}

/// Arguments of the semantic cache and the few-shot memory.
#[derive(Debug, Clone, Args)]
pub struct MemoryArgs {
    /// Minimum cosine similarity of a semantic-cache hit.
    #[arg(long, env = "ANALYST_CACHE_THRESHOLD", default_value_t = 0.95)]
    pub cache_threshold: f32,
    /// Minimum cosine similarity of a cache hit whose question has the same canonical form
    /// (aggregate phrasing, filler words and plurals unified: "count the restaurants" and "how
    /// many restaurants are there"); set it to the threshold to turn this off.
    #[arg(long, env = "ANALYST_CACHE_PARAPHRASE_FLOOR", default_value_t = 0.75)]
    pub cache_paraphrase_floor: f32,
    /// Zero-shot or few-shot SQL generation.
    #[arg(long, env = "ANALYST_APPROACH", value_enum, default_value_t = ApproachKind::FewShot)]
    pub approach: ApproachKind,
    /// Few-shot examples retrieved at most.
    #[arg(long, env = "ANALYST_FEW_SHOT_K", default_value_t = 5)]
    pub few_shot_k: usize,
    /// Minimum similarity of a few-shot example.
    #[arg(long, env = "ANALYST_FEW_SHOT_THRESHOLD", default_value_t = 0.75)]
    pub few_shot_threshold: f32,
}

/// Arguments choosing the datasources.
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
    /// The platform started in this process.
    #[command(flatten)]
    pub platform_args: PlatformArgs,
}

/// Subcommands of `analyst keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once.
    Create(CreateKeyArgs),
    /// List keys (never their plaintext).
    List(StateStoreArgs),
    /// Revoke a key by its id.
    Revoke(RevokeKeyArgs),
}

/// Where the `keys`, `metadata` and `schema` commands find the state store.
#[derive(Debug, Clone, Args)]
pub struct StateStoreArgs {
    /// Directory of the state store.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
    /// The state store.
    #[command(flatten)]
    pub store_args: StoreArgs,
    /// Vector size a new PostgreSQL state store is set up for (the embedder's size).
    #[arg(long, env = "ANALYST_EMBEDDING_DIMENSION", default_value_t = 384)]
    pub embedding_dimension: usize,
}

/// Arguments of `analyst keys revoke`.
#[derive(Debug, Clone, Args)]
pub struct RevokeKeyArgs {
    /// Id of the key (`key_...`, from `analyst keys list`).
    pub key_id: String,
    /// The store holding it.
    #[command(flatten)]
    pub key_store_args: StateStoreArgs,
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
    /// The store that keeps the key.
    #[command(flatten)]
    pub key_store_args: StateStoreArgs,
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
    /// The platform under measurement.
    #[command(flatten)]
    pub platform_args: PlatformArgs,
}

/// Arguments of `analyst eval`.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// CSV with `question`, `query` (gold SQL), `db_name`, `query_category` and `instructions`
    /// columns (defog sql-eval format).
    pub file: PathBuf,
    /// Datasource of every question (instead of the `db_name` column).
    #[arg(long)]
    pub datasource: Option<String>,
    /// Evaluate at most this many questions (the first ones, after `--category`).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Evaluate only the questions of this `query_category`.
    #[arg(long)]
    pub category: Option<String>,
    /// Questions in flight at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Also write the summary and every question's outcome as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Append each row's `instructions` to its question.
    #[arg(long)]
    pub with_instructions: bool,
    /// Seconds a job may take before it counts as lost.
    #[arg(long, default_value_t = 300)]
    pub job_timeout_secs: u64,
    /// Data directory; a fresh temporary one (removed afterwards) when omitted.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The platform under evaluation: datasources, stores, embedder, memory and language model.
    #[command(flatten)]
    pub platform_args: PlatformArgs,
}

/// Encoding of the CSV files of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvEncoding {
    /// UTF-8 only; other bytes are refused with the file, line and column.
    Utf8,
    /// ISO-8859-1, transcoded to UTF-8 (a file with a UTF-8 byte-order mark stays UTF-8).
    Latin1,
}

/// Arguments of `analyst ingest` (see docs/ingestion.md).
#[derive(Debug, Clone, Args)]
pub struct IngestArgs {
    /// ZIP archive: one top-level folder per table (or one wrapping folder around them), CSV
    /// files inside.
    pub zip: PathBuf,
    /// Datasource to create, or to add the tables to.
    #[arg(long)]
    pub datasource: String,
    /// Directory of the state store and the datasource files.
    #[arg(long, default_value = ".analyst")]
    pub data_dir: PathBuf,
    /// Replace tables that already exist (in the same transaction); without it the whole
    /// upload is refused when one does.
    #[arg(long)]
    pub replace: bool,
    /// Encoding of the CSV files.
    #[arg(long, value_enum, default_value_t = CsvEncoding::Utf8)]
    pub encoding: CsvEncoding,
    /// Largest uncompressed size of the whole archive, in MiB.
    #[arg(long, default_value_t = 2048)]
    pub max_total_mib: u64,
    /// The state store that receives the schema snapshot.
    #[command(flatten)]
    pub store_args: StoreArgs,
    /// Vector size a new PostgreSQL state store is set up for (the embedder's size).
    #[arg(long, env = "ANALYST_EMBEDDING_DIMENSION", default_value_t = 384)]
    pub embedding_dimension: usize,
}

/// Arguments of `analyst mcp` (see docs/mcp.md).
#[derive(Debug, Clone, Args)]
pub struct McpArgs {
    /// Base URL of a running analyst API, e.g. `http://127.0.0.1:8080`.
    #[arg(long, env = "ANALYST_URL")]
    pub url: String,
    /// API key the tools call the API with; its scopes are what the MCP client may do.
    #[arg(long, env = "ANALYST_API_KEY", hide_env_values = true)]
    pub key: secrecy::SecretString,
}
