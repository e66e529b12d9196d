//! [`run_guarded`]: the one way SQL reaches a datasource's engine, checked under that
//! datasource's dialect and allow-list first, then read again by the engine's own parser.
//!
//! Invariant: the engine only ever receives the text of a [`crate::CheckedSql`], and only after
//! its own reading of that text passed the same rules.

use contracts::result::ResultSet;
use ports::datasource::Datasource;
use ports::sql_engine::{EngineError, QueryLimits};

use crate::{GuardPolicy, GuardRejection};

/// The guard policy of `datasource`: its allow-list when it has one, else the default.
pub fn datasource_policy(datasource: &Datasource) -> GuardPolicy {
    match &datasource.allowed_relations {
        Some(allowed_relations) => GuardPolicy::default().with_allowed_relations(allowed_relations),
        None => GuardPolicy::default(),
    }
}

/// Checks `sql` against `datasource`'s dialect and policy, checks the engine's own reading of
/// the admitted text (where the engine has a parser to ask), then runs it under `limits`.
///
/// A rejection is an [`EngineError::QueryFailed`] whose message starts with
/// `rejected before running:`, so callers treat it like any query error.
pub async fn run_guarded(
    datasource: &Datasource,
    sql: &str,
    limits: &QueryLimits,
) -> Result<ResultSet, EngineError> {
    let dialect = datasource.engine.dialect();
    let policy = datasource_policy(datasource);
    let refused = |rejection: GuardRejection| {
        EngineError::QueryFailed(format!("rejected before running: {rejection}"))
    };
    let checked = crate::check_with_policy(sql, dialect, &policy).map_err(refused)?;
    let engine_reading = datasource
        .engine
        .read_statement(checked.as_str())
        .await
        .map_err(|err| match err {
            EngineError::QueryFailed(message) => EngineError::QueryFailed(format!(
                "rejected before running: the engine cannot read the query: {message}"
            )),
            other => other,
        })?;
    if let Some(engine_reading) = engine_reading {
        crate::check_engine_reading(&engine_reading, dialect, &policy).map_err(refused)?;
    }
    datasource.engine.execute(checked.as_str(), limits).await
}
