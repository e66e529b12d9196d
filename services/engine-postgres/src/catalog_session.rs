//! Reading catalog queries in one read-only transaction with a statement timeout.
//!
//! Invariant: catalog reads never write and are always rolled back.

use std::time::Duration;

use deadpool_postgres::Object;
use tokio_postgres::types::FromSql;
use tokio_postgres::{Client, Row};

use ports::sql_engine::EngineError;

use crate::connection_pool::ConnectionPool;
use crate::database_error::{pool_error, query_error};

/// Time allowed to each catalog query.
const CATALOG_QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// The rows of each query, in order.
pub(crate) async fn read_catalog(
    connection_pool: &ConnectionPool,
    queries: &[&str],
) -> Result<Vec<Vec<Row>>, EngineError> {
    let catalog_failed = |err: tokio_postgres::Error| {
        EngineError::Unavailable(format!(
            "reading the catalog failed: {}",
            query_error(&err, CATALOG_QUERY_TIMEOUT)
        ))
    };
    let mut pooled_client = connection_pool
        .pool
        .get()
        .await
        .map_err(|err| pool_error(&err))?;
    let client: &mut Client = &mut pooled_client;
    let transaction = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .map_err(catalog_failed)?;
    let results = async {
        transaction
            .batch_execute(&format!(
                "SET LOCAL statement_timeout = {}",
                CATALOG_QUERY_TIMEOUT.as_millis()
            ))
            .await?;
        let mut results = Vec::with_capacity(queries.len());
        for query in queries {
            results.push(transaction.query(*query, &[]).await?);
        }
        Ok(results)
    }
    .await
    .map_err(catalog_failed);
    if let Err(err) = transaction.rollback().await {
        // A connection whose transaction may still be open must not serve another call.
        drop(Object::take(pooled_client));
        return Err(catalog_failed(err));
    }
    results
}

/// One column of a catalog row.
pub(crate) fn catalog_value<'a, T: FromSql<'a>>(
    row: &'a Row,
    column: &str,
) -> Result<T, EngineError> {
    row.try_get(column)
        .map_err(|err| EngineError::Unavailable(format!("reading the catalog failed: {err}")))
}
