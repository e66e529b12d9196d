//! Bounded retries with exponential backoff, shared by every remote embedder.
//!
//! Invariant: an operation runs at most `attempts` times, and only an error marked retryable is
//! ever retried.

use std::future::Future;
use std::time::Duration;

use ports::embedder::EmbedError;

/// Number of attempts when none is configured.
const DEFAULT_ATTEMPTS: u32 = 3;
/// Wait before the first retry when none is configured; it doubles for each further retry.
const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(200);

/// How often and how patiently a failed call is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total number of attempts, the first one included (at least 1).
    pub attempts: u32,
    /// Wait before the first retry; each further retry waits twice as long as the one before.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waiting 200 ms and then 400 ms.
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
    Retryable(EmbedError),
    /// Another attempt would fail the same way.
    Final(EmbedError),
}

impl RetryPolicy {
    /// Wait before retry number `retry` (1 for the first retry).
    fn delay_before(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor)
    }

    /// Runs `attempt` until it succeeds, fails finally or the attempts are used up; the last
    /// error is returned.
    pub(crate) async fn run<T, F, Fut>(&self, model: &str, mut attempt: F) -> Result<T, EmbedError>
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
                    tracing::warn!(model, attempt = number, ?delay, %error, "embedding call failed, retrying");
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

        assert_eq!(policy.delay_before(1), Duration::from_millis(200));
        assert_eq!(policy.delay_before(2), Duration::from_millis(400));
        assert_eq!(policy.delay_before(3), Duration::from_millis(800));
    }

    #[tokio::test]
    async fn a_retryable_error_is_tried_at_most_three_times() {
        let calls = AtomicU32::new(0);

        let result: Result<(), _> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Retryable(EmbedError::Unavailable(
                    "busy".into(),
                )))
            })
            .await;

        assert_eq!(result, Err(EmbedError::Unavailable("busy".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_final_error_is_not_retried() {
        let calls = AtomicU32::new(0);

        let result: Result<(), _> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Final(EmbedError::BadResponse("no".into())))
            })
            .await;

        assert_eq!(result, Err(EmbedError::BadResponse("no".into())));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_success_after_a_retryable_error_is_returned() {
        let calls = AtomicU32::new(0);

        let result = quick_policy()
            .run("m", || async {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(AttemptError::Retryable(EmbedError::Unavailable(
                        "busy".into(),
                    )))
                } else {
                    Ok(7)
                }
            })
            .await;

        assert_eq!(result, Ok(7));
    }
}
