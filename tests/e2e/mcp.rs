//! The MCP server of the real binary driven by the official Python MCP client
//! (`tests/mcp/client.py`): Streamable HTTP at `/mcp` of `analyst serve`, and stdio through
//! `analyst mcp --url ... --key ...`.

use serde_json::{Value, json};

use crate::analyst_server::{AnalystServer, analyst_binary};

/// Restaurants in the bundled demo database.
const N_DEMO_RESTAURANTS: u64 = 11;

/// Runs `tests/mcp/client.py` with `args` and parses the JSON it prints.
async fn run_client(args: &[&str]) -> Value {
    let client_script = concat!(env!("CARGO_MANIFEST_DIR"), "/mcp/client.py");
    let output = tokio::process::Command::new("python3")
        .arg(client_script)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("python3 runs (scripts/test installs the `mcp` package)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the MCP client failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"))
}

/// A new key with only the `ask` scope.
async fn ask_only_key(server: &AnalystServer) -> String {
    let created = server
        .http
        .post(server.url("/v1/admin/keys"))
        .bearer_auth(&server.admin_key)
        .json(&json!({ "name": "mcp-ask-only", "scopes": ["ask"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    created.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What both transports must show: the tools, a demo question answered with 11 restaurants, a
/// refused `DELETE` and a refused approval.
fn assert_scenario(report: &Value) {
    assert_eq!(report.get("session_error"), None, "report: {report}");
    assert!(report["tools"].get("ask").is_some(), "report: {report}");
    assert!(report["tools"].get("run_sql").is_some());
    let datasource_names: Vec<&str> = report["list_datasources"]["structured"]["datasources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|datasource| datasource["name"].as_str().unwrap())
        .collect();
    assert!(datasource_names.contains(&"restaurants"));
    let answer = &report["ask"]["structured"];
    assert_eq!(report["ask"]["is_error"], false, "report: {report}");
    assert_eq!(answer["status"], "succeeded", "answer: {answer}");
    assert_eq!(answer["rows"], json!([[N_DEMO_RESTAURANTS]]));
    assert!(answer["sql"].as_str().is_some_and(|sql| !sql.is_empty()));
    assert_eq!(report["delete_sql"]["is_error"], true);
    assert_eq!(
        report["delete_sql"]["structured"]["error"]["code"],
        "job_failed"
    );
    assert!(
        report["delete_sql"]["structured"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("DELETE")
    );
    assert_eq!(report["approve"]["is_error"], true);
    assert_eq!(
        report["approve"]["structured"]["error"]["code"],
        "insufficient_scope"
    );
}

const SCENARIO_STEPS: &str = "tools,list_datasources,ask,delete_sql,approve";

#[tokio::test]
async fn mcp_over_streamable_http_answers_a_demo_question_and_refuses_what_the_api_refuses() {
    let server = AnalystServer::start().await;
    let ask_key = ask_only_key(&server).await;
    let mcp_url = server.url("/mcp");

    let report = run_client(&[
        "--url",
        &mcp_url,
        "--key",
        &ask_key,
        "--steps",
        SCENARIO_STEPS,
        "--question",
        "How many restaurants are there?",
    ])
    .await;
    let keyless_report = run_client(&["--url", &mcp_url, "--steps", "raw_post,tools"]).await;

    assert_scenario(&report);
    assert_eq!(keyless_report["raw_post"]["status"], 401);
    assert!(keyless_report["session_error"].is_string());
}

#[tokio::test]
async fn mcp_over_stdio_answers_a_demo_question_and_refuses_what_the_api_refuses() {
    let server = AnalystServer::start().await;
    let ask_key = ask_only_key(&server).await;
    let binary = analyst_binary();
    let binary = binary.to_str().unwrap();

    let report = run_client(&[
        "--steps",
        SCENARIO_STEPS,
        "--question",
        "How many restaurants are there?",
        "--stdio-command",
        binary,
        "mcp",
        "--url",
        &server.base_url,
        "--key",
        &ask_key,
    ])
    .await;
    let wrong_key_report = run_client(&[
        "--steps",
        "list_datasources",
        "--stdio-command",
        binary,
        "mcp",
        "--url",
        &server.base_url,
        "--key",
        "ak_not_a_key",
    ])
    .await;

    assert_scenario(&report);
    assert_eq!(wrong_key_report["list_datasources"]["is_error"], true);
    assert_eq!(
        wrong_key_report["list_datasources"]["structured"]["error"]["code"],
        "invalid_api_key"
    );
}
