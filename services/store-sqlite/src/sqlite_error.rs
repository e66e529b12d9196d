//! Errors raised inside the SQLite store and their mapping onto the ports' `StoreError`.
//!
//! Invariant: every variant maps to exactly one `ErrorKind` and one `StoreError` variant.

use contracts::error::ErrorKind;
use ports::store_error::StoreError;
use rusqlite::ErrorCode;

/// A store operation failed inside SQLite or while decoding what SQLite returned.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SqliteError {
    /// The database is busy, locked, full or cannot be opened; retrying may help.
    #[error("sqlite database unavailable: {0}")]
    Unavailable(String),
    /// A write broke a uniqueness, foreign-key or check constraint.
    #[error("write violates a constraint: {0}")]
    ConstraintViolated(String),
    /// An update named a job that does not exist.
    #[error("no job with id {0}")]
    UnknownJob(String),
    /// A stored value could not be decoded into its domain type.
    #[error("stored value is unreadable: {0}")]
    UnreadableValue(String),
    /// SQLite rejected a statement or the database file is damaged; a bug or a bad migration.
    #[error("sqlite rejected the operation: {0}")]
    Rejected(String),
    /// The blocking task that ran the SQLite work did not finish.
    #[error("sqlite task did not finish: {0}")]
    TaskAborted(String),
}

impl SqliteError {
    /// Retry class of this error.
    pub(crate) fn kind(&self) -> ErrorKind {
        match self {
            SqliteError::Unavailable(_) | SqliteError::TaskAborted(_) => ErrorKind::Transient,
            SqliteError::ConstraintViolated(_) | SqliteError::UnknownJob(_) => {
                ErrorKind::InvalidInput
            }
            SqliteError::UnreadableValue(_) | SqliteError::Rejected(_) => ErrorKind::Fatal,
        }
    }
}

impl From<SqliteError> for StoreError {
    fn from(err: SqliteError) -> Self {
        let message = err.to_string();
        match err.kind() {
            ErrorKind::Transient => StoreError::Unavailable(message),
            ErrorKind::InvalidInput => StoreError::Conflict(message),
            ErrorKind::Fatal => StoreError::Corrupt(message),
        }
    }
}

impl From<rusqlite::Error> for SqliteError {
    fn from(err: rusqlite::Error) -> Self {
        let message = err.to_string();
        match err.sqlite_error_code() {
            Some(
                ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::DiskFull
                | ErrorCode::OutOfMemory
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::FileLockingProtocolFailed
                | ErrorCode::OperationInterrupted,
            ) => SqliteError::Unavailable(message),
            Some(ErrorCode::ConstraintViolation) => SqliteError::ConstraintViolated(message),
            Some(_) => SqliteError::Rejected(message),
            None => match err {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::Utf8Error(..) => SqliteError::UnreadableValue(message),
                _ => SqliteError::Rejected(message),
            },
        }
    }
}

impl From<serde_json::Error> for SqliteError {
    fn from(err: serde_json::Error) -> Self {
        SqliteError::UnreadableValue(format!("bad json: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_a_transient_store_error() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );

        let store_error = StoreError::from(SqliteError::from(busy));

        assert!(matches!(store_error, StoreError::Unavailable(_)));
        assert_eq!(store_error.kind(), ErrorKind::Transient);
    }

    #[test]
    fn a_constraint_violation_is_a_conflict() {
        let violation = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
            None,
        );

        let store_error = StoreError::from(SqliteError::from(violation));

        assert!(matches!(store_error, StoreError::Conflict(_)));
    }

    #[test]
    fn an_unreadable_value_is_corrupt_data() {
        let store_error = StoreError::from(SqliteError::UnreadableValue("status 'paused'".into()));

        assert!(matches!(store_error, StoreError::Corrupt(_)));
        assert_eq!(store_error.kind(), ErrorKind::Fatal);
    }
}
