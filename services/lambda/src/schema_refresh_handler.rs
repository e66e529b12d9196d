//! The schema refresh on AWS: the EventBridge schedule puts a `refresh_all_schemas` message on
//! the `schema_refresh` queue, and this Lambda function registers the datasources ingested
//! since its last run (Glue databases of uploads), then re-reads every datasource's schema
//! through `pipeline::refresh_schemas`, storing a new snapshot version where it changed.
//!
//! Invariant: a message is returned to the queue (and so retried, then dead-lettered) only
//! when it is not a refresh request or when some datasource could not be refreshed.

use anyhow::Context;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use clap::Parser;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use pipeline::{RefreshResult, refresh_schemas};
use ports::datasource::Datasources;
use ports::schema::SchemaStore;
use serde::Deserialize;

use crate::init_error::reporting_init_error;
use crate::platform_args::PlatformArgs;
use crate::platform_wiring::{EmbedderUse, open_platform};

/// Body of the schedule's message (`infra/template.yaml`, `SchemaRefreshRule`).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
enum SchemaRefreshRequest {
    /// Refresh every datasource of the process.
    RefreshAllSchemas,
}

/// The function's settings: environment variables only.
#[derive(Debug, Parser)]
struct SchemaRefreshFunctionArgs {
    #[command(flatten)]
    platform: PlatformArgs,
}

/// Runs the schema refresh function until the runtime stops it.
pub fn run_schema_refresh_function() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(async move {
        bootstrap::init_tracing("lambda-schema-refresh");
        let platform = reporting_init_error(async {
            let args = SchemaRefreshFunctionArgs::try_parse_from(["schema-refresh"])?;
            open_platform(&args.platform, EmbedderUse::NeverEmbeds).await
        })
        .await?;
        lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
            let datasources = platform.datasources.clone();
            let schema_store = platform.schema_store.clone();
            async move {
                handle_schema_refresh_event(&datasources, schema_store.as_ref(), event.payload)
                    .await
            }
        }))
        .await
        .map_err(|err| anyhow::anyhow!("lambda runtime stopped: {err}"))
    })
}

/// Handles one batch: each refresh request refreshes every datasource once.
pub async fn handle_schema_refresh_event(
    datasources: &Datasources,
    schema_store: &dyn SchemaStore,
    sqs_event: SqsEvent,
) -> Result<SqsBatchResponse, Error> {
    let mut batch_item_failures = Vec::new();
    for record in sqs_event.records {
        let message_id = record.message_id.unwrap_or_default();
        let body = record.body.unwrap_or_default();
        let refreshed = match serde_json::from_str::<SchemaRefreshRequest>(&body) {
            Ok(SchemaRefreshRequest::RefreshAllSchemas) => {
                refresh_and_log(datasources, schema_store).await
            }
            Err(parse_error) => {
                tracing::warn!(message_id, error.message = %parse_error, "not a schema refresh request");
                false
            }
        };
        if !refreshed {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            batch_item_failures.push(failure);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = batch_item_failures;
    Ok(response)
}

/// Registers datasources ingested since the last run, refreshes every datasource and logs the
/// outcomes; `true` when none failed.
async fn refresh_and_log(datasources: &Datasources, schema_store: &dyn SchemaStore) -> bool {
    let mut all_refreshed = true;
    match datasources.discover().await {
        Ok(registered) => {
            for name in registered {
                tracing::info!(datasource = %name, "ingested datasource registered");
            }
        }
        Err(discovery_error) => {
            all_refreshed = false;
            tracing::warn!(error.message = %discovery_error, "datasource discovery failed");
        }
    }
    let outcomes = refresh_schemas(datasources, schema_store).await;
    for outcome in &outcomes {
        match &outcome.result {
            Ok(RefreshResult::NewVersion { .. }) => {
                tracing::info!(datasource = %outcome.datasource, "{}", outcome.summary());
            }
            Ok(RefreshResult::Unchanged { .. }) => {}
            Err(error) => {
                all_refreshed = false;
                tracing::warn!(datasource = %outcome.datasource, error.message = %error, "schema refresh failed");
            }
        }
        for warning in &outcome.metadata_warnings {
            tracing::warn!(datasource = %outcome.datasource, "metadata: {warning}");
        }
    }
    all_refreshed
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aws_lambda_events::event::sqs::SqsMessage;
    use ports::datasource::Datasource;
    use ports::schema::{ColumnSchema, TableSchema};
    use store_sqlite::SqliteStore;

    use super::*;

    /// The message the template's schedule rule sends, verbatim.
    const SCHEDULE_MESSAGE: &str = r#"{"type": "refresh_all_schemas"}"#;

    fn sqs_event(bodies: &[(&str, &str)]) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = bodies
            .iter()
            .map(|(message_id, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some((*message_id).to_owned());
                message.body = Some((*body).to_owned());
                message
            })
            .collect();
        event
    }

    fn demo_like_datasources() -> Datasources {
        let datasources = Datasources::default();
        datasources.insert(Datasource {
            name: "shop".into(),
            description: None,
            engine_name: "embedded".into(),
            engine: Arc::new(FixedEngine),
            allowed_relations: None,
        });
        datasources
    }

    struct FixedEngine;

    #[async_trait::async_trait]
    impl ports::sql_engine::SqlEngine for FixedEngine {
        fn dialect(&self) -> ports::sql_engine::Dialect {
            ports::sql_engine::Dialect::Embedded
        }

        async fn execute(
            &self,
            _sql: &str,
            _limits: &ports::sql_engine::QueryLimits,
        ) -> Result<contracts::result::ResultSet, ports::sql_engine::EngineError> {
            Err(ports::sql_engine::EngineError::Unavailable("unused".into()))
        }

        async fn extract_tables(&self) -> Result<Vec<TableSchema>, ports::sql_engine::EngineError> {
            Ok(vec![TableSchema {
                name: "orders".into(),
                description: None,
                columns: vec![ColumnSchema {
                    name: "id".into(),
                    data_type: "BIGINT".into(),
                    description: None,
                    sample_values: vec![],
                }],
                n_rows: None,
            }])
        }
    }

    #[tokio::test]
    async fn the_schedule_message_refreshes_every_datasource() {
        let store = SqliteStore::open_in_memory().unwrap();

        let response = handle_schema_refresh_event(
            &demo_like_datasources(),
            &store,
            sqs_event(&[("m-1", SCHEDULE_MESSAGE)]),
        )
        .await
        .unwrap();

        assert!(response.batch_item_failures.is_empty());
        let snapshot = store.latest_snapshot("shop").await.unwrap().unwrap();
        assert_eq!(snapshot.tables[0].name, "orders");
    }

    /// Finds one datasource, `stock`, the way the Glue finder finds an ingested upload.
    struct StockFinder;

    #[async_trait::async_trait]
    impl ports::datasource::DatasourceFinder for StockFinder {
        async fn find(
            &self,
            name: &str,
        ) -> Result<Option<Datasource>, ports::sql_engine::EngineError> {
            Ok((name == "stock").then(|| Datasource {
                name: "stock".into(),
                description: None,
                engine_name: "athena".into(),
                engine: Arc::new(FixedEngine),
                allowed_relations: None,
            }))
        }

        async fn list_names(&self) -> Result<Vec<String>, ports::sql_engine::EngineError> {
            Ok(vec!["stock".into()])
        }
    }

    #[tokio::test]
    async fn the_schedule_registers_datasources_ingested_since_the_last_run() {
        let store = SqliteStore::open_in_memory().unwrap();
        let datasources = Datasources::with_finder(Arc::new(StockFinder));

        let response = handle_schema_refresh_event(
            &datasources,
            &store,
            sqs_event(&[("m-1", SCHEDULE_MESSAGE)]),
        )
        .await
        .unwrap();

        assert!(response.batch_item_failures.is_empty());
        assert!(datasources.contains("stock"));
        let snapshot = store.latest_snapshot("stock").await.unwrap().unwrap();
        assert_eq!(snapshot.tables[0].name, "orders");
    }

    #[tokio::test]
    async fn a_message_that_is_not_a_refresh_request_is_returned_to_the_queue() {
        let store = SqliteStore::open_in_memory().unwrap();

        let response = handle_schema_refresh_event(
            &demo_like_datasources(),
            &store,
            sqs_event(&[
                ("m-1", r#"{"type": "drop_everything"}"#),
                ("m-2", SCHEDULE_MESSAGE),
            ]),
        )
        .await
        .unwrap();

        let failed_ids: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
            .collect();
        assert_eq!(failed_ids, ["m-1"]);
    }
}
