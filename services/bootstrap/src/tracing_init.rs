//! Installs the global tracing subscriber.
//!
//! Invariant: logs go to stderr only, so stdout stays free for a command's output.

use tracing_subscriber::EnvFilter;

use crate::log_format::LogFormat;

/// Filter used when `RUST_LOG` is unset or invalid.
const DEFAULT_FILTER: &str = "info";

/// Installs the subscriber: filter from `RUST_LOG` (default `info`), JSON when
/// `ANALYST_LOG_FORMAT=json`, human-readable otherwise, written to stderr.
/// A second call keeps the first subscriber.
pub fn init_tracing(service: &str) {
    let env_filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr);
    let log_format = LogFormat::from_env();
    let installed = match log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Pretty => builder.with_target(false).try_init(),
    };
    match installed {
        Ok(()) => tracing::debug!(service, ?log_format, "tracing initialised"),
        Err(_) => tracing::debug!(service, "tracing was already initialised"),
    }
}
