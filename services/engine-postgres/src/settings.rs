//! [`PostgresSettings`]: where the database is and how the engine talks to it.
//!
//! Invariant: the connection URL (which may hold a password) is a [`SecretString`], so it is
//! redacted in `Debug` output and only exposed where the pool is built.

use secrecy::SecretString;

use ports::sql_engine::Dialect;

/// Default number of pooled connections.
const DEFAULT_POOL_SIZE: usize = 4;

/// Whether connections are encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain TCP (the default; for loopback and private networks only), unless the URL itself
    /// says `sslmode=require`.
    #[default]
    Disable,
    /// TLS is required and the server certificate is verified against the Mozilla root
    /// certificates (as `sslmode=verify-full` would); the connection fails without TLS.
    Require,
}

/// Settings of one PostgreSQL or Redshift datasource.
#[derive(Debug, Clone)]
pub struct PostgresSettings {
    /// Connection URL, `postgres://user:password@host:port/database`; secret because of the
    /// password.
    pub url: SecretString,
    /// [`Dialect::Postgres`] or [`Dialect::Redshift`]; decides the catalog queries.
    pub dialect: Dialect,
    /// Transport encryption.
    pub tls: TlsMode,
    /// Maximum number of pooled connections (at least 1).
    pub pool_size: usize,
    /// Whether schema extraction reads the distinct values of low-cardinality text columns;
    /// turn it off when column values may hold personal data that must not reach a prompt.
    pub sample_values: bool,
}

impl PostgresSettings {
    /// Settings for `url` in `dialect`, with TLS off, 4 pooled connections and value sampling on.
    pub fn new(url: SecretString, dialect: Dialect) -> Self {
        PostgresSettings {
            url,
            dialect,
            tls: TlsMode::default(),
            pool_size: DEFAULT_POOL_SIZE,
            sample_values: true,
        }
    }
}
