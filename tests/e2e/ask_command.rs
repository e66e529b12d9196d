//! `analyst ask --url` against a running server.

use tokio::process::Command;

use crate::analyst_server::{AnalystServer, analyst_binary};

#[tokio::test]
async fn analyst_ask_against_a_running_server_prints_the_sql_rows_and_answer() {
    let server = AnalystServer::start().await;

    let output = Command::new(analyst_binary())
        .args([
            "ask",
            "How many restaurants are there?",
            "--datasource",
            "restaurants",
            "--url",
        ])
        .arg(&server.base_url)
        .args(["--key", &server.admin_key])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("SQL:"), "stdout: {stdout}");
    assert!(stdout.contains("Rows:"), "stdout: {stdout}");
    assert!(stdout.contains("11"), "stdout: {stdout}");
    assert!(stdout.contains("Answer:"), "stdout: {stdout}");
}
