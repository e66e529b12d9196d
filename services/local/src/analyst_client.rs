//! A small HTTP client of the analyst API: submit a question and poll its job.
//!
//! Invariant: the key is only ever sent in the `Authorization` header, never printed.

use std::time::Duration;

use contracts::api::{ApiErrorBody, JobView, SubmitQuestionRequest, SubmitQuestionResponse};
use reqwest::StatusCode;
use tokio::time::Instant;
use uuid::Uuid;

/// Pause between two polls of a job.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How long to wait for a job to finish.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(60);

/// A call to the API failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached or answered something that is not the expected JSON.
    #[error("request to {url} failed: {source}")]
    Transport {
        /// URL called.
        url: String,
        /// Cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error body.
    #[error("server answered {status}: {message} ({code})")]
    Api {
        /// HTTP status.
        status: StatusCode,
        /// Machine-readable code.
        code: String,
        /// Human-readable message.
        message: String,
    },
    /// The job did not finish in time.
    #[error("job {job_id} did not finish within {timeout:?}")]
    TimedOut {
        /// The job.
        job_id: Uuid,
        /// How long we waited.
        timeout: Duration,
    },
}

/// Client of one analyst server with one key.
#[derive(Debug, Clone)]
pub struct AnalystClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl AnalystClient {
    /// A client of the server at `base_url` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base_url: &str, api_key: &str) -> Self {
        AnalystClient {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
        }
    }

    /// Submits a question; returns the accepted job.
    pub async fn submit(
        &self,
        question: &str,
        datasource: Option<&str>,
    ) -> Result<SubmitQuestionResponse, ClientError> {
        let url = format!("{}/v1/questions", self.base_url);
        let submit_question_request = SubmitQuestionRequest {
            question: question.to_owned(),
            datasource: datasource.map(str::to_owned),
            conversation_id: None,
            sql: None,
        };
        let request = self
            .http
            .post(&url)
            .bearer_auth(&self.api_key)
            .json(&submit_question_request);
        self.send_json(&url, request).await
    }

    /// The job as it stands now.
    pub async fn get_job(&self, job_id: Uuid) -> Result<JobView, ClientError> {
        let url = format!("{}/v1/questions/{job_id}", self.base_url);
        let request = self.http.get(&url).bearer_auth(&self.api_key);
        self.send_json(&url, request).await
    }

    /// Polls every `interval` until the job is `succeeded` or `failed`, for at most `timeout`.
    pub async fn wait_for_job(
        &self,
        job_id: Uuid,
        interval: Duration,
        timeout: Duration,
    ) -> Result<JobView, ClientError> {
        let deadline = Instant::now() + timeout;
        loop {
            let job_view = self.get_job(job_id).await?;
            if job_view.status.is_terminal() {
                return Ok(job_view);
            }
            if Instant::now() + interval > deadline {
                return Err(ClientError::TimedOut { job_id, timeout });
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Submits a question and waits for its job with [`POLL_INTERVAL`] and [`POLL_TIMEOUT`].
    pub async fn ask(
        &self,
        question: &str,
        datasource: Option<&str>,
    ) -> Result<JobView, ClientError> {
        let submit_question_response = self.submit(question, datasource).await?;
        self.wait_for_job(submit_question_response.job_id, POLL_INTERVAL, POLL_TIMEOUT)
            .await
    }

    async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let transport_error = |source| ClientError::Transport {
            url: url.to_owned(),
            source,
        };
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if status.is_success() {
            return response.json::<T>().await.map_err(transport_error);
        }
        let body = response.text().await.map_err(transport_error)?;
        Err(match serde_json::from_str::<ApiErrorBody>(&body) {
            Ok(api_error_body) => ClientError::Api {
                status,
                code: api_error_body.error.code,
                message: api_error_body.error.message,
            },
            Err(_) => ClientError::Api {
                status,
                code: "unexpected_response".to_owned(),
                message: body,
            },
        })
    }
}
