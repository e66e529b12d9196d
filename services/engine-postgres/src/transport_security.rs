//! The TLS connector shared by the pool's connections and the cancel requests.
//!
//! Invariant: `Require` always verifies the server certificate chain and host name; there is no
//! mode that encrypts without verifying.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::ring::default_provider;
use tokio_postgres::tls::NoTls;
use tokio_postgres::{CancelToken, Error as PgError};
use tokio_postgres_rustls::MakeRustlsConnect;

use ports::sql_engine::EngineError;

/// How connections (and cancel requests) reach the server.
#[derive(Clone)]
pub(crate) enum TransportSecurity {
    /// Plain TCP.
    Plain,
    /// TLS with a verified server certificate.
    Verified(MakeRustlsConnect),
}

impl TransportSecurity {
    /// A TLS connector trusting the Mozilla root certificates.
    pub(crate) fn verified() -> Result<Self, EngineError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        // The provider is chosen explicitly: more than one may be compiled into the workspace.
        let config = ClientConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|err| EngineError::Unavailable(format!("tls set-up failed: {err}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TransportSecurity::Verified(MakeRustlsConnect::new(config)))
    }

    /// Sends a cancel request for the query running on the token's connection.
    pub(crate) async fn cancel(&self, cancel_token: &CancelToken) -> Result<(), PgError> {
        match self {
            TransportSecurity::Plain => cancel_token.cancel_query(NoTls).await,
            TransportSecurity::Verified(connector) => {
                cancel_token.cancel_query(connector.clone()).await
            }
        }
    }
}
