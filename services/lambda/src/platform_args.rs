//! The settings every AWS-mode process shares, from flags or `ANALYST_*` environment variables
//! (Lambda functions and ECS tasks are configured through the environment only).
//!
//! Invariant: secrets are read as `SecretString` and never appear in `Debug` output.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, ValueEnum};

/// Which embedder a process builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmbedderKind {
    /// Deterministic feature hashing; no model, no network.
    Offline,
    /// all-MiniLM-L6-v2 from installed weights.
    Minilm,
    /// Amazon Bedrock (Titan Text Embeddings v2 by default).
    Bedrock,
}

/// Which language model a process builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LlmKind {
    /// The built-in offline planner.
    Offline,
    /// Amazon Bedrock through the Converse API.
    Bedrock,
}

/// A stage and the URL of its SQS queue, written `stage=url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageQueue {
    /// Stage name (`classify`, `cache_lookup`, ..., `ingest`, `record_ingestion_failure`).
    pub stage: String,
    /// Queue URL.
    pub queue_url: String,
}

impl FromStr for StageQueue {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (stage, queue_url) = text
            .split_once('=')
            .ok_or_else(|| format!("expected stage=queue-url, got '{text}'"))?;
        if !pipeline::STAGES.contains(&stage) && !ingest_aws::INGESTION_STAGES.contains(&stage) {
            return Err(format!(
                "unknown stage '{stage}' (expected one of {}, {})",
                pipeline::STAGES.join(", "),
                ingest_aws::INGESTION_STAGES.join(", ")
            ));
        }
        Ok(StageQueue {
            stage: stage.to_owned(),
            queue_url: queue_url.to_owned(),
        })
    }
}

/// Settings shared by the API and the workers.
#[derive(Debug, Clone, Args)]
pub struct PlatformArgs {
    /// PostgreSQL URL of the state store (jobs, cache, keys, schema snapshots).
    #[arg(long, env = "ANALYST_STATE_STORE_URL", hide_env_values = true)]
    pub state_store_url: Option<String>,
    /// Secrets Manager secret of the state store (RDS layout: username, password, host, port,
    /// dbname), read through the Lambda parameters-and-secrets extension at cold start.
    #[arg(long, env = "ANALYST_STATE_STORE_SECRET_ID")]
    pub state_store_secret_id: Option<String>,
    /// Connections in the state store's pool.
    #[arg(long, env = "ANALYST_STATE_STORE_POOL", default_value_t = 4)]
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
    /// Directory the demo databases are materialized in (`/tmp/analyst` on Lambda).
    #[arg(long, env = "ANALYST_DATA_DIR", default_value = "/tmp/analyst")]
    pub data_dir: PathBuf,
    /// Do not open the bundled demo databases.
    #[arg(long, env = "ANALYST_NO_DEMO")]
    pub no_demo: bool,
    /// Embedder of questions.
    #[arg(long, env = "ANALYST_EMBEDDER", value_enum, default_value = "offline")]
    pub embedder: EmbedderKind,
    /// Vector size of the embedder (offline: any; Bedrock Titan v2: 256, 512 or 1024).
    #[arg(long, env = "ANALYST_EMBEDDING_DIMENSION")]
    pub embedding_dimension: Option<usize>,
    /// Directory of the MiniLM weights.
    #[arg(long, env = "ANALYST_MINILM_DIR")]
    pub minilm_dir: Option<PathBuf>,
    /// Bedrock embedding model id.
    #[arg(
        long,
        env = "ANALYST_EMBEDDER_MODEL",
        default_value = "amazon.titan-embed-text-v2:0"
    )]
    pub embedder_model: String,
    /// Language model.
    #[arg(long, env = "ANALYST_LLM", value_enum, default_value = "offline")]
    pub llm: LlmKind,
    /// Bedrock model id of the language model.
    #[arg(long, env = "ANALYST_LLM_MODEL")]
    pub llm_model: Option<String>,
    /// AWS region of Bedrock, SQS and Step Functions (default: the provider chain's).
    #[arg(long, env = "ANALYST_AWS_REGION")]
    pub aws_region: Option<String>,
    /// Endpoint override of every AWS API (an emulator such as moto_server).
    #[arg(long, env = "ANALYST_AWS_ENDPOINT_URL")]
    pub aws_endpoint_url: Option<String>,
    /// SQL generation attempts per question, the first included.
    #[arg(long, env = "ANALYST_MAX_SQL_ATTEMPTS", default_value_t = 3)]
    pub max_sql_attempts: u32,
    /// Prefix of each ingested datasource's Glue database (database = prefix + datasource).
    #[arg(long, env = "ANALYST_GLUE_DATABASE_PREFIX", default_value = "analyst_")]
    pub glue_database_prefix: String,
    /// Athena workgroup that ingested datasources are queried in; without it, uploads ingested
    /// on AWS are not offered as datasources.
    #[arg(long, env = "ANALYST_ATHENA_WORKGROUP")]
    pub athena_workgroup: Option<String>,
    /// S3 location of Athena query results (default: the workgroup's).
    #[arg(long, env = "ANALYST_ATHENA_OUTPUT_LOCATION")]
    pub athena_output_location: Option<String>,
}
