//! [`AthenaSettings`]: where the engine sends its queries and how it waits for them.
//!
//! Invariant: a settings value that passed [`AthenaSettings::validate`] names a workgroup and a
//! database and polls at a positive, bounded interval.

use std::time::Duration;

use contracts::error::ErrorKind;

/// Athena's name for the Glue Data Catalog of the account.
pub const DEFAULT_CATALOG: &str = "AwsDataCatalog";

/// Connection and polling settings of an [`crate::AthenaEngine`].
///
/// The cap on bytes scanned per query is not a setting of this crate: it is the per-query data
/// usage control of `workgroup`, set on the workgroup in Athena (with "override client-side
/// settings" on, so queries cannot opt out). A query that crosses it is stopped by Athena, and
/// its reason ("Bytes scanned limit was exceeded") comes back as
/// [`ports::sql_engine::EngineError::QueryFailed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaSettings {
    /// AWS region of the workgroup and the Glue catalog, such as `us-east-1`.
    pub region: String,
    /// The platform's own workgroup; it carries the bytes-scanned cutoff.
    pub workgroup: String,
    /// Athena data catalog the queries resolve tables in (default [`DEFAULT_CATALOG`]).
    pub catalog: String,
    /// Glue database holding the datasource's tables.
    pub database: String,
    /// S3 prefix for query results (`s3://bucket/prefix/`); `None` uses the workgroup's own.
    pub output_location: Option<String>,
    /// Endpoint override applied to both the Athena and the Glue client (tests, VPC endpoints).
    pub endpoint_url: Option<String>,
    /// First wait between two status polls; doubled after each poll up to `poll_max`.
    pub poll_initial: Duration,
    /// Longest wait between two status polls.
    pub poll_max: Duration,
    /// Whether schema extraction samples the distinct values of text columns; each sampled
    /// column costs one Athena query, so it is off unless asked for.
    pub sample_values: bool,
}

/// The settings cannot describe a working engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AthenaSettingsError {
    /// A required name is empty.
    #[error("athena setting `{0}` is empty")]
    MissingValue(&'static str),
    /// The polling intervals are zero or in the wrong order.
    #[error(
        "athena polling needs 0 < poll_initial <= poll_max, got {poll_initial:?} and {poll_max:?}"
    )]
    PollIntervals {
        /// The configured first interval.
        poll_initial: Duration,
        /// The configured longest interval.
        poll_max: Duration,
    },
}

impl AthenaSettingsError {
    /// Retry class of this error: broken configuration never heals by retrying.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AthenaSettingsError::MissingValue(_) | AthenaSettingsError::PollIntervals { .. } => {
                ErrorKind::Fatal
            }
        }
    }
}

impl AthenaSettings {
    /// Settings with the default catalog, the workgroup's result location, polling from 200 ms
    /// up to 2 s, and value sampling off.
    pub fn new(
        region: impl Into<String>,
        workgroup: impl Into<String>,
        database: impl Into<String>,
    ) -> Self {
        AthenaSettings {
            region: region.into(),
            workgroup: workgroup.into(),
            catalog: DEFAULT_CATALOG.to_owned(),
            database: database.into(),
            output_location: None,
            endpoint_url: None,
            poll_initial: Duration::from_millis(200),
            poll_max: Duration::from_secs(2),
            sample_values: false,
        }
    }

    /// Checks that the settings can describe a working engine.
    pub fn validate(&self) -> Result<(), AthenaSettingsError> {
        let required = [
            ("region", &self.region),
            ("workgroup", &self.workgroup),
            ("catalog", &self.catalog),
            ("database", &self.database),
        ];
        if let Some((name, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(AthenaSettingsError::MissingValue(name));
        }
        if self.poll_initial.is_zero() || self.poll_initial > self.poll_max {
            return Err(AthenaSettingsError::PollIntervals {
                poll_initial: self.poll_initial,
                poll_max: self.poll_max,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_are_valid() {
        let settings = AthenaSettings::new("us-east-1", "analyst", "sales");

        assert_eq!(settings.validate(), Ok(()));
        assert_eq!(settings.catalog, "AwsDataCatalog");
        assert!(!settings.sample_values);
    }

    #[test]
    fn an_empty_workgroup_is_rejected_as_fatal() {
        let settings = AthenaSettings::new("us-east-1", " ", "sales");

        let err = settings.validate().unwrap_err();

        assert_eq!(err, AthenaSettingsError::MissingValue("workgroup"));
        assert_eq!(err.kind(), ErrorKind::Fatal);
    }

    #[test]
    fn a_zero_poll_interval_is_rejected() {
        let settings = AthenaSettings {
            poll_initial: Duration::ZERO,
            ..AthenaSettings::new("us-east-1", "analyst", "sales")
        };

        assert!(matches!(
            settings.validate(),
            Err(AthenaSettingsError::PollIntervals { .. })
        ));
    }
}
