//! The error every pipeline step returns, classified for retry routing.
//!
//! Invariant: messages are safe to show to users and never contain secrets.

use contracts::error::{ErrorKind, StageFailure};

/// A failed step: its retry class and a safe message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct StepError {
    /// Retry class.
    pub kind: ErrorKind,
    /// Safe, human-readable reason.
    pub message: String,
}

impl StepError {
    /// A failure that no retry can fix.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        StepError {
            kind: ErrorKind::InvalidInput,
            message: message.into(),
        }
    }

    /// A failure a retry may fix.
    pub fn transient(message: impl Into<String>) -> Self {
        StepError {
            kind: ErrorKind::Transient,
            message: message.into(),
        }
    }

    /// A bug or broken configuration.
    pub fn fatal(message: impl Into<String>) -> Self {
        StepError {
            kind: ErrorKind::Fatal,
            message: message.into(),
        }
    }

    /// The retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The wire form recorded on the job.
    pub fn to_stage_failure(&self, stage: &str) -> StageFailure {
        StageFailure {
            kind: self.kind,
            stage: Some(stage.to_owned()),
            message: self.message.clone(),
        }
    }
}

impl From<crate::language_model::LlmError> for StepError {
    fn from(err: crate::language_model::LlmError) -> Self {
        StepError {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}

impl From<crate::embedder::EmbedError> for StepError {
    fn from(err: crate::embedder::EmbedError) -> Self {
        StepError {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}
