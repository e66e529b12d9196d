//! Failures of an HTTP provider (an OpenAI-compatible server) called with reqwest.

use reqwest::StatusCode;

use crate::{Failure, status_is_retryable};

/// Characters of an error body kept in an error message.
const ERROR_BODY_EXCERPT: usize = 200;

/// A request that never got a status: timeouts and connection failures may pass on retry.
/// `endpoint` names the called API in the message (`"embeddings request failed: ..."`).
pub fn transport_failure(endpoint: &str, error: reqwest::Error) -> Failure {
    // Without the URL: it is ours, and a proxy URL could carry credentials.
    let error = error.without_url();
    Failure {
        retryable: error.is_timeout() || error.is_connect() || error.is_request(),
        message: format!("{endpoint} request failed: {error}"),
    }
}

/// A non-success status: throttling and server errors may pass on retry, the rest will not.
/// The message keeps the start of the error body.
pub fn status_failure(endpoint: &str, status: StatusCode, body: &str) -> Failure {
    let excerpt: String = body.chars().take(ERROR_BODY_EXCERPT).collect();
    Failure {
        retryable: status_is_retryable(status.as_u16()),
        message: format!("{endpoint} endpoint answered {status}: {excerpt}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_server_errors_are_retryable_and_client_errors_are_not() {
        for status in [
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            assert!(status_failure("chat", status, "").retryable, "{status}");
        }
        for status in [
            StatusCode::BAD_REQUEST,
            StatusCode::UNAUTHORIZED,
            StatusCode::NOT_FOUND,
        ] {
            assert!(!status_failure("chat", status, "").retryable, "{status}");
        }
    }

    #[test]
    fn the_message_names_the_endpoint_and_the_status_and_keeps_200_characters_of_the_body() {
        let body = "x".repeat(500);

        let failure = status_failure("embeddings", StatusCode::BAD_GATEWAY, &body);

        assert_eq!(
            failure.message,
            format!(
                "embeddings endpoint answered 502 Bad Gateway: {}",
                "x".repeat(200)
            )
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_retryable_and_its_message_has_no_url() {
        // Bound, then dropped: nothing listens on the port any more.
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let error = reqwest::Client::new()
            .post(format!("http://{address}/v1/embeddings?key=secret"))
            .send()
            .await
            .unwrap_err();

        let failure = transport_failure("embeddings", error);

        assert!(failure.retryable, "{failure:?}");
        assert!(failure.message.starts_with("embeddings request failed: "));
        assert!(!failure.message.contains("secret"), "{}", failure.message);
    }
}
