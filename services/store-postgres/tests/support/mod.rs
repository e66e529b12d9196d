//! A private database per test on the PostgreSQL server named by `ANALYST_TEST_PG_URL`, created
//! with the `vector` extension and dropped when the test ends, also when it fails.
//!
//! Invariant: every `TestDatabase` has its own fresh name, and dropping it removes the database
//! even while stores still hold connections to it.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

pub(crate) mod fixtures;

use secrecy::SecretString;
use store_postgres::PostgresStore;
use tokio_postgres::NoTls;
use uuid::Uuid;

/// Environment variable naming the test server.
const SERVER_URL_VARIABLE: &str = "ANALYST_TEST_PG_URL";

/// Embedding dimension of the stores the contract suite uses.
pub(crate) const CONTRACT_DIMENSION: usize = 3;

/// A fresh database, dropped with this value.
pub(crate) struct TestDatabase {
    server_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates `test_<uuid>` on the test server, with the `vector` extension.
    pub(crate) async fn create() -> Self {
        let server_url = std::env::var(SERVER_URL_VARIABLE).unwrap_or_else(|_| {
            panic!("{SERVER_URL_VARIABLE} is not set: run scripts/test, which starts PostgreSQL")
        });
        let name = format!("test_{}", Uuid::new_v4().simple());
        let server = connect(&server_url).await;
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("the test server lets the test user create databases");
        let database = TestDatabase { server_url, name };
        let client = connect(database.url().expose()).await;
        client
            .batch_execute("CREATE EXTENSION IF NOT EXISTS vector")
            .await
            .expect("pgvector is installed on the test server");
        database
    }

    /// URL of this database.
    pub(crate) fn url(&self) -> TestUrl {
        TestUrl(url_with_database(&self.server_url, &self.name))
    }

    /// A store on this database with `pool_size` connections and `dimension`-sized vectors.
    pub(crate) async fn store(&self, pool_size: usize, dimension: usize) -> PostgresStore {
        PostgresStore::connect(&self.url().secret(), pool_size, dimension)
            .await
            .expect("the store connects to the test database")
    }

    /// A plain client on this database, for inspecting what the store wrote.
    pub(crate) async fn client(&self) -> tokio_postgres::Client {
        connect(self.url().expose()).await
    }

    /// Name of this database.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let name = self.name.clone();
        // A thread of its own, so dropping works inside or outside a runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            runtime.block_on(async {
                let server = connect(&server_url).await;
                server
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) && !std::thread::panicking() {
            panic!("test database {} could not be dropped", self.name);
        }
    }
}

/// A database URL, as plain text or as the secret the store takes.
pub(crate) struct TestUrl(String);

impl TestUrl {
    /// The URL as the store takes it.
    pub(crate) fn secret(&self) -> SecretString {
        SecretString::from(self.0.clone())
    }

    /// The URL as plain text.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// A client on `url`, its connection driven by a spawned task.
async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("the test server accepts connections");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// `server_url` with its database name replaced by `name` (query parameters kept).
fn url_with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
