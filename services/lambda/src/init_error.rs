//! [`report_init_error`]: a function whose set-up fails says why to the Lambda Runtime API
//! (`POST /runtime/init/error`) before it exits, so Lambda records the reason with the failed
//! cold start instead of a bare exit status.
//!
//! Invariant: the posted message is the error chain, which never holds credentials (the state
//! store URL is a `SecretString`, and connection errors do not echo it); outside Lambda
//! (`AWS_LAMBDA_RUNTIME_API` unset) nothing is sent.

use std::future::Future;
use std::time::Duration;

use serde_json::json;

/// Error type Lambda shows for a failed set-up.
const INIT_ERROR_TYPE: &str = "Runtime.InitError";

/// Longest wait for the Runtime API to take the report.
const REPORT_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs `setup`; when it fails, reports the error to the Runtime API and returns it.
pub async fn reporting_init_error<T>(
    setup: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let result = setup.await;
    if let Err(setup_error) = &result {
        report_init_error(setup_error).await;
    }
    result
}

/// Posts `setup_error` as the function's init error; failures to post are logged.
pub async fn report_init_error(setup_error: &anyhow::Error) {
    let Ok(runtime_api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return;
    };
    let message = format!("{setup_error:#}");
    tracing::error!(error.message = %message, "function set-up failed");
    let posted = reqwest::Client::new()
        .post(format!(
            "http://{runtime_api}/2018-06-01/runtime/init/error"
        ))
        .header("Lambda-Runtime-Function-Error-Type", INIT_ERROR_TYPE)
        .json(&json!({ "errorType": INIT_ERROR_TYPE, "errorMessage": message }))
        .timeout(REPORT_TIMEOUT)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status);
    if let Err(post_error) = posted {
        tracing::warn!(error.message = %post_error, "the init error could not be reported");
    }
}
