//! `analyst keys create`: create an API key in the local state store and print it once.
//!
//! Invariant: the plaintext key is printed once and stored only as its hash.

use crate::api_key_issue::{issue_api_key, parse_scopes};
use crate::cli::CreateKeyArgs;
use crate::state_stores::open_state_stores;

/// Creates the key and prints it.
pub async fn run_create(create_key_args: CreateKeyArgs) -> anyhow::Result<()> {
    let scopes = parse_scopes(&create_key_args.scopes)?;
    let stores = open_state_stores(
        &create_key_args.data_dir,
        &create_key_args.store_args,
        create_key_args.embedding_dimension,
    )
    .await?;
    let plaintext_key =
        issue_api_key(stores.key_store.as_ref(), &create_key_args.name, &scopes).await?;
    let scope_names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    println!(
        "api key '{}' with scopes {}: {plaintext_key}",
        create_key_args.name,
        scope_names.join(",")
    );
    println!("this key is shown only once; store it somewhere safe");
    Ok(())
}
