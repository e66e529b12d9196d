//! How log lines are written: human-readable for terminals, JSON for log collectors.
//!
//! Invariant: an unknown format name falls back to human-readable output, never to an error.

/// Output format of the tracing subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Name of the environment variable that selects the format.
    pub const ENV_VAR: &'static str = "ANALYST_LOG_FORMAT";

    /// `json` (any case) selects [`LogFormat::Json`]; anything else, or nothing, is pretty.
    pub fn parse(name: Option<&str>) -> Self {
        match name {
            Some(name) if name.trim().eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(_) | None => LogFormat::Pretty,
        }
    }

    /// The format chosen by [`LogFormat::ENV_VAR`].
    pub fn from_env() -> Self {
        LogFormat::parse(std::env::var(LogFormat::ENV_VAR).ok().as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::LogFormat;

    #[test]
    fn json_in_any_case_selects_json_output() {
        assert_eq!(LogFormat::parse(Some("JSON")), LogFormat::Json);
        assert_eq!(LogFormat::parse(Some(" json ")), LogFormat::Json);
    }

    #[test]
    fn a_missing_or_unknown_format_selects_pretty_output() {
        assert_eq!(LogFormat::parse(None), LogFormat::Pretty);
        assert_eq!(LogFormat::parse(Some("yaml")), LogFormat::Pretty);
    }
}
