//! [`metrics_handle`]: the process-wide Prometheus recorder behind `/metrics`, installed once.
//!
//! Invariant: at most one recorder per process; later platforms in the same process share it.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// How often histogram buckets are compacted.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Histogram buckets of durations, in seconds.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Histogram buckets of cosine similarities.
const SIMILARITY_BUCKETS: &[f64] = &[0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0];

/// Durations and similarities as Prometheus histograms (buckets), not summaries.
fn recorder_builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS_BUCKETS)
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Full("analyst_cache_best_similarity".to_owned()),
                SIMILARITY_BUCKETS,
            )
        })
        .expect("the bucket lists are not empty")
}

/// The handle of the installed recorder; `None` when another recorder was installed first.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| match recorder_builder().install_recorder() {
            Ok(handle) => {
                let upkeep_handle = handle.clone();
                tokio::spawn(async move {
                    let mut ticks = tokio::time::interval(UPKEEP_INTERVAL);
                    loop {
                        ticks.tick().await;
                        upkeep_handle.run_upkeep();
                    }
                });
                Some(handle)
            }
            Err(install_error) => {
                tracing::warn!(error.message = %install_error, "metrics recorder not installed");
                None
            }
        })
        .clone()
}
