//! Connection settings: secrets stay out of `Debug` output and error messages, TLS can be
//! required, and unreachable servers are reported as unavailable.
//!
//! Invariant: the password used here is never printed by the engine.

use engine_postgres::{PostgresEngine, PostgresSettings, TlsMode};
use ports::sql_engine::{Dialect, EngineError};
use secrecy::SecretString;

use crate::test_database::TestDatabase;

/// A password the server ignores (it trusts local connections) but the engine must hide.
const PASSWORD: &str = "hunter2-do-not-print";

/// The test database's URL with [`PASSWORD`] added for the `analyst` user.
fn url_with_password(database: &TestDatabase) -> String {
    let url = std::env::var("ANALYST_TEST_PG_URL")
        .expect("ANALYST_TEST_PG_URL is not set: run scripts/test, which starts PostgreSQL");
    let url = url.replacen("analyst@", &format!("analyst:{PASSWORD}@"), 1);
    assert!(url.contains(PASSWORD), "the test url has the user analyst");
    format!(
        "{}/{}",
        url.rsplit_once('/')
            .map_or(url.as_str(), |(server, _)| server),
        database.name()
    )
}

#[tokio::test]
async fn debug_output_never_shows_the_password() {
    let database = TestDatabase::create().await;
    let settings = PostgresSettings::new(
        SecretString::from(url_with_password(&database)),
        Dialect::Postgres,
    );

    let engine = PostgresEngine::connect(settings.clone()).await.unwrap();

    assert!(!format!("{settings:?}").contains(PASSWORD));
    assert!(!format!("{engine:?}").contains(PASSWORD));
}

#[tokio::test]
async fn requiring_tls_from_a_server_without_it_is_unavailable() {
    let database = TestDatabase::create().await;
    let mut settings = PostgresSettings::new(
        SecretString::from(url_with_password(&database)),
        Dialect::Postgres,
    );
    settings.tls = TlsMode::Require;

    let failure = PostgresEngine::connect(settings).await.unwrap_err();

    let EngineError::Unavailable(message) = failure else {
        panic!("expected Unavailable, got {failure:?}");
    };
    assert!(message.contains("TLS"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_without_leaking_the_password() {
    let settings = PostgresSettings::new(
        SecretString::from(format!(
            "postgres://analyst:{PASSWORD}@127.0.0.1:1/postgres"
        )),
        Dialect::Postgres,
    );

    let failure = PostgresEngine::connect(settings).await.unwrap_err();

    let EngineError::Unavailable(message) = failure else {
        panic!("expected Unavailable, got {failure:?}");
    };
    assert!(!message.contains(PASSWORD), "{message}");
}

#[tokio::test]
async fn a_dialect_other_than_postgres_or_redshift_is_refused() {
    let settings = PostgresSettings::new(
        SecretString::from("postgres://analyst@127.0.0.1:1/postgres".to_owned()),
        Dialect::Athena,
    );

    let failure = PostgresEngine::connect(settings).await.unwrap_err();

    assert!(
        matches!(failure, EngineError::Unavailable(_)),
        "{failure:?}"
    );
}
