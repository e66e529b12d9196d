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
    JobStatus::parse(text)
        .ok_or_else(|| SqliteError::UnreadableValue(format!("job status {text:?}")))
}

/// Parses a stored intent name.
pub(crate) fn intent_from_text(text: &str) -> Result<Intent, SqliteError> {
    Intent::parse(text).ok_or_else(|| SqliteError::UnreadableValue(format!("intent {text:?}")))
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
    fn every_intent_parses_from_its_wire_name() {
        for intent in Intent::ALL {
            assert_eq!(intent_from_text(intent.as_str()).unwrap(), intent);
        }
        assert!(matches!(
            intent_from_text("sing"),
            Err(SqliteError::UnreadableValue(_))
        ));
    }

    #[test]
    fn every_status_parses_from_its_wire_name() {
        for status in JobStatus::ALL {
            assert_eq!(job_status_from_text(status.as_str()).unwrap(), status);
        }
        assert!(matches!(
            job_status_from_text("paused"),
            Err(SqliteError::UnreadableValue(_))
        ));
    }
}
