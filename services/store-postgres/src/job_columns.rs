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
    [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
    ]
    .into_iter()
    .find(|status| status.as_str() == text)
    .ok_or_else(|| PostgresError::UnreadableValue(format!("job status {text:?}")))
}

/// The stored name of an intent (its wire name, e.g. `out_of_scope`).
pub(crate) fn intent_to_text(intent: Intent) -> Result<String, PostgresError> {
    match serde_json::to_value(intent)? {
        serde_json::Value::String(name) => Ok(name),
        other => Err(PostgresError::UnreadableValue(format!(
            "intent serialized as {other}"
        ))),
    }
}

/// Parses a name written by [`intent_to_text`].
pub(crate) fn intent_from_text(text: &str) -> Result<Intent, PostgresError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_owned(),
    ))?)
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
    fn every_intent_round_trips_through_its_wire_name() {
        for intent in [Intent::Sql, Intent::Chart, Intent::Chat, Intent::OutOfScope] {
            let text = intent_to_text(intent).unwrap();

            assert_eq!(intent_from_text(&text).unwrap(), intent);
        }
        assert_eq!(intent_to_text(Intent::OutOfScope).unwrap(), "out_of_scope");
    }

    #[test]
    fn every_status_parses_from_its_wire_name() {
        for status in [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Succeeded,
            JobStatus::Failed,
        ] {
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
