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

/// Prefix of every plaintext key.
pub const KEY_PREFIX: &str = "ak_";

/// Random characters after the prefix.
const N_RANDOM_CHARS: usize = 32;

/// Characters a key is drawn from; all are safe in URLs and headers.
const URL_SAFE_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A new random plaintext key: `ak_` followed by 32 URL-safe characters (192 bits).
pub fn generate_plaintext_key() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let random_part: String = (0..N_RANDOM_CHARS)
        .map(|_| char::from(URL_SAFE_ALPHABET[rng.random_range(0..URL_SAFE_ALPHABET.len())]))
        .collect();
    format!("{KEY_PREFIX}{random_part}")
}

/// A new key's record (holding only the hash) and its plaintext, to be shown once.
pub fn new_key_record(
    name: &str,
    scopes: &[KeyScope],
    created_at: DateTime<Utc>,
) -> (ApiKeyRecord, String) {
    let plaintext_key = generate_plaintext_key();
    let record = ApiKeyRecord {
        key_id: format!("key_{}", uuid::Uuid::new_v4().simple()),
        key_hash: hash_api_key(&plaintext_key),
        name: name.to_owned(),
        scopes: scopes.to_vec(),
        created_at,
        revoked_at: None,
    };
    (record, plaintext_key)
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

    /// Every key, oldest first, revoked ones included.
    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// Revokes a key at `at`; `false` when no active key has this id.
    async fn revoke_key(&self, key_id: &str, at: DateTime<Utc>) -> Result<bool, StoreError>;
}
