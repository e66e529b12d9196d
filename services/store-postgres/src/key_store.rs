//! `KeyStore` over the `api_keys` table.
//!
//! Invariant: keys are looked up by the hash of their plaintext only; no plaintext is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ports::key_store::{ApiKeyRecord, KeyScope, KeyStore};
use ports::store_error::StoreError;
use tokio_postgres::Row;

use crate::postgres_error::PostgresError;
use crate::postgres_store::PostgresStore;

#[async_trait]
impl KeyStore for PostgresStore {
    async fn insert_key(&self, record: ApiKeyRecord) -> Result<(), StoreError> {
        let scopes: Vec<&str> = record.scopes.iter().map(|scope| scope.as_str()).collect();
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO api_keys (key_id, key_hash, name, scopes, created_at, revoked_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &record.key_id,
                    &record.key_hash,
                    &record.name,
                    &scopes,
                    &record.created_at,
                    &record.revoked_at,
                ],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(())
    }

    async fn find_active_key(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT key_id, key_hash, name, scopes, created_at, revoked_at FROM api_keys
                 WHERE key_hash = $1 AND revoked_at IS NULL",
                &[&key_hash],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(row.as_ref().map(key_from_row).transpose()?)
    }

    async fn count_keys(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT COUNT(*) FROM api_keys", &[])
            .await
            .map_err(PostgresError::from)?;
        let count: i64 = row.try_get(0).map_err(PostgresError::from)?;
        u64::try_from(count)
            .map_err(|_| PostgresError::UnreadableValue(format!("key count {count}")).into())
    }

    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT key_id, key_hash, name, scopes, created_at, revoked_at FROM api_keys
                 ORDER BY created_at, key_id",
                &[],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(rows
            .iter()
            .map(key_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn revoke_key(&self, key_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let n_revoked = client
            .execute(
                "UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL",
                &[&key_id, &at],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(n_revoked > 0)
    }
}

/// The record held by one `api_keys` row.
fn key_from_row(row: &Row) -> Result<ApiKeyRecord, PostgresError> {
    let scope_names: Vec<String> = row.try_get(3)?;
    let scopes = scope_names
        .iter()
        .map(|name| {
            KeyScope::parse(name)
                .ok_or_else(|| PostgresError::UnreadableValue(format!("key scope {name:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiKeyRecord {
        key_id: row.try_get(0)?,
        key_hash: row.try_get(1)?,
        name: row.try_get(2)?,
        scopes,
        created_at: row.try_get(4)?,
        revoked_at: row.try_get(5)?,
    })
}
