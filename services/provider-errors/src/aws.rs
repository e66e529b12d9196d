//! Failures of an AWS SDK call (Bedrock `InvokeModel` and `Converse`), sorted by the error's
//! code and HTTP status rather than by the variants of each operation's error type, so every
//! operation is judged by the same rules.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::{Failure, status_is_retryable};

/// Error codes another attempt may cure: throttling, capacity, a model still loading or slow,
/// a server error. Judged by the code whatever the status (`ModelTimeoutException` is a 408).
const RETRYABLE_CODES: [&str; 5] = [
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelTimeoutException",
];

/// Error codes another attempt will not cure: access, an unknown model, a bad request, a
/// model that failed on the input, an exhausted quota.
const FINAL_CODES: [&str; 5] = [
    "AccessDeniedException",
    "ModelErrorException",
    "ResourceNotFoundException",
    "ServiceQuotaExceededException",
    "ValidationException",
];

/// Whether another attempt of the call may succeed: timeouts and dispatch failures (no
/// connection) may, and so may a service error whose code says throttling, capacity or a server
/// error; a service error with a code of neither list is judged by its HTTP status. A response
/// that could not be read and a request that could not be built are final.
pub fn sdk_error_is_retryable<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(context) => {
            service_error_is_retryable(context.err().code(), context.raw().status().as_u16())
        }
        _ => false,
    }
}

/// Whether a service error with `code` (if the service named one) and HTTP `status` may pass
/// on retry.
pub fn service_error_is_retryable(code: Option<&str>, status: u16) -> bool {
    match code {
        Some(code) if RETRYABLE_CODES.contains(&code) => true,
        Some(code) if FINAL_CODES.contains(&code) => false,
        _ => status_is_retryable(status),
    }
}

/// A failed call to the Bedrock model `model_id`, sorted, with the SDK's whole error chain in
/// the message (`"bedrock model <id> failed: ..."`).
pub fn bedrock_model_failure<E>(model_id: &str, error: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    Failure {
        retryable: sdk_error_is_retryable(&error),
        message: format!(
            "bedrock model {model_id} failed: {}",
            DisplayErrorContext(&error)
        ),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_bedrockruntime::operation::converse::ConverseError;
    use aws_sdk_bedrockruntime::operation::invoke_model::InvokeModelError;
    use aws_sdk_bedrockruntime::types::error as bedrock;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    /// Error metadata as the SDK's deserializer leaves it: the code it chose the variant by.
    fn meta(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message("scripted")
            .build()
    }

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn service_error<E>(error: E, status: u16) -> SdkError<E, HttpResponse> {
        SdkError::service_error(error, response(status))
    }

    /// Asserts that the `InvokeModel` and `Converse` errors of `$variant`, answered with
    /// `$status` and carrying the code the SDK chose the variant by, are retryable exactly when
    /// `$retryable` (what the former per-variant matches decided).
    macro_rules! assert_sorted {
        ($variant:ident, $status:expr, $retryable:expr) => {
            assert_sorted!(InvokeModelError, $variant, $status, $retryable);
            assert_sorted!(ConverseError, $variant, $status, $retryable);
        };
        ($operation_error:ident, $variant:ident, $status:expr, $retryable:expr) => {
            let error = $operation_error::$variant(
                bedrock::$variant::builder()
                    .meta(meta(stringify!($variant)))
                    .build(),
            );
            assert_eq!(
                sdk_error_is_retryable(&service_error(error, $status)),
                $retryable,
                "{} {}",
                stringify!($operation_error),
                stringify!($variant)
            );
        };
    }

    #[test]
    fn each_bedrock_error_is_retried_exactly_when_its_variant_was() {
        assert_sorted!(ThrottlingException, 429, true);
        assert_sorted!(ServiceUnavailableException, 503, true);
        assert_sorted!(InternalServerException, 500, true);
        assert_sorted!(ModelNotReadyException, 429, true);
        assert_sorted!(ModelTimeoutException, 408, true);
        assert_sorted!(AccessDeniedException, 403, false);
        assert_sorted!(ModelErrorException, 424, false);
        assert_sorted!(ResourceNotFoundException, 404, false);
        assert_sorted!(ValidationException, 400, false);
        // Converse has no such variant.
        assert_sorted!(InvokeModelError, ServiceQuotaExceededException, 400, false);
    }

    #[test]
    fn a_listed_code_decides_whatever_the_status() {
        assert!(service_error_is_retryable(
            Some("ModelTimeoutException"),
            400
        ));
        assert!(!service_error_is_retryable(
            Some("ValidationException"),
            503
        ));
    }

    #[test]
    fn an_unknown_code_or_none_is_judged_by_the_status() {
        for (code, status, retryable) in [
            (Some("SomeNewException"), 429, true),
            (Some("SomeNewException"), 502, true),
            (Some("SomeNewException"), 409, false),
            (None, 500, true),
            (None, 400, false),
        ] {
            let metadata = match code {
                Some(code) => ErrorMetadata::builder().code(code).build(),
                None => ErrorMetadata::builder().build(),
            };
            assert_eq!(
                sdk_error_is_retryable(&service_error(ConverseError::generic(metadata), status)),
                retryable,
                "{code:?} {status}"
            );
        }
    }

    #[test]
    fn timeouts_and_dispatch_failures_are_retryable_and_unreadable_responses_are_not() {
        let timeout: SdkError<InvokeModelError, HttpResponse> =
            SdkError::timeout_error("attempt timed out");
        let unreachable: SdkError<InvokeModelError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        let unreadable: SdkError<InvokeModelError, HttpResponse> =
            SdkError::response_error("not json", response(200));
        let unbuilt: SdkError<InvokeModelError, HttpResponse> =
            SdkError::construction_failure("no model id");

        assert!(sdk_error_is_retryable(&timeout));
        assert!(sdk_error_is_retryable(&unreachable));
        assert!(!sdk_error_is_retryable(&unreadable));
        assert!(!sdk_error_is_retryable(&unbuilt));
    }

    #[test]
    fn the_message_names_the_model_and_carries_the_error_chain() {
        let error = service_error(
            ConverseError::ThrottlingException(
                bedrock::ThrottlingException::builder()
                    .message("Too many requests")
                    .meta(meta("ThrottlingException"))
                    .build(),
            ),
            429,
        );

        let failure = bedrock_model_failure("m1", error);

        assert!(failure.retryable);
        assert!(
            failure.message.starts_with("bedrock model m1 failed: "),
            "{}",
            failure.message
        );
        assert!(
            failure.message.contains("ThrottlingException"),
            "{}",
            failure.message
        );
    }
}
