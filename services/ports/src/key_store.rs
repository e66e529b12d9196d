//! API keys, stored only as SHA-256 hashes.
//!
//! Invariant: the plaintext of a key is never stored or returned after creation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::store_error::StoreError;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyScope {
    /// Submit and read questions.
    Ask,
    /// Approve or reject answers.
    Approve,
    /// Upload data.
    Ingest,
    /// Manage keys and cache entries.
    Admin,
}

impl KeyScope {
    /// Every scope, in a stable order.
    pub const ALL: [KeyScope; 4] = [
        KeyScope::Ask,
        KeyScope::Approve,
        KeyScope::Ingest,
        KeyScope::Admin,
    ];

    /// Wire name of the scope.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Ask => "ask",
            KeyScope::Approve => "approve",
            KeyScope::Ingest => "ingest",
            KeyScope::Admin => "admin",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        KeyScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name)
    }
}

/// A stored key, without its plaintext.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRecord {
    /// Public identifier (shown in logs and listings).
    pub key_id: String,
    /// Hex SHA-256 of the plaintext key.
    pub key_hash: String,
    /// Human label.
    pub name: String,
    /// Granted scopes.
    pub scopes: Vec<KeyScope>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Set when the key was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Hex SHA-256 of a plaintext key, the only form that is stored.
pub fn hash_api_key(plaintext: &str) -> String {
    hex::encode(Sha256::digest(plaintext.as_bytes()))
}

/// Store of API keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Stores a new key record.
    async fn insert_key(&self, record: ApiKeyRecord) -> Result<(), StoreError>;

    /// Finds a key that is not revoked by the hash of its plaintext.
    async fn find_active_key(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError>;

    /// Number of keys ever created (revoked ones included).
    async fn count_keys(&self) -> Result<u64, StoreError>;
}
