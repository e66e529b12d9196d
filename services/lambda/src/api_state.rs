//! The API's state in AWS mode: the same `api::AppState` as local mode, with a launcher that
//! starts Step Functions executions, or (for emulators that cannot run them) runs the
//! interpreter in-process with its Tasks on the real SQS queues.
//!
//! Invariant: the API never runs a stage itself; it only stores and launches jobs.

use std::sync::Arc;

use adapter_aws::{AwsClients, AwsSettings, SqsPipeline, StepFunctionsLauncher};
use anyhow::Context;
use api::{AppState, Uploads};
use chrono::Utc;
use clap::{Args, ValueEnum};
use ports::job_launcher::JobLauncher;
use ports::key_store::{ApiKeyRecord, KeyScope, KeyStore, hash_api_key};
use rand::Rng;
use secrecy::ExposeSecret;
use worker_cache::ApprovalDesk;

use crate::platform_args::{PlatformArgs, StageQueue};
use crate::platform_wiring::Platform;
use crate::secret_extension::fetch_secret_string;

/// Characters of generated API keys.
const URL_SAFE_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// How the API starts a job's pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LauncherKind {
    /// StartExecution of the question state machine on Step Functions (production).
    StepFunctions,
    /// The ASL interpreter in the API process, every Task over the SQS stage queues with
    /// replies on `--reply-queue-url` (emulators that cannot run executions).
    SqsInterpreter,
}

/// Settings of the API process.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    /// Shared settings.
    #[command(flatten)]
    pub platform: PlatformArgs,
    /// How jobs are launched.
    #[arg(
        long,
        env = "ANALYST_LAUNCHER",
        value_enum,
        default_value = "step-functions"
    )]
    pub launcher: LauncherKind,
    /// ARN of the question state machine (`--launcher step-functions`).
    #[arg(long, env = "ANALYST_STATE_MACHINE_ARN")]
    pub state_machine_arn: Option<String>,
    /// Stage queues, `stage=url`, one per stage (`--launcher sqs-interpreter`).
    #[arg(
        long = "stage-queue",
        env = "ANALYST_STAGE_QUEUES",
        value_delimiter = ','
    )]
    pub stage_queues: Vec<StageQueue>,
    /// Queue the workers' replies arrive on (`--launcher sqs-interpreter`).
    #[arg(long, env = "ANALYST_REPLY_QUEUE_URL")]
    pub reply_queue_url: Option<String>,
    /// Multiplier of Retry intervals of the in-process interpreter (tests shrink it).
    #[arg(long, env = "ANALYST_RETRY_INTERVAL_SCALE", default_value_t = 1.0)]
    pub retry_interval_scale: f64,
    /// Admin key stored (as its hash) when no key exists yet, e.g. from Secrets Manager.
    #[arg(long, env = "ANALYST_ADMIN_API_KEY", hide_env_values = true)]
    pub admin_api_key: Option<String>,
    /// Secrets Manager secret holding that admin key, read through the Lambda extension.
    #[arg(long, env = "ANALYST_ADMIN_API_KEY_SECRET_ID")]
    pub admin_api_key_secret_id: Option<String>,
}

impl ApiArgs {
    /// The configured admin key: the flag, else the secret (Lambda only).
    pub async fn configured_admin_key(&self) -> anyhow::Result<Option<String>> {
        if let Some(key) = &self.admin_api_key {
            return Ok(Some(key.clone()));
        }
        match &self.admin_api_key_secret_id {
            Some(secret_id) => {
                let session_token = std::env::var("AWS_SESSION_TOKEN").context(
                    "reading a secret through the extension needs AWS_SESSION_TOKEN (Lambda)",
                )?;
                let secret = fetch_secret_string(secret_id, &session_token).await?;
                Ok(Some(secret.expose_secret().to_owned()))
            }
            None => Ok(None),
        }
    }
}

/// Builds the API state; the launcher follows `--launcher`.
pub async fn build_app_state(api_args: &ApiArgs, platform: &Platform) -> anyhow::Result<AppState> {
    let clients = AwsClients::connect(&AwsSettings {
        region: api_args.platform.aws_region.clone(),
        endpoint_url: api_args.platform.aws_endpoint_url.clone(),
    })
    .await;
    let launcher: Arc<dyn JobLauncher> = match api_args.launcher {
        LauncherKind::StepFunctions => Arc::new(StepFunctionsLauncher::new(
            clients.sfn.clone(),
            api_args
                .state_machine_arn
                .clone()
                .context("--launcher step-functions needs --state-machine-arn")?,
            api_args.platform.max_sql_attempts,
        )),
        LauncherKind::SqsInterpreter => {
            let stage_queue_urls = complete_stage_queues(&api_args.stage_queues)?;
            let sqs_pipeline = SqsPipeline::start(
                clients.sqs.clone(),
                &stage_queue_urls,
                api_args
                    .reply_queue_url
                    .clone()
                    .context("--launcher sqs-interpreter needs --reply-queue-url")?,
                platform.job_store.clone(),
                api_args.platform.max_sql_attempts,
                api_args.retry_interval_scale,
            )
            .context("load the question state machine")?;
            let n_resumed = sqs_pipeline
                .resume_unfinished()
                .await
                .context("resume unfinished jobs")?;
            if n_resumed > 0 {
                tracing::info!(n_jobs = n_resumed, "resumed unfinished jobs");
            }
            sqs_pipeline
        }
    };
    let approvals = ApprovalDesk {
        job_store: platform.job_store.clone(),
        pair_store: platform.pair_store.clone(),
        schema_store: platform.schema_store.clone(),
        embedder: platform.embedder.clone(),
        datasources: platform.datasources.clone(),
        limits: platform.stage_deps.settings.query_limits.clone(),
    };
    Ok(AppState {
        job_store: platform.job_store.clone(),
        key_store: platform.key_store.clone(),
        launcher,
        datasources: platform.datasources.clone(),
        default_datasource: platform.default_datasource.clone(),
        schema_store: platform.schema_store.clone(),
        approvals: Arc::new(approvals),
        pair_store: platform.pair_store.clone(),
        metrics: None,
        rate_limiter: None,
        // Uploads arrive in the uploads bucket; the API reports on them.
        uploads: Some(Uploads {
            store: platform.upload_store.clone(),
            intake: None,
            max_archive_bytes: 0,
        }),
    })
}

/// Every stage must have a queue, or its Tasks would wait forever.
fn complete_stage_queues(stage_queues: &[StageQueue]) -> anyhow::Result<Vec<(String, String)>> {
    pipeline::STAGES
        .iter()
        .map(|stage| {
            stage_queues
                .iter()
                .find(|stage_queue| stage_queue.stage == *stage)
                .map(|stage_queue| (stage_queue.stage.clone(), stage_queue.queue_url.clone()))
                .with_context(|| format!("no --stage-queue for stage `{stage}`"))
        })
        .collect()
}

/// When no key exists: stores `configured_key` if given, otherwise creates one and prints it
/// (once; it cannot be shown again).
pub async fn print_admin_key_on_first_start(
    key_store: &dyn KeyStore,
    configured_key: Option<&str>,
) -> anyhow::Result<()> {
    if key_store.count_keys().await.context("count api keys")? > 0 {
        return Ok(());
    }
    let plaintext_key = match configured_key {
        Some(key) => key.to_owned(),
        None => {
            let mut rng = rand::rng();
            let random_part: String = (0..32)
                .map(|_| {
                    char::from(URL_SAFE_ALPHABET[rng.random_range(0..URL_SAFE_ALPHABET.len())])
                })
                .collect();
            format!("ak_{random_part}")
        }
    };
    key_store
        .insert_key(ApiKeyRecord {
            key_id: format!("key_{}", uuid::Uuid::new_v4().simple()),
            key_hash: hash_api_key(&plaintext_key),
            name: "admin".to_owned(),
            scopes: KeyScope::ALL.to_vec(),
            created_at: Utc::now(),
            revoked_at: None,
        })
        .await
        .context("store the admin api key")?;
    if configured_key.is_none() {
        #[allow(clippy::print_stdout)]
        {
            println!("admin api key: {plaintext_key}");
        }
    }
    Ok(())
}
