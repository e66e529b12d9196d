//! The size limits of the Step Functions report calls, applied before a report is sent:
//! `SendTaskSuccess.output` at most 262,144 bytes, `SendTaskFailure.cause` at most 32,768 and
//! `error` at most 256 characters. A report over a limit would be refused with a
//! `ValidationException`, redelivered with the same answer until it reached the dead-letter
//! queue, while the Task died by heartbeat.
//!
//! Invariant: a bounded text says that it was cut ("…[truncated N bytes]"), and JSON is never
//! cut: a cause stays a parseable `StageFailure`, and an output over the limit becomes a
//! failure that says why.

use contracts::error::{ErrorKind, StageFailure};

/// Largest `output` of `SendTaskSuccess`, in bytes (256 KiB).
pub const MAX_OUTPUT_BYTES: usize = 262_144;
/// Largest `cause` of `SendTaskFailure`; counted in bytes, which are never fewer than the
/// characters the API counts.
pub const MAX_CAUSE_BYTES: usize = 32_768;
/// Largest `error` of `SendTaskFailure`, in characters.
pub const MAX_ERROR_CHARS: usize = 256;

/// The failure to report instead of an output of `output_bytes` bytes, `None` when it fits.
pub(crate) fn oversized_output_failure(output_bytes: usize) -> Option<StageFailure> {
    (output_bytes > MAX_OUTPUT_BYTES).then(|| StageFailure {
        kind: ErrorKind::Fatal,
        stage: None,
        message: format!(
            "the stage's output is {output_bytes} bytes; Step Functions accepts at most {MAX_OUTPUT_BYTES} bytes from SendTaskSuccess"
        ),
    })
}

/// `failure` as the JSON cause of `SendTaskFailure`, its message cut so the whole fits.
pub(crate) fn bounded_cause(failure: &StageFailure) -> String {
    let cause = serialize(failure);
    if cause.len() <= MAX_CAUSE_BYTES {
        return cause;
    }
    let message = failure.message.as_str();
    let cut_to = |kept_bytes: usize| {
        let kept_bytes = floor_char_boundary(message, kept_bytes);
        let cut = StageFailure {
            message: format!(
                "{}{}",
                &message[..kept_bytes],
                truncation_marker(message.len() - kept_bytes)
            ),
            ..failure.clone()
        };
        serialize(&cut)
    };
    // The longest kept prefix whose JSON fits (JSON escapes make it shorter than the excess).
    let (mut fitting, mut too_long) = (0, message.len());
    while fitting + 1 < too_long {
        let middle = fitting + (too_long - fitting) / 2;
        if cut_to(middle).len() <= MAX_CAUSE_BYTES {
            fitting = middle;
        } else {
            too_long = middle;
        }
    }
    cut_to(fitting)
}

fn serialize(failure: &StageFailure) -> String {
    serde_json::to_string(failure).expect("a stage failure always serializes")
}

/// `error` cut to [`MAX_ERROR_CHARS`] characters.
pub(crate) fn bounded_error(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

fn truncation_marker(n_cut_bytes: usize) -> String {
    format!("…[truncated {n_cut_bytes} bytes]")
}

/// The largest index at or below `index` that starts a character of `text`.
fn floor_char_boundary(text: &str, index: usize) -> usize {
    (0..=index.min(text.len()))
        .rev()
        .find(|idx| text.is_char_boundary(*idx))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(message: String) -> StageFailure {
        StageFailure {
            kind: ErrorKind::Transient,
            stage: Some("execute".to_owned()),
            message,
        }
    }

    #[test]
    fn a_cause_within_the_limit_is_sent_as_it_is() {
        let small = failure("the database is unavailable".to_owned());

        let cause = bounded_cause(&small);

        assert_eq!(serde_json::from_str::<StageFailure>(&cause).unwrap(), small);
    }

    #[test]
    fn a_long_message_is_cut_with_a_marker_and_the_cause_stays_json() {
        // Quotes and non-ASCII grow in JSON and must still end under the limit.
        let long = failure("\"é\" ".repeat(20_000));

        let cause = bounded_cause(&long);

        assert!(cause.len() <= MAX_CAUSE_BYTES, "{} bytes", cause.len());
        assert!(cause.len() > MAX_CAUSE_BYTES - 64, "{} bytes", cause.len());
        let parsed: StageFailure = serde_json::from_str(&cause).unwrap();
        assert_eq!(parsed.kind, ErrorKind::Transient);
        assert_eq!(parsed.stage.as_deref(), Some("execute"));
        let (kept, marker) = parsed.message.rsplit_once("…[truncated ").unwrap();
        let n_cut: usize = marker.trim_end_matches(" bytes]").parse().unwrap();
        assert_eq!(kept.len() + n_cut, long.message.len());
    }

    #[test]
    fn an_output_over_256_kib_becomes_a_fatal_failure() {
        assert!(oversized_output_failure(MAX_OUTPUT_BYTES).is_none());

        let failure = oversized_output_failure(MAX_OUTPUT_BYTES + 1).unwrap();

        assert_eq!(failure.kind, ErrorKind::Fatal);
        assert!(
            failure.message.contains("262145 bytes"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn an_error_name_is_cut_to_256_characters() {
        assert_eq!(
            bounded_error(&"é".repeat(300)).chars().count(),
            MAX_ERROR_CHARS
        );
        assert_eq!(bounded_error("Transient"), "Transient");
    }
}
