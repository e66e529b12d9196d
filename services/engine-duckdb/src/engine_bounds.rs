//! The resource bounds a DuckDB engine is opened under: memory, threads and temporary disk,
//! set once at open and then locked, so no query can raise them.
//!
//! Invariant: every bound has a finite default; a setting that does not parse is an error at
//! open, never silently the default.

use ports::sql_engine::EngineError;

/// Environment variable: DuckDB's memory limit per database (e.g. `2GiB`, `512MB`).
pub const MEMORY_LIMIT_VAR: &str = "ANALYST_DUCKDB_MEMORY_LIMIT";
/// Environment variable: threads one DuckDB database may use.
pub const THREADS_VAR: &str = "ANALYST_DUCKDB_THREADS";
/// Environment variable: temporary disk space a DuckDB database may spill to.
pub const TEMP_LIMIT_VAR: &str = "ANALYST_DUCKDB_TEMP_LIMIT";

const DEFAULT_MEMORY_LIMIT: &str = "2GiB";
const DEFAULT_THREADS: u32 = 2;
const DEFAULT_TEMP_LIMIT: &str = "1GiB";

/// Memory, threads and temporary disk for one DuckDB database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineBounds {
    /// DuckDB size text, e.g. `2GiB`.
    pub memory_limit: String,
    /// Worker threads.
    pub threads: u32,
    /// DuckDB size text for `max_temp_directory_size`.
    pub temp_limit: String,
}

impl Default for EngineBounds {
    fn default() -> Self {
        EngineBounds {
            memory_limit: DEFAULT_MEMORY_LIMIT.to_owned(),
            threads: DEFAULT_THREADS,
            temp_limit: DEFAULT_TEMP_LIMIT.to_owned(),
        }
    }
}

impl EngineBounds {
    /// The bounds from the environment, each falling back to its default when unset.
    pub fn from_env() -> Result<Self, EngineError> {
        let defaults = EngineBounds::default();
        let text = |name: &str, default: String| -> Result<String, EngineError> {
            match std::env::var(name) {
                Ok(value) if is_size_text(&value) => Ok(value.trim().to_owned()),
                Ok(value) => Err(EngineError::Unavailable(format!(
                    "{name}={value:?} is not a size such as 512MB or 2GiB"
                ))),
                Err(_) => Ok(default),
            }
        };
        let threads = match std::env::var(THREADS_VAR) {
            Ok(value) => value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|threads| (1..=256).contains(threads))
                .ok_or_else(|| {
                    EngineError::Unavailable(format!(
                        "{THREADS_VAR}={value:?} is not a thread count between 1 and 256"
                    ))
                })?,
            Err(_) => defaults.threads,
        };
        Ok(EngineBounds {
            memory_limit: text(MEMORY_LIMIT_VAR, defaults.memory_limit)?,
            threads,
            temp_limit: text(TEMP_LIMIT_VAR, defaults.temp_limit)?,
        })
    }
}

/// `true` for a number followed by a DuckDB size unit (`512MB`, `2GiB`, `1.5 GB`).
fn is_size_text(value: &str) -> bool {
    let value = value.trim();
    let split_at = value
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split_at);
    let unit = unit.trim().to_ascii_lowercase();
    number.parse::<f64>().is_ok_and(|number| number > 0.0)
        && ["kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib"].contains(&unit.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_need_a_number_and_a_unit() {
        assert!(is_size_text("2GiB"));
        assert!(is_size_text("512 MB"));
        assert!(!is_size_text("2"));
        assert!(!is_size_text("lots"));
        assert!(!is_size_text("0GB"));
    }
}
