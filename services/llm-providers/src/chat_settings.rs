//! [`ChatSettings`]: how a remote model is sampled, timed, retried and prompted, whatever the
//! provider.
//!
//! Invariant: [`ChatSettings::validate`] refuses every value a provider would reject on each
//! call, so bad configuration fails at start-up.

use std::time::Duration;

use crate::settings::LlmSettingsError;
use ports::retry::RetryPolicy;

/// Output tokens per invocation when none are configured.
const DEFAULT_MAX_TOKENS: u32 = 1024;
/// Longest wait for one invocation when none is configured.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Result rows sent to the explanation prompt when none are configured.
const DEFAULT_EXPLAIN_MAX_ROWS: usize = 50;
/// Highest temperature any supported provider accepts.
const MAX_TEMPERATURE: f32 = 2.0;

/// Which tables of the schema the SQL prompt shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableSelection {
    /// Every table, always.
    #[default]
    All,
    /// For a schema of at least `min_tables` tables, a first invocation picks the tables the
    /// question needs and only those are shown; smaller schemas are shown whole.
    Relevant {
        /// Smallest schema (in tables) that is narrowed first.
        min_tables: usize,
    },
}

/// Sampling, timing, retries and prompting of a remote model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatSettings {
    /// Sampling temperature, 0.0 (deterministic) to 2.0; SQL generation wants 0.0.
    pub temperature: f32,
    /// Most output tokens per invocation.
    pub max_tokens: u32,
    /// Sequences that end the model's answer early (empty for none).
    pub stop_sequences: Vec<String>,
    /// Longest wait for one invocation attempt.
    pub request_timeout: Duration,
    /// Retries on throttling, server errors and timeouts.
    pub retry: RetryPolicy,
    /// Which tables the SQL prompt shows.
    pub table_selection: TableSelection,
    /// Most result rows sent to the explanation prompt.
    pub explain_max_rows: usize,
    /// Prices of the model's tokens, for the cost recorded on jobs; `None` records no cost.
    pub prices: Option<TokenPrices>,
}

/// What a model's tokens cost, in US dollars per 1,000 tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenPrices {
    /// Price of 1,000 prompt tokens.
    pub input_usd_per_1k: f64,
    /// Price of 1,000 completion tokens.
    pub output_usd_per_1k: f64,
}

impl TokenPrices {
    /// The price of a call that used these tokens.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        (input_tokens as f64 * self.input_usd_per_1k
            + output_tokens as f64 * self.output_usd_per_1k)
            / 1000.0
    }
}

impl Default for ChatSettings {
    /// Temperature 0, 1,024 output tokens, no stop sequences, 60 s per attempt, three attempts,
    /// every table, 50 rows for explanations.
    fn default() -> Self {
        ChatSettings {
            temperature: 0.0,
            max_tokens: DEFAULT_MAX_TOKENS,
            stop_sequences: Vec::new(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
            table_selection: TableSelection::All,
            explain_max_rows: DEFAULT_EXPLAIN_MAX_ROWS,
            prices: None,
        }
    }
}

impl ChatSettings {
    /// Checks every value against what providers accept.
    pub fn validate(&self) -> Result<(), LlmSettingsError> {
        if !(0.0..=MAX_TEMPERATURE).contains(&self.temperature) {
            return Err(LlmSettingsError::Invalid(format!(
                "temperature must be between 0.0 and {MAX_TEMPERATURE}, got {}",
                self.temperature
            )));
        }
        if self.max_tokens == 0 || i32::try_from(self.max_tokens).is_err() {
            return Err(LlmSettingsError::Invalid(format!(
                "max_tokens must be between 1 and {}, got {}",
                i32::MAX,
                self.max_tokens
            )));
        }
        if self.stop_sequences.iter().any(String::is_empty) {
            return Err(LlmSettingsError::Invalid(
                "stop sequences must not be empty strings".to_owned(),
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(LlmSettingsError::Invalid(
                "request_timeout must be longer than zero".to_owned(),
            ));
        }
        if self.retry.attempts == 0 {
            return Err(LlmSettingsError::Invalid(
                "retry attempts must be at least 1".to_owned(),
            ));
        }
        if self.explain_max_rows == 0 {
            return Err(LlmSettingsError::Invalid(
                "explain_max_rows must be at least 1".to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_settings_are_valid() {
        assert!(ChatSettings::default().validate().is_ok());
    }

    #[test]
    fn a_temperature_above_two_is_refused() {
        let settings = ChatSettings {
            temperature: 2.5,
            ..ChatSettings::default()
        };

        let error = settings.validate().unwrap_err();

        assert_eq!(
            error.to_string(),
            "invalid language model settings: temperature must be between 0.0 and 2, got 2.5"
        );
    }

    #[test]
    fn zero_output_tokens_zero_rows_and_empty_stop_sequences_are_refused() {
        let zero_tokens = ChatSettings {
            max_tokens: 0,
            ..ChatSettings::default()
        };
        let zero_rows = ChatSettings {
            explain_max_rows: 0,
            ..ChatSettings::default()
        };
        let empty_stop = ChatSettings {
            stop_sequences: vec![String::new()],
            ..ChatSettings::default()
        };

        assert!(zero_tokens.validate().is_err());
        assert!(zero_rows.validate().is_err());
        assert!(empty_stop.validate().is_err());
    }
}
