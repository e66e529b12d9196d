//! `lambda-api` behind an API Gateway REST stage, as the template deploys it: the function runs
//! under a scripted Lambda Runtime API and receives REST proxy events of the stage `api`. With
//! `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` the health check, the web UI, its assets and the
//! OpenAPI document answer (not 404), the slash-less stage root is redirected under the stage,
//! and the `v1` routes reach the application's own key check.
//!
//! Invariant: the function is reached only as on Lambda, and killed before the test ends.

use std::time::Duration;

use serde_json::{Value, json};

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{Moto, REGION, platform_args};
use crate::iam_audit::MOTO_ACCOUNT;
use crate::lambda_runtime_api::spawn_lambda_function;
use crate::postgres_datasource::ScratchDatabase;
use crate::scripted_runtime_api::{RuntimeApiCall, ScriptedRuntimeApi};

/// How long the function may take to start (PostgreSQL migrations, demo databases).
const COLD_START_TIMEOUT: Duration = Duration::from_secs(180);

/// How long one request may take.
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(60);

/// The first admin key the function stores, as Secrets Manager would hand it over.
const ADMIN_KEY: &str = "ak_gatewaytestgatewaytestgatewaytes";

#[tokio::test]
async fn the_api_answers_health_ui_assets_and_openapi_under_an_api_gateway_stage() {
    let moto = Moto::start().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let mut runtime_api = ScriptedRuntimeApi::start(&format!(
        "arn:aws:lambda:{REGION}:{MOTO_ACCOUNT}:function:analyst-api"
    ))
    .await;
    let mut function = spawn_lambda_function(
        "lambda-api",
        runtime_api.address,
        &platform_args(&moto, &data_dir.path, &database.url),
        &[
            ("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true"),
            ("ANALYST_ADMIN_API_KEY", ADMIN_KEY),
            (
                "ANALYST_STATE_MACHINE_ARN",
                "arn:aws:states:us-east-1:123456789012:stateMachine:analyst-question",
            ),
        ],
    );
    let first_call = runtime_api
        .next_call(&mut function, COLD_START_TIMEOUT)
        .await;
    assert!(
        matches!(first_call, RuntimeApiCall::NextInvocationRequested),
        "after its cold start the API asks for a request: {first_call:?}"
    );
    let mut ask = async |path: &str, public_path: &str, key: Option<&str>| {
        runtime_api.hand_out(rest_event(path, public_path, key));
        runtime_api
            .next_response(&mut function, INVOCATION_TIMEOUT)
            .await
    };

    let health = ask("/health", "/api/health", None).await;
    let ui = ask("/", "/api/", None).await;
    let stage_root = ask("/", "/api", None).await;
    let stylesheet = ask("/assets/app.css", "/api/assets/app.css", None).await;
    let openapi = ask("/openapi.json", "/api/openapi.json", Some(ADMIN_KEY)).await;
    let without_key = ask("/v1/datasources", "/api/v1/datasources", None).await;
    let with_key = ask("/v1/datasources", "/api/v1/datasources", Some(ADMIN_KEY)).await;

    assert_eq!(health["statusCode"], 200, "{health}");
    assert_eq!(ui["statusCode"], 200, "{ui}");
    let page = ui["body"].as_str().unwrap_or_default();
    assert!(
        page.contains(r#"href="assets/app.css""#) && page.contains(r#"src="assets/js/main.js""#),
        "the page's URLs are relative, so they resolve under the stage: {page}"
    );
    assert_eq!(stage_root["statusCode"], 308, "{stage_root}");
    assert_eq!(
        header(&stage_root, "location"),
        Some("/api/".to_owned()),
        "{stage_root}"
    );
    assert_eq!(stylesheet["statusCode"], 200, "{stylesheet}");
    assert_eq!(openapi["statusCode"], 200, "{openapi}");
    assert_eq!(without_key["statusCode"], 401, "{without_key}");
    assert_eq!(with_key["statusCode"], 200, "{with_key}");
    let listed: Value = serde_json::from_str(with_key["body"].as_str().unwrap()).unwrap();
    assert!(listed.to_string().contains("restaurants"), "{listed}");
}

/// A REST API proxy event of the stage `api` for `path` (what the router should see) sent to
/// `public_path` (what the browser asked for).
fn rest_event(path: &str, public_path: &str, key: Option<&str>) -> Value {
    let mut headers =
        json!({ "Host": "abc123.execute-api.us-east-1.amazonaws.com", "Accept": "*/*" });
    if let Some(key) = key {
        headers["Authorization"] = json!(format!("Bearer {key}"));
    }
    let multi_value_headers: serde_json::Map<String, Value> = headers
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), json!([value])))
        .collect();
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": multi_value_headers,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": { "proxy": path.trim_start_matches('/') },
        "stageVariables": null,
        "requestContext": {
            "accountId": MOTO_ACCOUNT,
            "resourceId": "abc123",
            "stage": "api",
            "requestId": uuid::Uuid::new_v4().to_string(),
            "identity": { "sourceIp": "203.0.113.9", "userAgent": "e2e" },
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "apiId": "abc123",
            "path": public_path,
            "protocol": "HTTP/1.1",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com"
        },
        "body": null,
        "isBase64Encoded": false
    })
}

fn header(response: &Value, name: &str) -> Option<String> {
    let find = |headers: &Value| {
        headers.as_object().and_then(|headers| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| match value {
                    Value::Array(values) => values[0].as_str().unwrap_or_default().to_owned(),
                    other => other.as_str().unwrap_or_default().to_owned(),
                })
        })
    };
    find(&response["headers"]).or_else(|| find(&response["multiValueHeaders"]))
}
