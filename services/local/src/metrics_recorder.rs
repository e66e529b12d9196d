//! [`metrics_handle`]: the process-wide Prometheus recorder behind `/metrics`, installed once.
//!
//! Invariant: at most one recorder per process; later platforms in the same process share it.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// How often histogram buckets are compacted.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The handle of the installed recorder; `None` when another recorder was installed first.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
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
