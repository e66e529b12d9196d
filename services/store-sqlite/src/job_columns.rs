//! Conversions between job fields and the text stored in the `jobs` table: status, intent and
//! job id.
//!
//! Invariant: the stored names are the wire names from `contracts`, so the table reads like the
//! API.

use contracts::api::JobStatus;
use contracts::stages::Intent;
use uuid::Uuid;

use crate::sqlite_error::SqliteError;

/// Parses a stored status name.
pub(crate) fn job_status_from_text(text: &str) -> Result<JobStatus, SqliteError> {
    [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
    ]
    .into_iter()
    .find(|status| status.as_str() == text)
    .ok_or_else(|| SqliteError::UnreadableValue(format!("job status {text:?}")))
}

/// The stored name of an intent (its wire name, e.g. `out_of_scope`).
pub(crate) fn intent_to_text(intent: Intent) -> Result<String, SqliteError> {
    match serde_json::to_value(intent)? {
        serde_json::Value::String(name) => Ok(name),
        other => Err(SqliteError::UnreadableValue(format!(
            "intent serialized as {other}"
        ))),
    }
}

/// Parses a name written by [`intent_to_text`].
pub(crate) fn intent_from_text(text: &str) -> Result<Intent, SqliteError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        text.to_owned(),
    ))?)
}

/// Parses a stored job id.
pub(crate) fn job_id_from_text(text: &str) -> Result<Uuid, SqliteError> {
    Uuid::parse_str(text)
        .map_err(|err| SqliteError::UnreadableValue(format!("job id {text:?}: {err}")))
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
            Err(SqliteError::UnreadableValue(_))
        ));
    }
}
