//! Which failures of a remote model or embedding provider another attempt may cure: HTTP
//! statuses and transport errors of OpenAI-compatible servers ([`http`]) and AWS SDK errors of
//! Bedrock ([`aws`]), each sorted into a [`Failure`] that the caller turns into its own
//! [`AttemptError`] for the shared [`ports::retry::RetryPolicy`].
//!
//! Invariant: this crate alone decides what is retryable (throttling, capacity, server errors,
//! timeouts, broken connections); the clients only name the error type each side becomes.

pub mod aws;
pub mod http;

use ports::retry::AttemptError;

/// One failed provider call, sorted: the message to report and whether another attempt may
/// succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Whether another attempt may succeed.
    pub retryable: bool,
    /// What went wrong, safe to show (no URL, no credentials).
    pub message: String,
}

impl Failure {
    /// The failure as an attempt error: `retryable` wraps the message of a failure another
    /// attempt may cure, `final_error` that of one it will not.
    pub fn into_attempt<E>(
        self,
        retryable: impl FnOnce(String) -> E,
        final_error: impl FnOnce(String) -> E,
    ) -> AttemptError<E> {
        if self.retryable {
            AttemptError::Retryable(retryable(self.message))
        } else {
            AttemptError::Final(final_error(self.message))
        }
    }
}

/// Whether an HTTP status may pass on retry: 429 (throttling) and every 5xx.
pub fn status_is_retryable(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_server_statuses_are_retryable_and_the_rest_are_not() {
        for status in [429, 500, 502, 503, 504, 599] {
            assert!(status_is_retryable(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 408, 413, 424, 428, 600] {
            assert!(!status_is_retryable(status), "{status}");
        }
    }

    #[derive(Debug, PartialEq)]
    enum Seen {
        Unavailable(String),
        Rejected(String),
    }

    #[test]
    fn a_failure_becomes_the_attempt_error_of_its_class() {
        let retryable = Failure {
            retryable: true,
            message: "busy".to_owned(),
        };
        let final_failure = Failure {
            retryable: false,
            message: "no".to_owned(),
        };

        assert!(matches!(
            retryable.into_attempt(Seen::Unavailable, Seen::Rejected),
            AttemptError::Retryable(Seen::Unavailable(message)) if message == "busy"
        ));
        assert!(matches!(
            final_failure.into_attempt(Seen::Unavailable, Seen::Rejected),
            AttemptError::Final(Seen::Rejected(message)) if message == "no"
        ));
    }
}
