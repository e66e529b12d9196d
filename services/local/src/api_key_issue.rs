//! Creating API keys: a random plaintext shown once, stored only as its hash.
//!
//! Invariant: the plaintext is returned to the caller and never stored or logged.

use anyhow::Context;
use chrono::Utc;
use ports::key_store::{KeyScope, KeyStore, new_key_record};

pub use ports::key_store::{KEY_PREFIX, generate_plaintext_key};

/// Parses comma-separated scope names (`ask`, `approve`, `ingest`, `admin`).
pub fn parse_scopes(scope_names: &[String]) -> anyhow::Result<Vec<KeyScope>> {
    let mut scopes = Vec::new();
    for scope_name in scope_names
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty())
    {
        let scope = KeyScope::parse(scope_name).with_context(|| {
            format!("unknown scope '{scope_name}' (expected ask, approve, ingest or admin)")
        })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    anyhow::ensure!(!scopes.is_empty(), "a key needs at least one scope");
    Ok(scopes)
}

/// Stores a new key with these scopes and returns its plaintext.
pub async fn issue_api_key(
    key_store: &dyn KeyStore,
    name: &str,
    scopes: &[KeyScope],
) -> anyhow::Result<String> {
    let (api_key_record, plaintext_key) = new_key_record(name, scopes, Utc::now());
    let key_id = api_key_record.key_id.clone();
    key_store
        .insert_key(api_key_record)
        .await
        .with_context(|| format!("store api key '{name}'"))?;
    tracing::info!(key_id = %key_id, name, "api key created");
    Ok(plaintext_key)
}

#[cfg(test)]
mod tests {
    use ports::key_store::KeyScope;

    use super::{generate_plaintext_key, parse_scopes};

    #[test]
    fn a_generated_key_is_the_prefix_and_32_url_safe_characters() {
        let plaintext_key = generate_plaintext_key();

        let random_part = plaintext_key.strip_prefix("ak_").unwrap();
        assert_eq!(random_part.len(), 32);
        assert!(
            random_part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(generate_plaintext_key(), plaintext_key);
    }

    #[test]
    fn scopes_parse_without_duplicates_and_reject_unknown_names() {
        let names = ["ask", " admin", "ask"].map(str::to_owned);

        let scopes = parse_scopes(&names).unwrap();

        assert_eq!(scopes, vec![KeyScope::Ask, KeyScope::Admin]);
        assert!(parse_scopes(&["root".to_owned()]).is_err());
        assert!(parse_scopes(&[]).is_err());
    }
}
