//! Bounded retries with exponential backoff around one model invocation.
//!
//! Invariant: an invocation runs at most `attempts` times, and only an error marked retryable
//! (throttling, server errors, timeouts, broken connections) is ever retried.

use std::future::Future;
use std::time::Duration;

use ports::language_model::LlmError;

/// Number of attempts when none is configured.
const DEFAULT_ATTEMPTS: u32 = 3;
/// Wait before the first retry when none is configured; it doubles for each further retry.
const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);

/// How often and how patiently a failed invocation is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total number of attempts, the first one included (0 is treated as 1).
    pub attempts: u32,
    /// Wait before the first retry; each further retry waits twice as long as the one before.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waiting 500 ms and then 1 s.
    fn default() -> Self {
        RetryPolicy {
            attempts: DEFAULT_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
        }
    }
}

/// The outcome of one failed attempt.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// Throttling, a server error or a timeout: another attempt may succeed.
    Retryable(LlmError),
    /// Another attempt would fail the same way.
    Final(LlmError),
}

impl RetryPolicy {
    /// Wait before retry number `retry` (1 for the first retry).
    fn delay_before(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor)
    }

    /// Runs `attempt` until it succeeds, fails finally or the attempts are used up; the last
    /// error is returned.
    pub(crate) async fn run<T, F, Fut>(&self, model_id: &str, mut attempt: F) -> Result<T, LlmError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AttemptError>>,
    {
        let attempts = self.attempts.max(1);
        let mut number = 1;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(AttemptError::Final(error)) => return Err(error),
                Err(AttemptError::Retryable(error)) if number >= attempts => return Err(error),
                Err(AttemptError::Retryable(error)) => {
                    let delay = self.delay_before(number);
                    tracing::warn!(model_id, attempt = number, ?delay, %error, "model call failed, retrying");
                    tokio::time::sleep(delay).await;
                    number += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn quick_policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
        }
    }

    #[test]
    fn each_retry_waits_twice_as_long_as_the_one_before() {
        let policy = RetryPolicy::default();

        assert_eq!(policy.delay_before(1), Duration::from_millis(500));
        assert_eq!(policy.delay_before(2), Duration::from_secs(1));
        assert_eq!(policy.delay_before(3), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn a_retryable_error_is_tried_at_most_the_configured_number_of_times() {
        let calls = AtomicU32::new(0);

        let result: Result<(), _> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Retryable(LlmError::Unavailable(
                    "busy".into(),
                )))
            })
            .await;

        assert_eq!(result, Err(LlmError::Unavailable("busy".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_final_error_is_not_retried() {
        let calls = AtomicU32::new(0);

        let result: Result<(), _> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Final(LlmError::Rejected("no".into())))
            })
            .await;

        assert_eq!(result, Err(LlmError::Rejected("no".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn zero_attempts_still_makes_one_attempt() {
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy {
            attempts: 0,
            base_delay: Duration::from_millis(1),
        };

        let result: Result<(), _> = policy
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Retryable(LlmError::Unavailable(
                    "busy".into(),
                )))
            })
            .await;

        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
