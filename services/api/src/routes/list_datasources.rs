//! `GET /v1/datasources`: every datasource with its tables.
//!
//! Invariant: table names come from the latest stored schema snapshot; engines are not queried.
//! Datasources created by other processes (uploads ingested on AWS) are discovered first; a
//! failed discovery is logged and the known datasources are listed.

use axum::Json;
use axum::extract::State;
use contracts::api::DatasourceView;

use crate::api_error::ApiError;
use crate::app_state::AppState;

/// Lists datasources in name order.
pub(crate) async fn list_datasources(
    State(state): State<AppState>,
) -> Result<Json<Vec<DatasourceView>>, ApiError> {
    if let Err(discovery_error) = state.datasources.discover().await {
        tracing::warn!(error.message = %discovery_error, "datasource discovery failed");
    }
    let mut datasource_views = Vec::new();
    for datasource in state.datasources.all() {
        let tables = match state.schema_store.latest_snapshot(&datasource.name).await? {
            Some(snapshot) => snapshot
                .tables
                .into_iter()
                .map(|table| table.name)
                .collect(),
            None => Vec::new(),
        };
        datasource_views.push(DatasourceView {
            name: datasource.name.clone(),
            engine: datasource.engine_name.clone(),
            description: datasource.description.clone(),
            tables,
        });
    }
    Ok(Json(datasource_views))
}
