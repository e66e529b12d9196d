//! Building the SQS and Step Functions clients once per process, with an optional endpoint
//! override for emulators.
//!
//! Invariant: credentials come only from the default provider chain (environment, container or
//! instance role); this module never reads or logs them.

use aws_config::{BehaviorVersion, Region};

/// Where the AWS APIs are.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// Region; `None` uses the provider chain's region (e.g. `AWS_REGION`).
    pub region: Option<String>,
    /// Endpoint of an emulator such as `moto_server`; `None` means the real AWS endpoints.
    pub endpoint_url: Option<String>,
}

/// The clients of one process.
#[derive(Debug, Clone)]
pub struct AwsClients {
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// Step Functions.
    pub sfn: aws_sdk_sfn::Client,
}

impl AwsClients {
    /// Loads the shared configuration and builds every client.
    pub async fn connect(settings: &AwsSettings) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint_url) = &settings.endpoint_url {
            loader = loader.endpoint_url(endpoint_url);
        }
        let sdk_config = loader.load().await;
        let mut sqs_config = aws_sdk_sqs::config::Builder::from(&sdk_config);
        let mut sfn_config = aws_sdk_sfn::config::Builder::from(&sdk_config);
        if let Some(recorder) = aws_call_log::recorder_from_env() {
            sqs_config = sqs_config.interceptor(recorder.clone());
            sfn_config = sfn_config.interceptor(recorder);
        }
        AwsClients {
            sqs: aws_sdk_sqs::Client::from_conf(sqs_config.build()),
            sfn: aws_sdk_sfn::Client::from_conf(sfn_config.build()),
        }
    }
}
