//! [`run_guarded`]: the one way SQL reaches a datasource's engine, checked under that
//! datasource's dialect and allow-list first.
//!
//! Invariant: the engine only ever receives the text of a [`crate::CheckedSql`].

use contracts::result::ResultSet;
use ports::datasource::Datasource;
use ports::sql_engine::{EngineError, QueryLimits};

use crate::GuardPolicy;

/// The guard policy of `datasource`: its allow-list when it has one, else the default.
pub fn datasource_policy(datasource: &Datasource) -> GuardPolicy {
    match &datasource.allowed_relations {
        Some(allowed_relations) => GuardPolicy::default().with_allowed_relations(allowed_relations),
        None => GuardPolicy::default(),
    }
}

/// Checks `sql` against `datasource`'s dialect and policy, then runs it under `limits`.
///
/// A rejection is an [`EngineError::QueryFailed`] whose message starts with
/// `rejected before running:`, so callers treat it like any query error.
pub async fn run_guarded(
    datasource: &Datasource,
    sql: &str,
    limits: &QueryLimits,
) -> Result<ResultSet, EngineError> {
    let checked = crate::check_with_policy(
        sql,
        datasource.engine.dialect(),
        &datasource_policy(datasource),
    )
    .map_err(|rejection| {
        EngineError::QueryFailed(format!("rejected before running: {rejection}"))
    })?;
    datasource.engine.execute(checked.as_str(), limits).await
}
