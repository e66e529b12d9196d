//! [`TestDatabase`]: a fresh database on the test server, dropped when the value is.
//!
//! Invariant: the database name is unique per test (`test_<uuid>`), and dropping it
//! terminates the engine's remaining connections first.

use std::path::Path;

use engine_postgres::{PostgresEngine, PostgresSettings};
use ports::sql_engine::Dialect;
use secrecy::SecretString;
use tokio_postgres::{Client, NoTls};

/// Environment variable holding the URL of the test server's `postgres` database.
const TEST_URL_VARIABLE: &str = "ANALYST_TEST_PG_URL";

/// A database created for one test.
pub(crate) struct TestDatabase {
    name: String,
    admin_url: String,
    url: String,
}

impl TestDatabase {
    /// An empty database.
    pub(crate) async fn create() -> Self {
        let admin_url = std::env::var(TEST_URL_VARIABLE).unwrap_or_else(|_| {
            panic!("{TEST_URL_VARIABLE} is not set: run scripts/test, which starts PostgreSQL")
        });
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = connect(&admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = with_database(&admin_url, &name);
        TestDatabase {
            name,
            admin_url,
            url,
        }
    }

    /// A database holding the bundled restaurants demo data.
    pub(crate) async fn with_restaurants() -> Self {
        let database = TestDatabase::create().await;
        let dump_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo/restaurants/restaurants.sql");
        let dump = std::fs::read_to_string(&dump_path).unwrap();
        database.run(&dump).await;
        database
    }

    /// Runs set-up SQL as the superuser, outside the engine.
    pub(crate) async fn run(&self, sql: &str) {
        connect(&self.url).await.batch_execute(sql).await.unwrap();
    }

    /// The single integer a set-up query returns, read as the superuser outside the engine.
    pub(crate) async fn scalar(&self, sql: &str) -> i64 {
        connect(&self.url)
            .await
            .query_one(sql, &[])
            .await
            .unwrap()
            .get(0)
    }

    /// Settings for an engine on this database.
    pub(crate) fn settings(&self, dialect: Dialect) -> PostgresSettings {
        PostgresSettings::new(SecretString::from(self.url.clone()), dialect)
    }

    /// A PostgreSQL engine with default settings on this database.
    pub(crate) async fn engine(&self) -> PostgresEngine {
        PostgresEngine::connect(self.settings(Dialect::Postgres))
            .await
            .unwrap()
    }

    /// The database's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its
        // own runtime can.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                connect(&admin_url)
                    .await
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// A plain client on `url`, its connection driven by a background task.
async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// `url` pointing at database `name` instead, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (address, query) = match url.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (url, None),
    };
    let (server, _database) = address
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://"))
        .unwrap_or((address, ""));
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
