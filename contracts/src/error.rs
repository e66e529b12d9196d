//! Error kinds that retry and catch rules route on, and the wire form of a stage failure.
//!
//! Invariant: the string names of `ErrorKind` are the `ErrorEquals` names in `statemachines/`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a failure should be handled by whoever retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input can never succeed (bad question, unknown datasource, unanswerable); do not retry.
    InvalidInput,
    /// A retry may succeed (timeouts, throttling, a store briefly unavailable).
    Transient,
    /// A bug or broken configuration; do not retry.
    Fatal,
}

impl ErrorKind {
    /// The name used as the error name in Amazon States Language `Retry`/`Catch` rules.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::Transient => "Transient",
            ErrorKind::Fatal => "Fatal",
        }
    }

    /// Parses an error name produced by [`ErrorKind::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "InvalidInput" => Some(ErrorKind::InvalidInput),
            "Transient" => Some(ErrorKind::Transient),
            "Fatal" => Some(ErrorKind::Fatal),
            _ => None,
        }
    }
}

/// A failed stage as recorded on the job and shown by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageFailure {
    /// Retry class of the failure.
    pub kind: ErrorKind,
    /// Stage that failed (`classify`, `cache_lookup`, `generate_sql`, `execute`, `explain`).
    #[serde(default)]
    pub stage: Option<String>,
    /// Safe, human-readable reason; never contains secrets.
    pub message: String,
}
