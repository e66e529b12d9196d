//! Process start-up shared by every binary: the tracing subscriber and its settings, and the
//! cache directory of installed models.
//!
//! Invariant: this is the only crate that reads environment variables for logging and paths.

mod cache_dir;
mod log_format;
mod tracing_init;

pub use cache_dir::cache_dir;
pub use log_format::LogFormat;
pub use tracing_init::init_tracing;
