//! [`AthenaEngine`]: the [`SqlEngine`] over one Glue database queried through Athena.
//!
//! Invariant: every query runs in the configured workgroup under the caller's limits and is
//! stopped in Athena when its time runs out; the SDK's own retries are off so that the retry
//! policy of [`crate::transient_retry`] is the only one.

use std::time::Duration;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_athena::config::retry::RetryConfig;
use aws_sdk_athena::config::timeout::TimeoutConfig;

use contracts::result::ResultSet;
use ports::schema::TableSchema;
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};

use crate::query_lifecycle::{StopOnDrop, start_query, wait_until_finished};
use crate::result_pages::read_result_pages;
use crate::settings::{AthenaSettings, AthenaSettingsError};
use crate::table_extraction::read_glue_tables;
use crate::value_sampling::sample_text_values;

/// Longest wait for a connection to the AWS endpoint.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one AWS request (each retry gets its own).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs generated SQL in Athena and reads the schema from the Glue Data Catalog.
#[derive(Clone)]
pub struct AthenaEngine {
    athena: aws_sdk_athena::Client,
    glue: aws_sdk_glue::Client,
    settings: AthenaSettings,
}

impl AthenaEngine {
    /// An engine whose Athena and Glue clients share `sdk_config` (credentials and HTTP
    /// client), with the region and the endpoint override of `settings` applied to both.
    pub fn new(
        sdk_config: &SdkConfig,
        settings: AthenaSettings,
    ) -> Result<Self, AthenaSettingsError> {
        settings.validate()?;
        let region = Region::new(settings.region.clone());
        let timeout_config = TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .build();

        let mut athena_config = aws_sdk_athena::config::Builder::from(sdk_config)
            .region(region.clone())
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeout_config.clone());
        let mut glue_config = aws_sdk_glue::config::Builder::from(sdk_config)
            .region(region)
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeout_config);
        if let Some(endpoint_url) = &settings.endpoint_url {
            athena_config = athena_config.endpoint_url(endpoint_url);
            glue_config = glue_config.endpoint_url(endpoint_url);
        }
        if let Some(recorder) = aws_call_log::recorder_from_env() {
            athena_config = athena_config.interceptor(recorder.clone());
            glue_config = glue_config.interceptor(recorder);
        }

        Ok(AthenaEngine {
            athena: aws_sdk_athena::Client::from_conf(athena_config.build()),
            glue: aws_sdk_glue::Client::from_conf(glue_config.build()),
            settings,
        })
    }

    /// An engine with credentials from the default AWS provider chain (environment, profile,
    /// container or instance role) in the region of `settings`.
    pub async fn from_settings(settings: AthenaSettings) -> Result<Self, AthenaSettingsError> {
        settings.validate()?;
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .load()
            .await;
        AthenaEngine::new(&sdk_config, settings)
    }

    /// The settings the engine was built with.
    pub fn settings(&self) -> &AthenaSettings {
        &self.settings
    }

    /// Runs the query until it ends, then reads its rows.
    async fn run_to_completion(
        &self,
        query_execution_id: &str,
        limits: &QueryLimits,
    ) -> Result<ResultSet, EngineError> {
        let succeeded =
            wait_until_finished(&self.athena, &self.settings, query_execution_id).await?;
        read_result_pages(
            &self.athena,
            query_execution_id,
            succeeded.has_header_row,
            limits,
        )
        .await
    }
}

impl std::fmt::Debug for AthenaEngine {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The clients hold the credentials provider, so only the settings are shown.
        formatter
            .debug_struct("AthenaEngine")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SqlEngine for AthenaEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Athena
    }

    #[tracing::instrument(skip_all, fields(workgroup = %self.settings.workgroup))]
    async fn execute(&self, sql: &str, limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        let deadline = tokio::time::Instant::now() + limits.timeout;
        let query_execution_id =
            tokio::time::timeout_at(deadline, start_query(&self.athena, &self.settings, sql))
                .await
                .map_err(|_elapsed| EngineError::TimedOut(limits.timeout))??;
        tracing::debug!(query_execution_id, "athena query started");

        let stop_on_drop = StopOnDrop::new(&self.athena, &query_execution_id);
        let outcome = tokio::time::timeout_at(
            deadline,
            self.run_to_completion(&query_execution_id, limits),
        )
        .await;
        match outcome {
            Err(_elapsed) => {
                stop_on_drop.stop_now().await;
                Err(EngineError::TimedOut(limits.timeout))
            }
            Ok(Err(EngineError::Unavailable(message))) => {
                // The query's state is unknown, so it is stopped rather than left scanning.
                stop_on_drop.stop_now().await;
                Err(EngineError::Unavailable(message))
            }
            Ok(finished) => {
                stop_on_drop.disarm();
                finished
            }
        }
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        let mut tables = read_glue_tables(&self.glue, &self.settings.database).await?;
        if self.settings.sample_values {
            sample_text_values(self, &mut tables).await;
        }
        Ok(tables)
    }
}
