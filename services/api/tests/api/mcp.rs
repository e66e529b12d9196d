//! The MCP server at `/mcp` driven by a real MCP client: the official Python SDK
//! (`tests/mcp/client.py`) over Streamable HTTP against `api::serve` on a loopback port, with
//! the real pipeline behind the router (so user SQL meets the real guard) and a scripted engine.

use std::net::SocketAddr;
use std::sync::Arc;

use api::ConnectionLimits;
use async_trait::async_trait;
use contracts::result::{ColumnType, ResultColumn, ResultSet};
use ports::datasource::{Datasource, Datasources};
use ports::key_store::KeyScope;
use ports::schema::{ColumnSchema, SchemaSnapshot, SchemaStore, TableSchema};
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};
use serde_json::{Value, json};
use store_sqlite::SqliteStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::fakes::{FakeApprovals, FakeKeyStore};
use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::test_app::{APPROVE_KEY, ASK_KEY, TestApp, assert_error, json_body};

/// Rows the scripted engine answers every query with: more than a tool returns.
const N_SCRIPTED_ROWS: usize = 150;

struct McpServer {
    url: String,
    _stop: oneshot::Sender<()>,
}

/// Answers every query with [`N_SCRIPTED_ROWS`] rows of `(city_name, n_restaurants)`.
struct ScriptedEngine;

#[async_trait]
impl SqlEngine for ScriptedEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Embedded
    }

    async fn execute(&self, _sql: &str, _limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        Ok(ResultSet {
            columns: vec![
                ResultColumn {
                    name: "city_name".to_owned(),
                    column_type: ColumnType::Text,
                },
                ResultColumn {
                    name: "n_restaurants".to_owned(),
                    column_type: ColumnType::Integer,
                },
            ],
            rows: (0..N_SCRIPTED_ROWS)
                .map(|row_idx| vec![json!(format!("city {row_idx}")), json!(row_idx)])
                .collect(),
            truncated: false,
            total_rows: Some(N_SCRIPTED_ROWS as u64),
        })
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        Ok(Vec::new())
    }
}

async fn serve_mcp() -> McpServer {
    let store = Arc::new(SqliteStore::open_in_memory().unwrap());
    store
        .save_snapshot(&SchemaSnapshot::new(
            "restaurants",
            vec![TableSchema {
                name: "restaurant".to_owned(),
                description: Some("One row per restaurant".to_owned()),
                columns: vec![
                    ColumnSchema {
                        name: "city_name".to_owned(),
                        data_type: "VARCHAR".to_owned(),
                        description: Some("City the restaurant is in".to_owned()),
                        sample_values: vec!["san francisco".to_owned()],
                    },
                    ColumnSchema {
                        name: "rating".to_owned(),
                        data_type: "DOUBLE".to_owned(),
                        description: None,
                        sample_values: Vec::new(),
                    },
                ],
                n_rows: Some(11),
            }],
        ))
        .await
        .unwrap();
    let datasources = Datasources::default();
    datasources.insert(Datasource {
        name: "restaurants".to_owned(),
        description: Some("Restaurants and their ratings".to_owned()),
        engine_name: "embedded".to_owned(),
        engine: Arc::new(ScriptedEngine),
        allowed_relations: None,
    });
    let pipeline = pipeline::LocalPipeline::start(pipeline::StageDeps {
        job_store: store.clone(),
        schema_store: store.clone(),
        pair_store: store.clone(),
        embedder: Arc::new(embedder_offline::HashingEmbedder::default()),
        llm: Arc::new(planner_offline::OfflinePlanner::new()),
        datasources: datasources.clone(),
        settings: pipeline::PipelineSettings {
            retry_interval_scale: 0.001,
            ..Default::default()
        },
    })
    .unwrap();
    let key_store = Arc::new(FakeKeyStore::default());
    key_store.add_key(ASK_KEY, &[KeyScope::Ask]);
    key_store.add_key(APPROVE_KEY, &[KeyScope::Approve]);
    let state = api::AppState {
        job_store: store.clone(),
        key_store,
        launcher: pipeline,
        datasources,
        default_datasource: "restaurants".to_owned(),
        schema_store: store.clone(),
        approvals: Arc::new(FakeApprovals::default()),
        pair_store: store,
        metrics: None,
        rate_limiter: None,
        uploads: None,
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(api::serve(
        listener,
        state,
        ConnectionLimits::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    McpServer {
        url: format!("http://{addr}/mcp"),
        _stop: stop,
    }
}

/// Runs `tests/mcp/client.py` with `args` and parses the JSON it prints.
async fn run_client(args: &[&str]) -> Value {
    let client_script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mcp/client.py");
    let output = tokio::process::Command::new("python3")
        .arg(client_script)
        .args(args)
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

#[tokio::test]
async fn an_mcp_client_lists_the_tools_with_their_schemas_and_the_datasources() {
    let server = serve_mcp().await;

    let report = run_client(&[
        "--url",
        &server.url,
        "--key",
        ASK_KEY,
        "--steps",
        "tools,list_datasources,describe,suggest",
    ])
    .await;

    assert_eq!(report.get("session_error"), None, "report: {report}");
    let tools = report["tools"].as_object().unwrap();
    let mut tool_names: Vec<&str> = tools.keys().map(String::as_str).collect();
    tool_names.sort_unstable();
    assert_eq!(
        tool_names,
        [
            "approve",
            "ask",
            "describe_datasource",
            "get_answer",
            "list_datasources",
            "run_sql",
            "suggest_questions",
        ]
    );
    assert_eq!(
        tools["ask"]["input_schema"]["required"],
        json!(["question"])
    );
    assert_eq!(tools["run_sql"]["input_schema"]["required"], json!(["sql"]));
    assert_eq!(
        tools["approve"]["input_schema"]["required"],
        json!(["job_id"])
    );
    for tool_name in tool_names {
        assert_eq!(
            tools[tool_name]["output_schema"]["type"], "object",
            "{tool_name} has an object output schema"
        );
    }
    assert_eq!(
        report["list_datasources"]["structured"]["datasources"],
        json!([{
            "name": "restaurants",
            "engine": "embedded",
            "description": "Restaurants and their ratings",
            "tables": ["restaurant"],
        }])
    );
    let described = &report["describe"]["structured"];
    assert_eq!(described["tables"][0]["columns"][0]["name"], "city_name");
    assert_eq!(
        described["tables"][0]["columns"][0]["sample_values"],
        json!(["san francisco"])
    );
    assert!(
        report["suggest"]["structured"]["questions"]
            .as_array()
            .unwrap()
            .contains(&json!(
                "How many restaurant rows are there for each city name?"
            ))
    );
}

#[tokio::test]
async fn an_mcp_client_lists_and_reads_each_datasource_schema_as_a_resource() {
    let server = serve_mcp().await;

    let report = run_client(&[
        "--url",
        &server.url,
        "--key",
        ASK_KEY,
        "--steps",
        "resources",
    ])
    .await;

    assert_eq!(report.get("session_error"), None, "report: {report}");
    let resources = &report["resources"];
    assert_eq!(resources["capability"], true);
    let listed = resources["list"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "resources: {resources}");
    assert_eq!(listed[0]["uri"], "analyst://datasources/restaurants/schema");
    assert_eq!(listed[0]["name"], "restaurants schema");
    assert_eq!(listed[0]["mime_type"], "application/json");
    assert!(
        listed[0]["description"]
            .as_str()
            .unwrap()
            .contains("Restaurants and their ratings")
    );
    let read = resources["read"].as_array().unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0]["uri"], "analyst://datasources/restaurants/schema");
    assert_eq!(read[0]["mime_type"], "application/json");
    let schema: Value = serde_json::from_str(read[0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(schema["name"], "restaurants");
    assert_eq!(schema["tables"][0]["name"], "restaurant");
    assert_eq!(schema["tables"][0]["columns"][0]["name"], "city_name");
    let read_unknown = &resources["read_unknown"];
    // Resource not found: -32002 before protocol 2026-07-28, invalid params (-32602) from it.
    assert!(
        [json!(-32002), json!(-32602)].contains(&read_unknown["code"]),
        "error: {read_unknown}"
    );
    assert_eq!(read_unknown["data"]["error"]["code"], "unknown_datasource");
    assert_eq!(read_unknown["data"]["error"]["http_status"], 404);
    let read_unknown_uri = &resources["read_unknown_uri"];
    assert_eq!(read_unknown_uri["code"], read_unknown["code"]);
    assert_eq!(
        read_unknown_uri["data"]["error"]["code"],
        "unknown_resource"
    );
}

#[tokio::test]
async fn an_mcp_client_without_a_key_is_refused_with_401() {
    let server = serve_mcp().await;

    let report = run_client(&["--url", &server.url, "--steps", "raw_post,tools"]).await;

    assert_eq!(report["raw_post"]["status"], 401);
    assert_eq!(
        report["raw_post"]["body"]["error"]["code"],
        "missing_api_key"
    );
    assert!(report["session_error"].is_string(), "report: {report}");
    assert_eq!(report.get("tools"), None);
}

#[tokio::test]
async fn an_ask_only_key_is_refused_approve_with_the_api_code() {
    let server = serve_mcp().await;

    let report = run_client(&[
        "--url",
        &server.url,
        "--key",
        ASK_KEY,
        "--steps",
        "approve",
        "--job-id",
        "0b6f5d2e-4c1a-4f7e-9a51-3f2d9c8b7a10",
    ])
    .await;

    assert_eq!(report["approve"]["is_error"], true, "report: {report}");
    let error = &report["approve"]["structured"]["error"];
    assert_eq!(error["code"], "insufficient_scope");
    assert_eq!(error["http_status"], 403);
    assert!(error["message"].as_str().unwrap().contains("approve"));
}

#[tokio::test]
async fn run_sql_of_a_delete_is_refused_by_the_guard() {
    let server = serve_mcp().await;

    let report = run_client(&[
        "--url",
        &server.url,
        "--key",
        ASK_KEY,
        "--steps",
        "delete_sql",
    ])
    .await;

    assert_eq!(report["delete_sql"]["is_error"], true, "report: {report}");
    let error = &report["delete_sql"]["structured"]["error"];
    assert_eq!(error["code"], "job_failed");
    assert!(error["job_id"].is_string());
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("only read-only SELECT queries are allowed, found DELETE"),
        "error: {error}"
    );
}

#[tokio::test]
async fn run_sql_of_a_select_returns_at_most_100_rows_marked_truncated() {
    let server = serve_mcp().await;

    let report = run_client(&[
        "--url",
        &server.url,
        "--key",
        ASK_KEY,
        "--steps",
        "select_sql",
        "--sql",
        "SELECT city_name, COUNT(*) AS n_restaurants FROM restaurant GROUP BY city_name",
    ])
    .await;

    assert_eq!(report["select_sql"]["is_error"], false, "report: {report}");
    let answer = &report["select_sql"]["structured"];
    assert_eq!(answer["status"], "succeeded");
    assert_eq!(answer["done"], true);
    assert_eq!(answer["rows"].as_array().unwrap().len(), 100);
    assert_eq!(answer["truncated"], true);
    assert_eq!(answer["columns"][0]["name"], "city_name");
    assert!(answer["sql"].as_str().unwrap().contains("GROUP BY"));
}

#[tokio::test]
async fn mcp_refuses_get_and_delete_without_a_session_and_an_unknown_key_with_401() {
    let app = TestApp::new();

    let get_response = app.call("GET", "/mcp", ASK_KEY).await;
    let delete_response = app.call("DELETE", "/mcp", ASK_KEY).await;
    let unknown_key_response = app.call("POST", "/mcp", "ak_not_a_key").await;

    assert!(get_response.status().is_client_error());
    assert!(delete_response.status().is_client_error());
    for response in [&get_response, &delete_response] {
        if response.status() == StatusCode::METHOD_NOT_ALLOWED {
            assert!(response.headers().contains_key("allow"), "{response:?}");
        }
    }
    assert_eq!(
        json_body(get_response).await["error"]["code"],
        "invalid_mcp_request"
    );
    assert_eq!(
        json_body(delete_response).await["error"]["code"],
        "invalid_mcp_request"
    );
    assert_error(
        unknown_key_response,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    )
    .await;
}

#[tokio::test]
async fn a_message_the_transport_refuses_gets_the_api_json_error_body() {
    let app = TestApp::new();

    let response = app
        .send(
            Request::post("/mcp")
                .header("x-api-key", ASK_KEY)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;

    let status = response.status();
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_ACCEPTABLE,
        "{status}"
    );
    let body = json_body(response).await;
    assert_eq!(body["error"]["code"], "invalid_mcp_request");
    assert!(
        !body["error"]["message"].as_str().unwrap().is_empty(),
        "{body}"
    );
}
