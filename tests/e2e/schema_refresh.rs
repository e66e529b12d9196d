//! The schema refresh end to end: a PostgreSQL datasource is served, a question approved and
//! served from the cache; `analyst schema refresh` stores no new version while the schema is
//! unchanged, stores one after `ALTER TABLE ... ADD COLUMN`, and the entry approved under the
//! old version is no longer served.
//!
//! Invariant: the database is a scratch database of its own, dropped afterwards.

use std::ffi::OsStr;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::json;
use tokio::process::Command;

use crate::analyst_server::{AnalystServer, TempDataDir, analyst_binary};
use crate::postgres_datasource::{
    DATASOURCE_URL_ENV, DatasourceFile, ScratchDatabase, execute_batch,
};

/// Runs `analyst schema refresh` on the data directory; returns its stdout.
async fn refresh(
    data_dir: &Path,
    datasource_file: &DatasourceFile,
    database: &ScratchDatabase,
) -> String {
    let output = Command::new(analyst_binary())
        .args(["schema", "refresh", "--no-demo", "--data-dir"])
        .arg(data_dir)
        .arg("--datasources")
        .arg(&datasource_file.path)
        .env(DATASOURCE_URL_ENV, &database.url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run analyst schema refresh");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "schema refresh failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn an_added_column_makes_a_new_version_and_retires_the_cache_entries_of_the_old_one() {
    let database = ScratchDatabase::create_with_restaurants().await;
    let datasource_file = DatasourceFile::write(&format!(
        r#"
        [[datasource]]
        name = "pg_restaurants"
        engine = "postgres"
        url_env = "{DATASOURCE_URL_ENV}"
        tls = "disable"
        pool_size = 2
        "#
    ));
    let data_dir = TempDataDir::new();
    let server = AnalystServer::start_in(
        &data_dir.path,
        &[
            OsStr::new("--datasources"),
            datasource_file.path.as_os_str(),
            OsStr::new("--no-demo"),
            OsStr::new("--schema-refresh-seconds"),
            OsStr::new("0"),
        ],
        &[(DATASOURCE_URL_ENV, database.url.as_str())],
        None,
    )
    .await;
    let first = server
        .ask("how many restaurants are there", "pg_restaurants")
        .await;
    assert_eq!(first["status"], "succeeded", "job: {first}");
    let approval = server
        .http
        .post(server.url(&format!(
            "/v1/questions/{}/feedback",
            first["job_id"].as_str().unwrap()
        )))
        .bearer_auth(&server.admin_key)
        .json(&json!({"verdict": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approval.status(), StatusCode::OK);
    let served_before = server.ask("count the restaurants", "pg_restaurants").await;
    assert_eq!(served_before["cache_hit"], true, "job: {served_before}");

    let unchanged = refresh(&data_dir.path, &datasource_file, &database).await;
    execute_batch(
        &database.url,
        "ALTER TABLE restaurant ADD COLUMN price_range text",
    )
    .await;
    let changed = refresh(&data_dir.path, &datasource_file, &database).await;
    let served_after = server.ask("count the restaurants", "pg_restaurants").await;

    assert!(
        unchanged.starts_with("pg_restaurants: unchanged ("),
        "refresh without a change: {unchanged}"
    );
    let old_version = unchanged
        .trim()
        .trim_start_matches("pg_restaurants: unchanged (")
        .trim_end_matches(')');
    assert!(
        changed.starts_with(&format!("pg_restaurants: new version {old_version} -> ")),
        "refresh after ALTER TABLE: {changed}"
    );
    assert_eq!(served_after["status"], "succeeded", "job: {served_after}");
    assert_eq!(
        served_after["cache_hit"], false,
        "the entry approved under the old version is retired: {served_after}"
    );
}
