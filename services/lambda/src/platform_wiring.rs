//! [`open_platform`]: the state store (PostgreSQL + pgvector), embedder, language model and
//! datasources of an AWS-mode process, and the pipeline's stage dependencies over them. With an
//! Athena workgroup configured, the datasources of uploads ingested on AWS are found in Glue
//! when first asked for.
//!
//! Invariant: every datasource's schema snapshot is saved before the datasource is registered;
//! the demo databases are opened read-only, so several processes may share one data directory
//! once it is materialized.

use std::num::NonZeroUsize;
use std::sync::Arc;

use anyhow::Context;
use embedders::{BedrockSettings as EmbedderBedrockSettings, EmbedderSettings, check_dimension};
use llm_providers::{BedrockSettings as LlmBedrockSettings, LlmSettings};
use pipeline::{PipelineSettings, StageDeps};
use ports::datasource::{Datasource, Datasources};
use ports::embedder::Embedder;
use ports::job_store::JobStore;
use ports::key_store::KeyStore;
use ports::language_model::LanguageModel;
use ports::memory_store::PairStore;
use ports::result_retention::ResultRetention;
use ports::schema::SchemaStore;
use ports::upload_store::UploadStore;
use secrecy::SecretString;
use store_postgres::PostgresStore;

use crate::glue_datasources::{GlueDatasourceFinder, GlueDatasourceSettings};
use crate::platform_args::{EmbedderKind, LlmKind, PlatformArgs};
use crate::secret_extension::postgres_url_from_secret;

/// Default vector size of the offline and MiniLM embedders.
const DEFAULT_SMALL_DIMENSION: usize = 384;

/// Default vector size of Titan Text Embeddings v2.
const DEFAULT_BEDROCK_DIMENSION: usize = 1024;

/// Region used for Bedrock when neither the flag nor the provider chain names one.
const FALLBACK_REGION: &str = "us-east-1";

/// Whether a process calls its embedder. Only a process that does checks the embedder at
/// start-up: the check is a real embedding call, which the roles of the other functions may not
/// make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedderUse {
    /// The API, the cache lookup and SQL generation.
    Embeds,
    /// Classify, execute, explain, the failure recorder and the schema refresh.
    NeverEmbeds,
}

impl EmbedderUse {
    /// The use of a process running the question `stages` given.
    pub fn of_stages<'a>(stages: impl IntoIterator<Item = &'a str>) -> Self {
        if stages
            .into_iter()
            .any(|stage| pipeline::EMBEDDING_STAGES.contains(&stage))
        {
            EmbedderUse::Embeds
        } else {
            EmbedderUse::NeverEmbeds
        }
    }
}

/// The ports of one process.
#[derive(Clone)]
pub struct Platform {
    /// Jobs, results and feedback.
    pub job_store: Arc<dyn JobStore>,
    /// API keys.
    pub key_store: Arc<dyn KeyStore>,
    /// Schema snapshots.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Cache entries and few-shot examples.
    pub pair_store: Arc<dyn PairStore>,
    /// Uploads and their progress.
    pub upload_store: Arc<dyn UploadStore>,
    /// Question embedder.
    pub embedder: Arc<dyn Embedder>,
    /// Datasources by name.
    pub datasources: Datasources,
    /// Datasource of requests that name none.
    pub default_datasource: String,
    /// What every stage needs.
    pub stage_deps: StageDeps,
}

/// Opens everything a stage or the API needs; the embedder is checked only when `embedder_use`
/// says the process calls it.
pub async fn open_platform(
    platform_args: &PlatformArgs,
    embedder_use: EmbedderUse,
) -> anyhow::Result<Platform> {
    let embedder = build_embedder(platform_args, embedder_use).await?;
    let state_store_url = state_store_url(platform_args).await?;
    let postgres_store = Arc::new(
        PostgresStore::connect(
            &state_store_url,
            platform_args.state_store_pool,
            embedder.dimension(),
        )
        .await
        .context("open the PostgreSQL state store")?
        .with_result_retention(ResultRetention::from_hours_and_mib(
            platform_args.result_retention_hours,
            platform_args.max_result_mib_per_key,
        )),
    );
    let datasources = match glue_datasource_finder(platform_args, postgres_store.clone()).await? {
        Some(finder) => Datasources::with_finder(Arc::new(finder)),
        None => Datasources::default(),
    };
    let default_datasource =
        open_demo_datasources(platform_args, postgres_store.as_ref(), &datasources).await?;
    let llm = build_llm(platform_args).await?;
    let stage_deps = StageDeps {
        job_store: postgres_store.clone(),
        schema_store: postgres_store.clone(),
        pair_store: postgres_store.clone(),
        embedder: embedder.clone(),
        llm,
        datasources: datasources.clone(),
        settings: PipelineSettings {
            max_sql_attempts: platform_args.max_sql_attempts,
            ..PipelineSettings::default()
        },
    };
    Ok(Platform {
        job_store: postgres_store.clone(),
        key_store: postgres_store.clone(),
        schema_store: postgres_store.clone(),
        pair_store: postgres_store.clone(),
        upload_store: postgres_store,
        embedder,
        datasources,
        default_datasource,
        stage_deps,
    })
}

pub(crate) async fn state_store_url(platform_args: &PlatformArgs) -> anyhow::Result<SecretString> {
    if let Some(url) = &platform_args.state_store_url {
        return Ok(SecretString::from(url.clone()));
    }
    let secret_id = platform_args
        .state_store_secret_id
        .as_deref()
        .context("set ANALYST_STATE_STORE_URL or ANALYST_STATE_STORE_SECRET_ID")?;
    let session_token = std::env::var("AWS_SESSION_TOKEN")
        .context("reading a secret through the extension needs AWS_SESSION_TOKEN (Lambda)")?;
    postgres_url_from_secret(secret_id, &session_token).await
}

/// The vector size the state store's tables are created with: the configured one, else the
/// embedder's default.
pub(crate) fn embedding_dimension(platform_args: &PlatformArgs) -> usize {
    platform_args
        .embedding_dimension
        .unwrap_or(match platform_args.embedder {
            EmbedderKind::Offline | EmbedderKind::Minilm => DEFAULT_SMALL_DIMENSION,
            EmbedderKind::Bedrock => DEFAULT_BEDROCK_DIMENSION,
        })
}

async fn build_embedder(
    platform_args: &PlatformArgs,
    embedder_use: EmbedderUse,
) -> anyhow::Result<Arc<dyn Embedder>> {
    let settings = match platform_args.embedder {
        EmbedderKind::Offline => EmbedderSettings::Offline {
            dimension: NonZeroUsize::new(
                platform_args
                    .embedding_dimension
                    .unwrap_or(DEFAULT_SMALL_DIMENSION),
            )
            .context("--embedding-dimension must not be 0")?,
        },
        EmbedderKind::Minilm => EmbedderSettings::MiniLm {
            model_dir: platform_args
                .minilm_dir
                .clone()
                .unwrap_or_else(|| bootstrap::cache_dir().join(embedder_minilm::INSTALL_SUBDIR)),
        },
        EmbedderKind::Bedrock => EmbedderSettings::Bedrock(EmbedderBedrockSettings::new(
            platform_args.embedder_model.clone(),
            platform_args
                .embedding_dimension
                .unwrap_or(DEFAULT_BEDROCK_DIMENSION),
            region(platform_args),
        )),
    };
    let expected_dimension = settings.dimension();
    let embedder = settings.build().await.context("build the embedder")?;
    if embedder_use == EmbedderUse::Embeds {
        check_dimension(embedder.as_ref(), expected_dimension)
            .await
            .context("check the embedder at start-up")?;
    }
    Ok(embedder)
}

async fn build_llm(platform_args: &PlatformArgs) -> anyhow::Result<Arc<dyn LanguageModel>> {
    let settings = match platform_args.llm {
        LlmKind::Offline => LlmSettings::Offline,
        LlmKind::Bedrock => LlmSettings::Bedrock(LlmBedrockSettings::new(
            platform_args
                .llm_model
                .clone()
                .context("--llm bedrock needs --llm-model")?,
            region(platform_args),
        )),
    };
    settings.build().await.context("build the language model")
}

fn region(platform_args: &PlatformArgs) -> String {
    platform_args
        .aws_region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .unwrap_or_else(|| FALLBACK_REGION.to_owned())
}

/// The finder of ingested datasources, when an Athena workgroup is configured.
pub(crate) async fn glue_datasource_finder(
    platform_args: &PlatformArgs,
    schema_store: Arc<dyn SchemaStore>,
) -> anyhow::Result<Option<GlueDatasourceFinder>> {
    let Some(workgroup) = platform_args.athena_workgroup.clone() else {
        return Ok(None);
    };
    anyhow::ensure!(
        !workgroup.trim().is_empty(),
        "--athena-workgroup (ANALYST_ATHENA_WORKGROUP) is empty"
    );
    anyhow::ensure!(
        !platform_args.glue_database_prefix.is_empty(),
        "--glue-database-prefix (ANALYST_GLUE_DATABASE_PREFIX) is empty, which would offer every Glue database of the account as a datasource"
    );
    let settings = GlueDatasourceSettings {
        region: region(platform_args),
        endpoint_url: platform_args.aws_endpoint_url.clone(),
        workgroup,
        output_location: platform_args.athena_output_location.clone(),
        database_prefix: platform_args.glue_database_prefix.clone(),
    };
    Ok(Some(
        GlueDatasourceFinder::connect(settings, schema_store).await,
    ))
}

/// Materializes (first process) or opens (later ones) every demo database read-only, registers
/// them in `datasources` and returns the default datasource's name.
async fn open_demo_datasources(
    platform_args: &PlatformArgs,
    schema_store: &dyn SchemaStore,
    datasources: &Datasources,
) -> anyhow::Result<String> {
    if platform_args.no_demo {
        return Ok(String::new());
    }
    std::fs::create_dir_all(&platform_args.data_dir)
        .with_context(|| format!("create data directory {}", platform_args.data_dir.display()))?;
    for demo_database in engine_duckdb::demo::demo_databases() {
        let demo_datasource =
            engine_duckdb::demo::open_demo_datasource(&platform_args.data_dir, demo_database.name)
                .await
                .with_context(|| format!("open demo database {}", demo_database.name))?;
        let saved = pipeline::save_snapshot_with_metadata(schema_store, &demo_datasource.snapshot)
            .await
            .with_context(|| format!("save the schema snapshot of {}", demo_datasource.name))?;
        for warning in &saved.metadata_warnings {
            tracing::warn!(datasource = %demo_datasource.name, "metadata: {warning}");
        }
        datasources.insert(Datasource {
            name: demo_datasource.name,
            description: Some(demo_datasource.description),
            engine_name: "embedded".to_owned(),
            engine: demo_datasource.engine,
            allowed_relations: None,
        });
    }
    let default_datasource = datasources
        .get("restaurants")
        .or_else(|| datasources.all().into_iter().next())
        .map(|datasource| datasource.name.clone())
        .unwrap_or_default();
    Ok(default_datasource)
}
