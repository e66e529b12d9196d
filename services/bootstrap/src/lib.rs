//! Process start-up shared by every binary: the tracing subscriber and its settings.
//!
//! Invariant: this is the only crate that reads environment variables for logging.

mod log_format;
mod tracing_init;

pub use log_format::LogFormat;
pub use tracing_init::init_tracing;
