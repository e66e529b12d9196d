//! Building the connection pool from the settings.
//!
//! Invariant: the secret URL is exposed only inside [`build_pool`], and no error message built
//! here contains it.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::ExposeSecret;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::NoTls;

use ports::sql_engine::EngineError;

use crate::settings::{PostgresSettings, TlsMode};
use crate::transport_security::TransportSecurity;

/// How long opening one connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a call waits for a free pooled connection.
const POOL_WAIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Name shown in `pg_stat_activity` for the engine's sessions.
const APPLICATION_NAME: &str = "analyst";

/// A pool of connections to the datasource and the transport its cancel requests use.
pub(crate) struct ConnectionPool {
    pub(crate) pool: Pool,
    pub(crate) transport_security: TransportSecurity,
}

/// Builds the pool; opens no connection yet.
pub(crate) fn build_pool(settings: &PostgresSettings) -> Result<ConnectionPool, EngineError> {
    let mut pg_config: tokio_postgres::Config = settings
        .url
        .expose_secret()
        .parse()
        .map_err(|err| EngineError::Unavailable(format!("invalid connection url: {err}")))?;
    if pg_config.get_connect_timeout().is_none() {
        pg_config.connect_timeout(CONNECT_TIMEOUT);
    }
    if pg_config.get_application_name().is_none() {
        pg_config.application_name(APPLICATION_NAME);
    }
    let tls_required =
        settings.tls == TlsMode::Require || pg_config.get_ssl_mode() == SslMode::Require;
    let transport_security = if tls_required {
        pg_config.ssl_mode(SslMode::Require);
        TransportSecurity::verified()?
    } else {
        pg_config.ssl_mode(SslMode::Disable);
        TransportSecurity::Plain
    };

    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match &transport_security {
        TransportSecurity::Plain => Manager::from_config(pg_config, NoTls, manager_config),
        TransportSecurity::Verified(connector) => {
            Manager::from_config(pg_config, connector.clone(), manager_config)
        }
    };
    let pool = Pool::builder(manager)
        .max_size(settings.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_WAIT_TIMEOUT))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|err| EngineError::Unavailable(format!("connection pool set-up failed: {err}")))?;
    Ok(ConnectionPool {
        pool,
        transport_security,
    })
}
