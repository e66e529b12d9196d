//! `KeyStore` over the `api_keys` table.
//!
//! Invariant: keys are looked up by the hash of their plaintext only; no plaintext is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ports::key_store::{ApiKeyRecord, KeyScope, KeyStore};
use ports::store_error::StoreError;
use rusqlite::{OptionalExtension, Row};

use crate::sqlite_error::SqliteError;
use crate::sqlite_store::SqliteStore;
use crate::timestamp_text::{timestamp_from_text, timestamp_to_text};

#[async_trait]
impl KeyStore for SqliteStore {
    async fn insert_key(&self, record: ApiKeyRecord) -> Result<(), StoreError> {
        self.run(move |connection| {
            let scopes: Vec<&str> = record.scopes.iter().map(|scope| scope.as_str()).collect();
            connection.execute(
                "INSERT INTO api_keys (key_id, key_hash, name, scopes, created_at, revoked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (
                    &record.key_id,
                    &record.key_hash,
                    &record.name,
                    scopes.join(" "),
                    timestamp_to_text(record.created_at),
                    record.revoked_at.map(timestamp_to_text),
                ),
            )?;
            Ok(())
        })
        .await
    }

    async fn find_active_key(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let key_hash = key_hash.to_owned();
        self.run(move |connection| {
            let stored = connection
                .query_row(
                    "SELECT key_id, key_hash, name, scopes, created_at, revoked_at FROM api_keys
                     WHERE key_hash = ?1 AND revoked_at IS NULL",
                    [&key_hash],
                    StoredKey::read,
                )
                .optional()?;
            stored.map(StoredKey::into_record).transpose()
        })
        .await
    }

    async fn count_keys(&self) -> Result<u64, StoreError> {
        self.run(|connection| {
            Ok(connection.query_row("SELECT COUNT(*) FROM api_keys", [], |row| row.get(0))?)
        })
        .await
    }

    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.run(|connection| {
            let mut statement = connection.prepare(
                "SELECT key_id, key_hash, name, scopes, created_at, revoked_at FROM api_keys
                 ORDER BY created_at, rowid",
            )?;
            let rows = statement.query_map([], StoredKey::read)?;
            let mut records = Vec::new();
            for row in rows {
                records.push(row?.into_record()?);
            }
            Ok(records)
        })
        .await
    }

    async fn revoke_key(&self, key_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let key_id = key_id.to_owned();
        self.run(move |connection| {
            let n_revoked = connection.execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE key_id = ?1 AND revoked_at IS NULL",
                (&key_id, timestamp_to_text(at)),
            )?;
            Ok(n_revoked > 0)
        })
        .await
    }
}

/// The columns of one `api_keys` row, as stored.
struct StoredKey {
    key_id: String,
    key_hash: String,
    name: String,
    scopes: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl StoredKey {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(StoredKey {
            key_id: row.get(0)?,
            key_hash: row.get(1)?,
            name: row.get(2)?,
            scopes: row.get(3)?,
            created_at: row.get(4)?,
            revoked_at: row.get(5)?,
        })
    }

    fn into_record(self) -> Result<ApiKeyRecord, SqliteError> {
        let scopes = self
            .scopes
            .split_whitespace()
            .map(|name| {
                KeyScope::parse(name)
                    .ok_or_else(|| SqliteError::UnreadableValue(format!("key scope {name:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ApiKeyRecord {
            key_id: self.key_id,
            key_hash: self.key_hash,
            name: self.name,
            scopes,
            created_at: timestamp_from_text(&self.created_at)?,
            revoked_at: self
                .revoked_at
                .as_deref()
                .map(timestamp_from_text)
                .transpose()?,
        })
    }
}
