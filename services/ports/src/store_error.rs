//! Errors of the state stores (jobs, cache, few-shot, keys, schema snapshots).
//!
//! Invariant: every variant maps to exactly one `ErrorKind`.

use contracts::error::ErrorKind;

use crate::step_error::StepError;

/// A store operation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The store could not be reached or was busy; retrying may help.
    #[error("state store unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded; a bug or a broken migration.
    #[error("state store holds unreadable data: {0}")]
    Corrupt(String),
    /// The write conflicts with existing data (e.g. a duplicate key).
    #[error("conflicting write: {0}")]
    Conflict(String),
}

impl StoreError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::Unavailable(_) => ErrorKind::Transient,
            StoreError::Corrupt(_) => ErrorKind::Fatal,
            StoreError::Conflict(_) => ErrorKind::InvalidInput,
        }
    }
}

impl From<StoreError> for StepError {
    fn from(err: StoreError) -> Self {
        StepError {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}
