//! Errors raised inside the PostgreSQL store and their mapping onto the ports' `StoreError`.
//!
//! Invariant: every variant maps to exactly one `ErrorKind` and one `StoreError` variant, and no
//! message ever contains the connection URL.

use std::error::Error as _;

use contracts::error::ErrorKind;
use ports::store_error::StoreError;
use tokio_postgres::error::SqlState;

/// A store operation failed inside PostgreSQL, the pool, or while decoding what came back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PostgresError {
    /// The server could not be reached, the pool timed out, or the server is busy.
    #[error("postgres unavailable: {0}")]
    Unavailable(String),
    /// A write broke a uniqueness, foreign-key or check constraint, or carried a bad value.
    #[error("write violates a constraint: {0}")]
    ConstraintViolated(String),
    /// An update named a job that does not exist.
    #[error("no job with id {0}")]
    UnknownJob(String),
    /// A stored value could not be decoded into its domain type.
    #[error("stored value is unreadable: {0}")]
    UnreadableValue(String),
    /// The configuration cannot work with this database (bad URL, pool size, dimension).
    #[error("store misconfigured: {0}")]
    Misconfigured(String),
    /// PostgreSQL rejected a statement; a bug or a broken migration.
    #[error("postgres rejected the operation: {0}")]
    Rejected(String),
}

impl PostgresError {
    /// Retry class of this error.
    pub(crate) fn kind(&self) -> ErrorKind {
        match self {
            PostgresError::Unavailable(_) => ErrorKind::Transient,
            PostgresError::ConstraintViolated(_) | PostgresError::UnknownJob(_) => {
                ErrorKind::InvalidInput
            }
            PostgresError::UnreadableValue(_)
            | PostgresError::Misconfigured(_)
            | PostgresError::Rejected(_) => ErrorKind::Fatal,
        }
    }
}

impl From<PostgresError> for StoreError {
    fn from(err: PostgresError) -> Self {
        let message = err.to_string();
        match err.kind() {
            ErrorKind::Transient => StoreError::Unavailable(message),
            ErrorKind::InvalidInput => StoreError::Conflict(message),
            ErrorKind::Fatal => StoreError::Corrupt(message),
        }
    }
}

impl From<tokio_postgres::Error> for PostgresError {
    fn from(err: tokio_postgres::Error) -> Self {
        let message = match err.as_db_error() {
            Some(db_error) => format!("{} ({})", db_error.message(), db_error.code().code()),
            None => err.to_string(),
        };
        if let Some(code) = err.code() {
            return from_sql_state(code, message);
        }
        let lost_connection = err.is_closed()
            || err
                .source()
                .is_some_and(|source| source.is::<std::io::Error>());
        if lost_connection {
            PostgresError::Unavailable(message)
        } else if message.starts_with("error deserializing") {
            PostgresError::UnreadableValue(message)
        } else {
            PostgresError::Rejected(message)
        }
    }
}

impl From<deadpool_postgres::PoolError> for PostgresError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        match err {
            deadpool_postgres::PoolError::Backend(backend) => {
                PostgresError::Unavailable(format!("cannot open a connection: {backend}"))
            }
            other => PostgresError::Unavailable(format!("connection pool: {other}")),
        }
    }
}

impl From<serde_json::Error> for PostgresError {
    fn from(err: serde_json::Error) -> Self {
        PostgresError::UnreadableValue(format!("bad json: {err}"))
    }
}

/// The error for a server error code.
fn from_sql_state(code: &SqlState, message: String) -> PostgresError {
    let class = code.code().get(..2).unwrap_or_default();
    let busy = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::QUERY_CANCELED,
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    if busy.contains(code) || matches!(class, "08" | "53" | "58") {
        PostgresError::Unavailable(message)
    } else if class == "23" || *code == SqlState::DATA_EXCEPTION {
        // `22000` is what pgvector raises for a vector of the wrong dimension.
        PostgresError::ConstraintViolated(message)
    } else {
        PostgresError::Rejected(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_violation_is_a_conflict() {
        let error = from_sql_state(&SqlState::UNIQUE_VIOLATION, "duplicate key".into());

        assert!(matches!(StoreError::from(error), StoreError::Conflict(_)));
    }

    #[test]
    fn a_serialization_failure_or_lost_connection_is_transient() {
        for code in [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::CONNECTION_FAILURE,
            SqlState::TOO_MANY_CONNECTIONS,
        ] {
            let store_error = StoreError::from(from_sql_state(&code, "busy".into()));

            assert!(matches!(store_error, StoreError::Unavailable(_)));
            assert_eq!(store_error.kind(), ErrorKind::Transient);
        }
    }

    #[test]
    fn an_unreadable_value_or_a_misconfiguration_is_fatal() {
        for error in [
            PostgresError::UnreadableValue("status 'paused'".into()),
            PostgresError::Misconfigured("dimension".into()),
            from_sql_state(&SqlState::UNDEFINED_TABLE, "no table".into()),
        ] {
            let store_error = StoreError::from(error);

            assert!(matches!(store_error, StoreError::Corrupt(_)));
            assert_eq!(store_error.kind(), ErrorKind::Fatal);
        }
    }

    #[test]
    fn an_unknown_job_is_a_conflict() {
        let store_error = StoreError::from(PostgresError::UnknownJob("job-1".into()));

        assert!(matches!(store_error, StoreError::Conflict(_)));
    }
}
