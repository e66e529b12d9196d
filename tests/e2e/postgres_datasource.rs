//! A PostgreSQL database configured through a datasource file is listed and asked end to end,
//! with the demo databases turned off.
//!
//! Invariant: each test creates its own database on the server at `ANALYST_TEST_PG_URL` and
//! drops it afterwards, also when an assertion fails.

use std::ffi::OsStr;
use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::analyst_server::AnalystServer;

/// Environment variable naming the PostgreSQL server the tests create databases on.
const TEST_PG_URL_ENV: &str = "ANALYST_TEST_PG_URL";

/// Environment variable of the child process holding the scratch database's URL.
pub(crate) const DATASOURCE_URL_ENV: &str = "ANALYST_E2E_RESTAURANTS_PG_URL";

/// The restaurants demo dump; plain PostgreSQL.
const RESTAURANTS_SQL: &str = include_str!("../../data/demo/restaurants/restaurants.sql");

/// Rows of `restaurant` in the dump.
const N_RESTAURANTS: u64 = 11;

#[tokio::test]
async fn a_configured_postgres_datasource_answers_a_count_question() {
    let database = ScratchDatabase::create_with_restaurants().await;
    let datasource_file = DatasourceFile::write(&format!(
        r#"
        [[datasource]]
        name = "pg_restaurants"
        engine = "postgres"
        description = "Restaurants loaded into PostgreSQL"
        url_env = "{DATASOURCE_URL_ENV}"
        tls = "disable"
        pool_size = 2
        "#
    ));
    let server = start_server(&datasource_file, &database).await;

    let job_view = server
        .ask("How many restaurants are there?", "pg_restaurants")
        .await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    assert_eq!(job_view["result"]["rows"], json!([[N_RESTAURANTS]]));
    let datasource_views = list_datasources(&server).await;
    assert_eq!(
        datasource_views
            .iter()
            .map(|view| view["name"].clone())
            .collect::<Vec<_>>(),
        vec![json!("pg_restaurants")],
        "--no-demo leaves only the configured datasource"
    );
    assert_eq!(datasource_views[0]["engine"], "postgres");
    assert_eq!(
        datasource_views[0]["tables"],
        json!(["geographic", "location", "restaurant"])
    );
}

#[tokio::test]
async fn only_the_allowed_tables_of_a_configured_datasource_are_listed() {
    let database = ScratchDatabase::create_with_restaurants().await;
    let datasource_file = DatasourceFile::write(&format!(
        r#"
        [[datasource]]
        name = "pg_restaurants"
        engine = "postgres"
        url_env = "{DATASOURCE_URL_ENV}"
        allowed_tables = ["public.restaurant", "location"]
        sample_values = false
        "#
    ));
    let server = start_server(&datasource_file, &database).await;

    let datasource_views = list_datasources(&server).await;

    assert_eq!(
        datasource_views[0]["tables"],
        json!(["location", "restaurant"])
    );
}

/// `analyst serve --datasources <file> --no-demo` with the scratch database's URL in the
/// variable the file names.
async fn start_server(
    datasource_file: &DatasourceFile,
    database: &ScratchDatabase,
) -> AnalystServer {
    AnalystServer::start_with(
        &[
            OsStr::new("--datasources"),
            datasource_file.path.as_os_str(),
            OsStr::new("--no-demo"),
        ],
        &[(DATASOURCE_URL_ENV, database.url.as_str())],
    )
    .await
}

async fn list_datasources(server: &AnalystServer) -> Vec<Value> {
    let response = server
        .http
        .get(server.url("/v1/datasources"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Vec<Value>>().await.unwrap()
}

/// A database of its own on the test server, loaded with the restaurants dump; dropped on drop.
pub(crate) struct ScratchDatabase {
    server_url: String,
    name: String,
    pub(crate) url: String,
}

impl ScratchDatabase {
    pub(crate) async fn create_with_restaurants() -> Self {
        let database = ScratchDatabase::create_empty().await;
        execute_batch(&database.url, RESTAURANTS_SQL).await;
        database
    }

    /// A new empty database on the server at `ANALYST_TEST_PG_URL`, dropped on drop.
    pub(crate) async fn create_empty() -> Self {
        let server_url = std::env::var(TEST_PG_URL_ENV).unwrap_or_else(|_| {
            panic!(
                "{TEST_PG_URL_ENV} is not set; set it to a PostgreSQL URL whose user may create \
                 databases, such as postgres://analyst@127.0.0.1:55432/postgres"
            )
        });
        let name = format!("analyst_e2e_{}", Uuid::new_v4().simple());
        execute_batch(&server_url, &format!("CREATE DATABASE {name}")).await;
        ScratchDatabase {
            url: url_with_database(&server_url, &name),
            server_url,
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let drop_sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its
        // own runtime can.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(execute_batch(&server_url, &drop_sql));
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("could not drop the scratch database {}", self.name);
        }
    }
}

/// Runs `sql` (one or more statements) on the database at `url`.
pub(crate) async fn execute_batch(url: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|err| panic!("connect to the test PostgreSQL server: {err}"));
    let connection_task = tokio::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|err| panic!("run SQL on the test PostgreSQL server: {err}"));
    drop(client);
    let _ = connection_task.await;
}

/// `url` with its database (the path) replaced by `database`, keeping any query string.
fn url_with_database(url: &str, database: &str) -> String {
    let (without_query, query) = match url.split_once('?') {
        Some((without_query, query)) => (without_query, Some(query)),
        None => (url, None),
    };
    let authority_start = without_query.find("://").map_or(0, |index| index + 3);
    let base = match without_query[authority_start..].find('/') {
        Some(path_start) => &without_query[..authority_start + path_start],
        None => without_query,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// A datasource file under the system temp directory, removed on drop.
pub(crate) struct DatasourceFile {
    pub(crate) path: PathBuf,
}

impl DatasourceFile {
    pub(crate) fn write(text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("analyst-e2e-{}.toml", Uuid::new_v4()));
        std::fs::write(&path, text).unwrap();
        DatasourceFile { path }
    }
}

impl Drop for DatasourceFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn the_database_of_a_url_is_replaced_and_its_query_kept() {
    assert_eq!(
        url_with_database("postgres://analyst@127.0.0.1:55432/postgres", "scratch"),
        "postgres://analyst@127.0.0.1:55432/scratch"
    );
    assert_eq!(
        url_with_database("postgres://u:p@db/app?sslmode=disable", "scratch"),
        "postgres://u:p@db/scratch?sslmode=disable"
    );
    assert_eq!(
        url_with_database("postgres://db:5432", "scratch"),
        "postgres://db:5432/scratch"
    );
}
