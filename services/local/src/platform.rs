//! Wiring of local mode: the embedder, the state store (SQLite, or PostgreSQL + pgvector), the
//! demo databases, the datasources of the datasource file, the in-process pipeline, the
//! approval loop and the HTTP API, started together on one address.
//!
//! Invariant: `serve`, `bench` and the in-process `ask` start the platform through
//! [`launch_platform`] only, so all run the same wiring; every datasource's schema snapshot
//! (with its imported metadata) is saved before the platform serves anything.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use api::{AppState, KeyRateLimiter, Uploads};
use engine_athena::AthenaEngine;
use engine_postgres::PostgresEngine;
use ingest::IngestLimits;
use pipeline::{LocalPipeline, PipelineSettings, RefreshOutcome, StageDeps, refresh_schemas};
use ports::datasource::{Datasource, Datasources};
use ports::key_store::{KeyScope, KeyStore};
use ports::schema::SchemaStore;
use ports::sql_engine::SqlEngine;
use store_sqlite::SqliteStore;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use worker_cache::ApprovalDesk;
use worker_sqlgen::Approach;

use crate::api_key_issue::issue_api_key;
use crate::cli::{ApproachKind, DatasourceArgs, MemoryArgs, PlatformArgs};
use crate::datasource_config::{DatasourceConfig, EngineConfig, load_datasource_file};
use crate::embedder_choice::build_embedder;
use crate::llm_choice::build_llm;
use crate::metrics_recorder::metrics_handle;
use crate::state_stores::{StateStores, open_state_stores};
use crate::upload_intake::{LocalUploadIntake, UploadIntakeDeps};

/// File name of the state store inside the data directory.
pub const STATE_STORE_FILE: &str = "state.sqlite";

/// Datasource asked when a request names none, if it exists.
pub const PREFERRED_DEFAULT_DATASOURCE: &str = "restaurants";

/// A started platform: the server task and handles the commands need.
pub struct RunningPlatform {
    /// Address actually bound.
    pub local_addr: SocketAddr,
    /// `http://<local_addr>`.
    pub base_url: String,
    /// Store of API keys, for creating internal keys.
    pub key_store: Arc<dyn KeyStore>,
    /// Every store of the platform.
    pub stores: StateStores,
    /// The pipeline running the questions.
    pub pipeline: Arc<LocalPipeline>,
    /// Every registered datasource.
    pub datasources: Datasources,
    server_task: JoinHandle<std::io::Result<()>>,
}

impl RunningPlatform {
    /// Waits until the server stopped after its shutdown signal.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.server_task
            .await
            .context("join the http server task")?
            .context("serve http")
    }
}

/// Opens the state store of `data_dir` (creating the directory when missing).
pub fn open_state_store(data_dir: &Path) -> anyhow::Result<Arc<SqliteStore>> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("create data directory {}", data_dir.display()))?;
    let state_store_path = data_dir.join(STATE_STORE_FILE);
    let sqlite_store = SqliteStore::open(&state_store_path)
        .with_context(|| format!("open state store {}", state_store_path.display()))?;
    Ok(Arc::new(sqlite_store))
}

/// Starts everything: embedder, store, datasources (demo databases unless `--no-demo`, then
/// those of the datasource file), pipeline, approval loop, first-start admin key, then the API
/// on `addr`. Prints the admin key to stdout on the first start only. The server stops when
/// `shutdown` completes.
pub async fn launch_platform(
    data_dir: &Path,
    platform_args: &PlatformArgs,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningPlatform> {
    let metrics = metrics_handle();
    let embedder = build_embedder(&platform_args.embedder_args).await?;
    let stores =
        open_state_stores(data_dir, &platform_args.store_args, embedder.dimension()).await?;
    let (datasources, default_datasource) = open_datasources(
        data_dir,
        &platform_args.datasource_args,
        stores.schema_store.as_ref(),
    )
    .await?;

    let settings = pipeline_settings(&platform_args.memory_args)?;
    let approvals = ApprovalDesk {
        job_store: stores.job_store.clone(),
        pair_store: stores.pair_store.clone(),
        schema_store: stores.schema_store.clone(),
        embedder: embedder.clone(),
        datasources: datasources.clone(),
        limits: settings.query_limits.clone(),
    };
    let stage_deps = StageDeps {
        job_store: stores.job_store.clone(),
        schema_store: stores.schema_store.clone(),
        pair_store: stores.pair_store.clone(),
        embedder,
        llm: build_llm(&platform_args.llm_args).await?,
        datasources: datasources.clone(),
        settings,
    };
    let pipeline = LocalPipeline::start(stage_deps).context("start the pipeline")?;
    let n_resumed = pipeline
        .resume_unfinished()
        .await
        .context("resume unfinished jobs")?;
    if n_resumed > 0 {
        tracing::info!(n_jobs = n_resumed, "resumed unfinished jobs");
    }

    print_admin_key_on_first_start(stores.key_store.as_ref()).await?;
    let upload_intake = LocalUploadIntake::open(UploadIntakeDeps {
        data_dir: data_dir.to_owned(),
        datasources: datasources.clone(),
        schema_store: stores.schema_store.clone(),
        upload_store: stores.upload_store.clone(),
        limits: IngestLimits::default(),
    })
    .await
    .context("prepare the upload intake")?;

    let app_state = AppState {
        job_store: stores.job_store.clone(),
        key_store: stores.key_store.clone(),
        launcher: pipeline.clone(),
        datasources: datasources.clone(),
        default_datasource,
        schema_store: stores.schema_store.clone(),
        approvals: Arc::new(approvals),
        pair_store: stores.pair_store.clone(),
        metrics,
        rate_limiter: (platform_args.rate_limit_per_minute > 0).then(|| {
            Arc::new(KeyRateLimiter::per_minute(
                platform_args.rate_limit_per_minute,
            ))
        }),
        uploads: Some(Uploads {
            store: stores.upload_store.clone(),
            intake: Some(Arc::new(upload_intake)),
            max_archive_bytes: platform_args.max_upload_mib.saturating_mul(1 << 20),
        }),
    };
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("bind {addr}"))?;
    let local_addr = listener.local_addr().context("read the bound address")?;
    let base_url = format!("http://{local_addr}");
    tracing::info!(%local_addr, "api listening");
    let server_task = tokio::spawn(api::serve(
        listener,
        app_state,
        platform_args.connection_limits.clone(),
        shutdown,
    ));

    Ok(RunningPlatform {
        local_addr,
        base_url,
        key_store: stores.key_store.clone(),
        stores,
        pipeline,
        datasources,
        server_task,
    })
}

/// A platform on a free loopback port for this process's own clients (`bench`, `eval`), without
/// the per-key rate limit and the per-client connection cap: those clients poll every few
/// milliseconds over many connections, and the limits guard against other clients. It stops when the returned sender fires or is dropped.
pub async fn launch_loopback_platform(
    data_dir: &Path,
    platform_args: &PlatformArgs,
) -> anyhow::Result<(RunningPlatform, tokio::sync::oneshot::Sender<()>)> {
    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = server_stopped.await;
    };
    let mut platform_args = platform_args.clone();
    platform_args.rate_limit_per_minute = 0;
    platform_args.connection_limits.max_connections_per_client = 0;
    let platform = launch_platform(
        data_dir,
        &platform_args,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        shutdown,
    )
    .await?;
    Ok((platform, stop_server))
}

/// The pipeline's tunables from the command line, validated.
fn pipeline_settings(memory_args: &MemoryArgs) -> anyhow::Result<PipelineSettings> {
    for (name, value) in [
        ("--cache-threshold", memory_args.cache_threshold),
        ("--few-shot-threshold", memory_args.few_shot_threshold),
        (
            "--cache-paraphrase-floor",
            memory_args.cache_paraphrase_floor,
        ),
    ] {
        if !(-1.0..=1.0).contains(&value) {
            anyhow::bail!("{name} must be a cosine similarity between -1 and 1, got {value}");
        }
    }
    Ok(PipelineSettings {
        cache_similarity_threshold: memory_args.cache_threshold,
        cache_paraphrase_floor: memory_args.cache_paraphrase_floor,
        approach: match memory_args.approach {
            ApproachKind::ZeroShot => Approach::ZeroShot,
            ApproachKind::FewShot => Approach::FewShot,
        },
        few_shot_k: memory_args.few_shot_k,
        few_shot_threshold: memory_args.few_shot_threshold,
        ..PipelineSettings::default()
    })
}

/// Opens the demo databases (unless `--no-demo`), the ingested datasources and those of the
/// datasource file, and saves each one's current schema snapshot with its imported metadata;
/// returns them and the default datasource's name. Fails when a schema cannot be read.
pub async fn open_datasources(
    data_dir: &Path,
    datasource_args: &DatasourceArgs,
    schema_store: &dyn SchemaStore,
) -> anyhow::Result<(Datasources, String)> {
    let (datasources, default_datasource) = register_datasources(data_dir, datasource_args).await?;
    let outcomes = refresh_schemas(&datasources, schema_store).await;
    log_refresh_outcomes(&outcomes);
    if let Some(failed) = outcomes.iter().find(|outcome| outcome.result.is_err()) {
        anyhow::bail!("read the schema of a datasource: {}", failed.summary());
    }
    Ok((datasources, default_datasource))
}

/// Logs each refresh outcome: new versions at info, failures and metadata warnings as warnings.
pub fn log_refresh_outcomes(outcomes: &[RefreshOutcome]) {
    for outcome in outcomes {
        match &outcome.result {
            Ok(pipeline::RefreshResult::NewVersion { .. }) => {
                tracing::info!(datasource = %outcome.datasource, "{}", outcome.summary());
            }
            Ok(pipeline::RefreshResult::Unchanged { .. }) => {
                tracing::debug!(datasource = %outcome.datasource, "{}", outcome.summary());
            }
            Err(error) => {
                tracing::warn!(datasource = %outcome.datasource, error.message = %error, "schema refresh failed");
            }
        }
        for warning in &outcome.metadata_warnings {
            tracing::warn!(datasource = %outcome.datasource, "metadata: {warning}");
        }
    }
}

/// Opens the demo databases (unless `--no-demo`), the ingested datasources and those of the
/// datasource file without saving any snapshot; returns them and the default datasource's name.
pub async fn register_datasources(
    data_dir: &Path,
    datasource_args: &DatasourceArgs,
) -> anyhow::Result<(Datasources, String)> {
    let datasources = Datasources::default();
    if !datasource_args.no_demo {
        open_demo_datasources(data_dir, &datasources).await?;
    }
    // Datasources made by `analyst ingest` (docs/ingestion.md).
    crate::datasource_ingestion::open_ingested_datasources(data_dir, &datasources).await?;
    if let Some(datasources_file) = &datasource_args.datasources_file {
        let demo_names: Vec<&str> = engine_duckdb::demo::demo_databases()
            .iter()
            .map(|demo_database| demo_database.name)
            .collect();
        let read_env = |name: &str| std::env::var(name).ok();
        let configs = load_datasource_file(datasources_file, &demo_names, &read_env)?;
        for config in configs {
            let name = config.name.clone();
            let datasource = open_configured_datasource(config).await.with_context(|| {
                format!("open datasource `{name}` of {}", datasources_file.display())
            })?;
            datasources.insert(datasource);
        }
    }
    let default_datasource = match datasources.get(PREFERRED_DEFAULT_DATASOURCE) {
        Some(datasource) => datasource.name.clone(),
        None => datasources
            .all()
            .into_iter()
            .next()
            .context("no datasource is available: drop --no-demo or pass --datasources")?
            .name
            .clone(),
    };
    Ok((datasources, default_datasource))
}

/// Materializes every demo database and registers it.
async fn open_demo_datasources(data_dir: &Path, datasources: &Datasources) -> anyhow::Result<()> {
    for demo_database in engine_duckdb::demo::demo_databases() {
        let demo_datasource =
            engine_duckdb::demo::open_demo_datasource(data_dir, demo_database.name)
                .await
                .with_context(|| format!("open demo database {}", demo_database.name))?;
        datasources.insert(Datasource {
            name: demo_datasource.name,
            description: Some(demo_datasource.description),
            engine_name: "embedded".to_owned(),
            engine: demo_datasource.engine,
            allowed_relations: None,
        });
    }
    Ok(())
}

/// Connects the engine of a configured datasource and returns the datasource, restricted to
/// its allowed tables.
async fn open_configured_datasource(config: DatasourceConfig) -> anyhow::Result<Datasource> {
    let engine_name = config.engine.engine_name();
    let engine: Arc<dyn SqlEngine> = match config.engine.clone() {
        EngineConfig::Postgres(settings) => Arc::new(
            PostgresEngine::connect(settings)
                .await
                .with_context(|| format!("connect to {engine_name}"))?,
        ),
        EngineConfig::Athena(settings) => Arc::new(
            AthenaEngine::from_settings(settings)
                .await
                .context("set up the athena client")?,
        ),
    };
    tracing::info!(
        datasource = %config.name,
        engine = engine_name,
        "datasource connected"
    );
    Ok(Datasource {
        name: config.name,
        description: config.description,
        engine_name: engine_name.to_owned(),
        engine,
        allowed_relations: config.allowed_tables,
    })
}

/// On the very first start (no key was ever created), creates an admin key with every scope and
/// prints it; it cannot be shown again.
async fn print_admin_key_on_first_start(key_store: &dyn KeyStore) -> anyhow::Result<()> {
    if key_store.count_keys().await.context("count api keys")? > 0 {
        return Ok(());
    }
    let admin_key = issue_api_key(key_store, "admin", &KeyScope::ALL).await?;
    println!("admin api key: {admin_key}");
    println!(
        "this key is shown only once; store it somewhere safe (create more with `analyst keys create`)"
    );
    Ok(())
}
