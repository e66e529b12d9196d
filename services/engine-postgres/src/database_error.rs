//! Mapping driver and pool errors to [`EngineError`]: the server's own words (message, detail,
//! hint, position) for failed queries, `TimedOut` for cancelled ones, `Unavailable` for
//! connection trouble.
//!
//! Invariant: no message built here contains the connection URL or a password.

use std::time::Duration;

use deadpool_postgres::PoolError;
use tokio_postgres::error::{DbError, ErrorPosition, SqlState};

use ports::sql_engine::EngineError;

/// The engine error for a driver error raised while running a query limited to `timeout`.
pub(crate) fn query_error(err: &tokio_postgres::Error, timeout: Duration) -> EngineError {
    if let Some(db_error) = err.as_db_error() {
        let code = db_error.code();
        if *code == SqlState::QUERY_CANCELED {
            return EngineError::TimedOut(timeout);
        }
        if is_connection_failure(code) {
            return EngineError::Unavailable(server_message(db_error));
        }
        return EngineError::QueryFailed(server_message(db_error));
    }
    if err.is_closed() || source_is_io(err) {
        return EngineError::Unavailable(format!("connection to the database failed: {err}"));
    }
    EngineError::QueryFailed(err.to_string())
}

/// The engine error for a pool that could not hand out a connection.
pub(crate) fn pool_error(err: &PoolError) -> EngineError {
    match err {
        PoolError::Backend(pg_error) => match pg_error.as_db_error() {
            Some(db_error) => EngineError::Unavailable(server_message(db_error)),
            None => EngineError::Unavailable(format!("cannot connect to the database: {pg_error}")),
        },
        other => EngineError::Unavailable(format!("cannot connect to the database: {other}")),
    }
}

/// `ERROR: message (SQLSTATE code) at character N` plus the detail and hint lines.
fn server_message(db_error: &DbError) -> String {
    let mut message = format!(
        "{}: {} (SQLSTATE {})",
        db_error.severity(),
        db_error.message(),
        db_error.code().code()
    );
    if let Some(ErrorPosition::Original(position)) = db_error.position() {
        message.push_str(&format!(" at character {position}"));
    }
    if let Some(detail) = db_error.detail() {
        message.push_str(&format!("\nDETAIL: {detail}"));
    }
    if let Some(hint) = db_error.hint() {
        message.push_str(&format!("\nHINT: {hint}"));
    }
    message
}

/// Connection exceptions (class 08), shutdowns (57P0x) and refused logins (28xxx, 3D000).
fn is_connection_failure(code: &SqlState) -> bool {
    let code = code.code();
    code.starts_with("08")
        || code.starts_with("57P")
        || code.starts_with("28")
        || code == SqlState::UNDEFINED_DATABASE.code()
        || code == SqlState::TOO_MANY_CONNECTIONS.code()
}

fn source_is_io(err: &tokio_postgres::Error) -> bool {
    std::error::Error::source(err).is_some_and(|source| source.is::<std::io::Error>())
}
