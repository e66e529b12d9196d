//! Timestamps as stored: RFC 3339 UTC text with nine fractional digits.
//!
//! Invariant: the text has a fixed width for years 0 to 9999, so comparing texts compares times.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::sqlite_error::SqliteError;

/// The stored text of a time, e.g. `2024-05-01T12:00:00.000000000Z`.
pub(crate) fn timestamp_to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// Parses text written by [`timestamp_to_text`].
pub(crate) fn timestamp_from_text(text: &str) -> Result<DateTime<Utc>, SqliteError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|err| SqliteError::UnreadableValue(format!("timestamp {text:?}: {err}")))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_time_round_trips_with_nanoseconds() {
        let at = Utc
            .timestamp_opt(1_714_564_800, 123_456_789)
            .single()
            .unwrap();

        let text = timestamp_to_text(at);

        assert_eq!(text, "2024-05-01T12:00:00.123456789Z");
        assert_eq!(timestamp_from_text(&text).unwrap(), at);
    }

    #[test]
    fn text_order_is_time_order() {
        let earlier = Utc
            .timestamp_opt(1_714_564_800, 900_000_000)
            .single()
            .unwrap();
        let later = Utc.timestamp_opt(1_714_564_801, 0).single().unwrap();

        assert!(timestamp_to_text(earlier) < timestamp_to_text(later));
    }

    #[test]
    fn garbage_is_an_unreadable_value() {
        assert!(matches!(
            timestamp_from_text("yesterday"),
            Err(SqliteError::UnreadableValue(_))
        ));
    }
}
