//! [`IngestionClients`]: the S3 and Glue clients of the ingestion stages, built once per
//! process, with an optional endpoint override for emulators.
//!
//! Invariant: credentials come only from the default provider chain; this module never reads
//! or logs them.

use aws_config::{BehaviorVersion, Region};

/// The clients the ingestion stages call.
#[derive(Debug, Clone)]
pub struct IngestionClients {
    /// S3 (path-style addressing under an endpoint override, as emulators need).
    pub s3: aws_sdk_s3::Client,
    /// Glue Data Catalog.
    pub glue: aws_sdk_glue::Client,
}

impl IngestionClients {
    /// Loads the shared configuration (region and endpoint override when given) and builds
    /// both clients.
    pub async fn connect(region: Option<&str>, endpoint_url: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        if let Some(endpoint_url) = endpoint_url {
            loader = loader.endpoint_url(endpoint_url);
        }
        let sdk_config = loader.load().await;
        let mut s3_config =
            aws_sdk_s3::config::Builder::from(&sdk_config).force_path_style(endpoint_url.is_some());
        let mut glue_config = aws_sdk_glue::config::Builder::from(&sdk_config);
        if let Some(recorder) = aws_call_log::recorder_from_env() {
            s3_config = s3_config.interceptor(recorder.clone());
            glue_config = glue_config.interceptor(recorder);
        }
        IngestionClients {
            s3: aws_sdk_s3::Client::from_conf(s3_config.build()),
            glue: aws_sdk_glue::Client::from_conf(glue_config.build()),
        }
    }
}
