//! `analyst keys create | list | revoke`: manage the API keys of the state store; a new key's
//! plaintext is printed once.
//!
//! Invariant: the plaintext key is printed once and stored only as its hash.

use crate::api_key_issue::{issue_api_key, parse_scopes};
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use ports::key_store::KeyStore;

use crate::cli::{CreateKeyArgs, RevokeKeyArgs, StateStoreArgs};
use crate::state_stores::open_state_stores;

/// Creates the key and prints it.
pub async fn run_create(create_key_args: CreateKeyArgs) -> anyhow::Result<()> {
    let scopes = parse_scopes(&create_key_args.scopes)?;
    let key_store = open_key_store(&create_key_args.key_store_args).await?;
    let plaintext_key = issue_api_key(key_store.as_ref(), &create_key_args.name, &scopes).await?;
    let scope_names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    println!(
        "api key '{}' with scopes {}: {plaintext_key}",
        create_key_args.name,
        scope_names.join(",")
    );
    println!("this key is shown only once; store it somewhere safe");
    Ok(())
}

/// Prints every key: id, name, scopes, creation and revocation times.
pub async fn run_list(key_store_args: StateStoreArgs) -> anyhow::Result<()> {
    let stores = open_state_stores(
        &key_store_args.data_dir,
        &key_store_args.store_args,
        key_store_args.embedding_dimension,
    )
    .await?;
    let records = stores
        .key_store
        .list_keys()
        .await
        .context("list api keys")?;
    for record in records {
        let scope_names: Vec<&str> = record.scopes.iter().map(|scope| scope.as_str()).collect();
        let state = match record.revoked_at {
            Some(revoked_at) => format!("revoked {}", revoked_at.to_rfc3339()),
            None => "active".to_owned(),
        };
        println!(
            "{}  {}  {}  created {}  {state}",
            record.key_id,
            record.name,
            scope_names.join(","),
            record.created_at.to_rfc3339()
        );
    }
    Ok(())
}

/// Revokes one key; fails when no active key has the id.
pub async fn run_revoke(revoke_key_args: RevokeKeyArgs) -> anyhow::Result<()> {
    let key_store = open_key_store(&revoke_key_args.key_store_args).await?;
    let revoked = key_store
        .revoke_key(&revoke_key_args.key_id, Utc::now())
        .await
        .context("revoke the api key")?;
    anyhow::ensure!(
        revoked,
        "no active key has the id '{}' (see `analyst keys list`)",
        revoke_key_args.key_id
    );
    println!("revoked {}", revoke_key_args.key_id);
    Ok(())
}

/// The key store of the configured state store.
async fn open_key_store(key_store_args: &StateStoreArgs) -> anyhow::Result<Arc<dyn KeyStore>> {
    let stores = open_state_stores(
        &key_store_args.data_dir,
        &key_store_args.store_args,
        key_store_args.embedding_dimension,
    )
    .await?;
    Ok(stores.key_store)
}
