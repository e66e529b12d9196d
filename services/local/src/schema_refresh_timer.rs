//! The in-process schedule of `analyst serve`: every `--schema-refresh-seconds` the schemas of
//! all datasources are refreshed, and each new version is logged.
//!
//! Invariant: refreshes never overlap; a slow refresh delays the next tick instead of running
//! beside it.

use std::sync::Arc;
use std::time::Duration;

use pipeline::refresh_schemas;
use ports::datasource::Datasources;
use ports::schema::SchemaStore;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::platform::log_refresh_outcomes;

/// Starts refreshing every `period`, the first time one period from now (start-up has just
/// saved every snapshot).
pub fn spawn_schema_refresh(
    datasources: Datasources,
    schema_store: Arc<dyn SchemaStore>,
    period: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let outcomes = refresh_schemas(&datasources, schema_store.as_ref()).await;
            log_refresh_outcomes(&outcomes);
        }
    })
}
