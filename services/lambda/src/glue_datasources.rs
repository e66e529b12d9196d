//! [`GlueDatasourceFinder`]: the datasources of uploads ingested on AWS. Datasource `shop` is
//! the Glue database `<prefix>shop` the ingestion state machine created, queried through Athena
//! in the platform's workgroup.
//!
//! Invariant: a datasource is returned only after its schema was re-read from Glue and its
//! snapshot stored (a new version only when the schema changed), so a question can be asked
//! of it at once; names that are not snake_case are never looked up.

use std::sync::Arc;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_glue::error::{DisplayErrorContext, SdkError};
use engine_athena::{AthenaEngine, AthenaSettings};
use ingest::is_datasource_name;
use pipeline::{SchemaRefreshError, refresh_schema};
use ports::datasource::{Datasource, DatasourceFinder};
use ports::schema::SchemaStore;
use ports::sql_engine::EngineError;

/// Where ingested datasources live and how Athena queries them.
#[derive(Debug, Clone)]
pub struct GlueDatasourceSettings {
    /// AWS region of Glue and Athena.
    pub region: String,
    /// Endpoint override of Glue and Athena (an emulator).
    pub endpoint_url: Option<String>,
    /// The platform's Athena workgroup (it carries the bytes-scanned cutoff).
    pub workgroup: String,
    /// Query result location; `None` uses the workgroup's.
    pub output_location: Option<String>,
    /// Prefix of each ingested datasource's Glue database.
    pub database_prefix: String,
}

/// Finds ingested datasources in the Glue Data Catalog.
pub struct GlueDatasourceFinder {
    glue: aws_sdk_glue::Client,
    sdk_config: SdkConfig,
    settings: GlueDatasourceSettings,
    schema_store: Arc<dyn SchemaStore>,
}

impl GlueDatasourceFinder {
    /// A finder with credentials from the default provider chain.
    pub async fn connect(
        settings: GlueDatasourceSettings,
        schema_store: Arc<dyn SchemaStore>,
    ) -> Self {
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .load()
            .await;
        let mut glue_config = aws_sdk_glue::config::Builder::from(&sdk_config);
        if let Some(endpoint_url) = &settings.endpoint_url {
            glue_config = glue_config.endpoint_url(endpoint_url);
        }
        if let Some(recorder) = aws_call_log::recorder_from_env() {
            glue_config = glue_config.interceptor(recorder);
        }
        GlueDatasourceFinder {
            glue: aws_sdk_glue::Client::from_conf(glue_config.build()),
            sdk_config,
            settings,
            schema_store,
        }
    }

    /// The Athena datasource over Glue database `database`.
    fn athena_datasource(
        &self,
        name: &str,
        database: &str,
        description: Option<String>,
    ) -> Result<Datasource, EngineError> {
        let mut athena_settings = AthenaSettings::new(
            self.settings.region.clone(),
            self.settings.workgroup.clone(),
            database,
        );
        athena_settings.output_location = self.settings.output_location.clone();
        athena_settings.endpoint_url = self.settings.endpoint_url.clone();
        let engine = AthenaEngine::new(&self.sdk_config, athena_settings)
            .map_err(|err| EngineError::Unavailable(err.to_string()))?;
        Ok(Datasource {
            name: name.to_owned(),
            description: Some(description.unwrap_or_else(|| {
                format!("Uploaded data, queried with Athena from Glue database {database}")
            })),
            engine_name: "athena".to_owned(),
            engine: Arc::new(engine),
            allowed_relations: None,
        })
    }
}

#[async_trait]
impl DatasourceFinder for GlueDatasourceFinder {
    async fn find(&self, name: &str) -> Result<Option<Datasource>, EngineError> {
        if !is_datasource_name(name) {
            return Ok(None);
        }
        let database = format!("{}{name}", self.settings.database_prefix);
        let found = match self.glue.get_database().name(&database).send().await {
            Ok(found) => found,
            Err(SdkError::ServiceError(service_error))
                if service_error.err().is_entity_not_found_exception() =>
            {
                return Ok(None);
            }
            Err(err) => return Err(glue_unavailable("GetDatabase", &err)),
        };
        let description = found
            .database()
            .and_then(|database| database.description())
            .filter(|description| !description.trim().is_empty())
            .map(str::to_owned);
        let datasource = self.athena_datasource(name, &database, description)?;
        let outcome = refresh_schema(&datasource, self.schema_store.as_ref()).await;
        for warning in &outcome.metadata_warnings {
            tracing::warn!(datasource = name, "metadata: {warning}");
        }
        match outcome.result {
            Ok(_) => {
                tracing::info!(datasource = name, "{}", outcome.summary());
                Ok(Some(datasource))
            }
            Err(SchemaRefreshError::ExtractionFailed(err)) => Err(err),
            Err(SchemaRefreshError::StoreFailed(err)) => {
                Err(EngineError::Unavailable(format!("schema store: {err}")))
            }
        }
    }

    async fn list_names(&self) -> Result<Vec<String>, EngineError> {
        let mut names = Vec::new();
        let mut pages = self.glue.get_databases().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| glue_unavailable("GetDatabases", &err))?;
            names.extend(page.database_list().iter().filter_map(|database| {
                database
                    .name()
                    .strip_prefix(self.settings.database_prefix.as_str())
                    .filter(|name| is_datasource_name(name))
                    .map(str::to_owned)
            }));
        }
        names.sort();
        Ok(names)
    }
}

fn glue_unavailable<E, R>(operation: &str, err: &SdkError<E, R>) -> EngineError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    EngineError::Unavailable(format!("glue {operation}: {}", DisplayErrorContext(err)))
}
