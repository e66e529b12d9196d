//! Conversions between job fields and the values stored in the job tables: status, intent and
//! the integers that PostgreSQL holds as signed `bigint`.
//!
//! Invariant: the stored names are the wire names from `contracts`, so the tables read like the
//! API.

use contracts::api::JobStatus;
use contracts::stages::Intent;

use crate::postgres_error::PostgresError;

/// Parses a stored status name.
pub(crate) fn job_status_from_text(text: &str) -> Result<JobStatus, PostgresError> {
    JobStatus::parse(text)
        .ok_or_else(|| PostgresError::UnreadableValue(format!("job status {text:?}")))
}

/// Parses a stored intent name.
pub(crate) fn intent_from_text(text: &str) -> Result<Intent, PostgresError> {
    Intent::parse(text).ok_or_else(|| PostgresError::UnreadableValue(format!("intent {text:?}")))
}

/// A stored `bigint` that must fit the unsigned Rust type `T` (durations, attempt numbers).
pub(crate) fn unsigned_from_bigint<T: TryFrom<i64>>(
    value: i64,
    what: &str,
) -> Result<T, PostgresError> {
    T::try_from(value).map_err(|_| PostgresError::UnreadableValue(format!("{what} {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_intent_parses_from_its_wire_name() {
        for intent in Intent::ALL {
            assert_eq!(intent_from_text(intent.as_str()).unwrap(), intent);
        }
        assert!(matches!(
            intent_from_text("sing"),
            Err(PostgresError::UnreadableValue(_))
        ));
    }

    #[test]
    fn every_status_parses_from_its_wire_name() {
        for status in JobStatus::ALL {
            assert_eq!(job_status_from_text(status.as_str()).unwrap(), status);
        }
        assert!(matches!(
            job_status_from_text("paused"),
            Err(PostgresError::UnreadableValue(_))
        ));
    }

    #[test]
    fn a_negative_bigint_is_not_a_duration() {
        assert_eq!(unsigned_from_bigint::<u64>(7, "duration").unwrap(), 7);
        assert!(matches!(
            unsigned_from_bigint::<u64>(-1, "duration"),
            Err(PostgresError::UnreadableValue(_))
        ));
    }
}
