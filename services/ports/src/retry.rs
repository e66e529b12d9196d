//! [`RetryPolicy`]: bounded retries with exponential backoff around one remote call, shared by
//! every adapter that calls a provider (embedders, language models).
//!
//! Invariant: a call runs at most `attempts` times, and only an error its caller marked
//! [`AttemptError::Retryable`] (throttling, server errors, timeouts, broken connections) is
//! ever retried.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

/// How often and how patiently a failed call is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total number of attempts, the first one included (0 is treated as 1).
    pub attempts: u32,
    /// Wait before the first retry; each further retry waits twice as long as the one before.
    pub base_delay: Duration,
}

impl RetryPolicy {
    /// `attempts` attempts, waiting `base_delay` before the first retry.
    pub const fn new(attempts: u32, base_delay: Duration) -> Self {
        RetryPolicy {
            attempts,
            base_delay,
        }
    }
}

impl Default for RetryPolicy {
    /// Three attempts, waiting 500 ms and then 1 s.
    fn default() -> Self {
        RetryPolicy::new(3, Duration::from_millis(500))
    }
}

/// The outcome of one failed attempt.
#[derive(Debug)]
pub enum AttemptError<E> {
    /// Throttling, a server error or a timeout: another attempt may succeed.
    Retryable(E),
    /// Another attempt would fail the same way.
    Final(E),
}

impl RetryPolicy {
    /// Wait before retry number `retry` (1 for the first retry).
    pub fn delay_before(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor)
    }

    /// Runs `attempt` until it succeeds, fails finally or the attempts are used up; the last
    /// error is returned. `target` names the called model or service in the logs.
    pub async fn run<T, E, F, Fut>(&self, target: &str, mut attempt: F) -> Result<T, E>
    where
        E: Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AttemptError<E>>>,
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
                    tracing::warn!(target, attempt = number, ?delay, %error, "remote call failed, retrying");
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
        RetryPolicy::new(3, Duration::from_millis(1))
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

        let result: Result<(), String> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Retryable("busy".to_owned()))
            })
            .await;

        assert_eq!(result, Err("busy".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_final_error_is_not_retried() {
        let calls = AtomicU32::new(0);

        let result: Result<(), String> = quick_policy()
            .run("m", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AttemptError::Final("no".to_owned()))
            })
            .await;

        assert_eq!(result, Err("no".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_success_after_a_retryable_error_is_returned_and_zero_attempts_make_one() {
        let calls = AtomicU32::new(0);
        let zero = RetryPolicy::new(0, Duration::from_millis(1));

        let result = quick_policy()
            .run("m", || async {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(AttemptError::Retryable("busy".to_owned()))
                } else {
                    Ok(7)
                }
            })
            .await;
        let once: Result<(), String> = zero
            .run("m", || async {
                Err(AttemptError::Retryable("busy".to_owned()))
            })
            .await;

        assert_eq!(result, Ok(7));
        assert_eq!(once, Err("busy".to_owned()));
    }
}
