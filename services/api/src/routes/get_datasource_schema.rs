//! `GET /v1/datasources/{name}/schema`: one datasource's tables, columns, types, descriptions,
//! sampled values and metrics, from its latest stored schema snapshot.
//!
//! Invariant: the engine is never queried; the snapshot (with imported metadata already applied
//! when it was saved) is the only source.

use axum::Json;
use axum::extract::{Path, State};
use contracts::api::{ColumnSchemaView, DatasourceSchemaView, MetricView, TableSchemaView};

use crate::api_error::ApiError;
use crate::app_state::AppState;

/// Answers the schema of the named datasource, or 404 `unknown_datasource`.
pub(crate) async fn get_datasource_schema(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<DatasourceSchemaView>, ApiError> {
    let datasource = match state.datasources.resolve(&name).await {
        Ok(Some(datasource)) => datasource,
        Ok(None) => return Err(ApiError::UnknownDatasource(name)),
        Err(lookup_error) => {
            tracing::warn!(datasource = %name, error.message = %lookup_error, "datasource lookup failed");
            return Err(ApiError::Unavailable(format!(
                "datasource '{name}' could not be looked up"
            )));
        }
    };
    let snapshot = state.schema_store.latest_snapshot(&datasource.name).await?;
    let (version, tables, metrics) = match snapshot {
        Some(snapshot) => (Some(snapshot.version), snapshot.tables, snapshot.metrics),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(Json(DatasourceSchemaView {
        name: datasource.name,
        engine: datasource.engine_name,
        description: datasource.description,
        version,
        tables: tables
            .into_iter()
            .map(|table| TableSchemaView {
                name: table.name,
                description: table.description,
                n_rows: table.n_rows,
                columns: table
                    .columns
                    .into_iter()
                    .map(|column| ColumnSchemaView {
                        name: column.name,
                        data_type: column.data_type,
                        description: column.description,
                        sample_values: column.sample_values,
                    })
                    .collect(),
            })
            .collect(),
        metrics: metrics
            .into_iter()
            .map(|metric| MetricView {
                name: metric.name,
                description: metric.description,
                sql: metric.sql,
                table: metric.table,
            })
            .collect(),
    }))
}
