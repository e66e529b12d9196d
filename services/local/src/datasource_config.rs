//! The datasource configuration file given with `--datasources <path.toml>`: one
//! `[[datasource]]` table per PostgreSQL, Redshift or Athena datasource, with its description,
//! its table allow-list and its engine settings, resolved into settings the engines accept.
//! The format is documented in `docs/datasources.md`.
//!
//! Invariant: the file never holds a connection URL, only the name of the environment variable
//! that does; every error names the file, and unknown keys are errors, never ignored.

use std::path::{Path, PathBuf};

use engine_athena::AthenaSettings;
use engine_postgres::{PostgresSettings, TlsMode};
use ports::datasource::table_is_allowed;
use ports::sql_engine::Dialect;
use secrecy::SecretString;
use serde::Deserialize;

/// A datasource of the file, ready to connect.
#[derive(Debug, Clone)]
pub struct DatasourceConfig {
    /// Name used in requests.
    pub name: String,
    /// Human description.
    pub description: Option<String>,
    /// Tables the guard admits; `None` admits all.
    pub allowed_tables: Option<Vec<String>>,
    /// Engine and its settings.
    pub engine: EngineConfig,
}

/// Settings of the engine of one configured datasource.
#[derive(Debug, Clone)]
pub enum EngineConfig {
    /// PostgreSQL or Redshift (told apart by the settings' dialect).
    Postgres(PostgresSettings),
    /// Amazon Athena.
    Athena(AthenaSettings),
}

impl EngineConfig {
    /// Engine name shown to users: `postgres`, `redshift` or `athena`.
    pub fn engine_name(&self) -> &'static str {
        match self {
            EngineConfig::Postgres(settings) => settings.dialect.as_str(),
            EngineConfig::Athena(_) => Dialect::Athena.as_str(),
        }
    }
}

impl DatasourceConfig {
    /// Whether a table the engine reported (`table` or `schema.table`) is on the allow-list;
    /// an entry may be more qualified than the name (`public.orders` keeps `orders`).
    pub fn admits_table(&self, table_name: &str) -> bool {
        table_is_allowed(self.allowed_tables.as_deref(), table_name)
    }
}

/// The datasource file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatasourceConfigError {
    /// The file could not be read.
    #[error("cannot read the datasource file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected keys.
    #[error("the datasource file {path} is invalid: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// One datasource's settings are unusable.
    #[error("the datasource file {path}: datasource `{name}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The datasource.
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// Top level of the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasourceFile {
    #[serde(default)]
    datasource: Vec<DatasourceEntry>,
}

/// One `[[datasource]]` table, told apart by its `engine` key.
#[derive(Debug, Deserialize)]
#[serde(tag = "engine", rename_all = "snake_case")]
enum DatasourceEntry {
    Postgres(PostgresEntry),
    Redshift(PostgresEntry),
    Athena(AthenaEntry),
}

/// Keys of a `postgres` or `redshift` datasource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostgresEntry {
    name: String,
    description: Option<String>,
    allowed_tables: Option<Vec<String>>,
    sample_values: Option<bool>,
    url_env: String,
    tls: Option<TlsSetting>,
    pool_size: Option<usize>,
}

/// Keys of an `athena` datasource.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AthenaEntry {
    name: String,
    description: Option<String>,
    allowed_tables: Option<Vec<String>>,
    sample_values: Option<bool>,
    region: String,
    workgroup: String,
    database: String,
    catalog: Option<String>,
    output_location: Option<String>,
    endpoint_url: Option<String>,
}

/// Value of `tls`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TlsSetting {
    Disable,
    Require,
}

/// Reads and resolves the datasource file at `path`. `reserved_names` are names already taken
/// (the demo databases); `env` looks up the environment variables named by `url_env`.
pub fn load_datasource_file(
    path: &Path,
    reserved_names: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<DatasourceConfig>, DatasourceConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| DatasourceConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_datasource_file(&text, path, reserved_names, env)
}

/// Resolves the text of a datasource file; `path` only names the file in errors.
pub fn parse_datasource_file(
    text: &str,
    path: &Path,
    reserved_names: &[&str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<DatasourceConfig>, DatasourceConfigError> {
    let file: DatasourceFile =
        toml::from_str(text).map_err(|err| DatasourceConfigError::Syntax {
            path: path.to_owned(),
            message: err.to_string().trim_end().to_owned(),
        })?;
    let mut configs: Vec<DatasourceConfig> = Vec::new();
    for entry in file.datasource {
        let config = resolve_entry(entry, env).map_err(|(name, message)| {
            DatasourceConfigError::Invalid {
                path: path.to_owned(),
                name,
                message,
            }
        })?;
        let clash = if reserved_names.contains(&config.name.as_str()) {
            Some("the name is taken by a bundled demo database; choose another")
        } else if configs.iter().any(|earlier| earlier.name == config.name) {
            Some("the name is used by more than one datasource")
        } else {
            None
        };
        if let Some(message) = clash {
            return Err(DatasourceConfigError::Invalid {
                path: path.to_owned(),
                name: config.name,
                message: message.to_owned(),
            });
        }
        configs.push(config);
    }
    Ok(configs)
}

/// Turns one entry into engine settings; on error, the datasource name and the message.
fn resolve_entry(
    entry: DatasourceEntry,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatasourceConfig, (String, String)> {
    let config = match entry {
        DatasourceEntry::Postgres(postgres_entry) => {
            resolve_postgres(postgres_entry, Dialect::Postgres, env)?
        }
        DatasourceEntry::Redshift(redshift_entry) => {
            resolve_postgres(redshift_entry, Dialect::Redshift, env)?
        }
        DatasourceEntry::Athena(athena_entry) => resolve_athena(athena_entry)?,
    };
    check_name(&config.name).map_err(|message| (config.name.clone(), message))?;
    if config
        .allowed_tables
        .as_ref()
        .is_some_and(|tables| tables.iter().any(|table| table.trim().is_empty()))
    {
        return Err((
            config.name,
            "allowed_tables holds an empty table name".to_owned(),
        ));
    }
    Ok(config)
}

fn resolve_postgres(
    entry: PostgresEntry,
    dialect: Dialect,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<DatasourceConfig, (String, String)> {
    let url = match env(&entry.url_env) {
        Some(url) if !url.trim().is_empty() => url,
        _ => {
            return Err((
                entry.name,
                format!(
                    "the environment variable {} (url_env) is not set; set it to the connection URL",
                    entry.url_env
                ),
            ));
        }
    };
    let mut settings = PostgresSettings::new(SecretString::from(url), dialect);
    settings.tls = match entry.tls {
        Some(TlsSetting::Require) => TlsMode::Require,
        Some(TlsSetting::Disable) | None => TlsMode::Disable,
    };
    if let Some(pool_size) = entry.pool_size {
        if pool_size == 0 {
            return Err((entry.name, "pool_size must be at least 1".to_owned()));
        }
        settings.pool_size = pool_size;
    }
    if let Some(sample_values) = entry.sample_values {
        settings.sample_values = sample_values;
    }
    Ok(DatasourceConfig {
        name: entry.name,
        description: entry.description,
        allowed_tables: entry.allowed_tables,
        engine: EngineConfig::Postgres(settings),
    })
}

fn resolve_athena(entry: AthenaEntry) -> Result<DatasourceConfig, (String, String)> {
    let mut settings = AthenaSettings::new(entry.region, entry.workgroup, entry.database);
    if let Some(catalog) = entry.catalog {
        settings.catalog = catalog;
    }
    settings.output_location = entry.output_location;
    settings.endpoint_url = entry.endpoint_url;
    if let Some(sample_values) = entry.sample_values {
        settings.sample_values = sample_values;
    }
    settings
        .validate()
        .map_err(|err| (entry.name.clone(), err.to_string()))?;
    Ok(DatasourceConfig {
        name: entry.name,
        description: entry.description,
        allowed_tables: entry.allowed_tables,
        engine: EngineConfig::Athena(settings),
    })
}

/// Names appear in URLs and requests: letters, digits, `_` and `-` only.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".to_owned());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("the name may hold only letters, digits, `_` and `-`".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
