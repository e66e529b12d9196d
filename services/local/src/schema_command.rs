//! `analyst schema refresh`: re-reads every datasource's schema once, stores a new snapshot
//! version where it changed (retiring the cache entries of the old one) and prints one line per
//! datasource.
//!
//! Invariant: fails (after printing every outcome) when any datasource could not be refreshed.

use pipeline::refresh_schemas;

use crate::cli::RefreshSchemaArgs;
use crate::platform::register_datasources;
use crate::state_stores::open_state_stores;

/// Runs one refresh and prints the outcomes.
pub async fn run_refresh(refresh_args: RefreshSchemaArgs) -> anyhow::Result<()> {
    let state_store_args = &refresh_args.state_store_args;
    let stores = open_state_stores(
        &state_store_args.data_dir,
        &state_store_args.store_args,
        state_store_args.embedding_dimension,
    )
    .await?;
    let (datasources, _) =
        register_datasources(&state_store_args.data_dir, &refresh_args.datasource_args).await?;
    let outcomes = refresh_schemas(&datasources, stores.schema_store.as_ref()).await;
    for outcome in &outcomes {
        println!("{}", outcome.summary());
        for warning in &outcome.metadata_warnings {
            println!("  metadata warning: {warning}");
        }
    }
    let n_failed = outcomes
        .iter()
        .filter(|outcome| outcome.result.is_err())
        .count();
    anyhow::ensure!(
        n_failed == 0,
        "{n_failed} datasources could not be refreshed"
    );
    Ok(())
}
