//! Sending one AWS request with a few quick retries when the service throttles or fails on its
//! side, and turning an SDK error that is left over into an [`EngineError`].
//!
//! Invariant: only throttling, 5xx answers, timeouts and broken connections are retried; a
//! request the service rejected is never sent again, and an error message never carries
//! credentials (the SDK's error chain holds codes and messages, not signing keys).

use std::error::Error;
use std::future::Future;
use std::time::Duration;

use aws_sdk_athena::config::http::HttpResponse;
use aws_sdk_athena::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use ports::sql_engine::EngineError;

/// Attempts per request, the first one included.
const MAX_ATTEMPTS: u32 = 4;
/// Wait before the first retry; doubled before each further one.
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(100);
/// Error codes AWS services use for throttling.
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
];

/// Sends the request built by `send` until it succeeds, fails for good, or has been tried
/// [`MAX_ATTEMPTS`] times; returns the last error.
pub(crate) async fn send_with_retry<T, E, Send, Sent>(
    operation: &'static str,
    mut send: Send,
) -> Result<T, SdkError<E, HttpResponse>>
where
    Send: FnMut() -> Sent,
    Sent: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata,
{
    let mut delay = FIRST_RETRY_DELAY;
    let mut attempt = 1;
    loop {
        match send().await {
            Ok(output) => return Ok(output),
            Err(err) if attempt < MAX_ATTEMPTS && is_transient(&err) => {
                tracing::debug!(
                    operation,
                    attempt,
                    error.code = err.code().unwrap_or("none"),
                    "transient aws error, retrying"
                );
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// Whether a retry of the request may succeed.
pub(crate) fn is_transient<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(failure) => !failure.is_user(),
        SdkError::ServiceError(service_error) => {
            let status = service_error.raw().status().as_u16();
            status == 429
                || status >= 500
                || service_error
                    .err()
                    .code()
                    .is_some_and(|code| THROTTLING_CODES.contains(&code))
        }
        _ => false,
    }
}

/// `Unavailable` naming the operation, with the SDK's whole error chain.
pub(crate) fn unavailable<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> EngineError
where
    E: Error + 'static,
{
    EngineError::Unavailable(format!("{operation}: {}", DisplayErrorContext(err)))
}

/// The service's own message when it rejected the request as invalid (code
/// `InvalidRequestException`), which is about the query rather than the service.
pub(crate) fn rejection_message<E: ProvideErrorMetadata>(
    err: &SdkError<E, HttpResponse>,
) -> Option<String> {
    match err {
        SdkError::ServiceError(service_error)
            if service_error.err().code() == Some("InvalidRequestException") =>
        {
            Some(
                service_error
                    .err()
                    .message()
                    .unwrap_or("athena rejected the query")
                    .to_owned(),
            )
        }
        _ => None,
    }
}
